"""`cohort publish --people`: a calendar per participant, identified by its path (programme id
and participant id), never by its display name; cohort writes only into calendars it made, or
that it is told to use. Against a real Radicale behind a recording proxy."""

from __future__ import annotations

import shutil

import pytest
from conftest import SMALL, edit
from publishing import (
    MOVED,
    UID,
    calendar_record,
    calendars,
    events_in,
    other_client,
    publish,
    record,
)
from servers import radicale, recording_proxy

#: two participants called Anna Peeters; only the first is invited to the second meeting
NAMESAKES = edit(
    edit(
        SMALL,
        "  bert:\n",
        "  anna-2:\n    name: Anna Peeters\n    email: anna.p@example.org\n"
        "    organisation: leerhuis\n  bert:\n",
    ),
    "    kind: intervision\n    venue: zaal\n    date: 2030-03-05",
    "    kind: intervision\n    venue: zaal\n    invited: [anna]\n    date: 2030-03-05",
)
HOME = "/facilitator/"


def person(key, name):
    """A participant as SMALL writes them."""
    email = f"{key}@example.org"
    return f"  {key}:\n    name: {name}\n    email: {email}\n    organisation: leerhuis\n"


@pytest.fixture
def server(tmp_path):
    """Radicale behind a recording proxy: the proxy's URL is what cohort is given."""
    with radicale(tmp_path / "radicale") as upstream, recording_proxy(upstream) as proxy:
        yield proxy


def test_participants_with_the_same_name_each_get_their_own_calendar(write, server):
    folder = write(NAMESAKES)
    result = publish(folder, server.url, "--people", "--confirm")
    assert result.exit_code == 0, result
    anna = events_in(server.upstream, HOME + "small.anna/")
    namesake = events_in(server.upstream, HOME + "small.anna-2/")
    assert set(anna) == {UID.format("eerste"), UID.format("tweede")}
    assert set(namesake) == {UID.format("eerste")}  # not the other Anna's meeting
    names = calendars(server.upstream)
    assert names[HOME + "small.anna/"] == names[HOME + "small.anna-2/"]

    # and they settle: the next run asks nothing of the server
    server.seen.clear()
    again = publish(folder, server.url, "--people", "--confirm", at="2029-12-02T09:00:00Z")
    assert again.exit_code == 0, again
    assert server.seen == []
    assert "up to date" in again.stdout


def test_programmes_with_the_same_title_never_share_a_calendar(write, server, tmp_path):
    small = write()
    other = tmp_path / "klein"
    shutil.copytree(small, other)
    (other / "programme.yaml").write_text(edit(SMALL, "id: small", "id: klein"))
    assert publish(small, server.url, "--people", "--confirm").exit_code == 0
    result = publish(other, server.url, "--people", "--confirm")
    assert result.exit_code == 0, result

    for programme in ("small", "klein"):
        uids = {UID.format(m).replace("small", programme) for m in ("eerste", "tweede")}
        assert set(events_in(server.upstream, f"{HOME}{programme}/")) == uids
        assert set(events_in(server.upstream, f"{HOME}{programme}.anna/")) == uids
    # the first programme finds its calendars as it left them
    server.seen.clear()
    assert publish(small, server.url, "--people", "--confirm").exit_code == 0
    assert server.seen == []


def test_a_calendar_cohort_did_not_make_is_used_only_when_named(write, server):
    # someone made a calendar with the programme's title in their calendar program
    theirs = (
        other_client(server.upstream)
        .principal()
        .make_calendar(name="Kleine leergroep", cal_id="3c1e-mine")
    )
    folder = write()
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 0, result
    assert list(theirs.events()) == []  # untouched: cohort made its own
    assert set(events_in(server.upstream, HOME + "small/")) == {
        UID.format("eerste"),
        UID.format("tweede"),
    }

    # named, it is one to publish into: by its name (now ambiguous), or by its address
    named = publish(folder, server.url, "--calendar", "Kleine leergroep", "--confirm")
    assert named.exit_code == 1, named
    assert "has 2 calendars called 'Kleine leergroep'" in named.stderr
    assert "give the address of one with --caldav" in named.stderr
    told = publish(folder, str(theirs.url), "--confirm")
    assert told.exit_code == 0, told
    assert len(list(theirs.events())) == 2


def test_a_renamed_participant_keeps_their_calendar_under_their_new_name(write, server):
    folder = write()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(
        edit(SMALL, "name: Anna Peeters", "name: Anna Peeters-Janssens")
    )
    result = publish(folder, server.url, "--people", "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert (
        "renamed the calendar 'Kleine leergroep — Anna Peeters' to "
        "'Kleine leergroep — Anna Peeters-Janssens'" in result.stdout
    )
    names = calendars(server.upstream)
    assert names[HOME + "small.anna/"] == "Kleine leergroep — Anna Peeters-Janssens"
    assert len(names) == 3  # no calendar more
    assert calendar_record(folder, "anna")["title"] == "Kleine leergroep — Anna Peeters-Janssens"
    server.seen.clear()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    assert server.seen == []


def test_the_calendar_of_a_participant_who_left_is_deleted(write, server):
    folder = write()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    # someone added an event of their own to Anna's calendar: that one is kept
    anna = other_client(server.upstream).calendar(
        url=server.upstream.rstrip("/") + HOME + "small.anna/"
    )
    anna.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:own@example.org\r\n"
        "DTSTAMP:20291101T120000Z\r\nDTSTART:20300210T090000Z\r\nSUMMARY:Eigen\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    without = SMALL.replace(person("anna", "Anna Peeters"), "").replace(
        person("bert", "Bert Claes"), person("bert", "Bert Claes") + person("carla", "Carla Smit")
    )
    (folder / "programme.yaml").write_text(without)
    result = publish(folder, server.url, "--people", "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "kept the calendar 'Kleine leergroep — Anna Peeters'" in result.stdout
    assert set(events_in(server.upstream, HOME + "small.anna/")) == {"own@example.org"}

    # Bert leaves too: his calendar holds only cohort's events, and goes
    (folder / "programme.yaml").write_text(without.replace(person("bert", "Bert Claes"), ""))
    server.seen.clear()
    result = publish(folder, server.url, "--people", "--confirm", at="2029-12-06T09:00:00Z")
    assert result.exit_code == 0, result
    assert "deleted the calendar 'Kleine leergroep — Bert Claes'" in result.stdout
    assert HOME + "small.bert/" not in calendars(server.upstream)
    assert ("DELETE", HOME + "small.bert/") in {(r.method, r.path) for r in server.writes()}
    assert [c["person"] for c in record(folder)["calendars"]] == [
        None,
        "anna",
        "carla",
    ]


def test_publishing_without_people_says_the_personal_calendars_were_left(write, server):
    folder = write()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(MOVED)
    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "the personal calendars of 2 participant(s)" in result.stdout
    assert "add --people to bring them up to date too" in result.stdout
    assert {r.path.split("/")[2] for r in server.writes()} == {"small"}


def test_a_lost_record_still_takes_a_meeting_out_of_a_personal_calendar(write, server):
    text = edit(
        SMALL,
        "    kind: intervision\n    venue: zaal\n    date: 2030-03-05",
        "    kind: intervision\n    venue: zaal\n    invited: [anna]\n    date: 2030-03-05",
    )
    folder = write(text)
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    (folder / "published-caldav.json").unlink()
    (folder / "programme.yaml").write_text(edit(text, "invited: [anna]", "invited: [bert]"))
    result = publish(folder, server.url, "--people", "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert set(events_in(server.upstream, HOME + "small.anna/")) == {UID.format("eerste")}
    assert len(events_in(server.upstream, HOME + "small.bert/")) == 2


def test_a_participants_calendar_is_never_also_the_programmes(write, server):
    folder = write()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    before = record(folder)

    # Anna's calendar, given by its address or its name, for the programme's events
    address = publish(folder, server.url + HOME.lstrip("/") + "small.anna/", "--confirm")
    assert address.exit_code == 1, address
    assert "is the personal calendar cohort fills for participant 'anna'" in address.stderr
    by_name = publish(folder, server.url, "--calendar", "Kleine leergroep — Anna Peeters")
    assert by_name.exit_code == 0, by_name  # a dry run asks nothing
    named = publish(
        folder, server.url, "--calendar", "Kleine leergroep — Anna Peeters", "--confirm"
    )
    assert named.exit_code == 1, named
    assert "give the address of another calendar with --caldav" in named.stderr.lower()

    # nothing was written, and Anna's calendar is still hers: the next run asks nothing
    assert record(folder) == before
    assert set(events_in(server.upstream, HOME + "small.anna/")) == {
        UID.format("eerste"),
        UID.format("tweede"),
    }
    server.seen.clear()
    again = publish(folder, server.url, "--people", "--confirm", at="2029-12-02T09:00:00Z")
    assert again.exit_code == 0, again
    assert server.seen == []


def test_a_private_meeting_is_only_in_its_invitees_calendars(write, server):
    folder = write()
    assert publish(folder, server.url, "--people", "--confirm").exit_code == 0
    # the second meeting becomes a conversation between Anna and the facilitator
    (folder / "programme.yaml").write_text(
        edit(
            SMALL,
            "    kind: intervision\n    venue: zaal\n    date: 2030-03-05",
            "    kind: intervision\n    visibility: private\n    invited: [anna]\n"
            "    venue: zaal\n    date: 2030-03-05",
        )
    )
    result = publish(folder, server.url, "--people", "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result

    # out of the shared calendar and Bert's, still in Anna's
    assert set(events_in(server.upstream, HOME + "small/")) == {UID.format("eerste")}
    assert set(events_in(server.upstream, HOME + "small.bert/")) == {UID.format("eerste")}
    assert set(events_in(server.upstream, HOME + "small.anna/")) == {
        UID.format("eerste"),
        UID.format("tweede"),
    }
