"""What there is to plan, as plain data: the meetings with what is fixed and what is open, every
rule as the facilitator wrote it (with its file and line), the days each rule forbids, and who
answered what.

The solver (`dates`), its explanation of a conflict (`conflicts`) and the check of a stored
solution (`fit`) all start from one `Problem`, so they agree on what each rule means.

What stays where it is: a meeting whose `date` the YAML gives (pinned); a solved meeting that
took place (its date before today) or that was published (`published.json`: a calendar, the
site or invitations carry it), unless the facilitator releases it (`--move`); and every other
meeting of the programme, which open meetings must not overlap at its venue or for the people
it invites. No open meeting is placed before today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Report
from ..programme.load import Loaded
from ..programme.model import Meeting, Programme
from ..programme.planning import WEEKDAYS, Planning
from ..records.answers import Answers
from . import holidays

#: Days around the window that an explanation may move meetings to (it relaxes the window).
MARGIN = 400
MINUTES = 24 * 60


def shifted(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, kept within the calendar (year 1 to 9999)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def margin_of(plan: Planning, meetings: int) -> int:
    """Days around the window an explanation may use: MARGIN, or room for the whole series at
    its least spacing when that needs more (at most five years)."""
    least = max(plan.spacing.min or 1, 1)
    return min(max(MARGIN, meetings * least), 5 * 366)


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from `first` to `last`, both included."""
    count = (last - first).days + 1
    return [first + dt.timedelta(days=n) for n in range(max(count, 0))]


@dataclass(frozen=True)
class Rule:
    """A hard rule as written: what it says in the facilitator's terms, and where (a rule
    that no file states, such as today's date, has a location without a line)."""

    key: str
    text: str
    where: Location

    def named(self, folder: Path) -> str:
        """'spacing at least 28 days (programme.yaml:31)': the file relative to the folder."""
        if self.where.line <= 0:
            return self.text
        try:
            name = self.where.file.relative_to(folder)
        except ValueError:
            name = self.where.file
        return f"{self.text} ({name}:{self.where.line})"


@dataclass(frozen=True)
class Kept:
    """A solved meeting that stays on its date (and at its venue): why, and where the date
    stands in planning/solution.yaml."""

    date: dt.date
    venue: str | None
    reason: str  # "took place", "was published"
    where: Location


@dataclass(frozen=True)
class Item:
    """One meeting: its date and venue when fixed (None when open), the venues it may go to,
    when it starts and ends (minutes after midnight of its first and last day), how many days
    it spans, and who is invited. `kept` says why a solved date stays ("" when it does not)."""

    id: str
    title: str
    date: dt.date | None
    venue: str | None
    venues: tuple[str, ...]
    start: dt.time | None
    invitees: tuple[str, ...]
    needs_venue: bool
    first_minute: int = 0
    last_minute: int = MINUTES
    days: int = 1
    kept: str = ""

    @property
    def open_date(self) -> bool:
        return self.date is None

    @property
    def length(self) -> int:
        """Minutes from its start to its end (at least one)."""
        return max((self.days - 1) * MINUTES + self.last_minute - self.first_minute, 1)


@dataclass(frozen=True)
class Attendance:
    """Where the invitees stand on a day: who answered no, if need be, or was not asked about
    that day (they answered the poll), and who did not answer the poll at all."""

    no: tuple[str, ...] = ()
    if_need_be: tuple[str, ...] = ()
    not_asked: tuple[str, ...] = ()
    no_answer: tuple[str, ...] = ()


@dataclass
class Problem:
    """Everything the solver needs, built once from a checked programme."""

    folder: Path
    plan: Planning
    items: list[Item]
    #: ids of the series in order: spacing, order and hosting rules apply between neighbours
    sequence: list[str]
    rules: dict[str, Rule]
    #: rule key -> the days it forbids (named), for from/until/weekdays/avoid/today rules
    forbidden: dict[str, dict[dt.date, str]]
    hosts: dict[str, str]
    capacity: dict[str, int]
    venue_names: dict[str, str]
    #: venues with an address (not online), in the order written
    physical: list[str]
    people: dict[str, str]
    answers: Answers | None
    #: the first and last day any meeting may take when an explanation relaxes the window
    first: dt.date = dt.date.min
    last: dt.date = dt.date.max
    warnings: Report = field(default_factory=Report)
    _attendance: dict[tuple[tuple[str, ...], dt.date, dt.time | None], Attendance] = field(
        default_factory=dict, repr=False
    )

    def item(self, mid: str) -> Item:
        return next(i for i in self.items if i.id == mid)

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.open_date]

    def allowed(self, days: Iterable[dt.date]) -> list[dt.date]:
        """The days an open meeting may take: those no rule forbids."""
        banned = self.forbidden.values()
        return [d for d in days if not any(d in b for b in banned)]

    def window(self) -> list[dt.date]:
        """Every day of the planning window."""
        return span(self.plan.from_, self.plan.until)

    def venues_for(self, item: Item) -> list[str]:
        """The venues a meeting may go to under every rule (its own, when given): cohort never
        chooses a venue smaller than the invitees; one the facilitator gives stays theirs."""
        if item.venue is not None:
            return [item.venue]
        if not item.needs_venue:
            return []
        size = len(item.invitees)
        return [v for v in item.venues if self.capacity.get(v, size) >= size]

    def attendance(self, item: Item, day: dt.date) -> Attendance:
        """Who cannot come to `item` on `day`, who comes if need be, and so on (meetings with
        the same invitees and start share the answer: it is worked out once)."""
        answers = self.answers
        if answers is None:
            return Attendance(no_answer=item.invitees)
        key = (item.invitees, day, item.start)
        found = self._attendance.get(key)
        if found is None:
            buckets: dict[str | None, list[str]] = {}
            for pid in item.invitees:
                buckets.setdefault(answers.answer(pid, day, item.start), []).append(pid)
            found = self._attendance[key] = Attendance(
                tuple(buckets.get("no", ())),
                tuple(buckets.get("if-need-be", ())),
                tuple(buckets.get("unasked", ())),
                tuple(buckets.get(None, ())),
            )
        return found


def build(
    loaded: Loaded,
    answers: Answers | None,
    open_dates: set[str],
    open_venues: set[str],
    *,
    kept: Mapping[str, Kept] | None = None,
    today: dt.date | None = None,
    answers_at: Location | None = None,
) -> Problem:
    """The problem of a checked programme with a `planning:` block. `open_dates` and
    `open_venues` are the meetings whose date or venue the YAML leaves open; `kept` the solved
    ones that stay (taken out of `open_dates`); with `today`, no open meeting goes before it.
    `answers_at` is where the answers file stands (for warnings about it)."""
    programme = loaded.programme
    assert programme is not None and programme.planning is not None
    plan = programme.planning
    kept = kept or {}
    active = [m for m in programme.meetings.values() if not m.cancelled]
    ids = {m.id for m in active}
    written = list(dict.fromkeys(plan.order)) or [m.id for m in active]
    sequence = [mid for mid in written if mid in ids]
    physical = [v.id for v in programme.venues.values() if not v.online]
    candidates = tuple(dict.fromkeys(v for v in (plan.hosting.venues or physical) if v in physical))
    items = [
        _item(programme, m, open_dates, open_venues, kept.get(m.id), candidates) for m in active
    ]
    margin = margin_of(plan, len(sequence))
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
        first=shifted(plan.from_, -margin),
        last=shifted(plan.until, margin),
    )
    _rules(problem, programme, loaded, bool(plan.order), kept, today)
    if answers is not None and answers_at is not None:
        _poll_fit(problem, answers, answers_at)
    return problem


def _item(
    programme: Programme,
    m: Meeting,
    open_dates: set[str],
    open_venues: set[str],
    kept: Kept | None,
    candidates: tuple[str, ...],
) -> Item:
    open_venue = m.id in open_venues and kept is None
    date = kept.date if kept is not None else (None if m.id in open_dates else m.date)
    venue = (kept.venue if kept and m.id in open_venues else m.venue) if not open_venue else None
    first, last = _minutes(m)
    return Item(
        id=m.id,
        title=m.title,
        date=date,
        venue=venue,
        venues=candidates if open_venue else ((venue,) if venue else ()),
        start=None if m.all_day else m.start,
        invitees=tuple(p.id for p in programme.invitees(m)),
        needs_venue=open_venue or venue is not None,
        first_minute=first,
        last_minute=last,
        days=(m.last_date - m.date).days + 1 if date is not None and m.end_date else 1,
        kept=kept.reason if kept else "",
    )


def _minutes(m: Meeting) -> tuple[int, int]:
    """When a meeting starts on its first day and ends on its last, in minutes after
    midnight (a whole day for an all-day meeting)."""
    if m.all_day or m.start is None:
        return 0, MINUTES
    first = m.start.hour * 60 + m.start.minute
    if m.end is not None:
        return first, m.end.hour * 60 + m.end.minute
    assert m.duration is not None
    return first, first + int(m.duration.total_seconds() // 60)


def _rules(
    problem: Problem,
    programme: Programme,
    loaded: Loaded,
    ordered: bool,
    kept: Mapping[str, Kept],
    today: dt.date | None,
) -> None:
    plan = problem.plan
    rules = problem.rules
    at = loaded.at

    def rule(key: str, text: str, *path: str | int) -> None:
        rules[key] = Rule(key, text, at(*path))

    rule("window", f"the window {plan.from_} to {plan.until}", "planning", "from")
    if plan.weekdays:
        names = ", ".join(WEEKDAYS[d] for d in plan.weekdays)
        rule("weekdays", f"on {names}", "planning", "weekdays")
    _forbidden_days(problem, programme, loaded, today)
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
    for mid, stay in kept.items():
        rules[f"kept:{mid}"] = Rule(
            f"kept:{mid}", f"'{mid}' {stay.reason} on {stay.date}", stay.where
        )
    _meeting_rules(problem, rule)


def _meeting_rules(problem: Problem, rule: Callable[..., None]) -> None:
    """Pinned dates and venues, where open meetings may go, venue sizes, how hosts take turns,
    and no two meetings at once at a venue or for the same people."""
    hosting = problem.plan.hosting
    for item in problem.items:
        if item.date is not None and not item.kept:
            rule(f"pinned:{item.id}", f"'{item.id}' on {item.date}", "meetings", item.id, "date")
        if item.venue is not None and item.date is None:
            rule(f"venue:{item.id}", f"'{item.id}' at '{item.venue}'", "meetings", item.id, "venue")
    if hosting.venues:
        text = "open meetings at " + ", ".join(hosting.venues)
        rule("venues", text, "planning", "hosting", "venues")
    chosen = [i for i in problem.items if i.venue is None and i.needs_venue]
    for vid, size in problem.capacity.items():
        if any(len(i.invitees) > size for i in chosen):
            text = f"{problem.venue_names[vid]} holds {size}"
            rule(f"capacity:{vid}", text, "venues", vid, "capacity")
    _hosting_rules(problem, rule)


def _hosting_rules(problem: Problem, rule: Callable[..., None]) -> None:
    """How hosts take turns, and one meeting at a time at a venue or for the same people."""
    hosting = problem.plan.hosting
    if hosting.fair:
        rule("fair", "each host about equally often", "planning", "hosting", "fair")
    if hosting.no_repeat:
        rule("no-repeat", "no host twice in a row", "planning", "hosting", "no_repeat")
    if any(i.open_date for i in problem.items) and len(problem.items) > 1:
        rule("invitees", "no one invited to two meetings at once", "meetings")
    for vid in problem.physical:
        rule(
            f"occupied:{vid}", f"one meeting at a time at {problem.venue_names[vid]}", "venues", vid
        )


def _forbidden_days(
    problem: Problem, programme: Programme, loaded: Loaded, today: dt.date | None
) -> None:
    """The days each date rule forbids, over the window and well around it (an explanation
    relaxes the window)."""
    plan = problem.plan
    first, last = problem.first, problem.last
    forbidden = problem.forbidden
    rules = problem.rules
    at = loaded.at
    days = span(first, last)
    forbidden["window"] = {d: "outside it" for d in days if not plan.from_ <= d <= plan.until}
    if plan.weekdays:
        forbidden["weekdays"] = {
            d: WEEKDAYS[d.weekday()] for d in days if d.weekday() not in plan.weekdays
        }
    if today is not None:
        rules["today"] = Rule(
            "today", f"no new meeting before today ({today})", Location(loaded.folder)
        )
        forbidden["today"] = {d: "before today" for d in days if d < today}
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
    for i, period in enumerate(avoid.dates):
        key = f"date:{i}"
        text = f"avoid {period.from_}" + (
            f" until {period.until}" if period.until != period.from_ else ""
        )
        rules[key] = Rule(key, text, at("planning", "avoid", "dates", i))
        inside = span(max(period.from_, first), min(period.until, last))
        forbidden[key] = {d: text for d in inside}


def _poll_fit(problem: Problem, answers: Answers, where: Location) -> None:
    """Say when the poll's answers cannot count as they were given: no option on a day an open
    meeting may take, or options at other times than the meetings (then they count by day)."""
    open_items = problem.open_items
    if not open_items or not answers.answers:
        return
    asked = set(answers.days())
    usable = [d for d in problem.allowed(problem.window()) if d in asked]
    if not usable:
        problem.warnings.warning(
            where,
            f"none of the poll's {len(asked)} days is a day open meetings may take "
            f"({min(asked)} to {max(asked)}): its answers count for nothing",
            "is the poll for this programme? check its dates against the planning's rules",
            code="poll-window",
        )
        return
    differ: dict[str, set[str]] = {}
    for item in open_items:
        for day in usable:
            option, exact = answers.option_for(day, item.start)
            if option is not None and not exact:
                start = f"{item.start:%H:%M}" if item.start else "all day"
                differ.setdefault(start, set()).add(option.partition(" ")[2] or "the whole day")
    for start, moments in sorted(differ.items()):
        problem.warnings.warning(
            where,
            f"the poll asked about {', '.join(sorted(moments))}, but meetings start at {start}: "
            "each answer counts for the meeting on that day",
            "if the time matters, ask the poll at the meetings' times",
            code="poll-times",
        )
