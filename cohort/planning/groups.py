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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from ..programme.model import Programme
from . import golfers, repeats

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
    rounds: list[str] = field(default_factory=list)  # the rounds counted, by meeting id
    #: the fewest repeats counting proves over the first t rounds (`repeats.least`), per t
    least: list[int] = field(default_factory=list)
    least_repeats: int = 0  # ... over all rounds
    bound: int = 0  # the first rounds over which counting does not rule out zero repeats


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


#: how a person is named in messages: 'Anna Peeters (anna)' (by default, the id)
Namer = Callable[[str], str]


def _ids(pid: str) -> str:
    return pid


def explain(round: Round, rules: Rules, name: Namer = _ids) -> list[str]:
    """Why the hard rules cannot hold in a round (nothing when they may), counting: a circle
    larger than the number of groups, people who must each sit apart from all the others
    and outnumber the groups, people kept together who must be apart or do not fit a group."""
    present = set(round.people)
    shape = sizes(len(present), round.size, round.count)
    if not shape:
        return []
    groups = len(shape)
    how = f"groups of {round.size} ({groups} groups)" if round.size else _plural(groups, "group")
    problems = []
    for circle in rules.circles:
        here = circle.people & present
        if len(here) > groups:
            problems.append(
                f"in '{round.meeting}', {circle.rule} has {len(here)} of {len(present)} people: "
                f"{how} cannot keep them apart"
            )
    if not problems:
        clique = _apart_from_all(rules, present, groups)
        if clique:
            listed = ", ".join(name(p) for p in clique)
            problems.append(
                f"in '{round.meeting}', {listed} must each sit apart from all the others "
                f"({len(clique)} people, by the rules "
                f"{'; '.join(_rules_between(rules, clique))}): {how} cannot keep them apart"
            )
    for block in _blocks(rules.together, present):
        if len(block) > shape[0]:
            problems.append(
                f"in '{round.meeting}', together: {', '.join(name(p) for p in block)} are "
                f"{len(block)}, more than a group holds ({shape[0]})"
            )
        for circle in rules.circles:
            both = sorted(circle.people & set(block))
            if len(both) > 1:
                problems.append(
                    f"in '{round.meeting}', together: {', '.join(name(p) for p in both)} must "
                    f"sit together, but {circle.rule} keeps them apart"
                )
    return problems


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _apart_from_all(rules: Rules, present: set[str], groups: int) -> tuple[str, ...]:
    """More than `groups` people of whom no two may share a group (a clique of the rules kept
    apart), found among the small circles (apart: lists, roles of few), else ()."""
    apart: dict[str, set[str]] = {}
    for circle in rules.circles:
        here = circle.people & present
        if 1 < len(here) <= groups:  # a larger circle is explained by itself
            for p in here:
                apart.setdefault(p, set()).update(here - {p})
    if sum(len(v) for v in apart.values()) > 20000:  # too many to look through cheaply
        return ()
    best: list[str] = []

    def grow(clique: list[str], candidates: list[str]) -> None:
        nonlocal best
        if len(clique) > len(best):
            best = list(clique)
        if len(best) > groups:
            return
        for i, p in enumerate(candidates):
            if len(clique) + len(candidates) - i <= len(best):
                return
            grow(clique + [p], [q for q in candidates[i + 1 :] if q in apart[p]])

    grow([], sorted(apart, key=lambda p: (-len(apart[p]), p)))
    return tuple(sorted(best)) if len(best) > groups else ()


def _rules_between(rules: Rules, people: Sequence[str]) -> list[str]:
    """The rules that keep some of `people` apart, each once."""
    chosen = set(people)
    return list(dict.fromkeys(c.rule for c in rules.circles if len(c.people & chosen) > 1))


def too_few_names(programme: Programme, round: Round) -> str | None:
    """What is wrong when a meeting's `names:` are fewer than the groups its people make."""
    spec = programme.meetings[round.meeting].groups
    count = len(sizes(len(round.people), round.size, round.count))
    if spec is None or not spec.names or len(spec.names) >= count:
        return None
    return (
        f"'{round.meeting}' makes {_plural(count, 'group')} ({len(round.people)} people) but "
        f"names: gives {len(spec.names)}"
    )


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
    rounds: Sequence[Round],
    rules: Rules,
    seed: int = 0,
    iterations: int = ITERATIONS,
    name: Namer = _ids,
) -> Formed:
    """Groups for every round that is not decided, given the decided ones and the rules.

    Rounds whose hard rules cannot hold are reported in `Formed.problems` and nothing is
    formed. The same rounds, rules and seed give the same groups."""
    result = Formed()
    for r in rounds:
        if not r.decided:
            result.problems += [(r.meeting, text) for text in explain(r, rules, name)]
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
        tables=[
            [[index[p] for p in g if p in index] for g in r.groups or ()]
            for r in rounds
            if r.decided and r.met
        ],
    )
    values = len({v for p in problem.values for v in p})
    most = max((len(s) for s in problem.sizes), default=0)
    cells = len(open_rounds) * len(people) * (most + values + 1)
    budget = min(iterations, max(300, WORK // max(cells, 1)))
    found = golfers.solve(problem, seed, budget) if open_rounds else []
    for r, grouping in zip(open_rounds, found, strict=True):
        groups = _ordered(tuple(people[i] for i in group) for group in grouping)
        problems = broken(groups, rules, name)
        if problems:  # the search gave up on a rule: the rules alone, in CP-SAT
            groups, problems = _kept(r, groups, problems, rules, rounds, result, seed)
        result.groups[r.meeting] = groups
        result.problems += [(r.meeting, text) for text in problems]
    _count(result, rounds, rules)
    return result


def _kept(
    r: Round,
    groups: tuple[tuple[str, ...], ...],
    problems: list[str],
    rules: Rules,
    rounds: Sequence[Round],
    result: Formed,
    seed: int,
) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    """Groups for round `r` that keep every hard rule where the search's (`groups`) broke
    some (`problems`), from `hardgroups`; else what is known, in one problem: proven
    impossible, or not found."""
    from . import hardgroups

    met = pairs(
        [x.met or x.groups or () for x in rounds if x.decided]
        + [g for m, g in result.groups.items() if m != r.meeting]
    )
    shape = sizes(len(r.people), r.size, r.count)
    placed = hardgroups.place(
        sorted(r.people),
        shape,
        [c.people for c in rules.circles],
        _blocks(rules.together, set(r.people)),
        [(a, b) for a, b in (sorted(pair) for pair in met)],
        groups,
        seed,
    )
    if placed.groups is not None:
        kept = _ordered(placed.groups)
        return kept, broken(kept, rules)
    how = f"groups of {r.size}" if r.size else _plural(len(shape), "group")
    if placed.impossible:
        said = (
            f"in '{r.meeting}', no grouping of {len(r.people)} people in {how} keeps every "
            "rule: a complete search (CP-SAT) proves it. The best groups found break: "
        )
    else:
        said = (
            f"in '{r.meeting}', cohort could not find {how} that keep every rule, nor prove "
            "that there are none (counting rules nothing out; another --seed may find them). "
            "The best groups found break: "
        )
    return groups, [said + "; ".join(problems)]


def rounds_of(
    programme: Programme,
    excused: dict[str, set[str]],
    attended: dict[str, set[str]],
    open: set[str] | None = None,
    empty: Collection[str] = (),
) -> list[Round]:
    """The rounds of a programme: its meetings with `groups:` (not cancelled), in order. Who is
    in one: the invitees less those `excused` (meeting id -> ids). A round has groups when
    they were formed, unless it is in `open` (to form anew); they met as `attended` says (by
    meeting id, when attendance was recorded). With `open`, a round without groups that is
    not in it is left out (it is neither formed nor history). A round in `empty` (its groups
    file lists none) is decided, without groups."""
    rounds = []
    for m in programme.chronological():
        if m.groups is None or m.cancelled:
            continue
        people = tuple(p.id for p in programme.invitees(m) if p.id not in excused.get(m.id, set()))
        formed = tuple(g.members for g in m.groups.formed) if m.groups.formed else None
        if formed is None and m.id in empty:
            formed = ()
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


def broken(groups: Sequence[Sequence[str]], rules: Rules, name: Namer = _ids) -> list[str]:
    """The hard rules these groups break, in words (none when they hold)."""
    problems = []
    for group in groups:
        members = set(group)
        for circle in rules.circles:
            both = sorted(circle.people & members)
            if len(both) > 1:
                listed = ", ".join(name(p) for p in both)
                problems.append(f"{listed} share a group ({circle.rule})")
    for block in _blocks(rules.together, {p for g in groups for p in g}):
        if not any(set(block) <= set(g) for g in groups):
            listed = ", ".join(name(p) for p in block)
            problems.append(f"together: {listed} are in different groups")
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
    """Repeats over all rounds (the decided ones as they met), and what counting proves about
    them (`repeats.least`)."""
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
    counted = []
    for r in rounds:
        grouping = r.met or r.groups if r.decided else result.groups.get(r.meeting)
        if grouping is not None:
            kept = [g for g in grouping if g]
            people = frozenset(p for g in kept for p in g)
            shape = tuple(sorted((len(g) for g in kept), reverse=True))
        else:
            people, shape = frozenset(r.people), sizes(len(r.people), r.size, r.count)
        counted.append(repeats.Sized(people, shape))
    least = repeats.least(counted, [c.people for c in rules.circles], rules.together)
    result.rounds = [r.meeting for r in rounds]
    result.least = least
    result.least_repeats = least[-1] if least else 0
    result.bound = sum(1 for n in least if n == 0)


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
