"""`cohort schedule --solve` as one function: read the programme with its open meetings open,
keep what must not move, build the problem, solve it, explain a conflict, and say what the
schedule costs and who cannot come.

What is kept (see `kept`): a solved meeting whose date is before today (it took place), and
one that was published (`published.json` knows it: a calendar, the site or invitations carry
its date), so that re-solving never moves a held meeting and never sends invitees a change
they did not ask for. `--move ID` releases a published meeting (or a held one that did not take
place after all); a meeting whose `date:` is in the YAML is the facilitator's and never moves.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CohortError, Diagnostic, Report, UsageError, did_you_mean
from ..records import answers as answers_record
from ..records import solution as solution_record
from ..records.published import STATE_FILE, load_state
from ..records.solution import Solution, SolvedMeeting
from ..records.store import Stored
from ..records.workspace import load_checked
from . import conflicts, dates, fit
from .problem import Kept, Problem, build

#: --time-limit is at most this (deterministic seconds): an hour.
MAX_TIME_LIMIT = 3600.0
#: Names listed in one line of the summary; the rest are counted.
MAX_NAMES = 12


@dataclass
class Solved:
    """A solved schedule: the solution to show or write, the lines that explain it, and the
    warnings met on the way."""

    solution: Solution
    lines: list[str]
    outcome: dates.Outcome
    problem: Problem
    warnings: list[Diagnostic] = field(default_factory=list)


def time_limit_of(value: float) -> float:
    """--time-limit as given, checked. Raises UsageError for anything but a positive number
    of seconds up to an hour."""
    if not math.isfinite(value) or value <= 0 or value > MAX_TIME_LIMIT:
        raise UsageError(
            f"--time-limit {value:g} is not a time cohort can give the solver; write a number "
            f"of seconds above 0, at most {MAX_TIME_LIMIT:g}"
        )
    return value


def solve(folder: Path, today: dt.date, time_limit: float, move: Iterable[str] = ()) -> Solved:
    """Choose the open dates and venues of a programme.

    Raises UsageError when the programme has no `planning:` block, for a bad time limit or an
    unknown meeting to move; CohortError with the minimal set of conflicting rules when no
    schedule fits them, or saying that none was found within the time limit."""
    time_limit = time_limit_of(time_limit)
    checked = load_checked(folder, today, checks=(fit.references,), proposal={}, keep_loaded=True)
    programme = checked.programme
    if programme.planning is None:
        raise UsageError(
            f"{checked.folder / 'programme.yaml'} has no 'planning:' block: nothing to solve",
        )
    report = Report()
    stored = answers_record.read(checked.folder, report)
    previous = solution_record.read(checked.folder, report)
    report.raise_if_errors()
    loaded = checked.loaded
    open_venues = {
        m.id
        for m in programme.meetings.values()
        if m.venue is None and m.join_url is None and not m.cancelled
    }
    open_dates = set(loaded.unplanned)
    stay = kept(checked.folder, previous, open_dates, today, set(move), programme.meetings)
    problem = build(
        loaded,
        stored.record if stored else None,
        open_dates - set(stay),
        open_venues,
        kept=stay,
        today=today,
        answers_at=stored.positions.at(("options",), key=True) if stored else None,
    )
    outcome = dates.solve(problem, time_limit)
    if outcome.status == dates.UNKNOWN:
        raise CohortError(
            f"no schedule found within the time limit ({time_limit:g} s), and no conflict "
            "proven either; allow more with --time-limit, or loosen a rule",
            location=checked.folder,
            code="unschedulable",
        )
    if not outcome.feasible:
        conflict = conflicts.explain(problem, time_limit)
        if not conflict.proven:
            raise CohortError(
                f"no schedule fits the rules, but cohort could not tell which of them conflict "
                f"within the time limit ({time_limit:g} s); allow more with --time-limit",
                location=checked.folder,
                code="unschedulable",
            )
        raise CohortError(diagnostics=[conflict.diagnostic(problem)])
    solution = Solution(
        status="optimal" if outcome.optimal else f"feasible, gap {outcome.gap:.1%}",
        objective=outcome.objective,
        meetings={
            item.id: _solved(
                outcome.choices[item.id], item.open_date or bool(item.kept), item.id in open_venues
            )
            for item in problem.items
            if item.open_date or item.kept or item.id in open_venues
        },
    )
    warnings = checked.warnings + problem.warnings.sorted()
    return Solved(solution, summary(problem, outcome, stay), outcome, problem, warnings)


def kept(
    folder: Path,
    previous: Stored[Solution] | None,
    open_dates: set[str],
    today: dt.date,
    move: set[str],
    meetings: Iterable[str],
) -> dict[str, Kept]:
    """The solved meetings that stay where they are (see the module's docstring).

    Raises UsageError for a meeting to move that the programme does not have."""
    known = set(meetings)
    for mid in sorted(move - known):
        raise UsageError(
            f"--move '{mid}' is not a meeting of this programme"
            + (f" ({hint})" if (hint := did_you_mean(mid, known)) else "")
        )
    if previous is None or previous.record is None:
        return {}
    stored = previous.record
    published = set()
    if (folder / STATE_FILE).exists():
        published = {mid for mid, p in load_state(folder).meetings.items() if not p.removed}
    positions = previous.positions
    out = {}
    for mid, entry in sorted(stored.meetings.items()):
        if mid not in open_dates or entry.date is None or mid in move:
            continue
        reason = "took place" if entry.date < today else "was published" if mid in published else ""
        if reason:
            out[mid] = Kept(
                entry.date, entry.venue, reason, positions.at(("meetings", mid, "date"))
            )
    return out


def _solved(choice: dates.Choice, date_open: bool, venue_open: bool) -> SolvedMeeting:
    return SolvedMeeting(
        date=choice.date if date_open else None,
        venue=choice.venue if venue_open else None,
        cannot_come=choice.cannot_come,
        if_need_be=choice.if_need_be,
        not_asked=choice.not_asked,
    )


def _names(problem: Problem, ids: Iterable[str]) -> str:
    names = [problem.people.get(p, p) for p in ids]
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def summary(problem: Problem, outcome: dates.Outcome, stay: dict[str, Kept]) -> list[str]:
    """How many answered the poll, who cannot come to each meeting, what was kept, the
    objective's parts, and whether it is proven optimal."""
    shown = [i for i in problem.items if i.open_date or i.kept or i.id in problem.sequence]
    lines = _poll_lines(problem, shown)
    for item in shown:
        choice = outcome.choices[item.id]
        said = [
            (choice.cannot_come, "cannot come"),
            (choice.if_need_be, "if need be"),
            (choice.not_asked, "not asked about this day"),
        ]
        parts = [f"{what}: {_names(problem, ids)}" for ids, what in said if ids]
        if problem.answers is not None:
            answered = len(item.invitees) - len(choice.no_answer)
            parts.insert(0, f"{answered} of {len(item.invitees)} invitees answered")
            if answered and len(parts) == 1:
                parts.append("all who answered can come")
        note = f"; kept: it {stay[item.id].reason}" if item.id in stay else ""
        note += "" if item.open_date or item.kept else "; its date is given"
        said_line = (": " + "; ".join(parts)) if parts else ""
        lines.append(f"  {item.id} ({choice.date}){said_line}{note}")
    w = problem.plan.weights
    p = outcome.parts
    lines.append(f"Objective: {outcome.objective} (lower is better)")
    for count, weight, what in (
        (p.cannot_come, w.attendance, "answers 'no'"),
        (p.if_need_be, w.if_need_be, "answers 'if need be'"),
        (p.not_asked, w.if_need_be, "not asked about the day (counted as 'if need be')"),
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


def _poll_lines(problem: Problem, shown: list[Any]) -> list[str]:
    """The first lines: how many of the invitees answered the poll, and who did not."""
    invited = list(dict.fromkeys(pid for item in shown for pid in item.invitees))
    answers = problem.answers
    if answers is None:
        return [
            "Who cannot come: no poll imported (cohort poll import FILE), so nobody's "
            "availability is known"
        ]
    answered = [pid for pid in invited if pid in answers.answers]
    silent = [pid for pid in invited if pid not in answers.answers]
    head = (
        f"Who cannot come (poll {answers.source}: {len(answered)} of {len(invited)} invitees "
        "answered"
    )
    head += f"; no answer from {_names(problem, silent)}):" if silent else "):"
    return [head]


def as_data(solved: Solved) -> dict[str, Any]:
    """The solution for machines (`--format json`): status, objective and its parts, the poll's
    reach, and per meeting its date, venue, whether it was kept, and who stands where (ids)."""
    problem, outcome = solved.problem, solved.outcome
    w = problem.plan.weights
    p = outcome.parts
    answers = problem.answers
    shown = [i for i in problem.items if i.open_date or i.kept or i.id in problem.sequence]
    invited = list(dict.fromkeys(pid for item in shown for pid in item.invitees))
    return {
        "status": outcome.status,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "gap": round(outcome.gap, 4),
        "parts": {
            "cannot_come": {"count": p.cannot_come, "weight": w.attendance},
            "if_need_be": {"count": p.if_need_be, "weight": w.if_need_be},
            "not_asked": {"count": p.not_asked, "weight": w.if_need_be},
            "off_weekday": {"count": p.off_weekday, "weight": w.weekdays},
            "spacing_spread": {"count": p.spacing_spread, "weight": w.spacing},
            "hosting_spread": {"count": p.hosting_spread, "weight": w.hosting},
        },
        "poll": None
        if answers is None
        else {
            "source": answers.source,
            "invitees": len(invited),
            "answered": sum(pid in answers.answers for pid in invited),
            "no_answer": [pid for pid in invited if pid not in answers.answers],
        },
        "meetings": {
            item.id: {
                "date": outcome.choices[item.id].date.isoformat(),
                "venue": outcome.choices[item.id].venue,
                "chosen": item.open_date,
                "kept": item.kept or None,
                "cannot_come": list(outcome.choices[item.id].cannot_come),
                "if_need_be": list(outcome.choices[item.id].if_need_be),
                "not_asked": list(outcome.choices[item.id].not_asked),
                "no_answer": list(outcome.choices[item.id].no_answer),
            }
            for item in shown
        },
    }


def columns(solved: Solved) -> tuple[list[str], dict[str, list[str]]]:
    """Columns for the schedule's CSV (`--format csv`): their names, and per meeting id the
    cells (names joined by '; '), with the solver's status and the objective on every row."""
    data = as_data(solved)
    problem = solved.problem
    heads = ["cannot_come", "if_need_be", "not_asked", "no_answer", "solver_status", "objective"]
    cells = {
        mid: ["; ".join(problem.people.get(pid, pid) for pid in entry[key]) for key in heads[:4]]
        + [data["status"], str(data["objective"])]
        for mid, entry in data["meetings"].items()
    }
    return heads, cells
