"""What counting proves about repeats: the fewest times pairs must meet again over rounds of
groups, whatever the groups are.

A repeat is a meeting of a pair after its first (a pair meeting three times makes two). Three
counts each give a lower bound; the largest holds:

- each person: over the rounds they are in, they share a group with at least (smallest group
  of the round - 1) others per round, but can meet at most the others who are there at some
  round and are not kept apart from them (their colleagues, with `colleagues: apart`, never):
  every seat beyond that is a repeat, counted from both sides of the pair;
- everyone: the rounds hold sum C(size, 2) meetings of pairs, and there are only so many pairs
  who may meet;
- two rounds (the pigeonhole): a group of round t holds c people of an earlier round t', who
  sat in G' groups there; at least c mod G' groups of t' gave it ceil(c / G') of them, so it
  repeats sum C(c_i, 2) pairs of t' (12 people in groups of 4: 3 groups, so every group of the
  second round holds two people who met in the first).

People kept together (`together:`) meet every round: their meetings are not repeats, so they
are left out of the counts (and the pigeonhole, which would count them, is not used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sized:
    """A round as counting sees it: who is in it, and its group sizes."""

    people: frozenset[str]
    sizes: tuple[int, ...]


def least(
    rounds: Sequence[Sized],
    apart: Sequence[frozenset[str]] = (),
    together: Sequence[Sequence[str]] = (),
) -> list[int]:
    """The fewest repeats the first t rounds can have, for t = 1 .. len(rounds) (see the
    module's docstring): a list that never decreases."""
    everyone = frozenset().union(*(r.people for r in rounds)) if rounds else frozenset()
    partners: dict[str, set[str]] = {}
    for block in together:
        for p in block:
            partners.setdefault(p, set()).update(q for q in block if q != p)
    never: dict[str, set[str]] = {}
    for circle in apart:
        here = circle & everyone
        if len(here) > 1:
            for p in here:
                never.setdefault(p, set()).update(here)
    may_meet = {}
    for p in everyone:
        excluded = (never.get(p, set()) | partners.get(p, set())) & everyone
        may_meet[p] = len(everyone) - 1 - len(excluded - {p})
    pairs = sum(may_meet.values()) // 2
    seats = dict.fromkeys(everyone, 0)
    meetings = 0
    pigeon = 0
    found: list[int] = []
    for t, r in enumerate(rounds):
        smallest = min(r.sizes, default=1)
        for p in r.people:
            with_partners = len(partners.get(p, set()) & r.people)
            seats[p] += max(0, smallest - 1 - with_partners)
        meetings += sum(s * (s - 1) // 2 for s in r.sizes)
        meetings -= sum(_choose2(len(set(block) & r.people)) for block in together)
        if not together and t:
            pigeon += max(_overlap(r, earlier) for earlier in rounds[:t])
        person = sum(max(0, seats[p] - may_meet[p]) for p in everyone)
        found.append(max(-(-person // 2), meetings - pairs, pigeon, found[-1] if found else 0))
    return found


def _choose2(n: int) -> int:
    return n * (n - 1) // 2


def _overlap(r: Sized, earlier: Sized) -> int:
    """The fewest pairs of round `r` who already shared a group in round `earlier` (the
    pigeonhole): the people of both rounds fill r's groups as evenly over earlier's groups as
    can be; those of r alone take the places that would repeat most."""
    bins = len(earlier.sizes)
    if bins == 0:
        return 0
    common = len(r.people & earlier.people)
    counts = _lowered(sorted(r.sizes, reverse=True), len(r.people) - common)
    total = 0
    for c in counts:
        q, rest = divmod(c, bins)
        total += rest * _choose2(q + 1) + (bins - rest) * _choose2(q)
    return total


def _lowered(counts: list[int], take: int) -> list[int]:
    """`counts` (largest first) after taking `take` away one at a time from the largest: the
    level L that leaves the fewest, and the rest from groups at that level."""
    if take <= 0:
        return counts
    if take >= sum(counts):
        return [0] * len(counts)
    low, high = 0, counts[0]
    while low < high:  # the lowest level whose cut takes at most `take`
        level = (low + high) // 2
        if sum(max(0, c - level) for c in counts) <= take:
            high = level
        else:
            low = level + 1
    lowered = [min(c, low) for c in counts]
    left = take - sum(counts) + sum(lowered)
    for i, c in enumerate(lowered):
        if left and c == low and c > 0:
            lowered[i] -= 1
            left -= 1
    return lowered
