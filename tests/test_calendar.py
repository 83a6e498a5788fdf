"""`cohort calendar`: feeds and files that every calendar client reads the same way."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from calendars import events, parse, to_utc
from conftest import SEEDS, SMALL, cohort, edit

T0 = "2029-12-01T09:00:00Z"
T1 = "2029-12-15T10:30:00Z"
ICS = Path(__file__).parent / "ics"


def publish(folder: Path, out: Path, at: str = T0):
    result = cohort("calendar", folder, "-o", out, "--today", "2029-12-01", env={"COHORT_NOW": at})
    assert result.exit_code == 0, result
    return result


def read_all(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.ics"))}


@pytest.mark.parametrize("name", SEEDS)
def test_every_file_of_every_seed_parses_with_its_timezones(seed, tmp_path, name):
    folder = seed(name)
    out = tmp_path / "out"
    publish(folder, out)
    files = sorted(out.rglob("*.ics"))
    assert len(files) == len(list(out.glob("programme*.ics"))) + len(
        list((out / "meetings").iterdir())
    ) + len(list((out / "people").iterdir()))
    for path in files:
        cal = parse(path)
        assert "METHOD" not in cal
        zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
        for event in cal.walk("VEVENT"):
            start = event["DTSTART"]
            if isinstance(start.dt, dt.datetime):
                assert start.params["TZID"] in zones, path
                assert "/" in start.params["TZID"]  # a full IANA name
            assert event["DTSTAMP"].dt.tzinfo is not None  # UTC
            for prop in ("UID", "SEQUENCE", "SUMMARY", "STATUS", "ORGANIZER"):
                assert prop in event, (path, prop)
        for zone in cal.walk("VTIMEZONE"):
            assert "COMMENT" not in zone and "RDATE" not in zone.to_ical().decode()
            for sub in zone.subcomponents:
                assert "RRULE" in sub or sub["TZOFFSETFROM"].td == sub["TZOFFSETTO"].td


def test_the_programme_feed_is_for_subscribing(write, tmp_path):
    out = tmp_path / "out"
    publish(write(), out)
    raw = (out / "programme.ics").read_bytes()
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw
    assert b"\r\nNAME:Kleine leergroep\r\n" in raw
    assert b"\r\nX-WR-CALNAME:Kleine leergroep\r\n" in raw
    assert b"METHOD" not in raw
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert all(line.endswith(b"\r") for line in raw.split(b"\n")[:-1])  # CRLF everywhere
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75  # folded by icalendar
    assert list(events(out / "programme.ics")) == [
        "eerste.small@cohort.invalid",
        "tweede.small@cohort.invalid",
    ]


def test_personal_feeds_hold_only_ones_own_meetings(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("brussels-broedplekken-2023"), out)
    feeds = {p.name.rsplit("-", 1)[0]: p for p in (out / "people").iterdir()}
    # Amina works at Jeugdhuis Kanaal, a partner of Broedplek Kanaalhuis: session 1 and Trefdag
    mine = events(feeds["amina-benali"])
    assert sorted(uid.split(".")[0] for uid in mine) == ["intervisie-1", "trefdag"]
    # the facilitators are invited to everything
    assert len(events(feeds["awb-lien"])) == 5


def test_feed_names_cannot_be_guessed_from_an_id(write, tmp_path):
    out = tmp_path / "out"
    folder = write()
    publish(folder, out)
    names = sorted(p.name for p in (out / "people").iterdir())
    assert [n.rsplit("-", 1)[0] for n in names] == ["anna", "bert"]
    assert all(len(n.rsplit("-", 1)[1]) == len("0123456789ab.ics") for n in names)
    publish(folder, out, T1)
    assert sorted(p.name for p in (out / "people").iterdir()) == names  # stable


def test_editing_one_meeting_raises_only_its_sequence(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out, T0)
    first = read_all(out)
    state = (folder / "published.json").read_bytes()

    # regenerating without a change: byte-identical, state untouched
    publish(folder, out, T1)
    assert read_all(out) == first
    assert (folder / "published.json").read_bytes() == state

    # the facilitator moves the second meeting by an hour
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, 'date: 2030-03-05\n    start: "19:00"', 'date: 2030-03-05\n    start: "18:00"')
    )
    result = publish(folder, out, T1)
    assert "'tweede' changed: SEQUENCE is now 1" in result.stdout
    feed = events(out / "programme.ics")
    eerste, tweede = feed["eerste.small@cohort.invalid"], feed["tweede.small@cohort.invalid"]
    assert (eerste["SEQUENCE"], tweede["SEQUENCE"]) == (0, 1)
    assert eerste["DTSTAMP"].dt == dt.datetime(2029, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert tweede["DTSTAMP"].dt == dt.datetime(2029, 12, 15, 10, 30, tzinfo=dt.UTC)
    assert tweede["DTSTART"].dt.hour == 18
    assert read_all(out)["meetings/eerste.ics"] == first["meetings/eerste.ics"]


def test_a_new_title_moves_dtstamp_but_not_sequence(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out, T0)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(edit(text, "Eerste bijeenkomst", "Kick-off"))
    publish(folder, out, T1)
    event = events(out / "meetings" / "eerste.ics")["eerste.small@cohort.invalid"]
    assert (str(event["SUMMARY"]), event["SEQUENCE"]) == ("Kick-off", 0)
    assert event["DTSTAMP"].dt == dt.datetime(2029, 12, 15, 10, 30, tzinfo=dt.UTC)


def test_a_cancelled_meeting_stays_marked_cancelled(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out, T0)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(
            text,
            "    venue: zaal\n    date: 2030-03-05",
            "    venue: zaal\n    status: cancelled\n    date: 2030-03-05",
        )
    )
    publish(folder, out, T1)
    for path in (out / "programme.ics", out / "meetings" / "tweede.ics"):
        event = events(path)["tweede.small@cohort.invalid"]
        assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
        assert str(event["SUMMARY"]) == "Geannuleerd: Tweede bijeenkomst"
        assert "VALARM" not in event.to_ical().decode()


def test_a_meeting_removed_from_the_yaml_is_cancelled_not_dropped(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out, T0)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(text[: text.index("  tweede:")])
    publish(folder, out, T1)
    for path in (
        out / "programme.ics",
        out / "meetings" / "tweede.ics",
        next((out / "people").glob("anna-*.ics")),
    ):
        event = events(path)["tweede.small@cohort.invalid"]
        assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
        assert event["DTSTART"].dt == dt.datetime(
            2030, 3, 5, 19, 0, tzinfo=ZoneInfo("Europe/Brussels")
        )
        assert str(event["LOCATION"]) == "De Zaal, Kerkstraat 1, 9000 Gent"
    # and it comes back as it was when restored, one SEQUENCE further
    (folder / "programme.yaml").write_text(text)
    publish(folder, out, "2029-12-20T08:00:00Z")
    event = events(out / "programme.ics")["tweede.small@cohort.invalid"]
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("TENTATIVE", 2)


def test_an_all_day_meeting_has_dates_with_an_exclusive_end(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("brussels-broedplekken-2023"), out)
    raw = (out / "meetings" / "trefdag.ics").read_bytes()
    assert b"DTSTART;VALUE=DATE:20230921\r\n" in raw
    assert b"DTEND;VALUE=DATE:20230922\r\n" in raw


def test_where_who_and_what_are_in_the_event(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("twente-cop-2024"), out)
    event = events(out / "meetings" / "bijeenkomst-3.ics")[
        "bijeenkomst-3.twente-cop-2024@tetem.example.org"
    ]
    assert str(event["LOCATION"]) == (
        "Oyfo Techniekmuseum, Floris Hazemeijerstraat 300, 7555 RJ Hengelo"
    )
    assert event["ORGANIZER"].params["CN"] == "Tetem"
    assert str(event["ORGANIZER"]) == "mailto:cop@example.org"
    assert str(event["URL"]) == "https://tetem.nl/"
    assert "Rolstoeltoegankelijk" in str(event["DESCRIPTION"])
    assert "Thema: Innovatie" in str(event["DESCRIPTION"])
    assert [str(a["TRIGGER"].to_ical().decode()) for a in event.walk("VALARM")] == ["-PT1H"]
    first = events(out / "meetings" / "bijeenkomst-1.ics")[
        "bijeenkomst-1.twente-cop-2024@tetem.example.org"
    ]
    assert first["GEO"].latitude == 52.2232 and first["GEO"].longitude == 6.899
    assert "19:15  Casus — hoe bereikt Het Pakhuis zijn publiek? (Sanne Visser)" in str(
        first["DESCRIPTION"]
    )


def test_online_meetings_carry_the_join_link_to_their_invitees_alone(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("brein-festijn-2021"), out)
    uid = "brein-festijn.brein-festijn-2021@brein.example.org"
    link = "https://meet.example.org/brein-festijn-2021"
    for public in (out / "meetings" / "brein-festijn.ics", out / "programme.ics"):
        shown = events(public)[uid]
        assert str(shown["LOCATION"]) == "Brein Festijn online"
        assert "CONFERENCE" not in shown
        assert link not in public.read_text()
        assert "De link om deel te nemen krijg je met de uitnodiging." in str(shown["DESCRIPTION"])
    event = events(next((out / "people").glob("sophie-ma-*.ics")))[uid]
    assert str(event["LOCATION"]) == link
    assert f"Online deelnemen: {link}" in str(event["DESCRIPTION"])
    conference = event["CONFERENCE"]
    assert str(conference) == link
    assert dict(conference.params) == {
        "VALUE": "URI",
        "FEATURE": "VIDEO",
        "LABEL": "Brein Festijn online",
    }


def test_a_participants_language_wins_in_their_feed(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("optil-cultuurplekken-2025"), out)
    french = events(next((out / "people").glob("ieper-charlotte-*.ics")))
    assert any("Organisation\u202f: OP/TIL" in str(e["DESCRIPTION"]) for e in french.values())
    dutch = events(out / "programme.ics")
    assert all("Organisatie: OP/TIL" in str(e["DESCRIPTION"]) for e in dutch.values())


def test_no_email_address_of_a_participant_in_any_feed(seed, tmp_path):
    folder = seed("twente-cop-2024")
    out = tmp_path / "out"
    publish(folder, out)
    addresses = [
        line.split(":", 1)[1].strip().encode()
        for line in (folder / "participants.yaml").read_text().splitlines()
        if line.strip().startswith("email:")
    ]
    assert len(addresses) == 17
    for path in out.rglob("*.ics"):
        data = path.read_bytes()
        assert not any(a in data for a in addresses), path
        assert b"ATTENDEE" not in data


def test_a_programme_can_opt_in_to_list_attendees(write, tmp_path):
    out = tmp_path / "out"
    publish(
        write(edit(SMALL, "attendance:", "calendar:\n  list_attendees: true\nattendance:")), out
    )
    event = events(out / "programme.ics")["eerste.small@cohort.invalid"]
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:anna@example.org",
        "mailto:bert@example.org",
    ]


@pytest.mark.parametrize("timezone", ["Europe/Brussels", "Europe/Amsterdam"])
def test_every_start_through_the_embedded_vtimezone_is_the_tz_database_instant(
    write, tmp_path, timezone
):
    # meetings in the weeks of the March and October changes, and just around the changes
    days = [
        "2030-03-24",
        "2030-03-30",
        "2030-03-31",
        "2030-04-01",
        "2030-04-07",
        "2030-10-20",
        "2030-10-26",
        "2030-10-27",
        "2030-10-28",
        "2030-11-03",
        "2031-03-30",
        "2031-10-26",
    ]
    times = ["01:30", "03:30", "09:00", "19:00", "23:30"]
    text = (
        SMALL[: SMALL.index("meetings:")]
        .replace("timezone: Europe/Brussels", f"timezone: {timezone}")
        .replace("attendance:\n  required: all\n", "")
    )
    text += "meetings:\n"
    for i, (day, time) in enumerate((d, t) for d in days for t in times):
        text += (
            f'  m{i}:\n    title: M {i}\n    date: {day}\n    start: "{time}"\n'
            f"    duration: 30m\n    venue: online\n"
        )
    text = text.replace(
        "themes:\n",
        "  online:\n    name: Meet\n    join_url: https://meet.example.org/x\nthemes:\n",
    )
    out = tmp_path / "out"
    publish(write(text), out)
    cal = parse(out / "programme.ics")
    (vtimezone,) = cal.walk("VTIMEZONE")
    zone = ZoneInfo(timezone)
    checked = 0
    for event in cal.walk("VEVENT"):
        for prop in ("DTSTART", "DTEND"):
            raw = event[prop].to_ical().decode()
            local = dt.datetime.strptime(raw, "%Y%m%dT%H%M%S")
            expected = local.replace(tzinfo=zone).astimezone(dt.UTC)
            assert to_utc(vtimezone, local) == expected, (prop, raw)
            checked += 1
    assert checked == 2 * len(days) * len(times)


def test_golden_calendar_files_of_a_small_programme(write, tmp_path):
    out = tmp_path / "out"
    text = edit(
        SMALL,
        "attendance:",
        "calendar:\n  domain: leerhuis.example.org\n  reminders: 1d\n"
        "links:\n  website: https://leerhuis.example.org/\nattendance:",
    )
    text = edit(text, "    capacity: 20\n", "    capacity: 20\n    coordinates: 51.05, 3.72\n")
    text = edit(
        text,
        "    themes: start\n",
        "    themes: start\n    agenda:\n"
        '      - time: "19:00"\n        title: Welkom, koffie; en thee\n'
        "        speaker: anna\n",
    )
    publish(write(text), out)
    for name in ("programme.ics", "meetings/eerste.ics"):
        actual = (out / name).read_bytes()
        golden = ICS / ("small-" + name.replace("/", "-"))
        if os.environ.get("COHORT_UPDATE_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_bytes(actual)
        assert actual == golden.read_bytes(), name


def test_the_output_folder_is_never_one_with_the_users_files(write, tmp_path):
    folder = write()
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = cohort("calendar", folder, "-o", mine)
    assert result.exit_code == 2
    assert "already holds files that cohort did not write" in result.stderr
    assert (mine / "notes.txt").read_text() == "mine"
    assert cohort("calendar", folder, "-o", folder).exit_code == 2


def test_stale_files_of_cohort_are_removed_and_nothing_else(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out)
    (out / "README.txt").write_text("kept")
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(
            text,
            "  bert:\n    name: Bert Claes\n    email: "
            "bert@example.org\n    organisation: leerhuis\n",
            "",
        )
    )
    publish(folder, out, T1)
    assert [p.name.split("-")[0] for p in (out / "people").iterdir()] == ["anna"]
    assert (out / "README.txt").read_text() == "kept"


def test_a_damaged_state_file_is_reported_not_overwritten(write, tmp_path):
    folder = write()
    publish(folder, tmp_path / "out")
    state = folder / "published.json"
    damaged = state.read_text().replace('"meetings": {', '<<<<<<< HEAD\n"meetings": {', 1)
    state.write_text(damaged)
    result = cohort("calendar", folder, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "published.json is damaged" in result.stderr
    assert "restore it from git" in result.stderr
    assert state.read_text() == damaged


def test_the_state_file_records_uids_that_never_change(write, tmp_path):
    folder = write()
    out = tmp_path / "out"
    publish(folder, out)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, "attendance:", "calendar:\n  domain: later.example.org\nattendance:")
    )
    publish(folder, out, T1)
    state = json.loads((folder / "published.json").read_text())
    assert state["meetings"]["eerste"]["uid"] == "eerste.small@cohort.invalid"
    assert "eerste.small@cohort.invalid" in events(out / "programme.ics")


def test_calendar_refuses_a_programme_with_errors(write, tmp_path):
    text = edit(SMALL, "venue: zaal\n    date: 2030-02-05", "venue: zall\n    date: 2030-02-05")
    result = cohort("calendar", write(text), "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


def test_calendar_names_are_escaped_text(write, tmp_path):
    out = tmp_path / "out"
    publish(write(edit(SMALL, "title: Kleine leergroep", "title: Leren, delen; doen")), out)
    raw = (out / "programme.ics").read_bytes()
    assert b"\r\nNAME:Leren\\, delen\\; doen\r\n" in raw
    assert b"\r\nX-WR-CALNAME:Leren\\, delen\\; doen\r\n" in raw


def test_validate_reports_a_damaged_state_file(write, tmp_path):
    folder = write()
    publish(folder, tmp_path / "out")
    state = folder / "published.json"
    state.write_text(state.read_text().replace("{", "<<<<<<< HEAD\n{", 1))
    result = cohort("validate", folder, "--today", "2029-12-01")
    assert result.exit_code == 1
    assert f"{state}:1:1: error: published.json is damaged" in result.stderr


def test_a_state_file_with_values_of_the_wrong_kind_is_named_not_a_crash(write, tmp_path):
    folder = write()
    publish(folder, tmp_path / "out")
    state = folder / "published.json"
    state.write_text(state.read_text().replace('"sequence": 0', '"sequence": "abc"', 1))
    for command in ("validate", "calendar"):
        result = cohort(command, folder, "-o", tmp_path / "again", "--today", "2029-12-01")
        if command == "validate":
            result = cohort(command, folder, "--today", "2029-12-01")
        assert result.exit_code == 1, result
        assert "published.json is not as cohort wrote it (eerste.sequence" in result.stderr


def test_a_state_file_that_is_a_folder_is_named_not_a_crash(write):
    folder = write()
    (folder / "published.json").mkdir()
    result = cohort("validate", folder, "--today", "2029-12-01")
    assert result.exit_code == 1, result
    assert "is a folder" in result.stderr


def feed_names(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "people").iterdir())


def test_the_feed_secret_lives_in_a_file_of_its_own_not_in_published_json(write, tmp_path):
    folder = write()
    publish(folder, tmp_path / "out")
    secret = (folder / "feed-secret.txt").read_text().strip()
    assert len(secret) >= 32
    state = (folder / "published.json").read_text()
    assert secret not in state and '"secret"' not in state
    names = feed_names(tmp_path / "out")
    publish(folder, tmp_path / "again", T1)
    assert feed_names(tmp_path / "again") == names


def test_a_secret_in_an_older_published_json_moves_out_and_no_feed_changes_its_name(
    write, tmp_path
):
    import hashlib
    import hmac

    folder = write()
    publish(folder, tmp_path / "out")
    # published.json as cohort wrote it before the secret had a file of its own
    old = "a3" * 16
    state = json.loads((folder / "published.json").read_text())
    (folder / "published.json").write_text(json.dumps({**state, "secret": old}, indent=1))
    (folder / "feed-secret.txt").unlink()
    publish(folder, tmp_path / "later", T1)
    token = hmac.new(old.encode(), b"anna", hashlib.sha256).hexdigest()[:12]
    assert f"anna-{token}.ics" in feed_names(tmp_path / "later")
    assert (folder / "feed-secret.txt").read_text().strip() == old
    assert old not in (folder / "published.json").read_text()


def test_a_lost_feed_secret_is_named_rather_than_every_feed_renamed(write, tmp_path):
    folder = write()
    publish(folder, tmp_path / "out")
    names = feed_names(tmp_path / "out")
    secret = folder / "feed-secret.txt"
    kept = secret.read_text()
    secret.unlink()  # a fresh clone of the programme's repository: the secret is not in git
    result = cohort("calendar", folder, "-o", tmp_path / "out", env={"COHORT_NOW": T1})
    assert result.exit_code == 1
    assert f"{secret}: error: feed-secret.txt is missing" in result.stderr
    assert feed_names(tmp_path / "out") == names  # nothing renamed, nothing removed
    # invitations do not need it
    assert (
        cohort("invite", folder, "-o", tmp_path / "outbox", "--today", "2029-12-01").exit_code == 0
    )
    secret.write_text(kept)
    publish(folder, tmp_path / "out", T1)
    assert feed_names(tmp_path / "out") == names


def test_items_in_parallel_go_into_the_description_in_order_with_their_room(seed, tmp_path):
    out = tmp_path / "out"
    publish(seed("brein-festijn-2021"), out)
    event = events(out / "programme.ics")["brein-festijn.brein-festijn-2021@brein.example.org"]
    text = str(event["DESCRIPTION"])
    rooms = [text.index(f"14:15  [Kamer {n}] Droom en hulpvraag") for n in (1, 2, 3)]
    assert rooms == sorted(rooms) and text.index("13:20") < rooms[0] < text.index("15:15")


def test_visibility_overrides_the_kind(write, tmp_path):
    text = edit(
        SMALL,
        "    kind: intervision\n    themes: start\n",
        "    kind: coaching\n    themes: start\n",
    )
    text = edit(
        text,
        "    title: Tweede bijeenkomst\n",
        "    title: Tweede bijeenkomst\n    visibility: private\n",
    )
    out = tmp_path / "out"
    publish(write(text), out)
    assert list(events(out / "programme.ics")) == []  # coaching, and private as written
    shown = edit(text, "    kind: coaching\n", "    kind: coaching\n    visibility: public\n")
    publish(write(shown), tmp_path / "again")
    assert list(events(tmp_path / "again" / "programme.ics")) == ["eerste.small@cohort.invalid"]
