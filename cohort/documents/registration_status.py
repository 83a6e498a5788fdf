"""`cohort registrations status`: how each list stands, for the facilitator's terminal (text)
or for a script (JSON, naming everyone with what the programme keeps of them).

This goes to the facilitator only: nothing of it is published (the site, the calendars and
the report show no one's registration, let alone their answers).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..planning.registering import Lists, Standing
from ..records.registrations import STATUSES, Entry


def render(lists: Lists, as_json: bool = False) -> str:
    """The lists as text, or `as_json`."""
    if as_json:
        return json.dumps(_json(lists), ensure_ascii=False, indent=2) + "\n"
    if not lists.lists:
        return "no registrations yet (cohort registrations import FILE --meeting ID)\n"
    return "\n".join(line for standing in lists.lists for line in _text(standing, lists.zone))


def _when(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _who(entry: Entry) -> str:
    extra = [entry.organisation] if entry.organisation else []
    if entry.places > 1:
        extra.append(f"{entry.places} places")
    return entry.name + (f" ({', '.join(extra)})" if extra else "")


def _text(standing: Standing, zone: dt.tzinfo) -> list[str]:
    entries = standing.registrations
    counts = {s: sum(1 for e in entries.values() if e.status == s) for s in STATUSES}
    places = "no limit" if standing.places is None else f"{standing.places} places"
    free = "" if standing.free is None else f", {standing.free} free"
    lines = [f"{standing.title}: {places}{free}"]
    lines.append("  " + " · ".join(f"{status} {counts[status]}" for status in STATUSES))
    if standing.over:
        lines.append(f"  {standing.over} place(s) held beyond the capacity")
    if standing.waiting:
        lines.append("  waiting list:")
        for waiting in standing.waiting:
            names = ", ".join(_who(entries[pid]) for pid in waiting.people)
            first = entries[waiting.people[0]]
            reason = standing.skipped.get(waiting.group)
            lines.append(
                f"    {waiting.position:>3}. {names}, registered "
                f"{_when(first.registered, zone)}" + (f" — skipped: {reason}" if reason else "")
            )
    offered = [(pid, e) for pid, e in entries.items() if e.status == "offered"]
    if offered:
        lines.append("  offered a place:")
        for pid, entry in offered:
            until = (
                f"until {_when(entry.expires, zone)}"
                if entry.expires
                else "its e-mail not delivered yet (the offer's hours start then)"
            )
            lines.append(f"    {_who(entry)} ('{pid}'), {until}")
    needs = [
        f"{label}: {n}"
        for label, n in (
            ("dietary wishes", sum(1 for e in entries.values() if e.dietary)),
            ("accessibility needs", sum(1 for e in entries.values() if e.accessibility)),
        )
        if n
    ]
    if needs:
        lines.append("  " + " · ".join(needs) + " (--format json lists them)")
    return [*lines, ""]


def _json(lists: Lists) -> dict[str, Any]:
    return {
        "at": lists.at.isoformat() if lists.at else None,
        "lists": [
            {
                "meeting": standing.scope,
                "places": standing.places,
                "free": standing.free,
                "counts": {
                    s: sum(1 for e in standing.registrations.values() if e.status == s)
                    for s in STATUSES
                },
                "registrations": [
                    _person(pid, entry, positions)
                    for positions in [_positions(standing)]
                    for pid, entry in standing.registrations.items()
                ],
            }
            for standing in lists.lists
        ],
    }


def _positions(standing: Standing) -> dict[str, int]:
    """Each waiting person's position on the list."""
    return {p: w.position for w in standing.waiting for p in w.people}


def _person(pid: str, entry: Entry, positions: dict[str, int]) -> dict[str, Any]:
    return {
        "id": pid,
        "name": entry.name,
        "email": entry.email,
        "organisation": entry.organisation,
        "status": entry.status,
        "position": positions.get(pid),
        "offered_until": entry.expires.isoformat() if entry.expires else None,
        "places": entry.places,
        "order": entry.order,
        "registered": entry.registered.isoformat(),
        "dietary": entry.dietary,
        "accessibility": entry.accessibility,
    }
