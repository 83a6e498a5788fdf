"""The tabu search behind `cohort groups`: swaps of two people between groups of one round.

Dotú & Van Hentenryck, "Scheduling social golfers locally", CPAIOR 2005, LNCS 3524, 155-167:
each step weighs every swap of a person *in conflict* (who meets someone again, shares a group
with someone they must be apart from, or holds a value their group has too much or too little
of) with anyone in another group of that round, and makes the best one that is not tabu; a
swapped pair stays tabu for a random number of steps; a tabu swap that beats the best cost
found is made anyway (aspiration). When the best cost has not improved for STALL steps the
search goes back to the best groups and makes a random swap (their perturbation); after
PATIENCE steps without a better cost `golfers.Search` starts again (their restarts).

The cost is `golfers.Search.cost`. With INC[a, b] the cost of a and b meeting once more and
S[r, a, g] the sum of INC[a, x] over group g of round r, swapping a (in g) and b (in h) changes
it by S[r, a, h] + S[r, b, g] - L[r, a] - L[r, b] - 2 INC[a, b], L being what each saves by
leaving their group. S is kept up to date swap by swap (a swap changes INC for 4 (K - 1) pairs
and two groups of one round), so a step costs arrays of (people in conflict) x (people), not
rounds x people x people: a few dozen numpy operations on small arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .golfers import BALANCE

if TYPE_CHECKING:
    from .golfers import Search

#: a swapped pair stays tabu for TENURE to TENURE + SPREAD steps; after STALL steps without a
#: better cost the search goes back to the best groups found and makes a random swap
#: (measured on 32 people in groups of 4 and on smaller cohorts: benchmarks/bench_groups.py)
TENURE = 10
#: the most people in conflict whose swaps one step weighs (a random few of them beyond): the
#: arrays of a step are (people in conflict) x people, which for thousands of people in conflict
#: would take gigabytes; below it (every cohort of up to a few hundred) all are weighed
WIDEST = 256
#: the arrays' numbers: costs are whole numbers far below 2**24, which float32 holds exactly,
#: in half the memory of float64 (arrays of rounds x people x groups)
REAL = np.float32
SPREAD = 5
STALL = 30


class Tabu:
    """One tabu search from the groups of a `golfers.Search` (see the module's docstring).
    People kept together do not move: the others move around them."""

    def __init__(self, search: Search) -> None:
        self.search = search
        problem = search.problem
        n, rounds = problem.people, search.rounds
        self.n = n
        self.groups = max(len(sizes) for sizes in problem.sizes)
        self.rng = np.random.default_rng(search.random.randrange(2**32))
        self.weight = np.array(search.weight, dtype=REAL)
        np.fill_diagonal(self.weight, 0)
        self.hard = np.array(search.hard, dtype=REAL)
        np.fill_diagonal(self.hard, 0)
        upper = np.triu(np.ones((n, n), dtype=bool), 1)
        self.repeatable = (self.weight > 0) & upper  # pairs whose meeting again costs
        self.apart = (self.hard > 0) & upper  # pairs who must not share a group
        self.group = np.full((rounds, n), -1, dtype=np.int64)
        for r, grouping in enumerate(search.groups):
            for g, group in enumerate(grouping):
                self.group[r, group] = g
        self.present = self.group >= 0
        self.rounds_ = np.arange(rounds)[:, None]
        self.people_ = np.arange(n)[None, :]
        self.movable = np.ones(n, dtype=bool)
        for block in problem.together:
            if len(block) > 1:
                self.movable[block] = False
        self.meet = np.array(search.meet, dtype=REAL)
        self.base = self.meet - self._together()  # meetings in the rounds already decided
        #: the swaps that are tabu, as (until, round, a, b): a few dozen at most (TENURE +
        #: SPREAD steps' worth), never a table of rounds x people x people
        self.tabu: list[tuple[int, int, int, int]] = []
        self.done = 0  # steps made so far (the tabu list counts in them)
        self._balanced()
        self._sums()
        self.cost = float(search.cost())
        self.best_cost = self.cost
        self.best = self._grouping()
        self.best_echoes = search.echoes(self.best)

    # -- state --------------------------------------------------------------------------------

    def _together(self) -> Any:
        """How often each pair shares a group in the open rounds (people x people), from
        the pairs of each group (no table of rounds x people x groups)."""
        together = np.zeros((self.n, self.n), dtype=REAL)
        for members in self._members():
            a, b = np.meshgrid(members, members, indexing="ij")
            np.add.at(together, (a.ravel(), b.ravel()), 1)
        np.fill_diagonal(together, 0)
        return together

    def _members(self) -> list[Any]:
        """The members of every group of the open rounds (arrays of people)."""
        out = []
        for row in self.group:
            order = np.argsort(row, kind="stable")
            order = order[row[order] >= 0]
            cuts = np.flatnonzero(np.diff(row[order])) + 1
            out += np.split(order, cuts)
        return out

    def _sums(self) -> None:
        """S (the cost of joining each group), W (the repeat weights of each person's own
        group: rounds x people) and the balanced values' counts, from the groups and meetings
        as they are, group by group."""
        rounds, n = self.group.shape
        inc = self.weight * self.meet + self.hard
        self.sums = np.zeros((rounds, n, self.groups), dtype=REAL)
        self.stay = np.zeros((rounds, n), dtype=REAL)
        self.counts = np.zeros((rounds, self.groups, self.holds.shape[1]))
        for r, row in enumerate(self.group):
            for g in range(self.groups):
                members = np.flatnonzero(row == g)
                if not len(members):
                    continue
                self.sums[r, :, g] = inc[:, members].sum(1)
                self.stay[r, members] = self.weight[np.ix_(members, members)].sum(1)
                self.counts[r, g] = self.holds[members].sum(0)

    def _per_group(self, values: Any) -> Any:
        """For each round and group, the sum of `values` (one per person) over its members
        (rounds x groups)."""
        rounds = self.group.shape[0]
        code = (self.rounds_ * self.groups + self.group)[self.present]
        spread = np.broadcast_to(values, self.group.shape)[self.present]
        sums = np.bincount(code, weights=spread, minlength=rounds * self.groups)
        return sums.reshape(rounds, self.groups).astype(REAL)

    def _balanced(self) -> None:
        """The balanced values as arrays: who holds which (people x values), and the range of
        holders a group should have (rounds x values)."""
        search = self.search
        n, rounds = search.problem.people, search.rounds
        values = sorted({v for held in search.values for v in held})
        self.balanced = bool(values) and any(search.range)
        column = {v: i for i, v in enumerate(values)}
        self.holds = np.zeros((n, len(values)))
        for p, held in enumerate(search.values):
            for v in held:
                self.holds[p, column[v]] = 1
        self.low = np.zeros((rounds, len(values)))
        self.high = np.full((rounds, len(values)), float(n))
        for r, ranges in enumerate(search.range):
            for v, (low, high) in ranges.items():
                self.low[r, column[v]], self.high[r, column[v]] = low, high

    def _grouping(self) -> list[list[list[int]]]:
        sizes = self.search.problem.sizes
        return [
            [[int(p) for p in np.flatnonzero(row == g)] for g in range(len(sizes[r]))]
            for r, row in enumerate(self.group)
        ]

    # -- the search ---------------------------------------------------------------------------

    def run(self, steps: int, patience: int | None = None) -> None:
        """At most `steps` more swaps, stopping at a cost of zero or after `patience` swaps
        without a better cost (a second call goes on where the first stopped)."""
        stall = since = 0
        for step in range(self.done, self.done + steps):
            if self.best_cost == 0 or (patience is not None and since >= patience):
                return
            self.done = step + 1
            since += 1
            rows, deltas, allowed = self._moves()
            aspired = deltas < self.best_cost - self.cost
            free = allowed & (self._allowed(rows, step) | aspired)
            if not free.any():
                self._shake(rows, deltas, allowed)
                continue
            masked = np.where(free, deltas, np.inf)
            best = np.flatnonzero(masked == masked.min())
            i, b = divmod(int(best[int(self.rng.integers(len(best)))]), self.n)
            r, a = int(rows[0][i]), int(rows[1][i])
            self._swap(r, a, b, float(deltas[i, b]))
            until = step + TENURE + int(self.rng.integers(SPREAD + 1))
            self.tabu.append((until, r, a, b))
            if self.cost < self.best_cost:
                self.best_cost = self.cost
                self.best = self._grouping()
                self.best_echoes = self.search.echoes(self.best)
                stall = since = 0
            elif self.cost == self.best_cost and self.best_echoes and self._fewer_echoes():
                stall = since = 0
            else:
                stall += 1
                if stall > STALL:
                    self.restore(self.best)
                    rows, deltas, allowed = self._moves()
                    self._shake(rows, deltas, allowed)
                    stall = 0

    def _fewer_echoes(self) -> bool:
        """Whether the groups as they are echo earlier tables less than the best found (of
        the same cost): then they are the best."""
        grouping = self._grouping()
        echoes = self.search.echoes(grouping)
        if echoes >= self.best_echoes:
            return False
        self.best, self.best_echoes = grouping, echoes
        return True

    def _allowed(self, rows: tuple[Any, Any], step: int) -> Any:
        """Which swaps of the people in conflict (`rows`) with each person are not tabu at
        `step` (conflicts x people)."""
        self.tabu = [entry for entry in self.tabu if entry[0] > step]
        allowed = np.ones((len(rows[0]), self.n), dtype=bool)
        if self.tabu:
            row_of = {(int(r), int(a)): i for i, (r, a) in enumerate(zip(*rows, strict=True))}
            for _, r, a, b in self.tabu:
                for one, other in ((a, b), (b, a)):
                    i = row_of.get((r, one))
                    if i is not None:
                        allowed[i, other] = False
        return allowed

    def _conflicts(self) -> tuple[Any, Any]:
        """Who is in conflict, as (rounds, people) index arrays: in a group with someone they
        meet again or must be apart from, or holding a value their group has too much or too
        little of. Only people who may move."""
        n = self.n
        bad = ((self.meet > 1) & self.repeatable) | self.apart
        a, b = np.nonzero(bad)
        ga, gb = self.group[:, a], self.group[:, b]
        r, k = np.nonzero((ga == gb) & (ga >= 0))
        codes = [r * n + a[k], r * n + b[k]]
        if self.balanced:
            wrong = (self.counts < self.low[:, None, :]) | (self.counts > self.high[:, None, :])
            off = wrong[self.rounds_, np.clip(self.group, 0, None)] & (self.holds[None] > 0)
            r, p = np.nonzero(off.any(2) & self.present)
            codes.append(r * n + p)
        code = np.unique(np.concatenate(codes))
        r, p = np.divmod(code, n)
        keep = self.movable[p]
        r, p = r[keep], p[keep]
        if len(r) > WIDEST:  # a random few, so that a step weighs WIDEST x people at most
            chosen = np.sort(self.rng.choice(len(r), WIDEST, replace=False))
            r, p = r[chosen], p[chosen]
        return r, p

    def _moves(self) -> tuple[tuple[Any, Any], Any, Any]:
        """The swaps of everyone in conflict: their (rounds, people), the change in cost of
        swapping each with each person (conflicts x people), and which swaps may be made."""
        r, a = self._conflicts()
        own = np.clip(self.group, 0, None)
        g = own[r, a]
        h = own[r]  # conflicts x people: the other's group
        leave = self.sums[self.rounds_, self.people_, own] - self.stay
        joins = self.sums[r[:, None], a[:, None], h]  # a into b's group
        comes = self.sums[r[:, None], self.people_, g[:, None]]  # b into a's group
        inc = self.weight[a] * self.meet[a] + self.hard[a]
        deltas = joins + comes - leave[r, a][:, None] - leave[r] - 2 * inc
        if self.balanced:
            deltas += self._balance(r, a, g, h)
        allowed = self.present[r] & self.movable[None, :] & (self.group[r] != g[:, None])
        return (r, a), deltas, allowed

    def _balance(self, r: Any, a: Any, g: Any, h: Any) -> Any:
        """The change in imbalance of swapping each person in conflict with each person: a's
        group gains b's values and loses a's (each by one at most), b's group the other way
        round, and one holder more or less changes a group's imbalance by `more` or `less`."""
        counts, low, high = self.counts, self.low[:, None, :], self.high[:, None, :]
        more = (counts >= high).astype(float) - (counts < low)  # rounds x groups x values
        less = (counts <= low).astype(float) - (counts > high)
        change = self.holds[None, :, :] - self.holds[a][:, None, :]  # conflicts x people x values
        gains, loses = change > 0, change < 0
        mine = gains * more[r, g][:, None, :] + loses * less[r, g][:, None, :]
        theirs = loses * more[r[:, None], h] + gains * less[r[:, None], h]
        return (mine + theirs).sum(2) * BALANCE

    def _swap(self, r: int, a: int, b: int, delta: float) -> None:
        """Swap a and b in round r, keeping meetings, S, W and counts in step."""
        g, h = int(self.group[r, a]), int(self.group[r, b])
        row = self.group[r]
        inc_a = self.weight[a] * self.meet[a] + self.hard[a]
        inc_b = self.weight[b] * self.meet[b] + self.hard[b]
        self.sums[r, :, g] += inc_b - inc_a
        self.sums[r, :, h] += inc_a - inc_b
        self.stay[r] += (row == g) * (self.weight[b] - self.weight[a])
        self.stay[r] += (row == h) * (self.weight[a] - self.weight[b])
        if self.balanced:
            self.counts[r, g] += self.holds[b] - self.holds[a]
            self.counts[r, h] += self.holds[a] - self.holds[b]
        # a meets h's people instead of g's, b the other way round
        change = (row == h).astype(REAL) - (row == g)
        change[a] = change[b] = 0
        row[a], row[b] = h, g
        self.stay[r, a] = self.weight[a][row == h].sum()
        self.stay[r, b] = self.weight[b][row == g].sum()
        self.meet[a] += change
        self.meet[:, a] += change
        self.meet[b] -= change
        self.meet[:, b] -= change
        more_a = self.weight[a] * change  # INC[a, x] changes by this, INC[b, x] by -more_b
        more_b = self.weight[b] * change
        self.sums[:, a, :] += self._per_group(more_a)
        self.sums[:, b, :] -= self._per_group(more_b)
        for p, more in ((a, more_a), (b, -more_b)):  # the groups p is in, round by round
            rounds = np.flatnonzero(self.present[:, p])
            self.sums[rounds, :, self.group[rounds, p]] += more[None, :]
        self.cost += delta

    def _shake(self, rows: tuple[Any, Any], deltas: Any, allowed: Any) -> None:
        """A random swap of someone in conflict (when every swap is tabu, or the search
        stalls)."""
        i, b = np.nonzero(allowed)
        if not len(i):
            return
        k = int(self.rng.integers(len(i)))
        r, a = int(rows[0][i[k]]), int(rows[1][i[k]])
        self._swap(r, a, int(b[k]), float(deltas[i[k], b[k]]))

    def restore(self, grouping: list[list[list[int]]]) -> None:
        """Back to these groups (and their cost, the best found)."""
        self.group[:] = -1
        for r, groups in enumerate(grouping):
            for g, group in enumerate(groups):
                self.group[r, group] = g
        self.meet = self.base + self._together()
        self._sums()
        self.cost = self.best_cost
