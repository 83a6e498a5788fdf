"""What there is to plan, as plain data: the meetings of the series with what is fixed and what
is open, every rule as the facilitator wrote it (with its file and line), the days each rule
forbids, and who answered what.

The solver (`dates`), its explanation of a conflict (`conflicts`) and the check of a stored
solution (`fit`) all start from one `Problem`, so they agree on what each rule means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Report
from ..programme.load import Loaded
from ..programme.model import Programme
from ..programme.planning import WEEKDAYS, Planning
from ..records.answers import Answers
from . import holidays


@dataclass(frozen=True)
class Rule:
    """A hard rule as written: what it says in the facilitator's terms, and where."""

    key: str
    text: str
    where: Location

    def named(self, folder: Path) -> str:
        """'spacing at least 28 days (programme.yaml:31)': the file relative to the folder."""
        try:
            name = self.where.file.relative_to(folder)
        except ValueError:
            name = self.where.file
        return f"{self.text} ({name}:{self.where.line})"


@dataclass(frozen=True)
class Item:
    """One meeting to plan: its pinned date or venue (None when open), the venues it may go
    to, its start time, and who is invited."""

    id: str
    title: str
    date: dt.date | None
    venue: str | None
    venues: tuple[str, ...]
    start: dt.time | None
    invitees: tuple[str, ...]
    needs_venue: bool

    @property
    def open_date(self) -> bool:
        return self.date is None


@dataclass
class Problem:
    """Everything the solver needs, built once from a checked programme."""

    folder: Path
    plan: Planning
    items: list[Item]
    #: ids of the series in order: spacing, order and hosting rules apply between neighbours
    sequence: list[str]
    rules: dict[str, Rule]
    #: rule key -> the days it forbids (named), for from/until/weekdays/avoid rules
    forbidden: dict[str, dict[dt.date, str]]
    hosts: dict[str, str]
    capacity: dict[str, int]
    venue_names: dict[str, str]
    #: venues with an address (not online), in the order written
    physical: list[str]
    people: dict[str, str]
    answers: Answers | None
    warnings: Report = field(default_factory=Report)

    def item(self, mid: str) -> Item:
        return next(i for i in self.items if i.id == mid)

    def allowed(self, days: Iterable[dt.date]) -> list[dt.date]:
        """The days an open meeting may take: those no rule forbids."""
        return [d for d in days if not any(d in banned for banned in self.forbidden.values())]

    def window(self) -> list[dt.date]:
        """Every day of the planning window."""
        count = (self.plan.until - self.plan.from_).days + 1
        return [self.plan.from_ + dt.timedelta(days=n) for n in range(max(count, 0))]

    def venues_for(self, item: Item) -> list[str]:
        """The venues a meeting may go to under every rule (its own, when fixed)."""
        if item.venue is not None:
            return [item.venue]
        if not item.needs_venue:
            return []
        size = len(item.invitees)
        return [v for v in item.venues if self.capacity.get(v, size) >= size]


def build(
    loaded: Loaded, answers: Answers | None, open_dates: set[str], open_venues: set[str]
) -> Problem:
    """The problem of a checked programme with a `planning:` block. `open_dates` and
    `open_venues` are the meetings whose date or venue the YAML leaves open."""
    programme = loaded.programme
    assert programme is not None and programme.planning is not None
    plan = programme.planning
    active = [m for m in programme.meetings.values() if not m.cancelled]
    sequence = list(plan.order) or [m.id for m in active]
    sequence = [mid for mid in sequence if mid in programme.meetings]
    physical = [v.id for v in programme.venues.values() if not v.online]
    candidates = tuple(v for v in (plan.hosting.venues or physical) if v in programme.venues)
    items = []
    for m in active:
        if m.id not in sequence and m.id not in open_dates and m.id not in open_venues:
            continue
        open_venue = m.id in open_venues
        items.append(
            Item(
                id=m.id,
                title=m.title,
                date=None if m.id in open_dates else m.date,
                venue=None if open_venue else m.venue,
                venues=candidates if open_venue else ((m.venue,) if m.venue else ()),
                start=None if m.all_day else m.start,
                invitees=tuple(p.id for p in programme.invitees(m)),
                needs_venue=open_venue or m.venue is not None,
            )
        )
    sequence = [mid for mid in sequence if any(i.id == mid for i in items)]
    problem = Problem(
        folder=loaded.folder,
        plan=plan,
        items=items,
        sequence=sequence,
        rules={},
        forbidden={},
        hosts={v.id: v.host for v in programme.venues.values() if v.host},
        capacity={v.id: v.capacity for v in programme.venues.values() if v.capacity},
        venue_names={v.id: v.name for v in programme.venues.values()},
        physical=physical,
        people={p.id: p.name for p in programme.participants.values()},
        answers=answers,
    )
    _rules(problem, programme, loaded, bool(plan.order))
    return problem


def _rules(problem: Problem, programme: Programme, loaded: Loaded, ordered: bool) -> None:
    plan = problem.plan
    rules = problem.rules
    at = loaded.at

    def rule(key: str, text: str, *path: str | int) -> None:
        rules[key] = Rule(key, text, at(*path))

    rule("window", f"the window {plan.from_} to {plan.until}", "planning", "from")
    if plan.weekdays:
        names = ", ".join(WEEKDAYS[d] for d in plan.weekdays)
        rule("weekdays", f"on {names}", "planning", "weekdays")
    _forbidden_days(problem, programme, loaded)
    spacing = plan.spacing
    if spacing.min is not None:
        rule("spacing-min", f"spacing at least {spacing.min} days", "planning", "spacing", "min")
    if spacing.max is not None:
        rule("spacing-max", f"spacing at most {spacing.max} days", "planning", "spacing", "max")
    if len(problem.sequence) > 1 and ordered:
        rule("order", "the order " + ", ".join(problem.sequence), "planning", "order")
    elif len(problem.sequence) > 1:
        rules["order"] = Rule(
            "order", "the meetings in the order written", at("meetings", key=True)
        )
    _meeting_rules(problem, rule)


def _meeting_rules(problem: Problem, rule: Callable[..., None]) -> None:
    """Pinned dates and venues, where open meetings may go, venue sizes, how hosts take turns."""
    hosting = problem.plan.hosting
    for item in problem.items:
        if item.date is not None:
            rule(f"pinned:{item.id}", f"'{item.id}' on {item.date}", "meetings", item.id, "date")
        if item.venue is not None and item.date is None:
            rule(f"venue:{item.id}", f"'{item.id}' at '{item.venue}'", "meetings", item.id, "venue")
    if hosting.venues:
        text = "open meetings at " + ", ".join(hosting.venues)
        rule("venues", text, "planning", "hosting", "venues")
    for vid, size in problem.capacity.items():
        if any(len(i.invitees) > size for i in problem.items if i.needs_venue):
            text = f"{problem.venue_names[vid]} holds {size}"
            rule(f"capacity:{vid}", text, "venues", vid, "capacity")
    if hosting.fair:
        rule("fair", "each host about equally often", "planning", "hosting", "fair")
    if hosting.no_repeat:
        rule("no-repeat", "no host twice in a row", "planning", "hosting", "no_repeat")


def _forbidden_days(problem: Problem, programme: Programme, loaded: Loaded) -> None:
    """The days each date rule forbids, over the window and well around it (an explanation
    relaxes the window)."""
    plan = problem.plan
    first = plan.from_ - dt.timedelta(days=400)
    last = plan.until + dt.timedelta(days=400)
    forbidden = problem.forbidden
    rules = problem.rules
    at = loaded.at
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    forbidden["window"] = {d: "outside it" for d in days if not plan.from_ <= d <= plan.until}
    if plan.weekdays:
        forbidden["weekdays"] = {
            d: WEEKDAYS[d.weekday()] for d in days if d.weekday() not in plan.weekdays
        }
    avoid = plan.avoid
    if avoid.public_holidays:
        country = programme.home_country or "BE"
        rules["public-holidays"] = Rule(
            "public-holidays",
            f"avoid public holidays in {country}",
            at("planning", "avoid", "public_holidays"),
        )
        forbidden["public-holidays"] = holidays.public_holidays(country, first, last).days
    for i, region in enumerate(avoid.school_holidays):
        key = f"school:{region}"
        path = ("planning", "avoid", "school_holidays")
        where = at(*path, i) if (*path, i) in loaded.positions.values else at(*path)
        rules[key] = Rule(key, f"avoid the school holidays of {region}", where)
        calendar = holidays.school_holidays(region, first, last)
        forbidden[key] = calendar.days
        outside = [d for d in calendar.unknown if plan.from_ <= d <= plan.until]
        if outside:
            problem.warnings.warning(
                where,
                f"cohort knows no school holidays of {region} from {outside[0]} to {outside[-1]}",
                "those days are treated as free; check them, or add them under 'avoid: dates:'",
                code="holidays-unknown",
            )
    for i, period in enumerate(avoid.dates):
        key = f"date:{i}"
        text = f"avoid {period.from_}" + (
            f" until {period.until}" if period.until != period.from_ else ""
        )
        rules[key] = Rule(key, text, at("planning", "avoid", "dates", i))
        forbidden[key] = {d: text for d in period.days()}
