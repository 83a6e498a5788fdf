"""The hard rules of one round's groups alone, in CP-SAT: the way out when the search
(`golfers`) ends with a rule broken.

The tabu search weighs a broken rule as a high cost, and on a tight round (most pairs kept
apart) it may not find the few groupings that keep them all. This model finds one when there
is one, or proves there is none, where the search can only give up: each person in one group
(a 0/1 variable per person and group), each group its size, at most one person of each circle
(colleagues, a role, an `apart:` list) in a group, people kept together in one group. Of the
groupings that keep the rules it takes one where as few pairs as possible meet again (pairs
that met in other rounds), starting from the search's groups (a hint). The solver counts
deterministic time, not the clock, so the same round gives the same groups on any machine.
Reference: L. Perron and F. Didier, "CP-SAT", Google OR-Tools (2024).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

#: the solver's deterministic time for one round (about seconds on a current machine)
LIMIT = 20.0
#: pairs x groups beyond which the model keeps the rules only (no count of pairs meeting again)
LARGEST = 40000


@dataclass(frozen=True)
class Placed:
    """What the model found for a round: `groups` (lists of people) when it found some;
    `impossible` when it proved that no grouping keeps the rules (neither: it ran out of
    time)."""

    groups: tuple[tuple[str, ...], ...] | None
    impossible: bool = False


def place(
    people: Sequence[str],
    shape: Sequence[int],
    circles: Collection[Collection[str]],
    blocks: Collection[Collection[str]],
    met: Collection[tuple[str, str]] = (),
    hint: Sequence[Sequence[str]] = (),
    seed: int = 0,
    limit: float = LIMIT,
) -> Placed:
    """Groups of `shape` (sizes) for `people` that keep the hard rules: at most one of each
    circle in a group, each block in one group; as few pairs of `met` as possible together
    (see the module's docstring). `hint`: groups to start from."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    groups = range(len(shape))
    x = {(p, g): model.new_bool_var(f"{p}@{g}") for p in people for g in groups}
    _rules(model, x, people, shape, circles, blocks)
    _fewest_again(model, x, people, len(shape), met)
    for g, group in enumerate(hint):
        for p in group:
            if (p, g) in x:
                model.add_hint(x[p, g], True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = limit
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = tuple(tuple(p for p in people if solver.boolean_value(x[p, g])) for g in groups)
        return Placed(found)
    return Placed(None, impossible=status == cp_model.INFEASIBLE)


def _rules(
    model: Any,
    x: dict[tuple[str, int], Any],
    people: Sequence[str],
    shape: Sequence[int],
    circles: Collection[Collection[str]],
    blocks: Collection[Collection[str]],
) -> None:
    """Everyone in one group, each group its size, at most one of a circle in a group, a
    block in one group."""
    present, groups = set(people), range(len(shape))
    for p in people:
        model.add_exactly_one(x[p, g] for g in groups)
    for g, size in zip(groups, shape, strict=True):
        model.add(sum(x[p, g] for p in people) == size)
    for circle in circles:
        here = sorted(set(circle) & present)
        if len(here) > 1:
            for g in groups:
                model.add_at_most_one(x[p, g] for p in here)
    for block in blocks:
        here = sorted(set(block) & present)
        for a, b in zip(here, here[1:], strict=False):
            for g in groups:
                model.add(x[a, g] == x[b, g])


def _fewest_again(
    model: Any,
    x: dict[tuple[str, int], Any],
    people: Sequence[str],
    groups: int,
    met: Collection[tuple[str, str]],
) -> None:
    """The objective: as few pairs of `met` in one group as possible (none when there are
    too many pairs to count in the model: LARGEST)."""
    present = set(people)
    again = sorted({(min(a, b), max(a, b)) for a, b in met if a in present and b in present})
    if not again or len(again) * groups > LARGEST:
        return
    together = []
    for a, b in again:
        for g in range(groups):
            both = model.new_bool_var(f"{a}+{b}@{g}")
            model.add(both >= x[a, g] + x[b, g] - 1)
            together.append(both)
    model.minimize(sum(together))
