"""Who sits in which group, round after round: the decision behind `cohort groups`.

Every meeting with `groups:` is a round. The people of a round are its invitees less those
excused; the groups of rounds already decided (written, or made by hand) are history, counted
as they met (only who attended, once attendance is recorded). `form` then groups the open
rounds together, so that:

- the hard rules hold: colleagues (one organisation), partners (one partnership) and people of
  a role listed in `roles:` sit in different groups, `apart:` people never share a group,
  `together:` people always do. A rule that cannot hold is explained, never half kept;
- group sizes differ by at most one and no group has one person: N people in groups of (at
  most) K make ceil(N / K) groups, the larger ones first (22 in groups of 4: 4, 4, 4, 4, 3, 3);
  when that would leave someone alone (3 people in pairs), one group fewer (a group of 3);
  `count: G` makes G groups, or N // 2 when there are fewer than 2 G people;
- as few pairs as possible meet twice (zero while the rounds allow it: with N people in
  groups of K, everyone can meet new people for at most floor((N - 1) / (K - 1)) rounds), and
  each balanced profile value is spread evenly.

It is a pure function over data (`Round`, `Rules`), so a table of cases tests it; the search
itself is `golfers`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..programme.model import Programme
from . import golfers

#: swaps of tabu search per run, restarts included: about a second for 32 people in 8 rounds
#: of groups of 4; larger problems get fewer, so that a run weighs at most WORK cells (a swap
#: weighs rounds x people x (groups + values + 1): the arrays it weighs and keeps up to date)
ITERATIONS = 8000
WORK = ITERATIONS * 8 * 32 * (8 + 3 + 1)


@dataclass(frozen=True)
class Circle:
    """People of whom at most one sits in a group, and the rule that says so, in words
    ('organisation Tetem', 'role facilitator', 'apart: anna, bert')."""

    rule: str
    people: frozenset[str]


@dataclass(frozen=True)
class Rules:
    """The programme's rules for groups, as data: circles of people kept apart, blocks kept
    together, and each person's balanced values ('experience=starter')."""

    circles: tuple[Circle, ...] = ()
    together: tuple[tuple[str, ...], ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Round:
    """A meeting with groups: who is in it, how large or how many groups, and, when they are
    decided, its groups and who met in them (the groups themselves until attendance says
    otherwise)."""

    meeting: str
    people: tuple[str, ...]
    size: int | None = None
    count: int | None = None
    groups: tuple[tuple[str, ...], ...] | None = None
    met: tuple[tuple[str, ...], ...] | None = None

    @property
    def decided(self) -> bool:
        return self.groups is not None


@dataclass
class Formed:
    """What `form` decided: groups per round (by meeting id, each a tuple of ids, sorted),
    problems that stopped it (meeting id, what), and how many pairs meet more than once."""

    groups: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    repeats: int = 0  # meetings of a pair beyond its first, over all rounds
    repeated_pairs: int = 0  # pairs that meet more than once
    bound: int | None = None  # rounds in which everyone can meet only new people
    least_repeats: int = 0  # the fewest repeats the sizes allow (counted per person)


def sizes(people: int, size: int | None = None, count: int | None = None) -> tuple[int, ...]:
    """The sizes of the groups of `people`, largest first: groups of at most `size`, or
    `count` groups; sizes differ by at most one and no group has one person (see the module's
    docstring). Nobody, or one person: no groups."""
    if people < 2:
        return ()
    if count is not None:
        groups = min(count, people // 2)
    else:
        assert size is not None and size >= 2
        groups = -(-people // size)
        if people // groups < 2:
            groups -= 1
    groups = max(groups, 1)
    base, extra = divmod(people, groups)
    return tuple([base + 1] * extra + [base] * (groups - extra))


def rules_of(programme: Programme) -> Rules:
    """The programme's `groups:` rules as data."""
    p, rules = programme, programme.groups
    circles: list[Circle] = []
    if rules.colleagues == "apart":
        by_org: dict[str, set[str]] = {}
        for person in p.participants.values():
            if person.organisation:
                by_org.setdefault(person.organisation, set()).add(person.id)
        for org_id, ids in sorted(by_org.items()):
            name = p.organisations[org_id].name if org_id in p.organisations else org_id
            circles.append(Circle(f"organisation {name}", frozenset(ids)))
    if rules.partners == "apart":
        for partnership in sorted(p.organisations.values(), key=lambda o: o.id):
            if partnership.members:
                partners = frozenset(x.id for x in p.people_of(partnership.id))
                circles.append(Circle(f"partnership {partnership.name}", partners))
    for role in rules.roles:
        holders = frozenset(x.id for x in p.participants.values() if x.role.value == role)
        circles.append(Circle(f"role {role}", holders))
    for pair in rules.apart:
        circles.append(Circle("apart: " + ", ".join(pair), frozenset(pair)))
    values = {
        x.id: tuple(f"{key}={x.profile[key]}" for key in rules.balance if key in x.profile)
        for x in p.participants.values()
    }
    return Rules(tuple(circles), tuple(rules.together), values)


def bound(people: int, size: int) -> int:
    """In how many rounds `people` in groups of `size` can each meet only new people:
    floor((N - 1) / (K - 1)) (each round someone meets K - 1 others, of N - 1 in all)."""
    return (people - 1) // (size - 1) if size > 1 else 0


def explain(round: Round, rules: Rules) -> list[str]:
    """Why the hard rules cannot hold in a round (nothing when they may): a circle larger than
    the number of groups, people kept together who must be apart or do not fit a group."""
    present = set(round.people)
    shape = sizes(len(present), round.size, round.count)
    if not shape:
        return []
    groups = len(shape)
    how = f"groups of {round.size}" if round.size else f"{groups} groups"
    problems = []
    for circle in rules.circles:
        here = circle.people & present
        if len(here) > groups:
            problems.append(
                f"{circle.rule} has {len(here)} of {len(present)} people: "
                f"{how} ({groups} groups) cannot keep them apart"
            )
    for block in _blocks(rules.together, present):
        if len(block) > shape[0]:
            problems.append(
                f"together: {', '.join(block)} are {len(block)}, more than a group holds "
                f"({shape[0]})"
            )
        for circle in rules.circles:
            both = sorted(circle.people & set(block))
            if len(both) > 1:
                problems.append(
                    f"together: {', '.join(both)} must sit together, but {circle.rule} keeps "
                    "them apart"
                )
    return problems


def _blocks(together: Iterable[Sequence[str]], present: set[str]) -> list[tuple[str, ...]]:
    """People kept together, joined where lists share someone, as present in a round."""
    block_of: dict[str, set[str]] = {}
    for listed in together:
        merged = set(listed)
        for person in listed:
            merged |= block_of.get(person, set())
        for person in merged:
            block_of[person] = merged
    seen, blocks = set(), []
    for person in sorted(block_of):
        block = block_of[person]
        if id(block) in seen:
            continue
        seen.add(id(block))
        here = tuple(sorted(block & present))
        if len(here) > 1:
            blocks.append(here)
    return blocks


def form(
    rounds: Sequence[Round], rules: Rules, seed: int = 0, iterations: int = ITERATIONS
) -> Formed:
    """Groups for every round that is not decided, given the decided ones and the rules.

    Rounds whose hard rules cannot hold are reported in `Formed.problems` and nothing is
    formed. The same rounds, rules and seed give the same groups."""
    result = Formed()
    for r in rounds:
        if not r.decided:
            result.problems += [(r.meeting, text) for text in explain(r, rules)]
    if result.problems:
        return result
    people = sorted({p for r in rounds for p in r.people} | _history_people(rounds))
    index = {p: i for i, p in enumerate(people)}
    open_rounds = [r for r in rounds if not r.decided and len(r.people) >= 2]
    problem = golfers.Problem(
        people=len(people),
        rounds=[[index[p] for p in sorted(r.people)] for r in open_rounds],
        sizes=[list(sizes(len(r.people), r.size, r.count)) for r in open_rounds],
        history=[
            [[index[p] for p in g if p in index] for g in (r.met or r.groups or ())]
            for r in rounds
            if r.decided
        ],
        apart=[[index[p] for p in sorted(c.people) if p in index] for c in rules.circles],
        together=[[index[p] for p in block] for block in _blocks(rules.together, set(people))],
        values=_values(people, rules),
    )
    values = len({v for p in problem.values for v in p})
    most = max((len(s) for s in problem.sizes), default=0)
    cells = len(open_rounds) * len(people) * (most + values + 1)
    budget = min(iterations, max(300, WORK // max(cells, 1)))
    found = golfers.solve(problem, seed, budget) if open_rounds else []
    for r, grouping in zip(open_rounds, found, strict=True):
        groups = _ordered(tuple(people[i] for i in group) for group in grouping)
        result.groups[r.meeting] = groups
        result.problems += [(r.meeting, text) for text in broken(groups, rules)]
    _count(result, rounds, rules)
    return result


def rounds_of(
    programme: Programme,
    excused: dict[str, set[str]],
    attended: dict[str, set[str]],
    open: set[str] | None = None,
) -> list[Round]:
    """The rounds of a programme: its meetings with `groups:` (not cancelled), in order. Who is
    in one: the invitees less those `excused` (meeting id -> ids). A round has groups when
    they were formed, unless it is in `open` (to form anew); they met as `attended` says (by
    meeting id, when attendance was recorded). With `open`, a round without groups that is
    not in it is left out (it is neither formed nor history)."""
    rounds = []
    for m in programme.chronological():
        if m.groups is None or m.cancelled:
            continue
        people = tuple(p.id for p in programme.invitees(m) if p.id not in excused.get(m.id, set()))
        formed = tuple(g.members for g in m.groups.formed) if m.groups.formed else None
        if open is not None and m.id in open:
            formed = None
        elif open is not None and formed is None:
            continue
        met = None
        if formed is not None and m.id in attended:
            met = tuple(tuple(p for p in g if p in attended[m.id]) for g in formed)
        spec = m.groups
        count = spec.count or (len(spec.names) if spec.names and not spec.size else None)
        rounds.append(Round(m.id, people, spec.size, count, formed, met))
    return rounds


def broken(groups: Sequence[Sequence[str]], rules: Rules) -> list[str]:
    """The hard rules these groups break, in words (none when they hold)."""
    problems = []
    for group in groups:
        members = set(group)
        for circle in rules.circles:
            both = sorted(circle.people & members)
            if len(both) > 1:
                problems.append(f"{', '.join(both)} share a group ({circle.rule})")
    for block in _blocks(rules.together, {p for g in groups for p in g}):
        if not any(set(block) <= set(g) for g in groups):
            problems.append(f"together: {', '.join(block)} are in different groups")
    return problems


def _values(people: list[str], rules: Rules) -> list[tuple[int, ...]]:
    numbers: dict[str, int] = {}
    return [
        tuple(numbers.setdefault(v, len(numbers)) for v in rules.values.get(p, ())) for p in people
    ]


def _ordered(groups: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Groups in a stable order: members sorted, larger groups first, then by first member."""
    return tuple(sorted((tuple(sorted(g)) for g in groups), key=lambda g: (-len(g), g)))


def _count(result: Formed, rounds: Sequence[Round], rules: Rules) -> None:
    """Repeats over all rounds (the decided ones as they met), and the bound."""
    meetings = pairs(
        [r.met or r.groups or () for r in rounds if r.decided]
        + [result.groups[r.meeting] for r in rounds if r.meeting in result.groups]
    )
    together = {
        frozenset((a, b)) for block in rules.together for a in block for b in block if a != b
    }
    extra = {pair: n - 1 for pair, n in meetings.items() if n > 1 and pair not in together}
    result.repeats = sum(extra.values())
    result.repeated_pairs = len(extra)
    largest = [max(sizes(len(r.people), r.size, r.count), default=0) for r in rounds]
    everyone = {p for r in rounds for p in r.people}
    if largest and max(largest) > 1:
        result.bound = bound(len(everyone), max(largest))
    result.least_repeats = _least_repeats(rounds, result, len(everyone))


def _least_repeats(rounds: Sequence[Round], result: Formed, people: int) -> int:
    """A lower bound on repeats: someone who shares a group with more people, over the
    rounds, than there are others, meets the difference again (half of it per pair)."""
    seats: Counter[str] = Counter()
    for r in rounds:
        grouping = r.met or r.groups or result.groups.get(r.meeting, ())
        for group in grouping:
            for p in group:
                seats[p] += len(group) - 1
    return sum(max(0, n - (people - 1)) for n in seats.values()) // 2


def pairs(groupings: Iterable[Iterable[Sequence[str]]]) -> Counter[frozenset[str]]:
    """How often each pair of people shares a group, over the given rounds' groups."""
    count: Counter[frozenset[str]] = Counter()
    for grouping in groupings:
        for group in grouping:
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    count[frozenset((a, b))] += 1
    return count


def _history_people(rounds: Sequence[Round]) -> set[str]:
    return {p for r in rounds if r.decided for g in (r.met or r.groups or ()) for p in g}
