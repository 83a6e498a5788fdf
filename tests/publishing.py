"""Helpers of the `cohort publish` tests: running it, and looking at the calendars on the server
as someone else's calendar program would (talking to Radicale directly, not counted)."""

from __future__ import annotations

import json

import caldav
from conftest import SMALL, cohort, edit
from icalendar import Calendar

TODAY = "2029-12-01"
LOGIN = {"COHORT_CALDAV_USER": "facilitator", "COHORT_CALDAV_PASSWORD": "app-password-1"}
UID = "{}.small@cohort.invalid"
#: the second meeting moved to 19:30, or gone
MOVED = edit(SMALL, 'date: 2030-03-05\n    start: "19:00"', 'date: 2030-03-05\n    start: "19:30"')
REMOVED = SMALL[: SMALL.index("  tweede:")]
#: an event of someone else's calendar program
FOREIGN = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Else//EN\r\nBEGIN:VEVENT\r\n"
    "UID:{uid}\r\nDTSTAMP:20291101T120000Z\r\nDTSTART:20300210T090000Z\r\n"
    "DTEND:20300210T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def publish(folder, url, *args, at="2029-12-01T09:00:00Z", env=None):
    return cohort(
        "publish",
        folder,
        "--caldav",
        url,
        "--today",
        TODAY,
        *args,
        env={**LOGIN, "COHORT_NOW": at, **(env or {})},
    )


def more_meetings(count: int) -> str:
    """SMALL with `count` meetings more, on the Tuesdays of April and May 2030."""
    extra = "".join(
        f"  extra-{i}:\n    title: Extra {i}\n    venue: zaal\n    date: 2030-04-{2 + 7 * i:02d}\n"
        '    start: "19:00"\n    end: "21:00"\n'
        for i in range(count)
    )
    return SMALL + extra


def other_client(url):
    """Someone else's calendar program, talking to the server directly (not counted)."""
    return caldav.DAVClient(url=url, username="facilitator", password="-")


def calendars(url):
    """Path -> display name of every calendar of the account."""
    return {c.url.path: c.get_display_name() for c in other_client(url).principal().calendars()}


def calendar_of(url, name="Kleine leergroep"):
    """The calendar with this display name, or (a name starting with /) at this path."""
    found = [
        c
        for c in other_client(url).principal().calendars()
        if (
            c.url.path.rstrip("/") == name.rstrip("/")
            if name.startswith("/")
            else c.get_display_name() == name
        )
    ]
    assert len(found) == 1, f"{len(found)} calendars {name}"
    return found[0]


def events_in(url, name="Kleine leergroep"):
    """UID -> (resource path, VEVENT) of every event in the calendar."""
    out = {}
    for item in calendar_of(url, name).events():
        event = Calendar.from_ical(item.data).walk("VEVENT")[0]
        assert str(event["UID"]) not in out, "two events with one UID"
        out[str(event["UID"])] = (item.url.path, event)
    return out


def edit_on_server(url, uid, old, new, name="Kleine leergroep"):
    """Someone changes an event in their own calendar program."""
    client = other_client(url)
    target = url.rstrip("/") + events_in(url, name)[uid][0]
    client.put(target, client.request(target, "GET").raw.replace(old, new))


def delete_on_server(url, uid, name="Kleine leergroep"):
    """Someone deletes an event in their own calendar program."""
    other_client(url).delete(url.rstrip("/") + events_in(url, name)[uid][0])


def record(folder):
    return json.loads((folder / "published-caldav.json").read_text())


def calendar_record(folder, person=None):
    """The record of one calendar (the programme's, or a participant's)."""
    found = [c for c in record(folder)["calendars"] if c["person"] == person]
    assert len(found) == 1
    return found[0]
