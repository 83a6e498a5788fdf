"""The search behind `cohort groups`: the social golfer problem with a facilitator's rules.

People are numbers here (0..n-1) and rounds are lists of group sizes; `planning.groups` turns
a programme's meetings into this shape and back. The search is the one published for the
social golfer problem (CSPLib prob010):

- a greedy start, round after round, placing the least free people first (those with the
  most people they may no longer meet) into the group where they add the least cost; the
  idea of Triska & Musliu, "An effective greedy heuristic for the Social Golfer Problem",
  Annals of Operations Research 194 (2012) 413-425;
- then a tabu search over swaps of two people (or two blocks kept together) between groups of
  one round, where at least one of them is in conflict, with a short tabu list and random
  swaps when the search stalls: Dotú & Van Hentenryck, "Scheduling social golfers locally",
  CPAIOR 2005, LNCS 3524, 155-167, simplified as Triska & Musliu describe (no restarts, a
  fixed tabu tenure).

The cost is one number: a hard rule broken (two people who must be apart in one group) weighs
HARD, each repeated meeting of a pair weighs REPEAT times the meetings it already had (so a
pair meeting a third time costs more than two pairs meeting a second time), and each person
too many or too few of a balanced value in a group weighs BALANCE. The search counts
iterations, never the clock, so the same seed gives the same groups on any machine.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import designs

HARD = 1000
REPEAT = 2
BALANCE = 1
#: a swap stays tabu for TENURE to TENURE + SPREAD iterations (Triska & Musliu fix it at 10);
#: after STALL iterations without a better cost the search goes back to the best groups found
#: and makes SHAKES random swaps (measured on 32 people in groups of 4: benchmarks/bench_groups.py)
TENURE = 10
SPREAD = 5
STALL = 30
SHAKES = 1


@dataclass
class Problem:
    """The search's input, in numbers.

    `rounds[r]` lists who is in open round r and `sizes[r]` its group sizes (summing to the
    people); `history` holds the groups of rounds already decided, as they met; `apart` lists
    sets of people of whom at most one may sit in a group; `together` lists blocks of people
    who sit together; `values[p]` are the balanced values person p holds (small numbers)."""

    people: int
    rounds: list[list[int]]
    sizes: list[list[int]]
    history: list[list[list[int]]] = field(default_factory=list)
    apart: list[list[int]] = field(default_factory=list)
    together: list[list[int]] = field(default_factory=list)
    values: list[tuple[int, ...]] = field(default_factory=list)


class Search:
    """One run of the search on a problem (see the module's docstring)."""

    def __init__(self, problem: Problem, seed: int) -> None:
        self.problem = problem
        self.random = random.Random(seed)
        n = problem.people
        self.meet = [[0] * n for _ in range(n)]
        self.weight = [[REPEAT] * n for _ in range(n)]
        self.hard = [[0] * n for _ in range(n)]
        for group in (g for past in problem.history for g in past):
            self._count(group, 1)
        for circle in problem.apart:
            for a in circle:
                for b in circle:
                    if a != b:
                        self.hard[a][b] = HARD
        for block in problem.together:
            for a in block:
                for b in block:
                    self.weight[a][b] = 0
        self.rounds = len(problem.rounds)
        self.units = self._units()
        self.values = problem.values or [() for _ in range(n)]
        self.groups: list[list[list[int]]] = []
        self.where: list[dict[int, int]] = []
        self.tally: list[list[dict[int, int]]] = []
        self.range = self._ranges()

    def _units(self) -> list[dict[int, tuple[int, ...]]]:
        """Per round, each person's unit: the people kept together with them who are there
        too (themselves alone, mostly)."""
        block_of = {a: block for block in self.problem.together for a in block}
        units = []
        for members in self.problem.rounds:
            present = set(members)
            units.append(
                {p: tuple(q for q in block_of.get(p, [p]) if q in present) for p in members}
            )
        return units

    def _ranges(self) -> list[dict[int, tuple[int, int]]]:
        """Per round and balanced value, how many of its holders a group should have: with k
        holders in g groups, k // g or one more."""
        ranges = []
        for r, members in enumerate(self.problem.rounds):
            holders: dict[int, int] = {}
            for p in members:
                for v in self.values[p]:
                    holders[v] = holders.get(v, 0) + 1
            g = len(self.problem.sizes[r])
            ranges.append({v: (k // g, -(-k // g)) for v, k in holders.items()})
        return ranges

    # -- counting --------------------------------------------------------------------------

    def _count(self, group: Sequence[int], step: int) -> None:
        meet = self.meet
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                meet[a][b] += step
                meet[b][a] += step

    def pair_cost(self, a: int, b: int, c: int) -> int:
        """The cost of a pair that meets c times in all (rounds decided and open)."""
        return self.weight[a][b] * c * (c - 1) // 2

    def cost(self) -> int:
        """The cost of the current groups (see the module's docstring)."""
        total = 0
        n = self.problem.people
        for a in range(n):
            row = self.meet[a]
            for b in range(a + 1, n):
                if row[b] > 1:
                    total += self.pair_cost(a, b, row[b])
        for r in range(len(self.groups)):
            for g, group in enumerate(self.groups[r]):
                for i, a in enumerate(group):
                    for b in group[i + 1 :]:
                        total += self.hard[a][b]
                total += self._imbalance(r, g)
        return total

    def _imbalance(self, r: int, g: int) -> int:
        total = 0
        tally = self.tally[r][g]
        for v, (low, high) in self.range[r].items():
            k = tally.get(v, 0)
            total += max(0, low - k) + max(0, k - high)
        return total * BALANCE

    # -- the greedy start --------------------------------------------------------------------

    def start(self, template: Sequence[Sequence[Sequence[int]]] = ()) -> None:
        """Place everyone, round after round: as the `template` has the round (see
        `_follow`), else blocks first, then the least free people, each into the group with
        room where they add the least cost (ties by the seed)."""
        for r in range(len(self.problem.rounds)):
            sizes = self.problem.sizes[r]
            self.groups.append([[] for _ in sizes])
            self.tally.append([{} for _ in sizes])
            self.where.append({})
            if r < len(template):
                self._follow(r, template[r])
            else:
                self._fill(r, set(self.units[r].values()))

    def _fill(self, r: int, units: set[tuple[int, ...]]) -> None:
        """Place `units` in round r's groups with room: the largest and least free first."""
        groups, sizes = self.groups[r], self.problem.sizes[r]
        members = self.problem.rounds[r]
        ordered = sorted(
            units, key=lambda u: (-len(u), -self._unfreedom(u, members), self.random.random())
        )
        for unit in ordered:
            best: list[int] = []
            best_cost = 0
            for g, group in enumerate(groups):
                if len(group) + len(unit) > sizes[g]:
                    continue
                c = self._join_cost(r, unit, g)
                if not best or c < best_cost:
                    best, best_cost = [g], c
                elif c == best_cost:
                    best.append(g)
            if not best:  # no group has room for a block: the largest with room
                best = [max(range(len(groups)), key=lambda g: sizes[g] - len(groups[g]))]
            self._place(r, unit, self.random.choice(best))

    def _follow(self, r: int, template: Sequence[Sequence[int]]) -> None:
        """Round r as a template round has it (`designs.schedule`), fitted to the round: the
        blocks kept together first, each into the group with the most room; then the template's
        groups, the largest into the largest, as far as they have room (of the people in the
        round); whoever is left over (or not in the template) as `_fill` places them."""
        units = self.units[r]
        sizes = self.problem.sizes[r]
        groups = self.groups[r]
        for block in sorted({u for u in units.values() if len(u) > 1}, key=len, reverse=True):
            g = max(range(len(sizes)), key=lambda g: sizes[g] - len(groups[g]))
            self._place(r, block, g)
        alone = [[p for p in group if units.get(p) == (p,)] for group in template]
        alone.sort(key=len, reverse=True)
        for g, members in enumerate(alone[: len(sizes)]):
            for p in members:
                if len(groups[g]) < sizes[g]:
                    self._place(r, (p,), g)
        self._fill(r, {u for p, u in units.items() if p not in self.where[r]})

    def template(self) -> list[list[list[int]]]:
        """Constructed rounds without a repeated pair for everyone in the open rounds, in as
        many groups as the largest round has (`designs.schedule`; empty when none applies)."""
        people = sorted({p for members in self.problem.rounds for p in members})
        groups = max((len(sizes) for sizes in self.problem.sizes), default=0)
        if not groups:
            return []
        size = -(-len(people) // groups)
        return designs.schedule(people, groups, size, self.problem.apart, self.random)

    def _unfreedom(self, unit: tuple[int, ...], members: list[int]) -> int:
        meet, hard = self.meet, self.hard
        return sum(1 for a in unit for b in members if meet[a][b] or hard[a][b])

    def _join_cost(self, r: int, unit: tuple[int, ...], g: int) -> int:
        meet, weight, hard = self.meet, self.weight, self.hard
        c = 0
        for a in unit:
            for x in self.groups[r][g]:
                c += weight[a][x] * meet[a][x] + hard[a][x]
        if self.range[r]:
            tally = self.tally[r][g]
            for a in unit:
                for v in self.values[a]:
                    if tally.get(v, 0) >= self.range[r][v][1]:
                        c += BALANCE
        return c

    def _place(self, r: int, unit: tuple[int, ...], g: int) -> None:
        group = self.groups[r][g]
        tally = self.tally[r][g]
        for a in unit:
            for x in group:
                self.meet[a][x] += 1
                self.meet[x][a] += 1
            group.append(a)
            self.where[r][a] = g
            for v in self.values[a]:
                tally[v] = tally.get(v, 0) + 1

    def improve(self, iterations: int) -> int:
        """Tabu search from the current groups for at most `iterations` swaps (see `Tabu`);
        keeps the best groups found and returns their cost."""
        if not self.rounds or iterations <= 0:
            return self.cost()
        tabu = Tabu(self)
        tabu.run(iterations)
        self._restore(tabu.best)
        return self.cost()

    def _restore(self, groups: list[list[list[int]]]) -> None:
        for r, snapshot in enumerate(groups):
            for group in self.groups[r]:
                self._count(group, -1)
            self.groups[r] = snapshot
            self.tally[r] = [{} for _ in snapshot]
            for g, group in enumerate(snapshot):
                self._count(group, 1)
                for a in group:
                    self.where[r][a] = g
                    for value in self.values[a]:
                        self.tally[r][g][value] = self.tally[r][g].get(value, 0) + 1


class Tabu:
    """The tabu search of Dotú & Van Hentenryck (2005) over the groups of every open round at
    once. Each iteration weighs every swap of two people in two groups of one round, where at
    least one of them is in conflict, in a few array operations (numpy): with INC[a, b] the
    cost of pair (a, b) meeting once more and S[r, a, g] the sum of INC[a, x] over group g of
    round r, swapping a (in g) and b (in h) changes the cost by
    S[r, a, h] + S[r, b, g] - L[r, a] - L[r, b] - 2 INC[a, b], L being what each leaves behind.
    The best swap that is not tabu (or beats the best cost found) is made; the swapped pair
    is tabu for TENURE iterations; after STALL iterations without a better cost, SHAKES
    random swaps. People kept together do not move: the others move around them."""

    def __init__(self, search: Search) -> None:
        import numpy as np

        self.np = np
        self.search = search
        problem = search.problem
        n, rounds = problem.people, search.rounds
        groups = max(len(sizes) for sizes in problem.sizes)
        self.rng = np.random.default_rng(search.random.randrange(2**32))
        self.meet = np.array(search.meet, dtype=float)
        self.weight = np.array(search.weight, dtype=float)
        np.fill_diagonal(self.weight, 0)
        self.hard = np.array(search.hard, dtype=float)
        self.group = np.full((rounds, n), -1, dtype=np.int64)
        self.member = np.zeros((rounds, n, groups))
        for r, grouping in enumerate(search.groups):
            for g, group in enumerate(grouping):
                for a in group:
                    self.group[r, a] = g
                    self.member[r, a, g] = 1
        movable = np.ones(n, dtype=bool)
        for block in problem.together:
            if len(block) > 1:
                movable[block] = False
        present = self.group >= 0
        self.allowed = (
            present[:, :, None]
            & present[:, None, :]
            & movable[None, :, None]
            & movable[None, None, :]
            & np.triu(np.ones((n, n), dtype=bool), 1)[None]
        )
        self.tabu = np.zeros((rounds, n, n), dtype=np.int64)
        self.done = 0  # swaps tried so far (the tabu list counts in them)
        self._balanced()
        together = np.einsum("rpg,rqg->pq", self.member, self.member)
        np.fill_diagonal(together, 0)
        self.base = self.meet - together
        self.cost = search.cost()
        self.best_cost = self.cost
        self.best = [[list(group) for group in grouping] for grouping in search.groups]

    def _balanced(self) -> None:
        """The balanced values as arrays: who holds which (people x values), and the range
        of holders a group should have (rounds x values)."""
        np, search = self.np, self.search
        n, rounds = search.problem.people, search.rounds
        values = sorted({v for held in search.values for v in held})
        self.balanced = bool(values) and any(search.range)
        column = {v: i for i, v in enumerate(values)}
        self.holds = np.zeros((n, len(values)))
        for p, held in enumerate(search.values):
            for v in held:
                self.holds[p, column[v]] = 1
        self.low = np.zeros((rounds, len(values)), dtype=np.int64)
        self.high = np.full((rounds, len(values)), n, dtype=np.int64)
        for r, ranges in enumerate(search.range):
            for v, (low, high) in ranges.items():
                self.low[r, column[v]], self.high[r, column[v]] = low, high

    def run(self, iterations: int) -> None:
        """At most `iterations` more swaps, stopping at a cost of zero (a second call goes on
        where the first stopped)."""
        stall = 0
        for it in range(self.done, self.done + iterations):
            self.done = it + 1
            if self.best_cost == 0:
                return
            deltas, conflicted = self._deltas()
            candidates = self.allowed & (conflicted[:, :, None] | conflicted[:, None, :])
            candidates &= self.group[:, :, None] != self.group[:, None, :]
            free = (self.tabu <= it) | (self.cost + deltas < self.best_cost)
            candidates &= free
            if not candidates.any():
                self._shake()
                continue
            masked = self.np.where(candidates, deltas, self.np.inf)
            best = self.np.flatnonzero(masked == masked.min())
            pick = int(best[int(self.rng.integers(len(best)))])
            r, a, b = (int(i) for i in self.np.unravel_index(pick, masked.shape))
            self._swap(r, a, b, int(deltas[r, a, b]))
            self.tabu[r, a, b] = it + TENURE + int(self.rng.integers(SPREAD + 1))
            if self.cost < self.best_cost:
                self._keep()
                stall = 0
            else:
                stall += 1
                if stall > STALL:
                    self._back_to_best()
                    self._shake()
                    stall = 0

    def _back_to_best(self) -> None:
        np = self.np
        self.group[:] = -1
        self.member[:] = 0
        for r, grouping in enumerate(self.best):
            for g, group in enumerate(grouping):
                self.group[r, group] = g
                self.member[r, group, g] = 1
        together = np.einsum("rpg,rqg->pq", self.member, self.member)
        np.fill_diagonal(together, 0)
        self.meet = self.base + together
        self.cost = self.best_cost

    def _deltas(self) -> tuple[Any, Any]:
        """The change in cost of every swap (rounds x people x people), and who is in
        conflict (rounds x people)."""
        np = self.np
        member = self.member
        inc = self.weight * self.meet + self.hard
        sums = np.matmul(inc, member)  # rounds x people x groups: a's cost of joining g
        leave = ((sums - np.matmul(self.weight, member)) * member).sum(2)
        joins = np.matmul(sums, member.transpose(0, 2, 1))  # [r, a, b]: a into b's group
        deltas = joins + joins.transpose(0, 2, 1) - leave[:, :, None] - leave[:, None, :]
        deltas -= 2 * inc
        bad = (((self.meet > 1) & (self.weight > 0)) | (self.hard > 0)).astype(float)
        conflicted = (np.matmul(bad, member) * member).sum(2) > 0
        if self.balanced:
            more, off = self._balance()
            deltas = deltas + more
            conflicted |= off
        return deltas, conflicted

    def _balance(self) -> tuple[Any, Any]:
        """The change in imbalance of every swap, and who holds a value their group has too
        much or too little of."""
        np = self.np
        counts = np.matmul(self.member.transpose(0, 2, 1), self.holds)  # rounds x groups x values
        low, high = self.low[:, None, None, :], self.high[:, None, None, :]

        def off(k: Any) -> Any:
            return np.maximum(0, low - k) + np.maximum(0, k - high)

        own = np.clip(self.group, 0, None)[:, :, None]
        mine = np.take_along_axis(counts, own, 1)  # rounds x people x values: their group's
        holds = self.holds
        into_mine = mine[:, :, None, :] - holds[None, :, None, :] + holds[None, None, :, :]
        into_theirs = mine[:, None, :, :] + holds[None, :, None, :] - holds[None, None, :, :]
        before = off(mine[:, :, None, :])
        more = (
            off(into_mine).sum(3)
            - before.sum(3)
            + off(into_theirs).sum(3)
            - before.transpose(0, 2, 1, 3).sum(3)
        )
        wrong = (mine < self.low[:, None, :]) | (mine > self.high[:, None, :])
        return more * BALANCE, (wrong & (holds[None] > 0)).any(2)

    def _swap(self, r: int, a: int, b: int, delta: int) -> None:
        np = self.np
        g, h = int(self.group[r, a]), int(self.group[r, b])
        rest_g = np.flatnonzero(self.group[r] == g)
        rest_g = rest_g[rest_g != a]
        rest_h = np.flatnonzero(self.group[r] == h)
        rest_h = rest_h[rest_h != b]
        for person, leaves, joins in ((a, rest_g, rest_h), (b, rest_h, rest_g)):
            self.meet[person, leaves] -= 1
            self.meet[leaves, person] -= 1
            self.meet[person, joins] += 1
            self.meet[joins, person] += 1
        self.group[r, a], self.group[r, b] = h, g
        self.member[r, a, g], self.member[r, a, h] = 0, 1
        self.member[r, b, h], self.member[r, b, g] = 0, 1
        self.cost += delta

    def _keep(self) -> None:
        self.best_cost = self.cost
        sizes = self.search.problem.sizes
        self.best = [
            [[int(p) for p in self.np.flatnonzero(row == g)] for g in range(len(sizes[r]))]
            for r, row in enumerate(self.group[: len(self.search.groups)])
        ]

    def _shake(self) -> None:
        """SHAKES random swaps of people in conflict with anyone in another group."""
        np = self.np
        for _ in range(SHAKES):
            deltas, conflicted = self._deltas()
            candidates = self.allowed & (conflicted[:, :, None] | conflicted[:, None, :])
            candidates &= self.group[:, :, None] != self.group[:, None, :]
            where = np.argwhere(candidates)
            if not len(where):
                return
            r, a, b = (int(i) for i in where[self.rng.integers(len(where))])
            self._swap(r, a, b, int(deltas[r, a, b]))


def solve(problem: Problem, seed: int, iterations: int) -> list[list[list[int]]]:
    """Groups for each open round of `problem` (lists of people, in numbers): the better of a
    greedy start and a constructed one (`designs.schedule`, where it applies), then at most
    `iterations` swaps of tabu search (see the module's docstring)."""
    search = Search(problem, seed)
    search.start()
    constructed = Search(problem, seed)
    template = constructed.template()
    if template:
        constructed.start(template)
        if constructed.cost() < search.cost():
            search = constructed
    search.improve(iterations)
    return search.groups
