"""Does the stored schedule still fit? `cohort validate` (and every command) checks
`planning/solution.yaml` against the rules and answers as they are now, and warns:

- when a rule changed so that a solved date or venue breaks it (named as written, at its line);
- when someone who could come on a solved date now answers "no" (as pretalx warns about
  speakers' availability);
- when the solution names a meeting the programme no longer leaves open.

It also checks that the `planning:` block names meetings and venues that exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import Report, did_you_mean
from ..programme.load import Loaded
from ..records import answers as answers_record
from ..records import solution as solution_record
from ..records.store import Stored
from . import holidays
from .problem import Item, Problem, build

#: The longest planning window: five years (a year typed wrong, 0026, would give two thousand).
MAX_WINDOW_DAYS = 5 * 366


def check(loaded: Loaded) -> None:
    """Add the planning's warnings and errors to the loaded programme's report."""
    programme = loaded.programme
    if programme is None or programme.planning is None or "planning" in loaded.skipped:
        return
    report = loaded.report
    references(loaded)
    if any(d.severity == "error" for d in report.diagnostics):
        return
    answers = answers_record.read(loaded.folder, report)  # its problems are errors here
    stored = solution_record.read(loaded.folder, Report())  # the overlay reported its own
    if stored is None or stored.record is None:
        return
    open_dates, open_venues = _solved(loaded, stored)
    problem = build(loaded, answers.record if answers else None, open_dates, open_venues)
    dates = {i.id: programme.meetings[i.id].date for i in problem.items}
    venues = {i.id: programme.meetings[i.id].venue for i in problem.items}
    hint = "run 'cohort schedule --solve --write' again, or pin the meeting's date"
    for mid, what, text in violations(problem, dates, venues):
        if what == "date" and mid not in open_dates and mid in open_venues:
            what = "venue"
        if (what == "date" and mid in open_dates) or (what == "venue" and mid in open_venues):
            value = dates[mid] if what == "date" else venues[mid]
            where = stored.positions.at(("meetings", mid, what))
            message = f"the solved {what} of '{mid}' ({value}) no longer fits: {text}"
        else:
            where = stored.positions.at(("meetings",), key=True)
            message = f"the solved schedule no longer fits at '{mid}': {text}"
        report.warning(where, message, hint, code="solution-stale")
    if answers is not None:
        _no_longer_available(problem, stored, dates, report)


def _solved(loaded: Loaded, stored: Stored[solution_record.Solution]) -> tuple[set[str], set[str]]:
    """The meetings whose date, and whose venue, the solution gives (the programme leaves
    them open); a warning for each entry that names a meeting the programme no longer has, or
    gives a date the programme now pins."""
    programme = loaded.programme
    assert programme is not None and stored.record is not None
    open_dates, open_venues = set(), set()
    for mid, entry in stored.record.meetings.items():
        if mid not in programme.meetings:
            loaded.report.warning(
                stored.positions.at(("meetings", mid), key=True),
                f"the solved schedule names meeting '{mid}', which the programme no longer has",
                "run 'cohort schedule --solve --write' again",
                code="solution-stale",
            )
            continue
        if entry.date is not None and loaded.at("meetings", mid, "date").file != stored.path:
            loaded.report.warning(
                stored.positions.at(("meetings", mid, "date")),
                f"the solved schedule gives '{mid}' the date {entry.date}, but programme.yaml "
                f"gives it {programme.meetings[mid].date}; the solved date is not used",
                "run 'cohort schedule --solve --write' again",
                code="solution-stale",
            )
        elif entry.date is not None:
            open_dates.add(mid)
        if entry.venue and loaded.at("meetings", mid, "venue").file == stored.path:
            open_venues.add(mid)
    return open_dates, open_venues


def _no_longer_available(
    problem: Problem,
    stored: Stored[solution_record.Solution],
    dates: dict[str, dt.date],
    report: Report,
) -> None:
    """Someone who could come on a solved date answers "no" now."""
    assert stored.record is not None
    solved = stored.record.meetings
    for item in problem.items:
        if item.id not in solved or solved[item.id].date is None:
            continue
        before = set(solved[item.id].cannot_come)
        now = problem.attendance(item, dates[item.id]).no
        for pid in (p for p in now if p not in before):
            report.warning(
                stored.positions.at(("meetings", item.id, "date")),
                f"{problem.people.get(pid, pid)} can no longer come to '{item.id}' on "
                f"{dates[item.id]} (planning/answers.yaml)",
                "run 'cohort schedule --solve' to see whether another date is better",
                code="solution-unavailable",
            )


def violations(
    problem: Problem, dates: dict[str, dt.date], venues: dict[str, str | None]
) -> list[tuple[str, str, str]]:
    """(meeting id, 'date' or 'venue', the rule it breaks, named as written) for a schedule;
    empty when it fits every hard rule. The solver's own answers pass this (a test checks)."""
    out: list[tuple[str, str, str]] = []
    named = {key: rule.named(problem.folder) for key, rule in problem.rules.items()}
    for item in problem.items:
        if item.open_date:
            for key, banned in problem.forbidden.items():
                if dates[item.id] in banned and key in named:
                    out.append((item.id, "date", f"{named[key]}: {banned[dates[item.id]]}"))
        venue = venues.get(item.id)
        if venue and item.venue is None and item.needs_venue:
            out += [(item.id, "venue", w) for w in _venue_problems(problem, item, venue, named)]
    return out + _sequence_violations(problem, dates, venues, named)


def _venue_problems(problem: Problem, item: Item, venue: str, named: dict[str, str]) -> list[str]:
    """Why a chosen venue no longer fits a meeting: the venues it may go to, or its size."""
    out = []
    if venue not in item.venues:
        allowed = named.get("venues", "the venues with an address")
        out.append(f"'{venue}' is not among {allowed}")
    size = len(item.invitees)
    capacity = problem.capacity.get(venue)
    if capacity is not None and capacity < size:
        out.append(f"{named.get(f'capacity:{venue}', venue)}: {size} are invited")
    return out


def _sequence_violations(
    problem: Problem,
    dates: dict[str, dt.date],
    venues: dict[str, str | None],
    named: dict[str, str],
) -> list[tuple[str, str, str]]:
    """What breaks the rules between neighbours of the series, and fair hosting."""
    out: list[tuple[str, str, str]] = []
    spacing = problem.plan.spacing
    hosts = {mid: problem.hosts.get(venues.get(mid) or "") for mid in problem.sequence}
    for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
        gap = (dates[second] - dates[first]).days
        if "order" in named and gap < 1:
            out.append((second, "date", named["order"]))
        if spacing.min is not None and gap < spacing.min:
            out.append((second, "date", f"{named['spacing-min']}: {gap} days after '{first}'"))
        if spacing.max is not None and gap > spacing.max:
            out.append((second, "date", f"{named['spacing-max']}: {gap} days after '{first}'"))
        if "no-repeat" in named and hosts[first] and hosts[first] == hosts[second]:
            text = f"{named['no-repeat']}: '{hosts[second]}' hosts '{first}' too"
            out.append((second, "venue", text))
    counts: dict[str, int] = {}
    for host in hosts.values():
        if host:
            counts[host] = counts.get(host, 0) + 1
    if "fair" in named and len(counts) > 1 and max(counts.values()) - min(counts.values()) > 1:
        busiest = max(sorted(counts), key=lambda h: counts[h])
        text = f"{named['fair']}: '{busiest}' hosts {counts[busiest]}"
        out.append((problem.sequence[-1], "venue", text))
    return out


def references(loaded: Loaded) -> None:
    """The planning block holds together: a window that is one and of a plausible length, an
    order and hosting venues that name meetings and venues that exist, each once, and periods
    to avoid that end after they start. Errors go to the loaded programme's report (every
    command that plans runs this, `validate` too)."""
    programme = loaded.programme
    if programme is None or programme.planning is None or "planning" in loaded.skipped:
        return
    report = loaded.report
    plan = programme.planning
    if plan.until < plan.from_:
        report.error(
            loaded.at("planning", "until"),
            f"the planning window ends ({plan.until}) before it starts ({plan.from_})",
            code="planning-window",
        )
    elif (plan.until - plan.from_).days > MAX_WINDOW_DAYS:
        years = (plan.until - plan.from_).days // 365
        report.error(
            loaded.at("planning", "until"),
            f"the planning window spans {years} years ({plan.from_} to {plan.until}); cohort "
            f"plans at most {MAX_WINDOW_DAYS // 365} years at a time",
            "is a year mistyped? otherwise plan the programme in parts",
            code="planning-window",
        )
    for i, period in enumerate(plan.avoid.dates):
        if period.until < period.from_:
            report.error(
                loaded.at("planning", "avoid", "dates", i),
                f"this period ends ({period.until}) before it starts ({period.from_})",
                code="planning-window",
            )
    _names_once(loaded, ("planning", "order"), plan.order, programme.meetings, "meeting")
    _names_once(
        loaded, ("planning", "hosting", "venues"), plan.hosting.venues, programme.venues, "venue"
    )
    for i, vid in enumerate(plan.hosting.venues):
        venue = programme.venues.get(vid)
        if venue is not None and venue.online:
            report.error(
                loaded.at("planning", "hosting", "venues", i),
                f"venue '{vid}' is online; hosting venues are places to meet",
                "open meetings without a place take a join_url instead",
                code="unknown-id",
            )
    spacing = plan.spacing
    if spacing.min is not None and spacing.max is not None and spacing.max < spacing.min:
        report.error(
            loaded.at("planning", "spacing", "max"),
            f"spacing: max {spacing.max} is less than min {spacing.min}",
            code="planning-spacing",
        )
    _holiday_table(loaded)


def _names_once(
    loaded: Loaded, path: tuple[str, ...], values: tuple[str, ...], known: Any, what: str
) -> None:
    """Each id of a planning list names something that exists, and only once."""
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value not in known:
            loaded.report.error(
                loaded.at(*path, i),
                f"unknown {what} '{value}'",
                did_you_mean(value, known),
                code="unknown-id",
            )
        elif value in seen:
            loaded.report.error(
                loaded.at(*path, i),
                f"{what} '{value}' is named twice in '{path[-1]}' (first as number "
                f"{seen[value] + 1})",
                "name each once",
                code="planning-order",
            )
        seen.setdefault(value, i)


def _periods(days: tuple[dt.date, ...]) -> str:
    """'from 2027-02-06 to 2027-03-07 and from 2027-04-24 to 2027-05-09' (days in order)."""
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return " and ".join(f"from {first} to {last}" for first, last in runs)


def _holiday_table(loaded: Loaded) -> None:
    """School holidays cohort does not know for part of the window: a warning at the region."""
    programme = loaded.programme
    assert programme is not None and programme.planning is not None
    plan = programme.planning
    if plan.until < plan.from_ or (plan.until - plan.from_).days > MAX_WINDOW_DAYS:
        return
    for i, region in enumerate(plan.avoid.school_holidays):
        unknown = holidays.school_holidays(region, plan.from_, plan.until).unknown
        if unknown:
            path = ("planning", "avoid", "school_holidays")
            where = (
                loaded.at(*path, i) if (*path, i) in loaded.positions.values else loaded.at(*path)
            )
            loaded.report.warning(
                where,
                f"cohort knows no school holidays of {region} {_periods(unknown)}",
                "those days are treated as free; check them, or add them under 'avoid: dates:'",
                code="holidays-unknown",
            )
