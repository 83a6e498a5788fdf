"""Rounds in which no two people meet twice, constructed rather than searched for.

For some shapes of a round the social golfer problem has an answer from design theory: N = G K
people in G groups of K, with G a prime power q (or a product of prime powers, each at least
K), get G rounds without a repeated pair from a *resolvable transversal design*. Number the
people (j, x), j in 0..K-1 (their *column*) and x an element of the ring R = GF(q1) x GF(q2) x
...; pick K elements e_0..e_{K-1} whose differences are all units (possible when K is at most
every q_i). Round t (t in R) has the groups {(j, u + t e_j): j} for u in R: two people (j, x)
and (k, y) of different columns meet in the round t = (x - y) / (e_j - e_k) only, and people
of one column never meet. The finite-field construction of mutually orthogonal Latin squares
(Bose 1938), extended to products of fields by MacNeish (1922); the resolvable transversal
designs are those of Colbourn & Dinitz (eds.), *Handbook of Combinatorial Designs*, 2nd ed.
(2007), III.3. The columns then give more rounds when K divides G: each column of G people,
who have not met, is split into groups by the same construction (G / K groups of K), all
columns at once. 32 people in groups of 4: 8 rounds, and a ninth from the columns (the known
optimum is 10, Aguado 2004); 16 in groups of 4 or 9 in groups of 3: every round the bound
floor((N - 1) / (K - 1)) allows (the affine planes).

With fewer people than G K (30 in groups of 4: G = 8 groups of 4 or 3) the missing people are
*ghosts* in one column: each group has one person of each column, so at most one ghost, and
the groups differ in size by one at most. The columns' own rounds are then left out (a column
of ghosts would make a small group).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import product

#: the largest field built (the tables grow with its square); cohorts have far fewer groups
LARGEST = 32

Rounds = list[list[list[int]]]


def rounds(groups: int, size: int) -> tuple[Rounds, Rounds]:
    """Rounds of `groups` groups of `size` on the people 0..groups * size - 1 in which no pair
    meets twice: the transversal rounds (people j * groups + x, column j) and the columns' own
    rounds (see the module's docstring). Both empty when no construction applies: `size` larger
    than a prime-power factor of `groups`, or `groups` larger than LARGEST."""
    if size < 2 or groups < 1:
        return [], []
    if groups == 1:
        return [], [[list(range(size))]]
    ring = _ring(groups)
    if ring is None or size > min(ring.fields):
        return [], []
    crossing = [
        [[j * groups + ring.add(u, ring.mul(t, ring.unit(j))) for j in range(size)] for u in ring]
        for t in ring
    ]
    within: Rounds = []
    if groups % size == 0:
        inner_crossing, inner_within = rounds(groups // size, size)
        for inner in inner_crossing + inner_within or [_one_round(groups, size)]:
            within.append([[j * groups + p for p in group] for j in range(size) for group in inner])
    return crossing, within


def schedule(
    people: Sequence[int],
    groups: int,
    size: int,
    apart: Sequence[Sequence[int]],
    rng: random.Random,
) -> Rounds:
    """Rounds of `people` in `groups` groups of `size` or one less in which no pair meets
    twice, as many as the construction gives (none when it does not apply, or when `groups`
    groups of `size` do not fit the people with fewer than `groups` missing): the transversal
    rounds in a random order, then the columns' own rounds (only when nobody is missing).

    Who takes which point is random (by `rng`), except that the people of an `apart` circle
    (colleagues, say) share a column where there is room, so that they never meet in the
    transversal rounds (a circle split over columns meets there: the search repairs that)."""
    ghosts = groups * size - len(people)
    if not 0 <= ghosts < groups:
        return []
    crossing, within = rounds(groups, size)
    if not crossing:
        return []
    columns = _columns(people, groups, size, ghosts, apart, rng)
    person = [p for column in columns for p in column + [-1] * (groups - len(column))]
    rng.shuffle(crossing)
    rng.shuffle(within)
    return [
        [[person[x] for x in group if person[x] >= 0] for group in grouping]
        for grouping in crossing + (within if not ghosts else [])
    ]


def _columns(
    people: Sequence[int],
    groups: int,
    size: int,
    ghosts: int,
    apart: Sequence[Sequence[int]],
    rng: random.Random,
) -> list[list[int]]:
    """The people in `size` columns of `groups` (the last `ghosts` short): the circles of
    `apart`, the largest first, each into the fullest column that has room for all of it (else
    spread from the emptiest on: best fit decreasing); everyone else at random."""
    room = [groups] * size
    room[-1] -= ghosts
    columns: list[list[int]] = [[] for _ in range(size)]
    placed: set[int] = set()
    present = set(people)
    for circle in sorted(apart, key=lambda circle: (-len(circle), rng.random())):
        here = [p for p in circle if p in present and p not in placed]
        while here:
            fits = [c for c in range(size) if room[c] >= len(here)]
            column = (
                min(fits, key=lambda c: room[c])
                if fits
                else max(range(size), key=lambda c: room[c])
            )
            taken, here = here[: room[column]], here[room[column] :]
            columns[column] += taken
            placed.update(taken)
            room[column] -= len(taken)
    rest = [p for p in people if p not in placed]
    rng.shuffle(rest)
    for column in range(size):
        columns[column] += rest[: room[column]]
        rest = rest[room[column] :]
        rng.shuffle(columns[column])
    return columns


def _one_round(people: int, size: int) -> list[list[int]]:
    """The people in consecutive groups of `size`: one round, which repeats nothing."""
    return [list(range(start, start + size)) for start in range(0, people, size)]


class _Ring:
    """GF(q1) x GF(q2) x ..., its elements numbered 0..q1 q2 ... - 1 (mixed radix), with
    addition and multiplication tables."""

    def __init__(self, fields: tuple[int, ...]) -> None:
        self.fields = fields
        size = 1
        for q in fields:
            size *= q
        self.size = size
        tables = [_field(q) for q in fields]
        digits = [self._digits(x) for x in range(size)]
        self.sum = [[0] * size for _ in range(size)]
        self.product = [[0] * size for _ in range(size)]
        for a, da in enumerate(digits):
            for b, db in enumerate(digits):
                pairs = list(zip(tables, da, db, strict=True))
                self.sum[a][b] = self._number([add[x][y] for (add, _), x, y in pairs])
                self.product[a][b] = self._number([mul[x][y] for (_, mul), x, y in pairs])

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.size))

    def _digits(self, x: int) -> list[int]:
        out = []
        for q in self.fields:
            x, digit = divmod(x, q)
            out.append(digit)
        return out

    def _number(self, digits: list[int]) -> int:
        x = 0
        for q, digit in zip(reversed(self.fields), reversed(digits), strict=True):
            x = x * q + digit
        return x

    def add(self, a: int, b: int) -> int:
        return self.sum[a][b]

    def mul(self, a: int, b: int) -> int:
        return self.product[a][b]

    def unit(self, j: int) -> int:
        """e_j: the element j in every field (their differences are units while j < every q)."""
        return self._number([j] * len(self.fields))


@cache
def _ring(order: int) -> _Ring | None:
    """The ring of `order` elements as a product of fields, one per prime (None: too large)."""
    if order > LARGEST:
        return None
    fields, rest, p = [], order, 2
    while rest > 1:
        power = 1
        while rest % p == 0:
            rest //= p
            power *= p
        if power > 1:
            fields.append(power)
        p += 1
    return _Ring(tuple(fields))


@cache
def _field(q: int) -> tuple[list[list[int]], list[list[int]]]:
    """Addition and multiplication tables of GF(q), q = p^n: elements are the polynomials over
    GF(p) of degree below n, numbered by their coefficients in base p (lowest first);
    multiplication is modulo the first monic polynomial of degree n of which x generates every
    non-zero element (a primitive polynomial), so a * b = x^(log a + log b)."""
    p, n = _prime_power(q)
    digits = [[(x // p**i) % p for i in range(n)] for x in range(q)]

    def number(coefficients: list[int]) -> int:
        return sum(c * p**i for i, c in enumerate(coefficients))

    add = [
        [number([(a + b) % p for a, b in zip(x, y, strict=True)]) for y in digits] for x in digits
    ]
    for low in product(range(p), repeat=n):  # x^n = -(low[0] + low[1] x + ...)
        powers, v = [], [1] + [0] * (n - 1)
        for _ in range(q - 1):
            powers.append(number(v))
            carry = v[-1]
            v = [(shifted - carry * c) % p for shifted, c in zip([0, *v[:-1]], low, strict=True)]
        if len(set(powers)) == q - 1 and 0 not in powers:
            break
    log = {x: i for i, x in enumerate(powers)}
    mul = [
        [0 if 0 in (a, b) else powers[(log[a] + log[b]) % (q - 1)] for b in range(q)]
        for a in range(q)
    ]
    return add, mul


def _prime_power(q: int) -> tuple[int, int]:
    p = next(d for d in range(2, q + 1) if q % d == 0)
    n, rest = 0, q
    while rest > 1:
        assert rest % p == 0, f"{q} is not a prime power"
        rest //= p
        n += 1
    return p, n
