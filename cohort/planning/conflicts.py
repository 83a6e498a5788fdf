"""Why no schedule fits: the smallest set of rules, as written, that cannot hold together.

Each rule of the problem is enforced by an assumption literal. CP-SAT, asked to solve with all
of them assumed, returns a sufficient subset when it proves the model infeasible
(`sufficient_assumptions_for_infeasibility`); that set is then shrunk by deletion: each rule in
turn is dropped and the rest solved again, and it stays dropped when the rest is still
infeasible. What remains is minimal (irreducible): drop any one rule and a schedule exists.
Reference: J. Marques-Silva, "Minimal Unsatisfiability: Models, Algorithms and Applications"
(ISMVL 2010), the deletion-based algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic
from .dates import Model, solver
from .problem import Problem, Rule

#: Seconds for each feasibility test while shrinking (each is a small model).
STEP_LIMIT = 10.0


@dataclass(frozen=True)
class Conflict:
    """The minimal set of rules that leave no schedule, ordered by where they are written."""

    rules: tuple[Rule, ...]
    meetings: int

    def message(self, problem: Problem) -> str:
        """'spacing at least 28 days (programme.yaml:31) and the window 2026-01-05 to
        2026-04-01 (programme.yaml:29) leave no room for 6 meetings'."""
        names = [rule.named(problem.folder) for rule in self.rules]
        if not names:
            return f"no schedule fits the {self.meetings} meetings"
        if len(names) == 1:
            return f"{names[0]} leaves no room for {_meetings(self.meetings)}"
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        return f"{listed} leave no room for {_meetings(self.meetings)}"

    def diagnostic(self, problem: Problem) -> Diagnostic:
        """The conflict as an error at the first of its rules."""
        where = self.rules[0].where if self.rules else problem.rules["window"].where
        return Diagnostic(
            where,
            "error",
            self.message(problem),
            "relax one of these rules" if len(self.rules) > 1 else "relax this rule",
            code="unschedulable",
        )


def _meetings(n: int) -> str:
    return f"{n} meeting" if n == 1 else f"{n} meetings"


def explain(problem: Problem) -> Conflict:
    """The minimal set of conflicting rules of an infeasible problem."""
    built = Model(problem, explain=True)
    engine = solver(STEP_LIMIT)
    keys = sorted(built.literals, key=lambda k: (problem.rules[k].where, k))

    def infeasible(subset: list[str]) -> list[str] | None:
        """The sufficient assumptions when `subset` cannot hold together, else None."""
        built.model.clear_assumptions()
        built.model.add_assumptions([built.literals[k] for k in subset])
        status = engine.solve(built.model)
        if status != built.cp.INFEASIBLE:
            return None
        core = {
            str(built.model.get_bool_var_from_proto_index(i).name)
            for i in engine.sufficient_assumptions_for_infeasibility()
        }
        return [k for k in subset if k in core] or subset

    core = infeasible(keys)
    if core is None:
        return Conflict((), len(problem.items))
    index = 0
    while index < len(core):
        rest = core[:index] + core[index + 1 :]
        smaller = infeasible(rest) if rest else None
        if smaller is None:
            index += 1
        else:
            core = smaller if len(smaller) < len(rest) else rest
            index = min(index, len(core))
    rules = tuple(sorted((problem.rules[k] for k in core), key=lambda r: (r.where, r.key)))
    involved = len(problem.sequence) or len(problem.items)
    return Conflict(rules, involved)
