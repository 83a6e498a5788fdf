"""Constructed rounds (`planning.designs`): for the sizes where design theory has an answer,
`cohort groups` starts from rounds in which nobody meets anyone twice, and the rules still
hold."""

from __future__ import annotations

import itertools
import random

import pytest

from cohort.planning import designs, golfers
from cohort.planning.groups import Circle, Round, Rules, form, sizes


def repeated(groupings):
    seen, twice = set(), set()
    for grouping in groupings:
        for group in grouping:
            for pair in itertools.combinations(sorted(group), 2):
                (twice if pair in seen else seen).add(pair)
    return twice


@pytest.mark.parametrize(
    ("groups", "size", "crossing", "within"),
    [
        (8, 4, 8, 1),  # 32 in groups of 4: 9 rounds (the optimum is 10)
        (4, 4, 4, 1),  # 16 in groups of 4: 5 = the bound
        (3, 3, 3, 1),  # 9 in groups of 3: 4 = the bound
        (9, 3, 9, 4),  # 27 in groups of 3: 13 = the bound
        (5, 5, 5, 1),  # 25 in groups of 5: 6 = the bound
        (5, 4, 5, 0),  # 20 in groups of 4: 5 (no more exist)
        (4, 3, 4, 0),  # 12 in groups of 3: 4 (no more exist)
        (7, 4, 7, 0),  # 28 in groups of 4
        (8, 5, 8, 0),  # 40 in groups of 5
        (12, 3, 12, 4),  # GF(4) x GF(3)
        (10, 2, 10, 5),  # GF(2) x GF(5)
        (16, 4, 16, 5),  # 64 in groups of 4: 21 = the bound
        (6, 3, 0, 0),  # GF(2) x GF(3): no three elements with unit differences
        (6, 4, 0, 0),
        (3, 4, 0, 0),  # groups larger than their number
        (64, 2, 0, 0),  # larger than designs.LARGEST
    ],
)
def test_constructed_rounds_repeat_no_pair(groups, size, crossing, within):
    made = designs.rounds(groups, size)
    assert (len(made[0]), len(made[1])) == (crossing, within)
    everyone = list(range(groups * size))
    for grouping in made[0] + made[1]:
        assert sorted(p for group in grouping for p in group) == everyone
        assert sorted(len(group) for group in grouping) == [size] * groups
    assert repeated(made[0] + made[1]) == set()
    if crossing:
        assert crossing + within <= (groups * size - 1) // (size - 1)  # everyone meets K - 1


@pytest.mark.parametrize(
    ("people", "size", "organisations", "rounds"),
    [
        (32, 4, 8, 8),  # 8 organisations of 4: each its own column
        (30, 4, 15, 8),  # two missing: groups of 4 and 3, still no repeats
        (27, 4, 27, 7),  # 7 groups of 4 and 3 (one ghost), no circles
        (16, 4, 4, 4),
        (21, 3, 3, 7),  # organisations of 7 in groups of 3
    ],
)
def test_a_schedule_keeps_colleagues_apart_and_sizes_within_one(
    people, size, organisations, rounds
):
    everyone = list(range(people))
    orgs = [everyone[o::organisations] for o in range(organisations)]
    groups = len(sizes(people, size))
    made = designs.schedule(everyone, groups, size, orgs, random.Random(1))
    assert len(made) >= rounds
    for grouping in made[:rounds]:
        assert sorted(p for group in grouping for p in group) == everyone
        assert sorted(len(g) for g in grouping) == sorted(sizes(people, size))
        for group, org in itertools.product(grouping, orgs):
            assert len(set(group) & set(org)) <= 1
    assert repeated(made) == set()
    assert made != designs.schedule(everyone, groups, size, orgs, random.Random(2))


def test_form_starts_from_a_construction_where_one_fits():
    """32 people of 8 organisations in groups of 4 for 8 rounds: no colleagues together and no
    pair twice, with no swaps of search at all."""
    people = tuple(f"p{i:02d}" for i in range(32))
    rules = Rules(tuple(Circle(f"organisation {o}", frozenset(people[o::8])) for o in range(8)))
    rounds = [Round(f"r{r}", people, size=4) for r in range(8)]
    result = form(rounds, rules, seed=3, iterations=0)
    assert result.repeats == 0 and result.problems == []
    assert len(result.groups) == 8


@pytest.mark.parametrize("together", [[], [[0, 1]], [[0, 1], [5, 9, 12]]])
def test_a_construction_is_fitted_to_absences_and_blocks(together):
    """Constructed rounds fitted to a round with two people away, and to people kept
    together: sizes within one, blocks in one group, nobody away placed; without blocks the
    fitted rounds repeat nobody (with blocks the greedy start may cost less, and wins)."""
    everyone = list(range(32))
    rounds = [everyone] * 2 + [[p for p in everyone if p not in (3, 17)]] + [everyone] * 2
    shapes = [list(sizes(len(people), 4)) for people in rounds]
    problem = golfers.Problem(32, rounds, shapes, together=together)
    search = golfers.Search(problem, 0)
    search.start(search.template())
    for people, shape, grouping in zip(rounds, shapes, search.groups, strict=True):
        assert sorted(len(g) for g in grouping) == sorted(shape)
        assert sorted(p for g in grouping for p in g) == people
        for block in together:
            assert any(set(block) <= set(g) for g in grouping)
    greedy = golfers.Search(problem, 0)
    greedy.start()
    if not together:  # the fitted construction repeats nobody; the greedy start does
        assert search.cost() == 0 < greedy.cost()
