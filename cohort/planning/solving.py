"""`cohort schedule --solve` as one function: read the programme with its open meetings open,
build the problem, solve it, explain a conflict, and say what the schedule costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CohortError, Diagnostic, Report, UsageError
from ..records import answers as answers_record
from ..records.solution import Solution, SolvedMeeting
from ..records.workspace import load_checked
from . import conflicts, dates
from .problem import Problem, build


@dataclass
class Solved:
    """A solved schedule: the solution to show or write, the lines that explain it, and the
    warnings met on the way."""

    solution: Solution
    lines: list[str]
    outcome: dates.Outcome
    warnings: list[Diagnostic] = field(default_factory=list)


def solve(folder: Path, today: dt.date | None, time_limit: float) -> Solved:
    """Choose the open dates and venues of a programme.

    Raises UsageError when the programme has no `planning:` block, and CohortError with the
    minimal set of conflicting rules when no schedule fits them."""
    checked = load_checked(folder, today, proposal={})
    programme = checked.programme
    if programme.planning is None:
        raise UsageError(
            f"{checked.folder / 'programme.yaml'} has no 'planning:' block: nothing to solve",
        )
    report = Report()
    stored = answers_record.read(checked.folder, report)
    report.raise_if_errors()
    loaded = checked.loaded
    open_venues = {
        m.id
        for m in programme.meetings.values()
        if m.venue is None and m.join_url is None and not m.cancelled
    }
    problem = build(loaded, stored.record if stored else None, set(loaded.unplanned), open_venues)
    outcome = dates.solve(problem, time_limit)
    if not outcome.feasible:
        if outcome.seconds >= time_limit:
            raise CohortError(
                f"no schedule found within {time_limit:g} s; allow more with --time-limit",
                location=checked.folder,
            )
        conflict = conflicts.explain(problem)
        raise CohortError(diagnostics=[conflict.diagnostic(problem)])
    solution = Solution(
        status="optimal" if outcome.optimal else f"feasible, gap {outcome.gap:.1%}",
        objective=outcome.objective,
        meetings={
            item.id: _solved(outcome.choices[item.id], item.id in open_venues)
            for item in problem.items
            if item.open_date or item.id in open_venues
        },
    )
    warnings = checked.warnings + problem.warnings.sorted()
    return Solved(solution, summary(problem, outcome), outcome, warnings)


def _solved(choice: dates.Choice, venue_open: bool) -> SolvedMeeting:
    return SolvedMeeting(
        date=choice.date,
        venue=choice.venue if venue_open else None,
        cannot_come=choice.cannot_come,
        if_need_be=choice.if_need_be,
    )


def summary(problem: Problem, outcome: dates.Outcome) -> list[str]:
    """Who cannot come to each meeting, the objective's parts, and whether it is optimal."""
    names = problem.people
    lines = ["Who cannot come:"]
    for item in problem.items:
        choice = outcome.choices[item.id]
        no = ", ".join(names.get(p, p) for p in choice.cannot_come) or "everyone can come"
        maybe = ", ".join(names.get(p, p) for p in choice.if_need_be)
        lines.append(
            f"  {item.id} ({choice.date}): {no}" + (f"; if need be: {maybe}" if maybe else "")
        )
    w = problem.plan.weights
    p = outcome.parts
    lines.append(f"Objective: {outcome.objective} (lower is better)")
    for count, weight, what in (
        (p.cannot_come, w.attendance, "answers 'no'"),
        (p.if_need_be, w.if_need_be, "answers 'if need be' or not asked"),
        (p.off_weekday, w.weekdays, "meetings off the preferred weekdays"),
        (p.spacing_spread, w.spacing, "days between the longest and shortest gap"),
        (p.hosting_spread, w.hosting, "meetings between the busiest and least busy host"),
    ):
        lines.append(f"  {count} {what} x {weight} = {count * weight}")
    if outcome.optimal:
        lines.append("Proven optimal.")
    else:
        lines.append(
            f"Stopped at the time limit: best bound {outcome.bound}, at most "
            f"{outcome.gap:.1%} from optimal (allow more time with --time-limit)."
        )
    return lines
