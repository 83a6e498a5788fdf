"""The CP-SAT model (OR-Tools) of a `Problem`, in the three ways cohort asks it:

- to solve: every rule hard, and the wishes as one weighted objective (see `dates`);
- to find which rules conflict (`assume=True`): every rule enforced under an assumption literal,
  so that CP-SAT can name a sufficient set of them, dates ranging well beyond the window;
- to test a set of rules (`keep`): only those rules, hard, no objective (the short solves of
  the explanation's deletion steps).

The model grows with what can differ, not with the window: a meeting's date is one integer
over the days its rules allow, narrowed to the days the series can really use (`series`), and
a day gets a variable of its own only when the poll makes it cost something else than the
other days. No two meetings overlap at one venue, nor for people invited to both (no-overlap
over the meetings' times, in minutes); meetings that are both fixed stay as written (`validate`
warns when they overlap): their times are merged into blocks that the others keep clear of.
Reference: L. Perron and F. Didier, "CP-SAT", Google OR-Tools (2024).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from .problem import MINUTES, Item, Problem, span
from .series import INFINITY, propagate


class Model:
    """The CP-SAT model of a problem (see the module's docstring for the ways it is built).
    `infeasible` is True when the series alone already cannot fit (no search needed)."""

    def __init__(
        self,
        problem: Problem,
        *,
        assume: bool = False,
        keep: Collection[str] | None = None,
        objective: bool = True,
    ) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.problem = problem
        self.assume = assume
        self.keep = None if keep is None else set(keep)
        self.objective = objective and not assume and keep is None
        self.model = cp_model.CpModel()
        self.base = problem.first
        self.literals: dict[str, Any] = {}
        if assume:
            for key in problem.rules:
                self.literals[key] = self.model.new_bool_var(key)
        self.day: dict[str, Any] = {}
        self.fixed: dict[str, int] = {}
        self.venue: dict[str, dict[str, Any]] = {}
        self.costs: list[Any] = []
        self.hosts: list[str] = []
        self.infeasible = False
        self._dates()
        self._venues()
        self._sequence()
        self._hosting()
        self._overlaps()

    def number(self, day: dt.date) -> int:
        return (day - self.base).days

    def date(self, number: int) -> dt.date:
        return self.base + dt.timedelta(days=number)

    def active(self, key: str) -> bool:
        """Whether a rule takes part: every rule when assuming, else those kept."""
        return active(self.problem, self.keep, key)

    def enforce(self, constraint: Any, key: str) -> None:
        """A rule's constraint: under its literal when assuming."""
        if self.assume:
            constraint.only_enforce_if(self.literals[key])

    @staticmethod
    def pin(item: Item) -> str:
        """The rule that holds a fixed meeting on its date."""
        return pin(item)

    # dates

    def _dates(self) -> None:
        problem, model, cp = self.problem, self.model, self.cp
        if self.assume:
            last = self.number(problem.last)
            self.fixed = {i.id: self.number(i.date) for i in problem.items if i.date is not None}
            for item in problem.items:
                domain = cp.Domain(0, last)
                if item.id in self.fixed:
                    domain = domain.union_with(cp.Domain.from_values([self.fixed[item.id]]))
                self.day[item.id] = model.new_int_var_from_domain(domain, f"day-{item.id}")
                self._date_rules(item)
            return
        found = days(problem, self.keep)
        self.infeasible = found is None
        self.fixed, domains = found or ({}, {})
        for item in problem.items:
            values = domains.get(item.id) or [0]
            domain = cp.Domain.from_values(values)
            self.day[item.id] = model.new_int_var_from_domain(domain, f"day-{item.id}")
            if item.date is None and self.objective and not self.infeasible:
                self._costs(item, values)
        if self.infeasible:
            model.add_bool_or([])  # no day is left: proven infeasible without a search

    def _date_rules(self, item: Item) -> None:
        var = self.day[item.id]
        if item.id in self.fixed:
            self.enforce(self.model.add(var == self.fixed[item.id]), self.pin(item))
            return
        for key in self.problem.forbidden:
            if key in self.literals:
                domain = self._allowed_domain(key)
                self.enforce(self.model.add_linear_expression_in_domain(var, domain), key)

    def _allowed_domain(self, key: str) -> Any:
        """The days one date rule allows, as a domain (worked out once per rule)."""
        cache: dict[str, Any] = self.__dict__.setdefault("_domains", {})
        if key not in cache:
            banned = self.problem.forbidden[key]
            days = span(self.problem.first, self.problem.last)
            cache[key] = self.cp.Domain.from_values(
                [self.number(d) for d in days if d not in banned]
            )
        return cache[key]

    def _costs(self, item: Item, days: list[int]) -> None:
        """What each day costs an open meeting, from the poll and the weekday wish. When the
        poll prices most of its days, one variable per day and exactly one chosen (the
        assignment's strong relaxation); else a variable only for each day the poll prices
        otherwise than the days it did not ask about, and the weekday wish apart."""
        problem = self.problem
        weights = problem.plan.weights
        answers = problem.answers
        if answers is None:
            self._weekday_cost(item, days)
            return
        respondents = sum(pid in answers.answers for pid in item.invitees)
        usual = weights.if_need_be * respondents  # a day the poll did not ask about
        asked = {self.number(d) for d in answers.days()}
        cost: dict[int, int] = {}
        for number in (n for n in days if n in asked):
            where = problem.attendance(item, self.date(number))
            cost[number] = weights.attendance * len(where.no) + weights.if_need_be * (
                len(where.if_need_be) + len(where.not_asked)
            )
        if 2 * len(cost) > len(days):
            self._assignment(item, days, {n: cost.get(n, usual) for n in days})
            return
        var = self.day[item.id]
        for number, price in cost.items():
            if price != usual:
                chosen = self.model.new_bool_var(f"{item.id}@{number}")
                self.model.add(var == number).only_enforce_if(chosen)
                self.model.add(var != number).only_enforce_if(~chosen)
                self.costs.append((price - usual) * chosen)
        if usual:
            self.costs.append(usual)
        self._weekday_cost(item, days)

    def _assignment(self, item: Item, days: list[int], cost: dict[int, int]) -> None:
        """One variable per day of an open meeting, exactly one chosen, each with its cost
        (the weekday wish included)."""
        model = self.model
        preferred = self.problem.plan.preferred_weekdays
        weekdays = self.problem.plan.weights.weekdays
        picks = {n: model.new_bool_var(f"{item.id}@{n}") for n in days}
        model.add_exactly_one(picks.values())
        model.add(self.day[item.id] == sum(n * chosen for n, chosen in picks.items()))
        for number, chosen in picks.items():
            off = preferred and self.date(number).weekday() not in preferred
            price = cost[number] + (weekdays if off else 0)
            if price:
                self.costs.append(price * chosen)

    def _weekday_cost(self, item: Item, days: list[int]) -> None:
        """The weekday wish of an open meeting, on the weekday its date falls on."""
        model = self.model
        preferred = self.problem.plan.preferred_weekdays
        weight = self.problem.plan.weights.weekdays
        weekdays = {self.date(n).weekday() for n in days}
        off = {w for w in weekdays if w not in preferred}
        if not preferred or not weight or not off:
            return
        if off == weekdays:
            self.costs.append(weight)
            return
        weekday = model.new_int_var(0, 6, f"weekday-{item.id}")
        model.add_modulo_equality(weekday, self.day[item.id] + self.base.weekday(), 7)
        is_off = model.new_bool_var(f"off-weekday-{item.id}")
        model.add_element(weekday, [int(w not in preferred) for w in range(7)], is_off)
        self.costs.append(weight * is_off)

    # venues

    def _venues(self) -> None:
        model = self.model
        for item in self.problem.items:
            if not item.needs_venue:
                continue
            options = self._options(item)
            chosen = {v: model.new_bool_var(f"{item.id}@{v}") for v in options}
            self.venue[item.id] = chosen
            model.add_exactly_one(chosen.values())
            if self.assume and (item.venue is None or item.date is None):
                self._venue_rules(item, chosen)

    def _options(self, item: Item) -> list[str]:
        """The venues a meeting may go to under the rules that take part."""
        problem = self.problem
        given = item.date is not None or (not self.assume and self.active(f"venue:{item.id}"))
        if item.venue is not None and given:
            return [item.venue]
        if self.assume:
            return sorted(set(problem.physical) | set(item.venues))
        options = list(item.venues) if self.active("venues") else list(problem.physical)
        size = len(item.invitees)
        return [
            v
            for v in options
            if problem.capacity.get(v, size) >= size or not self.active(f"capacity:{v}")
        ]

    def _venue_rules(self, item: Item, chosen: dict[str, Any]) -> None:
        problem = self.problem
        if item.venue is not None:
            self.enforce(self.model.add(chosen[item.venue] == 1), f"venue:{item.id}")
        if item.venue is None and "venues" in self.literals:
            for vid, var in chosen.items():
                if vid not in problem.plan.hosting.venues:
                    self.enforce(self.model.add(var == 0), "venues")
        size = len(item.invitees)
        for vid, var in chosen.items():
            key = f"capacity:{vid}"
            small = vid != item.venue and problem.capacity.get(vid, size) < size
            if small and key in self.literals:
                self.enforce(self.model.add(var == 0), key)

    # the series

    def _sequence(self) -> None:
        problem, model = self.problem, self.model
        spacing = problem.plan.spacing
        gaps = []
        for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
            gap = self.day[second] - self.day[first]
            if self.active("order"):
                self.enforce(model.add(gap >= 1), "order")
            if spacing.min is not None and self.active("spacing-min"):
                self.enforce(model.add(gap >= spacing.min), "spacing-min")
            if spacing.max is not None and self.active("spacing-max"):
                self.enforce(model.add(gap <= spacing.max), "spacing-max")
            gaps.append(gap)
        weight = problem.plan.weights.spacing
        if self.objective and weight and len(gaps) > 1:
            reach = max([abs(n) for n in self.fixed.values()] + [self.number(problem.last)]) + 1
            longest = model.new_int_var(-2 * reach, 2 * reach, "longest-gap")
            shortest = model.new_int_var(-2 * reach, 2 * reach, "shortest-gap")
            model.add_max_equality(longest, gaps)
            model.add_min_equality(shortest, gaps)
            self.costs.append(weight * (longest - shortest))

    def _hosted(self) -> dict[str, list[Any]]:
        """For each host organisation of the venues the series may go to (as the planning
        names them, whatever their size), the venue choices that are theirs: a host whose
        venues are all too small counts, with none."""
        problem = self.problem
        out: dict[str, list[Any]] = {}
        for mid in problem.sequence:
            item = problem.item(mid)
            for vid in item.venues if item.venue is None else [item.venue]:
                if vid in problem.hosts:
                    out.setdefault(problem.hosts[vid], [])
            for vid, var in self.venue.get(mid, {}).items():
                host = problem.hosts.get(vid)
                if host:
                    out.setdefault(host, []).append(var)
        return out

    def _hosting(self) -> None:
        problem, model = self.problem, self.model
        hosted = self._hosted()
        if not hosted:
            return
        counts = {h: sum(vs) if vs else 0 for h, vs in sorted(hosted.items())}
        self.hosts = list(counts)
        if self.active("no-repeat"):
            for first, second in zip(problem.sequence, problem.sequence[1:], strict=False):
                for host in counts:
                    mine = [
                        var
                        for mid in (first, second)
                        for vid, var in self.venue.get(mid, {}).items()
                        if problem.hosts.get(vid) == host
                    ]
                    if len(mine) > 1:
                        self.enforce(model.add(sum(mine) <= 1), "no-repeat")
        n_hosts = len(counts)
        total = self._hosted_total()
        if self.active("fair") and n_hosts > 1:
            for count in counts.values():
                self.enforce(model.add(n_hosts * count >= total - (n_hosts - 1)), "fair")
                self.enforce(model.add(n_hosts * count <= total + (n_hosts - 1)), "fair")
        weight = problem.plan.weights.hosting
        if self.objective and weight and n_hosts > 1:
            busiest = model.new_int_var(0, len(problem.sequence), "busiest-host")
            idlest = model.new_int_var(0, len(problem.sequence), "idlest-host")
            model.add_max_equality(busiest, list(counts.values()))
            model.add_min_equality(idlest, list(counts.values()))
            self.costs.append(weight * (busiest - idlest))

    def _hosted_total(self) -> Any:
        """How many meetings of the series go to a venue with a host: a number where every
        venue a meeting may take has one (each takes exactly one), which lets the solver see
        at once what fair hosting asks."""
        total: Any = 0
        for mid in self.problem.sequence:
            chosen = self.venue.get(mid, {})
            hosted = [var for vid, var in chosen.items() if vid in self.problem.hosts]
            total += 1 if hosted and len(hosted) == len(chosen) else sum(hosted)
        return total

    # no two meetings at once

    def _overlaps(self) -> None:
        problem = self.problem
        for vid in problem.physical:
            if not self.active(f"occupied:{vid}"):
                continue
            members = [i for i in problem.items if vid in self.venue.get(i.id, {})]
            moving = [i for i in members if i.id not in self.fixed or len(self.venue[i.id]) > 1]
            if moving and len(members) > 1:
                fixed = [i for i in members if i not in moving]
                present = [(i, self.venue[i.id][vid]) for i in moving]
                self._no_overlap(present, fixed, f"occupied:{vid}")
        if not self.active("invitees"):
            return
        for clique in _cliques(problem.items, set(self.fixed)):
            loose = [(i, None) for i in clique if i.id not in self.fixed]
            pinned = [i for i in clique if i.id in self.fixed]
            self._no_overlap(loose, pinned, "invitees")

    def _no_overlap(self, moving: list[tuple[Item, Any]], fixed: list[Item], key: str) -> None:
        """One no-overlap constraint: the meetings that may move (each present when its
        literal holds, always when None) and blocks of the fixed ones. Assuming, each is
        present only while the rule (and a fixed meeting's own pin) is assumed."""
        model = self.model
        rule = self.literals.get(key) if self.assume else None
        intervals = []
        for item, literal in moving:
            start = self.day[item.id] * MINUTES + item.first_minute
            present = self._all([x for x in (rule, literal) if x is not None], item.id)
            intervals.append(self._interval(start, item.length, present, key))
        for begin, end, items in self._blocks(fixed):
            pins = [self.literals.get(self.pin(i)) for i in items] if self.assume else []
            literals = [x for x in (rule, *pins) if x is not None]
            present = self._all(literals, f"block-{begin}")
            intervals.append(self._interval(begin, end - begin, present, key))
        if len(intervals) > 1:
            model.add_no_overlap(intervals)

    def _interval(self, start: Any, size: int, present: Any, name: str) -> Any:
        if present is None:
            return self.model.new_fixed_size_interval_var(start, size, name)
        return self.model.new_optional_fixed_size_interval_var(start, size, present, name)

    def _all(self, literals: list[Any], name: str) -> Any:
        """A literal that holds exactly when all of `literals` hold (None for none)."""
        if not literals:
            return None
        if len(literals) == 1:
            return literals[0]
        both = self.model.new_bool_var(f"all-{name}")
        for literal in literals:
            self.model.add_implication(both, literal)
        self.model.add_bool_or([both, *(~literal for literal in literals)])
        return both

    def _blocks(self, items: list[Item]) -> list[tuple[int, int, list[Item]]]:
        """The times fixed meetings take (minutes from the model's first day), merged where
        they overlap, with the meetings of each block."""
        spans = sorted(
            (
                self.fixed[i.id] * MINUTES + i.first_minute,
                self.fixed[i.id] * MINUTES + i.first_minute + i.length,
                n,
            )
            for n, i in enumerate(items)
        )
        merged: list[tuple[int, int, list[Item]]] = []
        for begin, end, n in spans:
            if merged and begin < merged[-1][1]:
                first, last, members = merged[-1]
                merged[-1] = (first, max(last, end), [*members, items[n]])
            else:
                merged.append((begin, end, [items[n]]))
        return merged


def active(problem: Problem, keep: Collection[str] | None, key: str) -> bool:
    """Whether a rule of the problem takes part when only `keep` do (all when None)."""
    return key in problem.rules and (keep is None or key in keep)


def pin(item: Item) -> str:
    """The rule that holds a fixed meeting on its date."""
    return f"kept:{item.id}" if item.kept else f"pinned:{item.id}"


#: The rules of the series that `days` looks at, besides the date rules and the pins.
SERIES_RULES = ("order", "spacing-min", "spacing-max")


def series_rules(problem: Problem, keys: Collection[str]) -> list[str]:
    """Of `keys`, the rules `days` looks at (in the order given): the date rules, the order and
    spacing of the series, and the pins of its fixed meetings."""
    pins = {pin(problem.item(mid)) for mid in problem.sequence}
    return [k for k in keys if k in problem.forbidden or k in SERIES_RULES or k in pins]


def days(
    problem: Problem, keep: Collection[str] | None
) -> tuple[dict[str, int], dict[str, list[int]]] | None:
    """The day numbers (after `problem.first`) of the fixed meetings, and the days each meeting
    may take under the rules that take part (`keep`, all when None): an open meeting the days
    its date rules allow, narrowed to those the series can use (`series`); a fixed meeting
    whose pin does not take part, any day. None when some meeting is left no day: then no
    schedule fits these rules, proven without a search (and exactly so when only the rules of
    `series_rules` take part)."""
    base = problem.first
    universe = list(range((problem.last - base).days + 1))
    banned = [d for key, d in problem.forbidden.items() if active(problem, keep, key)]
    allowed = [n for n in universe if not any(base + dt.timedelta(days=n) in b for b in banned)]
    fixed: dict[str, int] = {}
    domains: dict[str, list[int]] = {}
    for item in problem.items:
        if item.date is not None and active(problem, keep, pin(item)):
            fixed[item.id] = (item.date - base).days
            domains[item.id] = [fixed[item.id]]
        else:
            domains[item.id] = universe if item.date is not None else allowed
    if not all(domains.values()):
        return None
    if len(problem.sequence) > 1:
        spacing = problem.plan.spacing
        low = 1 if active(problem, keep, "order") else -INFINITY
        if spacing.min is not None and active(problem, keep, "spacing-min"):
            low = max(low, spacing.min)
        high = INFINITY
        if spacing.max is not None and active(problem, keep, "spacing-max"):
            high = spacing.max
        narrowed = propagate([domains[mid] for mid in problem.sequence], low, high)
        if narrowed is None:
            return None
        domains.update(zip(problem.sequence, narrowed, strict=True))
    return fixed, domains


def _cliques(items: list[Item], fixed: set[str]) -> list[list[Item]]:
    """Groups of meetings that all share an invitee pairwise, covering every pair of which at
    least one may move (greedy; one group when everyone is invited to everything)."""
    invited = [frozenset(i.invitees) for i in items]
    n = len(items)
    shared = [[bool(invited[a] & invited[b]) for b in range(n)] for a in range(n)]
    uncovered = {
        (a, b)
        for a in range(n)
        for b in range(a + 1, n)
        if shared[a][b] and (items[a].id not in fixed or items[b].id not in fixed)
    }
    out = []
    while uncovered:
        a, b = min(uncovered)
        clique = [a, b]
        for c in range(n):
            if c not in clique and all(shared[c][x] for x in clique):
                clique.append(c)
        uncovered -= {(x, y) for x in clique for y in clique if x < y}
        out.append([items[x] for x in sorted(clique)])
    return out
