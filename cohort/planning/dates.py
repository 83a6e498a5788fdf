"""Choose the dates and venues of open meetings: a CP-SAT model (OR-Tools) over a `Problem`.

Hard rules are constraints; the wishes form one weighted objective (lower is better):

    weights.attendance x invitees who answered "no" on the chosen date
  + weights.if_need_be x invitees who answered "if need be" (or were not asked about that date)
  + weights.weekdays   x meetings off the preferred weekdays
  + weights.spacing    x (longest - shortest gap between consecutive meetings, in days)
  + weights.hosting    x (meetings of the busiest host - meetings of the least busy host)

The solver runs on one worker with a fixed seed, so the same input gives the same schedule; it
reports whether the schedule is proven optimal or how far from the bound it stopped.
Reference: L. Perron and F. Didier, "CP-SAT", Google OR-Tools (2024).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .problem import Item, Problem

#: CP-SAT's fixed seed: one worker and one seed make the search deterministic.
SEED = 20260
DEFAULT_TIME_LIMIT = 30.0


@dataclass(frozen=True)
class Choice:
    """What was chosen for one meeting, and who cannot come then."""

    date: dt.date
    venue: str | None
    cannot_come: tuple[str, ...]
    if_need_be: tuple[str, ...]


@dataclass(frozen=True)
class Parts:
    """The objective's parts, as counts before weighting."""

    cannot_come: int = 0
    if_need_be: int = 0
    off_weekday: int = 0
    spacing_spread: int = 0
    hosting_spread: int = 0


@dataclass
class Outcome:
    """The solver's answer: the choices (empty when infeasible), the objective and its bound,
    whether optimality is proven, and the seconds it took."""

    choices: dict[str, Choice] = field(default_factory=dict)
    feasible: bool = False
    optimal: bool = False
    objective: int = 0
    bound: int = 0
    parts: Parts = Parts()
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        """How far from the best bound, as a fraction of the objective (0 when proven)."""
        if self.optimal or self.objective == 0:
            return 0.0
        return (self.objective - self.bound) / self.objective


def attendance(problem: Problem, item: Item, day: dt.date) -> tuple[list[str], list[str]]:
    """Who cannot come (answered no) and who comes if need be (or was not asked about the
    day), for a meeting on `day`."""
    answers = problem.answers
    if answers is None:
        return [], []
    no, maybe = [], []
    for pid in item.invitees:
        answer = answers.answer(pid, day, item.start)
        if answer == "no":
            no.append(pid)
        elif answer in ("if-need-be", "unasked"):
            maybe.append(pid)
    return no, maybe


def solver(time_limit: float) -> Any:
    """A CP-SAT solver set up to be deterministic: one worker, a fixed seed."""
    from ortools.sat.python import cp_model

    engine = cp_model.CpSolver()
    engine.parameters.num_workers = 1
    engine.parameters.random_seed = SEED
    engine.parameters.max_time_in_seconds = time_limit
    return engine


class Model:
    """The CP-SAT model of a problem. In `explain` mode every rule is enforced by an assumption
    literal (so a conflict can be traced to rules) and dates range well beyond the window; in
    the normal mode the rules are hard and the objective is built."""

    def __init__(self, problem: Problem, explain: bool = False) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.problem = problem
        self.explain = explain
        self.model = cp_model.CpModel()
        self.base = problem.plan.from_ - dt.timedelta(days=400)
        self.literals: dict[str, Any] = {}
        if explain:
            for key in problem.rules:
                self.literals[key] = self.model.new_bool_var(key)
        self.day: dict[str, Any] = {}
        self.pick: dict[str, dict[dt.date, Any]] = {}
        self.venue: dict[str, dict[str, Any]] = {}
        self.costs: list[Any] = []
        self._dates()
        self._venues()
        self._sequence()
        self._hosting()

    def number(self, day: dt.date) -> int:
        return (day - self.base).days

    def enforce(self, constraint: Any, key: str) -> None:
        """A rule's constraint: under its literal when explaining."""
        if self.explain:
            constraint.only_enforce_if(self.literals[key])

    def _dates(self) -> None:
        problem, model = self.problem, self.model
        universe = [
            self.base + dt.timedelta(days=n) for n in range(2 * 400 + len(problem.window()))
        ]
        for item in problem.items:
            if self.explain:
                days = universe
            elif item.date is not None:
                days = [item.date]
            else:
                days = problem.allowed(problem.window())
            values = [self.number(d) for d in days]
            domain = self.cp.Domain.from_values(values) if values else self.cp.Domain(0, -1)
            var = model.new_int_var_from_domain(domain, f"day-{item.id}")
            self.day[item.id] = var
            if self.explain:
                self._date_rules(item, var, universe)
            else:
                self._pick(item, var, days)

    def _date_rules(self, item: Item, var: Any, universe: list[dt.date]) -> None:
        problem = self.problem
        if item.date is not None:
            self.enforce(self.model.add(var == self.number(item.date)), f"pinned:{item.id}")
            return
        for key, banned in problem.forbidden.items():
            if key not in self.literals:
                continue
            allowed = [self.number(d) for d in universe if d not in banned]
            domain = self.cp.Domain.from_values(allowed)
            self.enforce(self.model.add_linear_expression_in_domain(var, domain), key)

    def _pick(self, item: Item, var: Any, days: list[dt.date]) -> None:
        """One boolean per candidate day, carrying that day's cost."""
        problem, model = self.problem, self.model
        weights = problem.plan.weights
        preferred = problem.plan.preferred_weekdays
        picks = {d: model.new_bool_var(f"{item.id}@{d}") for d in days}
        self.pick[item.id] = picks
        model.add_exactly_one(picks.values())
        model.add(var == sum(self.number(d) * b for d, b in picks.items()))
        if item.date is not None:
            return
        for day, chosen in picks.items():
            no, maybe = attendance(problem, item, day)
            cost = weights.attendance * len(no) + weights.if_need_be * len(maybe)
            if preferred and day.weekday() not in preferred:
                cost += weights.weekdays
            if cost:
                self.costs.append(cost * chosen)

    def _venues(self) -> None:
        problem, model = self.problem, self.model
        for item in problem.items:
            if not item.needs_venue:
                continue
            if self.explain and not (item.venue is not None and item.date is not None):
                options = sorted(set(problem.physical) | set(item.venues))
            else:
                options = problem.venues_for(item)
            chosen = {v: model.new_bool_var(f"{item.id}@{v}") for v in options}
            self.venue[item.id] = chosen
            model.add_exactly_one(chosen.values())
            if self.explain:
                self._venue_rules(item, chosen)

    def _venue_rules(self, item: Item, chosen: dict[str, Any]) -> None:
        problem = self.problem
        if item.venue is not None and item.date is None:
            self.enforce(self.model.add(chosen[item.venue] == 1), f"venue:{item.id}")
        elif item.venue is not None:
            self.model.add(chosen[item.venue] == 1)
        if item.venue is None and "venues" in self.literals:
            for vid, var in chosen.items():
                if vid not in problem.plan.hosting.venues:
                    self.enforce(self.model.add(var == 0), "venues")
        size = len(item.invitees)
        for vid, var in chosen.items():
            if problem.capacity.get(vid, size) < size and f"capacity:{vid}" in self.literals:
                self.enforce(self.model.add(var == 0), f"capacity:{vid}")

    def _sequence(self) -> None:
        problem, model = self.problem, self.model
        spacing = problem.plan.spacing
        gaps = []
        for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
            gap = self.day[second] - self.day[first]
            if "order" in problem.rules:
                self.enforce(model.add(gap >= 1), "order")
            if spacing.min is not None:
                self.enforce(model.add(gap >= spacing.min), "spacing-min")
            if spacing.max is not None:
                self.enforce(model.add(gap <= spacing.max), "spacing-max")
            gaps.append(gap)
        weight = problem.plan.weights.spacing
        if not self.explain and weight and len(gaps) > 1:
            longest = model.new_int_var(0, 5000, "longest-gap")
            shortest = model.new_int_var(-5000, 5000, "shortest-gap")
            model.add_max_equality(longest, gaps)
            model.add_min_equality(shortest, gaps)
            self.spread = longest - shortest
            self.costs.append(weight * self.spread)

    def _hosted(self) -> dict[str, list[Any]]:
        """For each host organisation, the venue choices of the series that are theirs."""
        out: dict[str, list[Any]] = {}
        for mid in self.problem.sequence:
            for vid, var in self.venue.get(mid, {}).items():
                host = self.problem.hosts.get(vid)
                if host:
                    out.setdefault(host, []).append(var)
        return out

    def _hosting(self) -> None:
        problem, model = self.problem, self.model
        hosted = self._hosted()
        if not hosted:
            return
        counts = {h: sum(vs) for h, vs in sorted(hosted.items())}
        if problem.plan.hosting.no_repeat:
            for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
                for host in counts:
                    mine = [
                        var
                        for mid in (first, second)
                        for vid, var in self.venue.get(mid, {}).items()
                        if problem.hosts.get(vid) == host
                    ]
                    if len(mine) > 1:
                        self.enforce(model.add(sum(mine) <= 1), "no-repeat")
        n_hosts = len(counts)
        total = sum(counts.values())
        if problem.plan.hosting.fair and n_hosts > 1:
            for count in counts.values():
                self.enforce(model.add(n_hosts * count >= total - (n_hosts - 1)), "fair")
                self.enforce(model.add(n_hosts * count <= total + (n_hosts - 1)), "fair")
        weight = problem.plan.weights.hosting
        if not self.explain and weight and n_hosts > 1:
            busiest = model.new_int_var(0, len(problem.sequence), "busiest-host")
            idlest = model.new_int_var(0, len(problem.sequence), "idlest-host")
            model.add_max_equality(busiest, list(counts.values()))
            model.add_min_equality(idlest, list(counts.values()))
            self.host_spread = busiest - idlest
            self.costs.append(weight * self.host_spread)


def solve(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT) -> Outcome:
    """The best schedule under the rules, or an infeasible outcome (see `conflicts.explain`)."""
    started = time.perf_counter()
    built = Model(problem)
    model = built.model
    if built.costs:
        model.minimize(sum(built.costs))
    engine = solver(time_limit)
    status = engine.solve(model)
    cp = built.cp
    outcome = Outcome(seconds=time.perf_counter() - started)
    if status not in (cp.OPTIMAL, cp.FEASIBLE):
        return outcome
    outcome.feasible = True
    outcome.optimal = status == cp.OPTIMAL
    outcome.objective = round(engine.objective_value) if built.costs else 0
    outcome.bound = round(engine.best_objective_bound) if built.costs else 0
    value: Callable[[Any], int] = engine.value
    for item in problem.items:
        day = built.base + dt.timedelta(days=value(built.day[item.id]))
        venue = next((v for v, var in built.venue.get(item.id, {}).items() if value(var)), None)
        no, maybe = attendance(problem, item, day)
        outcome.choices[item.id] = Choice(day, venue, tuple(no), tuple(maybe))
    outcome.parts = _parts(problem, outcome, built, value)
    return outcome


def _parts(problem: Problem, outcome: Outcome, built: Model, value: Callable[[Any], int]) -> Parts:
    open_items = [i for i in problem.items if i.open_date]
    preferred = problem.plan.preferred_weekdays
    chosen = outcome.choices
    return Parts(
        cannot_come=sum(len(chosen[i.id].cannot_come) for i in open_items),
        if_need_be=sum(len(chosen[i.id].if_need_be) for i in open_items),
        off_weekday=sum(
            1 for i in open_items if preferred and chosen[i.id].date.weekday() not in preferred
        ),
        spacing_spread=value(built.spread) if hasattr(built, "spread") else 0,
        hosting_spread=value(built.host_spread) if hasattr(built, "host_spread") else 0,
    )
