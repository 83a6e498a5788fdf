"""A real CalDAV server (Radicale) accepts every event, and an edit updates, never duplicates."""

from __future__ import annotations

import urllib.request

import caldav
import pytest
from conftest import cohort, edit
from servers import radicale


def publish(folder, out, at):
    result = cohort("calendar", folder, "-o", out, "--today", "2020-01-01", env={"COHORT_NOW": at})
    assert result.exit_code == 0, result


@pytest.fixture
def server(tmp_path):
    with radicale(tmp_path / "radicale") as url:
        yield url


def meeting_files(out, language=None):
    """The meeting files in the programme's language (`<meeting>.ics`), or in another
    (`<meeting>.fr.ics`: the same events, so never in one calendar with the others)."""
    suffixes = [f".{language}", ".ics"] if language else [".ics"]
    return sorted(p for p in (out / "meetings").glob("*.ics") if p.suffixes == suffixes)


def upload(url, out, language=None, name="programme"):
    """PUT each meeting file (of one language), byte for byte, at a stable address in a
    CalDAV calendar."""
    client = caldav.DAVClient(url=url, username="facilitator", password="-")
    principal = client.principal()
    calendars = {c.get_display_name(): c for c in principal.calendars()}
    calendar = calendars.get(name) or principal.make_calendar(name=name)
    for path in meeting_files(out, language):
        target = str(calendar.url).rstrip("/") + f"/{path.name}"
        request = urllib.request.Request(
            target,
            data=path.read_bytes(),
            method="PUT",
            headers={"Content-Type": "text/calendar; charset=utf-8"},
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status in (201, 204), (path.name, answer.status)
    return calendar


def sequences(calendar):
    found = {}
    for event in calendar.events():
        component = event.icalendar_component
        found[str(component["UID"])] = (int(component["SEQUENCE"]), str(component["STATUS"]))
    return found


def test_radicale_accepts_every_event_and_updates_after_an_edit(seed, tmp_path, server):
    folder = seed("twente-cop-2024")
    out = tmp_path / "out"
    publish(folder, out, "2024-01-10T09:00:00Z")
    calendar = upload(server, out)
    domain = "twente-cop-2024@tetem.example.org"
    assert sequences(calendar) == {f"bijeenkomst-{i}.{domain}": (0, "CONFIRMED") for i in (1, 2, 3)}

    # the second meeting moves to 19:30 and the third is cancelled
    text = (folder / "programme.yaml").read_text()
    before, third = text.split("  bijeenkomst-3:")
    first, second = before.split("  bijeenkomst-2:")
    second = second.replace('start: "19:00"', 'start: "19:30"').replace(
        'end: "20:30"', 'end: "21:00"'
    )
    third = edit(third, "status: confirmed", "status: cancelled")
    text = f"{first}  bijeenkomst-2:{second}  bijeenkomst-3:{third}"
    (folder / "programme.yaml").write_text(text)
    publish(folder, out, "2024-03-01T09:00:00Z")
    calendar = upload(server, out)
    assert sequences(calendar) == {
        f"bijeenkomst-1.{domain}": (0, "CONFIRMED"),
        f"bijeenkomst-2.{domain}": (1, "CONFIRMED"),
        f"bijeenkomst-3.{domain}": (1, "CANCELLED"),
    }
    moved = calendar.event_by_uid(f"bijeenkomst-2.{domain}").icalendar_component
    assert moved["DTSTART"].dt.hour == 19 and moved["DTSTART"].dt.minute == 30


def test_radicale_accepts_all_day_and_online_meetings(seed, tmp_path, server):
    for name in ("brussels-broedplekken-2023", "brein-festijn-2021"):
        out = tmp_path / "out" / name
        publish(seed(name), out, "2020-01-10T09:00:00Z")
        calendar = upload(server, out)
        assert len(calendar.events()) == len(meeting_files(out))
        # start again with an empty calendar for the next programme
        calendar.delete()
    # the Brussels meetings in French, the same events: a calendar of their own
    french = upload(server, tmp_path / "out" / "brussels-broedplekken-2023", "fr", "programme-fr")
    assert len(french.events()) == len(
        meeting_files(tmp_path / "out" / "brussels-broedplekken-2023")
    )
