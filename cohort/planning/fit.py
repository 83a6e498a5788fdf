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

from ..errors import Report, did_you_mean
from ..programme.load import Loaded
from ..records import answers as answers_record
from ..records import solution as solution_record
from ..records.store import Stored
from .dates import attendance
from .problem import Problem, build


def check(loaded: Loaded) -> None:
    """Add the planning's warnings and errors to the loaded programme's report."""
    programme = loaded.programme
    if programme is None or programme.planning is None or "planning" in loaded.skipped:
        return
    report = loaded.report
    _references(loaded, report)
    if any(d.severity == "error" for d in report.diagnostics):
        return
    quiet = Report()
    stored = solution_record.read(loaded.folder, quiet)
    if stored is None or stored.record is None:
        return
    solved = stored.record.meetings
    for mid in solved:
        if mid not in programme.meetings:
            report.warning(
                stored.positions.at(("meetings", mid), key=True),
                f"the solved schedule names meeting '{mid}', which the programme no longer has",
                "run 'cohort schedule --solve --write' again",
                code="solution-stale",
            )
    answers = answers_record.read(loaded.folder, quiet)
    open_dates = {m for m in solved if m in programme.meetings}
    open_venues = {m for m, s in solved.items() if s.venue and m in programme.meetings}
    problem = build(loaded, answers.record if answers else None, open_dates, open_venues)
    dates = {i.id: programme.meetings[i.id].date for i in problem.items}
    venues = {i.id: programme.meetings[i.id].venue for i in problem.items}
    hint = "run 'cohort schedule --solve --write' again, or pin the meeting's date"
    for mid, text in violations(problem, dates, venues):
        report.warning(
            stored.positions.at(("meetings", mid, "date")),
            f"the solved date of '{mid}' ({dates[mid]}) no longer fits: {text}",
            hint,
            code="solution-stale",
        )
    if answers is not None:
        _no_longer_available(problem, stored, dates, report)


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
        if item.id not in solved:
            continue
        before = set(solved[item.id].cannot_come)
        now, _ = attendance(problem, item, dates[item.id])
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
) -> list[tuple[str, str]]:
    """(meeting id, the rule it breaks, named as written) for a schedule; empty when it fits
    every hard rule. The solver's own answers pass this (a test checks)."""
    out: list[tuple[str, str]] = []
    named = {key: rule.named(problem.folder) for key, rule in problem.rules.items()}
    for item in problem.items:
        if not item.open_date:
            continue
        for key, banned in problem.forbidden.items():
            if dates[item.id] in banned and key in named:
                out.append((item.id, f"{named[key]}: {banned[dates[item.id]]}"))
        venue = venues.get(item.id)
        if venue and item.needs_venue and venue not in problem.venues_for(item):
            out.append((item.id, f"'{venue}' is not a venue it may go to"))
    return out + _sequence_violations(problem, dates, venues, named)


def _sequence_violations(
    problem: Problem,
    dates: dict[str, dt.date],
    venues: dict[str, str | None],
    named: dict[str, str],
) -> list[tuple[str, str]]:
    """What breaks the rules between neighbours of the series, and fair hosting."""
    out: list[tuple[str, str]] = []
    spacing = problem.plan.spacing
    hosts = {mid: problem.hosts.get(venues.get(mid) or "") for mid in problem.sequence}
    for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
        gap = (dates[second] - dates[first]).days
        if "order" in named and gap < 1:
            out.append((second, named["order"]))
        if spacing.min is not None and gap < spacing.min:
            out.append((second, f"{named['spacing-min']}: {gap} days after '{first}'"))
        if spacing.max is not None and gap > spacing.max:
            out.append((second, f"{named['spacing-max']}: {gap} days after '{first}'"))
        if "no-repeat" in named and hosts[first] and hosts[first] == hosts[second]:
            out.append((second, f"{named['no-repeat']}: '{hosts[second]}' hosts '{first}' too"))
    counts: dict[str, int] = {}
    for host in hosts.values():
        if host:
            counts[host] = counts.get(host, 0) + 1
    if "fair" in named and len(counts) > 1 and max(counts.values()) - min(counts.values()) > 1:
        busiest = max(sorted(counts), key=lambda h: counts[h])
        out.append((problem.sequence[-1], f"{named['fair']}: '{busiest}' hosts {counts[busiest]}"))
    return out


def _references(loaded: Loaded, report: Report) -> None:
    """The planning block names meetings and venues that exist, and a window that is one."""
    programme = loaded.programme
    assert programme is not None and programme.planning is not None
    plan = programme.planning
    if plan.until < plan.from_:
        report.error(
            loaded.at("planning", "until"),
            f"the planning window ends ({plan.until}) before it starts ({plan.from_})",
            code="planning-window",
        )
    for field, known, what in (
        ("order", programme.meetings, "meeting"),
        ("venues", programme.venues, "venue"),
    ):
        values = plan.order if field == "order" else plan.hosting.venues
        path = ("planning", "order") if field == "order" else ("planning", "hosting", "venues")
        for i, value in enumerate(values):
            if value not in known:
                report.error(
                    loaded.at(*path, i),
                    f"unknown {what} '{value}'",
                    did_you_mean(value, known),
                    code="unknown-id",
                )
    spacing = plan.spacing
    if spacing.min is not None and spacing.max is not None and spacing.max < spacing.min:
        report.error(
            loaded.at("planning", "spacing", "max"),
            f"spacing: max {spacing.max} is less than min {spacing.min}",
            code="planning-spacing",
        )
