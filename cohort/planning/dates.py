"""Choose the dates and venues of open meetings: solve the CP-SAT model (`cpmodel`) of a
`Problem` and say what the schedule is and what it costs.

Hard rules are constraints; the wishes form one weighted objective (lower is better):

    weights.attendance x invitees who answered "no" on the chosen date
  + weights.if_need_be x invitees who answered "if need be" (or were not asked about that date)
  + weights.weekdays   x meetings off the preferred weekdays
  + weights.spacing    x (longest - shortest gap between consecutive meetings, in days)
  + weights.hosting    x (meetings of the busiest host - meetings of the least busy host)

The objective is counted again from the chosen schedule, in exact integers (`parts`,
`objective`); weights are bounded (`programme.planning.MAX_WEIGHT`) so that the solver's own
sum stays exact too.

Deterministic: one worker, a fixed seed, and a limit in CP-SAT's deterministic time
(`max_deterministic_time`, about seconds on a current machine) rather than the wall clock, so
the same input gives the same schedule on any machine and under any load. The outcome says
whether the schedule is proven optimal, how far from the bound it stopped, whether the rules
are proven to leave no schedule, or that none was found within the limit.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import CohortError
from .cpmodel import Model
from .problem import Item, Problem

#: CP-SAT's fixed seed: one worker and one seed make the search deterministic.
SEED = 20260
#: The default budget, in CP-SAT's deterministic time (about seconds).
DEFAULT_TIME_LIMIT = 30.0

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "optimal", "feasible", "infeasible", "unknown"


@dataclass(frozen=True)
class Choice:
    """What was chosen for one meeting, and where the invitees stand on that date."""

    date: dt.date
    venue: str | None
    cannot_come: tuple[str, ...] = ()
    if_need_be: tuple[str, ...] = ()
    not_asked: tuple[str, ...] = ()
    no_answer: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parts:
    """The objective's parts, as counts before weighting (over the meetings cohort chose)."""

    cannot_come: int = 0
    if_need_be: int = 0
    not_asked: int = 0
    off_weekday: int = 0
    spacing_spread: int = 0
    hosting_spread: int = 0


@dataclass
class Outcome:
    """The solver's answer: its status (optimal, feasible, infeasible: proven to have no
    schedule, unknown: none found within the limit), the choices, the objective (worked out
    from the choices) and the solver's bound, and the seconds it took."""

    status: str = UNKNOWN
    choices: dict[str, Choice] = field(default_factory=dict)
    objective: int = 0
    bound: int = 0
    parts: Parts = Parts()
    seconds: float = 0.0

    @property
    def feasible(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status == OPTIMAL

    @property
    def gap(self) -> float:
        """How far from the best bound, as a fraction of the objective (0 when proven)."""
        if self.optimal or self.objective == 0:
            return 0.0
        return max(self.objective - self.bound, 0) / self.objective


def solver(time_limit: float) -> Any:
    """A CP-SAT solver set up to be deterministic: one worker, a fixed seed, a limit in
    deterministic time."""
    from ortools.sat.python import cp_model

    engine = cp_model.CpSolver()
    engine.parameters.num_workers = 1
    engine.parameters.random_seed = SEED
    engine.parameters.max_deterministic_time = time_limit
    # no probing in presolve: on these models it costs seconds and finds little (a conflict's
    # assumptions are proven 50 times faster without it; a three-year series 20% faster)
    engine.parameters.cp_model_probing_level = 0
    return engine


def solve(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT) -> Outcome:
    """The best schedule under the rules (see `Outcome` for what else it may say).

    Raises CohortError when CP-SAT refuses the model (a bug in cohort: it says so)."""
    started = time.perf_counter()
    built = Model(problem)
    if built.infeasible:
        return Outcome(INFEASIBLE, seconds=time.perf_counter() - started)
    model = built.model
    if built.costs:
        model.minimize(sum(built.costs))
    engine = solver(time_limit)
    status = engine.solve(model)
    cp = built.cp
    if status == cp.MODEL_INVALID:
        raise CohortError(
            f"the solver refused the model ({model.validate()}); this is a bug in cohort: "
            "please report it with the programme"
        )
    outcome = Outcome(
        {cp.OPTIMAL: OPTIMAL, cp.FEASIBLE: FEASIBLE, cp.INFEASIBLE: INFEASIBLE}.get(
            status, UNKNOWN
        ),
        seconds=time.perf_counter() - started,
    )
    if not outcome.feasible:
        return outcome
    for item in problem.items:
        day = built.date(engine.value(built.day[item.id]))
        venue = next(
            (v for v, var in built.venue.get(item.id, {}).items() if engine.value(var)), None
        )
        outcome.choices[item.id] = _choice(problem, item, day, venue)
    outcome.parts = parts(problem, outcome.choices, built.hosts)
    outcome.objective = objective(problem, outcome.parts)
    outcome.bound = round(engine.best_objective_bound) if built.costs else 0
    return outcome


def _choice(problem: Problem, item: Item, day: dt.date, venue: str | None) -> Choice:
    where = problem.attendance(item, day)
    return Choice(day, venue, where.no, where.if_need_be, where.not_asked, where.no_answer)


def parts(problem: Problem, choices: dict[str, Choice], hosts: list[str]) -> Parts:
    """The objective's parts of a schedule, counted from the choices themselves."""
    open_items = problem.open_items
    preferred = problem.plan.preferred_weekdays
    dates = [choices[mid].date for mid in problem.sequence]
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    counts = dict.fromkeys(hosts, 0)
    for mid in problem.sequence:
        host = problem.hosts.get(choices[mid].venue or "")
        if host in counts:
            counts[host] += 1
    return Parts(
        cannot_come=sum(len(choices[i.id].cannot_come) for i in open_items),
        if_need_be=sum(len(choices[i.id].if_need_be) for i in open_items),
        not_asked=sum(len(choices[i.id].not_asked) for i in open_items),
        off_weekday=sum(
            1 for i in open_items if preferred and choices[i.id].date.weekday() not in preferred
        ),
        spacing_spread=max(gaps) - min(gaps) if len(gaps) > 1 else 0,
        hosting_spread=max(counts.values()) - min(counts.values()) if len(counts) > 1 else 0,
    )


def objective(problem: Problem, p: Parts) -> int:
    """The weighted sum of the parts: what the solver minimised, in exact integers."""
    w = problem.plan.weights
    return (
        w.attendance * p.cannot_come
        + w.if_need_be * (p.if_need_be + p.not_asked)
        + w.weekdays * p.off_weekday
        + w.spacing * p.spacing_spread
        + w.hosting * p.hosting_spread
    )
