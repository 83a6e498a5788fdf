"""VTIMEZONE components as Outlook and every other client expect them: yearly RRULE rules.

The rules are read from the tz database (zoneinfo) for the years a programme spans: each change
of offset gives its month, weekday and place in the month (`BYDAY=-1SU`: the last Sunday), and
its onset in local time *before* the change (RFC 5545 §3.6.5: 02:00 for the March change in
Brussels, 03:00 for October). Years that follow the same rule share one component; where the
rules changed, a component ends with UNTIL and the next begins. No COMMENT, no RDATE lists.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_DAY = dt.timedelta(days=1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Rule:
    daylight: bool
    month: int
    weekday: int
    nth: int  # 1..4, or -1 for the last of the month
    onset: dt.time  # local wall time before the change
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str


@dataclass(frozen=True)
class _Change:
    rule: _Rule
    local: dt.datetime  # the onset, naive local time before the change
    utc: dt.datetime


def _changes(zone: ZoneInfo, first_year: int, last_year: int) -> list[_Change]:
    """Every change of UTC offset in the years, found by sampling days and bisecting."""
    out: list[_Change] = []
    start = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    moment, offset = start, start.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + _DAY
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            low, high = moment, following
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            instant = high.replace(microsecond=0)
            after = instant.astimezone(zone)
            assert offset is not None and new_offset is not None
            local = (instant + offset).replace(tzinfo=None)
            days_in_month = _calendar.monthrange(local.year, local.month)[1]
            nth = -1 if local.day + 7 > days_in_month else (local.day - 1) // 7 + 1
            rule = _Rule(
                daylight=bool(after.dst()),
                month=local.month,
                weekday=local.weekday(),
                nth=nth,
                onset=local.time(),
                offset_from=offset,
                offset_to=new_offset,
                name=after.tzname() or zone.key,
            )
            out.append(_Change(rule, local, instant))
        moment, offset = following, new_offset
    return out


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `zone`, correct for every instant from `first_year` to `last_year`."""
    component = Timezone()
    component.add("tzid", zone.key)
    # a year of margin on each side, so no event lies before the first onset
    changes = _changes(zone, first_year - 1, last_year + 1)
    if not changes:
        probe = dt.datetime(first_year, 1, 1, tzinfo=zone)
        offset = probe.utcoffset() or dt.timedelta(0)
        standard = TimezoneStandard()
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", probe.tzname() or zone.key)
        component.add_component(standard)
        return component
    # Runs of consecutive changes of one kind (summer or winter) that follow the same rule.
    runs: dict[bool, list[list[_Change]]] = {True: [], False: []}
    for change in changes:
        same_kind = runs[change.rule.daylight]
        if (
            same_kind
            and same_kind[-1][-1].rule == change.rule
            and (change.local.year == same_kind[-1][-1].local.year + 1)
        ):
            same_kind[-1].append(change)
        else:
            same_kind.append([change])
    ordered = sorted((run for kind in runs.values() for run in kind), key=lambda run: run[0].utc)
    for run in ordered:
        rule = run[0].rule
        sub = TimezoneDaylight() if rule.daylight else TimezoneStandard()
        sub.add("dtstart", run[0].local)
        sub.add("tzoffsetfrom", rule.offset_from)
        sub.add("tzoffsetto", rule.offset_to)
        # a rule still in force in the last year looked at goes on; any other ends with UNTIL
        open_ended = run[-1].local.year == last_year + 1
        if len(run) > 1 or open_ended:
            recur = {
                "freq": "YEARLY",
                "bymonth": rule.month,
                "byday": f"{rule.nth}{_WEEKDAYS[rule.weekday]}",
            }
            if not open_ended:
                recur["until"] = run[-1].utc.replace(tzinfo=dt.UTC)
            sub.add("rrule", vRecur(recur))
        sub.add("tzname", rule.name)
        component.add_component(sub)
    return component
