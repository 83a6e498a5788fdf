"""Reading calendar files as a client would, independently of how cohort wrote them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateutil.rrule import rrulestr
from icalendar import Calendar


def parse(path: Path) -> Calendar:
    """Parse strictly: any property icalendar could not read is a failure."""
    cal = Calendar.from_ical(path.read_bytes())
    for component in cal.walk():
        assert component.errors == [], (path, component.name, component.errors)
    return cal


def events(path: Path) -> dict[str, object]:
    return {str(e["UID"]): e for e in parse(path).walk("VEVENT")}


def onsets(vtimezone, until_year: int) -> list[tuple[dt.datetime, dt.timedelta]]:
    """Every change of offset the VTIMEZONE describes: (UTC instant, offset after)."""
    out = []
    for sub in vtimezone.subcomponents:
        start = sub["DTSTART"].dt
        before = sub["TZOFFSETFROM"].td
        after = sub["TZOFFSETTO"].td
        if "RRULE" in sub:
            rule = rrulestr(sub["RRULE"].to_ical().decode(), dtstart=start, ignoretz=True)
            local_onsets = rule.between(
                start - dt.timedelta(days=1), dt.datetime(until_year + 1, 1, 1), inc=True
            )
        else:
            local_onsets = [start]
        for local in local_onsets:
            out.append(((local - before).replace(tzinfo=dt.UTC), after))
    return sorted(out)


def to_utc(vtimezone, local: dt.datetime) -> dt.datetime:
    """A wall-clock time converted to UTC through the VTIMEZONE alone (RFC 5545 §3.6.5)."""
    changes = onsets(vtimezone, local.year + 1)
    offsets = {after for _, after in changes}
    valid = []
    for offset in offsets:
        instant = (local - offset).replace(tzinfo=dt.UTC)
        in_force = [after for at, after in changes if at <= instant]
        if in_force and in_force[-1] == offset:
            valid.append(instant)
    assert valid, f"{local} does not exist in {vtimezone['TZID']}"
    return min(valid)  # a repeated hour: the first occurrence, as cohort documents
