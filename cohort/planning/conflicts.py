"""Why no schedule fits: the smallest set of rules, as written, that cannot hold together.

First the series alone: when the date rules, the order and the spacing already leave a meeting
no day (`cpmodel.days`, exact for those rules), the conflict is among them, and deletion (drop
each rule in turn; it stays dropped when the rest still conflict) finds a minimal set of them
in Python, with no search. Otherwise every rule is enforced by an assumption literal, and
CP-SAT, proving the model infeasible, returns a sufficient subset
(`sufficient_assumptions_for_infeasibility`); solving again with only that subset assumed
often returns a smaller one, until it stops shrinking. That core is then shrunk by deletion,
each test a short solve of a model holding only the rules still in question. What remains is
minimal (irreducible): drop any one rule and a schedule exists. A test that runs out of time
keeps its rule, and the explanation then says it may not be minimal.
Reference: J. Marques-Silva, "Minimal Unsatisfiability: Models, Algorithms and Applications"
(ISMVL 2010), the deletion-based algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic, Location
from .cpmodel import Model, days, series_rules
from .dates import solver
from .problem import Problem, Rule

#: The deterministic time (about seconds) of each feasibility test while shrinking.
STEP_LIMIT = 2.0


@dataclass(frozen=True)
class Conflict:
    """The set of rules that leave no schedule, ordered by where they are written. `proven`:
    the rules are proven to conflict (False: no proof within the time, and `rules` is empty);
    `minimal`: dropping any one of them is proven to leave a schedule."""

    rules: tuple[Rule, ...]
    meetings: int
    proven: bool = True
    minimal: bool = True

    def message(self, problem: Problem) -> str:
        """'spacing at least 28 days (programme.yaml:31) and the window 2026-01-05 to
        2026-04-01 (programme.yaml:29) leave no room for 6 meetings'."""
        names = [rule.named(problem.folder) for rule in self.rules]
        room = f"no room for {_meetings(self.meetings)}"
        if len(names) == 1:
            text = f"{names[0]} leaves {room}"
        else:
            text = ", ".join(names[:-1]) + " and " + names[-1] + f" leave {room}"
        if not self.minimal:
            text += " (perhaps not all of them are needed: cohort ran out of time checking)"
        return text

    def diagnostic(self, problem: Problem) -> Diagnostic:
        """The conflict as an error at the first of its rules that a file states."""
        written = [r.where for r in self.rules if r.where.line > 0]
        where = written[0] if written else problem.rules["window"].where
        return Diagnostic(
            where,
            "error",
            self.message(problem),
            "relax one of these rules" if len(self.rules) > 1 else "relax this rule",
            code="unschedulable",
        )


def _meetings(n: int) -> str:
    return f"{n} meeting" if n == 1 else f"{n} meetings"


def _order(rule: Rule) -> tuple[bool, Location, str]:
    return (rule.where.line <= 0, rule.where, rule.key)


def explain(problem: Problem, time_limit: float = 10 * STEP_LIMIT) -> Conflict:
    """The minimal set of conflicting rules of an infeasible problem, looked for within
    `time_limit` (deterministic time, about seconds) of solving in all; `proven` is False when
    even the first test could not prove the rules infeasible within it."""
    keys = sorted(problem.rules, key=lambda k: _order(problem.rules[k]))
    involved = len(problem.sequence) or len(problem.items)
    budget = Budget(time_limit)
    found = (
        series_rules(problem, keys)
        if days(problem, keys) is None
        else _assumed_core(problem, keys, budget)
    )
    if found is None:
        return Conflict((), involved, proven=False, minimal=False)
    core = found
    minimal = True
    index = 0
    while index < len(core):
        rest = core[:index] + core[index + 1 :]
        status = _test(problem, rest, budget)
        if status == "infeasible":
            core = rest
        else:
            minimal = minimal and status == "feasible"
            index += 1
    rules = tuple(sorted((problem.rules[k] for k in core), key=_order))
    return Conflict(rules, involved, minimal=minimal)


class Budget:
    """The deterministic time left for the explanation's solves."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def step(self, limit: float) -> float:
        return min(limit, max(self.left, 0.05))

    def spend(self, seconds: float) -> None:
        self.left -= seconds


def _test(problem: Problem, keep: list[str], budget: Budget) -> str:
    """Whether the rules `keep` alone leave a schedule: 'feasible', 'infeasible' or 'unknown'
    (out of time). The series alone is tested first, in Python; then a short solve."""
    if not keep:
        return "feasible"
    if days(problem, keep) is None:
        return "infeasible"
    if set(keep) <= set(series_rules(problem, keep)):
        return "feasible"  # `days` is exact for these rules
    built = Model(problem, keep=keep)
    engine = solver(budget.step(STEP_LIMIT))
    status = engine.solve(built.model)
    budget.spend(engine.deterministic_time)
    if status == built.cp.INFEASIBLE:
        return "infeasible"
    return "feasible" if status in (built.cp.OPTIMAL, built.cp.FEASIBLE) else "unknown"


def _assumed_core(problem: Problem, keys: list[str], budget: Budget) -> list[str] | None:
    """A sufficient set of conflicting rules from CP-SAT's assumptions, shrunk while solving
    again with only them assumed shrinks it; None when infeasibility is not proven in time."""
    built = Model(problem, assume=True)

    def core_of(subset: list[str], limit: float) -> list[str] | None:
        engine = solver(budget.step(limit))
        built.model.clear_assumptions()
        built.model.add_assumptions([built.literals[k] for k in subset])
        status = engine.solve(built.model)
        budget.spend(engine.deterministic_time)
        if status != built.cp.INFEASIBLE:
            return None
        found = {
            str(built.model.get_bool_var_from_proto_index(i).name)
            for i in engine.sufficient_assumptions_for_infeasibility()
        }
        return [k for k in subset if k in found] or subset

    core = core_of(keys, budget.left)
    while core is not None:
        smaller = core_of(core, STEP_LIMIT)
        if smaller is None or len(smaller) >= len(core):
            break
        core = smaller
    return core
