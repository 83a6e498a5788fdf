"""The search behind `cohort groups`: the social golfer problem with a facilitator's rules.

People are numbers here (0..n-1) and rounds are lists of group sizes; `planning.groups` turns
a programme's meetings into this shape and back. The search is the one published for the
social golfer problem (CSPLib prob010):

- a start, the better of two: rounds constructed without any repeated pair where design theory
  has them (`designs`: resolvable transversal designs, for N people in G groups with G a prime
  power at least the group size, such as 32 in groups of 4), fitted to each round's people and
  blocks; and a greedy start, round after round, placing the least free people first (those
  with the most people they may no longer meet) into the group where they add the least cost,
  the idea of Triska & Musliu, "An effective greedy heuristic for the Social Golfer Problem",
  Annals of Operations Research 194 (2012) 413-425;
- then a tabu search over swaps of two people between groups of one round, where at least one
  of them is in conflict, with a random tabu tenure, aspiration, a random swap when the search
  stalls and restarts after PATIENCE swaps without a better cost: Dotú & Van Hentenryck,
  "Scheduling social golfers locally", CPAIOR 2005, LNCS 3524, 155-167 (`tabu`).

The cost is one number: a hard rule broken (two people who must be apart in one group) weighs
HARD, each repeated meeting of a pair weighs REPEAT times the meetings it already had (so a
pair meeting a third time costs more than two pairs meeting a second time), and each person
too many or too few of a balanced value in a group weighs BALANCE. Of groups of equal cost the
search keeps those with the fewest *echoes*: a group of three or more who all sat together in
one group before (the same table again, as after an absence: its pairs repeat either way, but
spread over tables the repeats are not the same evening twice). The search counts swaps, never
the clock, so the same seed gives the same groups on any machine.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from . import designs

HARD = 1000
REPEAT = 2
BALANCE = 1
#: swaps without a better cost after which the search starts again (Dotú & Van Hentenryck's
#: restarts; measured on 32 people in groups of 4 and smaller cohorts: benchmarks/bench_groups.py)
PATIENCE = 1000


@dataclass
class Problem:
    """The search's input, in numbers.

    `rounds[r]` lists who is in open round r and `sizes[r]` its group sizes (summing to the
    people); `history` holds the groups of rounds already decided, as they met; `apart` lists
    sets of people of whom at most one may sit in a group; `together` lists blocks of people
    who sit together; `values[p]` are the balanced values person p holds (small numbers);
    `tables` the decided rounds' groups as made (a table seen again is an echo, see above)."""

    people: int
    rounds: list[list[int]]
    sizes: list[list[int]]
    history: list[list[list[int]]] = field(default_factory=list)
    apart: list[list[int]] = field(default_factory=list)
    together: list[list[int]] = field(default_factory=list)
    values: list[tuple[int, ...]] = field(default_factory=list)
    #: the decided rounds' groups as they were made (before absences), for echoes only
    tables: list[list[list[int]]] = field(default_factory=list)


class Search:
    """One run of the search on a problem (see the module's docstring)."""

    def __init__(self, problem: Problem, seed: int) -> None:
        self.problem = problem
        self.random = random.Random(seed)
        n = problem.people
        self.meet = [[0] * n for _ in range(n)]
        # rows of people without a rule are one shared row (read only), so that a cohort of
        # thousands does not hold three tables of people x people
        self.hard = _table(n, 0, (p for c in problem.apart for p in combinations(c, 2)), HARD)
        self.weight = _table(
            n, REPEAT, (p for b in problem.together for p in combinations(b, 2)), 0
        )
        for group in (g for past in problem.history for g in past):
            self._count(group, 1)
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

    # -- the start ----------------------------------------------------------------------------

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
        template's groups of people in the round, the largest into the largest group; each
        block kept together first, into the group where the template has most of it (with
        room), then the others as far as there is room; whoever is left over (or not in the
        template) as `_fill` places them."""
        units = self.units[r]
        sizes = self.problem.sizes[r]
        groups = self.groups[r]
        planned = sorted(([p for p in g if p in units] for g in template), key=len, reverse=True)
        planned = (planned + [[] for _ in sizes])[: len(sizes)]
        for block in sorted({u for u in units.values() if len(u) > 1}, key=len, reverse=True):

            def fit(g: int, block: tuple[int, ...] = block) -> tuple[bool, int, int]:
                room = sizes[g] - len(groups[g])
                return room >= len(block), len(set(block) & set(planned[g])), room

            self._place(r, block, max(range(len(sizes)), key=fit))
        for g, members in enumerate(planned):
            for p in members:
                if units[p] == (p,) and len(groups[g]) < sizes[g]:
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

    def improve(self, iterations: int, constructed: bool = False) -> int:
        """Tabu search from the current groups for at most `iterations` swaps in all (see
        `tabu`); after PATIENCE swaps without a better cost, again from a new start (as
        `start` makes it, with the next random numbers: from a new construction when
        `constructed`). Keeps the best groups found and returns their cost."""
        from .tabu import Tabu

        best, best_cost = [[list(g) for g in grouping] for grouping in self.groups], self.cost()
        best_echoes = self.echoes(best)
        left = iterations if self.rounds else 0
        while left > 0 and best_cost > 0:
            tabu = Tabu(self)
            tabu.run(left, PATIENCE)
            left -= tabu.done
            if (tabu.best_cost, tabu.best_echoes) < (best_cost, best_echoes):
                best, best_cost = tabu.best, int(tabu.best_cost)
                best_echoes = tabu.best_echoes
            del tabu  # its arrays (rounds x people x groups) go before the next one's come
            if left > 0 and best_cost > 0:
                self._clear()
                self.start(self.template() if constructed else ())
        self._restore(best)
        return self.cost()

    def echoes(self, groups: Sequence[Sequence[Sequence[int]]]) -> int:
        """How many groups of three or more in the open rounds' `groups` all sat together in
        one group of another round before (decided, or open and earlier): the same table
        again."""
        before: dict[int, list[frozenset[int]]] = {}
        problem = self.problem
        for past in (g for grouping in problem.history + problem.tables for g in grouping):
            if len(past) > 2:
                for a in past:
                    before.setdefault(a, []).append(frozenset(past))
        found = 0
        for grouping in groups:
            made = [frozenset(g) for g in grouping if len(g) > 2]
            for table in made:
                found += any(table <= earlier for earlier in before.get(min(table), ()))
            for table in made:
                for a in table:
                    before.setdefault(a, []).append(table)
        return found

    def _clear(self) -> None:
        """No groups in the open rounds (the meetings of decided ones stay)."""
        for grouping in self.groups:
            for group in grouping:
                self._count(group, -1)
        self.groups, self.tally, self.where = [], [], []

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


def _table(n: int, default: int, pairs: Iterable[tuple[int, int]], value: int) -> list[list[int]]:
    """A table of people x people holding `value` for `pairs` (both ways round) and `default`
    elsewhere; the rows of people in no pair are one shared row, to be read only."""
    shared = [default] * n
    table = [shared] * n
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            if table[x] is shared:
                table[x] = list(shared)
            table[x][y] = value
    return table


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
    made = search is constructed
    del constructed  # one search's tables of people x people at a time
    search.improve(iterations, constructed=made)
    return search.groups
