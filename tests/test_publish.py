"""`cohort publish`: the programme in a shared CalDAV calendar (a real Radicale), kept in step.

Every request goes through a recording proxy, so "no request", "exactly one PUT with If-Match"
and "only our DELETE" are counted, not assumed; the proxy can also change the server in the
middle of a run, or cut the connection after the server stored a write.
"""

from __future__ import annotations

import pytest
from calendars import parse
from conftest import SMALL, cohort, edit
from icalendar import Calendar
from publishing import (
    MOVED,
    REMOVED,
    TODAY,
    UID,
    calendar_of,
    edit_on_server,
    events_in,
    more_meetings,
    other_client,
    publish,
    record,
)
from servers import radicale, recording_proxy


@pytest.fixture
def server(tmp_path):
    """Radicale behind a recording proxy: the proxy's URL is what cohort is given."""
    with radicale(tmp_path / "radicale") as upstream, recording_proxy(upstream) as proxy:
        yield proxy


def test_publishing_twice_without_changes_makes_no_request(write, server):
    folder = write()
    first = publish(folder, server.url, "--confirm")
    assert first.exit_code == 0, first
    assert "created 'eerste' (Eerste bijeenkomst)" in first.stdout
    assert "created 'tweede' (Tweede bijeenkomst)" in first.stdout
    creates = [r for r in server.writes() if r.method == "PUT"]
    assert [r.header("If-None-Match") for r in creates] == ["*", "*"]
    assert set(events_in(server.upstream)) == {UID.format("eerste"), UID.format("tweede")}

    server.seen.clear()
    again = publish(folder, server.url, "--confirm", at="2029-12-02T09:00:00Z")
    assert again.exit_code == 0, again
    assert server.seen == []  # not one request, so certainly no write
    assert "2 unchanged" in again.stdout
    assert "up to date" in again.stdout
    text = (folder / "published-caldav.json").read_text()
    assert "app-password-1" not in text


def test_the_calendar_holds_the_same_events_as_the_feed(write, server, tmp_path):
    folder = write(SMALL + "calendar:\n  list_attendees: true\n")
    assert publish(folder, server.url, "--confirm").exit_code == 0
    out = tmp_path / "feeds"
    feed = cohort("calendar", folder, "-o", out, "--today", TODAY)
    assert feed.exit_code == 0, feed
    programme = parse(out / "programme.ics")
    in_feed = {str(e["UID"]): e for e in programme.walk("VEVENT")}
    on_server = events_in(server.upstream)
    assert set(on_server) == set(in_feed)
    for uid, (_, event) in on_server.items():
        theirs = in_feed[uid]
        for name in ("SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "STATUS"):
            assert event[name].to_ical() == theirs[name].to_ical(), name
        # the server must not e-mail invitations of its own: cohort sends them
        attendees = event["ATTENDEE"]
        assert {a.params["SCHEDULE-AGENT"] for a in attendees} == {"CLIENT"}
        assert event["ORGANIZER"].params["SCHEDULE-AGENT"] == "CLIENT"
    item = calendar_of(server.upstream).events()[0]
    zone = Calendar.from_ical(item.data).walk("VTIMEZONE")[0]
    ours = programme.walk("VTIMEZONE")[0]
    assert zone["TZID"] == ours["TZID"]
    # the same rules (the server may store them in another order)
    assert sorted(c.to_ical() for c in zone.subcomponents) == sorted(
        c.to_ical() for c in ours.subcomponents
    )


def test_moving_one_meeting_makes_exactly_one_put_with_if_match(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    etag = record(folder)["calendars"][0]["events"][UID.format("tweede")]["etag"]
    (folder / "programme.yaml").write_text(MOVED)

    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "updated 'tweede' (Tweede bijeenkomst)" in result.stdout
    writes = server.writes()
    assert [(r.method, r.header("If-Match"), r.header("If-None-Match")) for r in writes] == [
        ("PUT", etag, None)
    ]
    assert writes[0].path.endswith("/tweede.small%40cohort.invalid.ics")
    event = events_in(server.upstream)[UID.format("tweede")][1]
    assert (event["DTSTART"].dt.hour, event["DTSTART"].dt.minute) == (19, 30)
    assert event["SEQUENCE"] == 1


def test_an_event_another_client_stored_under_its_own_name_is_updated_in_place(write, server):
    folder = write()
    # someone imported the meeting into the team calendar before cohort published there
    team = other_client(server.upstream).principal().make_calendar(name="Team", cal_id="team")
    imported = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Else//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{UID.format('eerste')}\r\nDTSTAMP:20291101T120000Z\r\n"
        "DTSTART:20300205T180000Z\r\nDTEND:20300205T200000Z\r\nSUMMARY:Eerste (oud)\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    client = other_client(server.upstream)
    answer = client.put(
        str(team.url) + "3f6c1a0e-import.ics", imported, {"Content-Type": "text/calendar"}
    )
    assert answer.status == 201
    own_name = team.url.path + "3f6c1a0e-import.ics"

    result = publish(folder, server.url, "--calendar", "Team", "--confirm")
    assert result.exit_code == 0, result
    on_server = events_in(server.upstream, "Team")
    assert set(on_server) == {UID.format("eerste"), UID.format("tweede")}  # no duplicate
    path, event = on_server[UID.format("eerste")]
    assert path == own_name and str(event["SUMMARY"]) == "Eerste bijeenkomst"
    puts = {r.path: r for r in server.writes()}
    assert puts[own_name].header("If-Match") is not None
    assert all(r.status != 409 for r in server.seen)


def test_an_event_changed_on_the_server_between_read_and_write_is_not_overwritten(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(MOVED)

    def a_colleague_edits_it(request):
        if request.method == "PUT" and server.before is not None:
            server.before = None  # once
            edit_on_server(
                server.upstream,
                UID.format("tweede"),
                "SUMMARY:Tweede bijeenkomst",
                "SUMMARY:Zaal 2!",
            )

    server.before = a_colleague_edits_it
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert "changed on the server: 'tweede' (Tweede bijeenkomst)" in result.stderr
    assert "--force overwrites it" in result.stderr
    assert "Traceback" not in result.output
    assert str(events_in(server.upstream)[UID.format("tweede")][1]["SUMMARY"]) == "Zaal 2!"

    # asked again, the same answer: the colleague's change is never silently lost
    assert publish(folder, server.url, "--confirm", at="2029-12-05T10:00:00Z").exit_code == 1
    forced = publish(folder, server.url, "--confirm", "--force", at="2029-12-05T11:00:00Z")
    assert forced.exit_code == 0, forced
    event = events_in(server.upstream)[UID.format("tweede")][1]
    assert str(event["SUMMARY"]) == "Tweede bijeenkomst"
    assert event["DTSTART"].dt.minute == 30


def test_an_event_deleted_on_the_server_is_not_brought_back_unless_forced(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    path = events_in(server.upstream)[UID.format("tweede")][0]
    other_client(server.upstream).delete(server.upstream.rstrip("/") + path)
    (folder / "programme.yaml").write_text(MOVED)

    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert "'tweede' (Tweede bijeenkomst)" in result.stderr
    assert "was deleted from the calendar on the server" in result.stderr
    assert set(events_in(server.upstream)) == {UID.format("eerste")}
    forced = publish(folder, server.url, "--confirm", "--force", at="2029-12-05T10:00:00Z")
    assert forced.exit_code == 0, forced
    assert set(events_in(server.upstream)) == {UID.format("eerste"), UID.format("tweede")}


def test_a_removed_meeting_someone_changed_on_the_server_is_kept_unless_forced(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    edit_on_server(server.upstream, UID.format("tweede"), "SUMMARY:Tweede", "SUMMARY:Toch ")
    (folder / "programme.yaml").write_text(REMOVED)

    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert "not deleted (--force deletes it)" in result.stderr
    assert UID.format("tweede") in events_in(server.upstream)
    forced = publish(folder, server.url, "--confirm", "--force", at="2029-12-05T10:00:00Z")
    assert forced.exit_code == 0, forced
    assert set(events_in(server.upstream)) == {UID.format("eerste")}


def test_a_cancelled_meeting_becomes_status_cancelled_with_a_higher_sequence(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    cancelled = edit(SMALL, "    themes: start\n", "    themes: start\n    status: cancelled\n")
    (folder / "programme.yaml").write_text(cancelled)
    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "cancelled 'eerste' (Eerste bijeenkomst)" in result.stdout
    assert len(server.writes()) == 1
    event = events_in(server.upstream)[UID.format("eerste")][1]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(events_in(server.upstream)[UID.format("tweede")][1]["STATUS"]) == "TENTATIVE"


def test_a_removed_meeting_is_deleted_and_nobody_elses_event_is_touched(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    team = calendar_of(server.upstream)
    foreign = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Else//EN\r\nBEGIN:VEVENT\r\n"
        "UID:{uid}\r\nDTSTAMP:20291101T120000Z\r\nDTSTART:20300210T090000Z\r\n"
        "DTEND:20300210T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    team.save_event(foreign.format(uid="lunch-42@example.org", summary="Teamlunch"))
    # a UID that looks like cohort's, but cohort never wrote it
    team.save_event(foreign.format(uid=UID.format("derde"), summary="Iemands eigen"))
    (folder / "programme.yaml").write_text(REMOVED)

    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "deleted 'tweede' (Tweede bijeenkomst)" in result.stdout
    writes = server.writes()
    assert [(r.method, r.path.rsplit("/", 1)[1]) for r in writes] == [
        ("DELETE", "tweede.small%40cohort.invalid.ics")
    ]
    assert writes[0].header("If-Match") is not None
    assert set(events_in(server.upstream)) == {
        UID.format("eerste"),
        UID.format("derde"),
        "lunch-42@example.org",
    }
    assert UID.format("tweede") not in record(folder)["calendars"][0]["events"]


def test_a_dry_run_lists_the_changes_and_sends_nothing(write, server):
    folder = write()
    dry = publish(folder, server.url)
    assert dry.exit_code == 0, dry
    assert server.seen == []
    assert "would create 'eerste' (Eerste bijeenkomst)" in dry.stdout
    assert "nothing was sent. Add --confirm" in dry.stdout
    assert not (folder / "published-caldav.json").exists()
    assert not (folder / "published.json").exists()

    assert publish(folder, server.url, "--confirm").exit_code == 0
    text = edit(SMALL, "    themes: start\n", "    themes: start\n    status: cancelled\n")
    (folder / "programme.yaml").write_text(text[: text.index("  tweede:")])
    server.seen.clear()
    dry = publish(folder, server.url, "--dry-run", at="2029-12-05T09:00:00Z")
    assert dry.exit_code == 0, dry
    assert server.seen == []
    assert "would cancel 'eerste' (Eerste bijeenkomst)" in dry.stdout
    assert "would delete 'tweede' (Tweede bijeenkomst)" in dry.stdout
    assert publish(folder, server.url, "--dry-run", "--confirm").exit_code == 2


def test_a_wrong_password_is_a_clear_error(write, tmp_path):
    folder = write()
    with radicale(tmp_path / "radicale", users={"facilitator": "app-password-1"}) as url:
        wrong = {"COHORT_CALDAV_PASSWORD": "hunter2-wrong"}
        result = publish(folder, url, "--confirm", env=wrong)
        assert result.exit_code == 1, result
        assert "refused the user and password (401 Unauthorized)" in result.stderr
        assert "COHORT_CALDAV_PASSWORD" in result.stderr
        assert "Traceback" not in result.output
        for path in folder.rglob("*"):
            if path.is_file():
                assert b"hunter2-wrong" not in path.read_bytes(), path
        assert "hunter2-wrong" not in result.output
        # and the right one works
        assert publish(folder, url, "--confirm").exit_code == 0


def test_the_server_going_away_mid_run_loses_nothing(write, server):
    folder = write(more_meetings(4))
    puts = []

    def third_put_is_stored_but_never_answered(request):
        if request.method == "PUT":
            puts.append(request)
        return len(puts) == 3

    server.cut = third_put_is_stored_but_never_answered
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "stopped: the connection to" in result.stderr
    assert "run the same command again to finish" in result.stderr
    assert len(events_in(server.upstream)) == 3  # the third arrived, its answer did not
    events = record(folder)["calendars"][0]["events"]
    assert sum(e["etag"] is not None for e in events.values()) == 2

    server.cut, server.down = None, False
    server.seen.clear()
    again = publish(folder, server.url, "--confirm")
    assert again.exit_code == 0, again
    on_server = events_in(server.upstream)
    assert len(on_server) == 6
    assert len([r for r in server.writes() if r.method == "PUT"]) == 3  # not the third again
    events = record(folder)["calendars"][0]["events"]
    assert set(events) == set(on_server)
    assert all(e["etag"] and e["sending"] == [] for e in events.values())
    assert publish(folder, server.url, "--confirm").exit_code == 0
    assert len(events_in(server.upstream)) == 6


def test_a_server_that_is_not_there_is_reported(write, server):
    folder = write()
    server.down = True
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "the connection to 127.0.0.1" in result.stderr
    assert "Traceback" not in result.output


def test_an_address_with_no_calendar_server_is_a_clear_error(write, server):
    result = publish(write(), server.url + "nothing/here/", "--confirm")
    assert result.exit_code == 1, result
    assert "has nothing at" in result.stderr and "(404 Not Found)" in result.stderr
    assert "check the --caldav address" in result.stderr
    assert server.writes() == []


def test_every_participant_gets_a_calendar_of_their_own(write, server):
    text = edit(
        SMALL,
        "    kind: intervision\n    venue: zaal\n    date: 2030-03-05",
        ("    kind: intervision\n    venue: zaal\n    invited: [anna]\n    date: 2030-03-05"),
    )
    folder = write(text)
    result = publish(folder, server.url, "--people", "--confirm")
    assert result.exit_code == 0, result
    anna = events_in(server.upstream, "Kleine leergroep — Anna Peeters")
    bert = events_in(server.upstream, "Kleine leergroep — Bert Claes")
    assert set(anna) == {UID.format("eerste"), UID.format("tweede")}
    assert set(bert) == {UID.format("eerste")}
    assert set(events_in(server.upstream)) == set(anna)

    # Anna is no longer invited to the second meeting: only her calendar loses it
    (folder / "programme.yaml").write_text(edit(text, "invited: [anna]", "invited: [bert]"))
    server.seen.clear()
    again = publish(folder, server.url, "--people", "--confirm", at="2029-12-05T09:00:00Z")
    assert again.exit_code == 0, again
    assert set(events_in(server.upstream, "Kleine leergroep — Anna Peeters")) == {
        UID.format("eerste")
    }
    assert len(events_in(server.upstream, "Kleine leergroep — Bert Claes")) == 2
    writes = {(r.method, r.path.split("/")[2], r.path.rsplit("/", 1)[1]) for r in server.writes()}
    tweede = "tweede.small%40cohort.invalid.ics"
    assert writes == {
        ("DELETE", "small.anna", tweede),
        ("PUT", "small.bert", tweede),
        ("PUT", "small", tweede),  # its DTSTAMP moved: who is invited changed
    }


@pytest.fixture(scope="module")
def authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def test_a_certificate_that_cannot_be_verified_is_refused(write, tmp_path, authority):
    folder = write()
    certificate = authority.issue_cert("127.0.0.1")
    with radicale(tmp_path / "radicale", certificate=certificate) as url:
        result = publish(folder, url, "--confirm")
    assert result.exit_code == 1, result
    assert "could not be verified" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "env", "says"),
    [
        ("https://me:secret@cloud.example.org/dav/", {}, "must not hold a user or password"),
        ("http://cloud.example.org/dav/", {}, "unencrypted connection"),
        ("ftp://cloud.example.org/", {}, "is not a server address"),
    ],
)
def test_addresses_that_would_leak_a_password_are_refused(write, url, env, says):
    result = publish(write(), url, "--confirm", env=env)
    assert result.exit_code == 2, result
    assert says in result.stderr


def test_a_damaged_record_is_reported_and_left_alone(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    path = folder / "published-caldav.json"
    damaged = path.read_text().replace('"calendars": [', '<<<<<<< HEAD\n"calendars": [', 1)
    path.write_text(damaged)
    server.seen.clear()
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "published-caldav.json:2:2: error: published-caldav.json is damaged" in result.stderr
    assert "restore it from git" in result.stderr
    assert path.read_text() == damaged
    assert server.seen == []


def test_a_record_with_a_value_of_the_wrong_kind_is_named_not_a_crash(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    path = folder / "published-caldav.json"
    path.write_text(path.read_text().replace('"cancelled": false', '"cancelled": "maybe"', 1))
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "published-caldav.json is not as cohort wrote it (0.events." in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
