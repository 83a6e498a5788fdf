"""Cross-checks: does the programme hold together? Each check adds diagnostics at the line of the
value it is about; errors stop the outputs, warnings only inform (unless --strict).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from functools import cache, cached_property
from typing import Any

from ..errors import Location, Report, did_you_mean
from . import addresses
from .load import Loaded
from .model import COLLECTIONS, Meeting, Programme, Status
from .rule_check import check_rule, names


def check(loaded: Loaded, today: dt.date | None = None) -> Report:
    """Run every cross-check on a loaded programme; returns the loaded report, extended.
    The files cohort keeps in the folder (attendance, published state, ...) are checked by
    `records.workspace`, which calls this first."""
    programme = loaded.programme
    if programme is not None:
        context = _Context(loaded, programme, loaded.report)
        for run in (
            _references,
            _organisation_cycles,
            _times,
            _summer_time,
            _agenda,
            _venue_double_booked,
            _overlapping_invitations,
            _capacity,
            _holidays,
            _addresses,
            _translations,
            _attendance_rule,
            _groups,
            _file_names,
        ):
            if run is _summer_time and "timezone" in loaded.skipped:
                continue
            if run is _attendance_rule and "attendance" in loaded.skipped:
                continue
            run(context)
        if today is not None:
            _past(context, today)
    return loaded.report


class _Context:
    def __init__(self, loaded: Loaded, programme: Programme, report: Report) -> None:
        self.loaded = loaded
        self.programme = programme
        self.report = report

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.loaded.at(*path, key=key)

    @cached_property
    def _known(self) -> dict[str, set[str]]:
        known = {name: set(getattr(self.programme, name)) for name in COLLECTIONS}
        for name, key in self.loaded.broken:
            known[name].add(key)
        return known

    def known(self, collection: str) -> set[str]:
        """Ids of a collection, including entries that failed validation (already reported)."""
        return self._known[collection]

    def active(self) -> list[Meeting]:
        """Meetings that take place, with a date (not still to be planned), in order."""
        unplanned = self.loaded.unplanned
        return [
            m for m in self.programme.chronological() if not m.cancelled and m.id not in unplanned
        ]


def _reference(
    ctx: _Context, value: str | None, collection: str, what: str, *path: str | int
) -> None:
    if value is None or value in ctx.known(collection):
        return
    hint = did_you_mean(value, ctx.known(collection))
    if not hint:
        hint = (
            f"add it under '{collection}:'"
            if ctx.known(collection)
            else f"there are no {collection} yet; add '{collection}:'"
        )
    ctx.report.error(ctx.at(*path), f"unknown {what} '{value}'", hint, code="unknown-id")


def _references(ctx: _Context) -> None:
    p = ctx.programme
    for pid, person in p.participants.items():
        _reference(
            ctx,
            person.organisation,
            "organisations",
            "organisation",
            "participants",
            pid,
            "organisation",
        )
    for oid, org in p.organisations.items():
        for i, member in enumerate(org.members):
            _reference(
                ctx, member, "organisations", "organisation", "organisations", oid, "members", i
            )
    for vid, venue in p.venues.items():
        _reference(ctx, venue.host, "organisations", "organisation", "venues", vid, "host")
    for mid, meeting in p.meetings.items():
        _reference(ctx, meeting.venue, "venues", "venue", "meetings", mid, "venue")
        for i, theme in enumerate(meeting.themes):
            # `themes: x` is shorthand for `themes: [x]`: point at the item, or at the value
            _reference(
                ctx,
                theme,
                "themes",
                "theme",
                *_first_known(ctx, ("meetings", mid, "themes", i), ("meetings", mid, "themes")),
            )
        rule = meeting.invited
        for field, collection, what in (
            ("organisations", "organisations", "organisation"),
            ("participants", "participants", "participant"),
            ("except", "participants", "participant"),
        ):
            values = rule.except_ if field == "except" else getattr(rule, field)
            for i, value in enumerate(values):
                # `invited: [a, b]` is shorthand for `invited: {participants: [a, b]}`
                path = _first_known(
                    ctx,
                    ("meetings", mid, "invited", field, i),
                    ("meetings", mid, "invited", field),
                    ("meetings", mid, "invited", i),
                    ("meetings", mid, "invited"),
                )
                _reference(ctx, value, collection, what, *path)
        _panel_references(ctx, mid, meeting)


def _panel_references(ctx: _Context, mid: str, meeting: Meeting) -> None:
    """Every member of an agenda item's panel is a participant."""
    for i, item in enumerate(meeting.agenda):
        for j, member in enumerate(item.panel):
            path = _first_known(
                ctx,
                ("meetings", mid, "agenda", i, "panel", j),
                ("meetings", mid, "agenda", i, "panel"),
            )
            _reference(ctx, member, "participants", "participant", *path)


def _first_known(ctx: _Context, *paths: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The first of several spellings of a value's path that the file really has."""
    values = ctx.loaded.positions.values
    return next((path for path in paths if path in values), paths[-1])


def _organisation_cycles(ctx: _Context) -> None:
    orgs = ctx.programme.organisations
    for oid, org in orgs.items():
        if oid in org.members:
            ctx.report.error(
                ctx.at("organisations", oid, "members"),
                f"organisation '{oid}' lists itself as a member",
                code="organisation-cycle",
            )
            continue
        # walk down the members; reaching oid again is a cycle
        seen, todo = set(), list(org.members)
        while todo:
            current = todo.pop()
            if current == oid:
                ctx.report.error(
                    ctx.at("organisations", oid, "members"),
                    f"organisation '{oid}' is, through its members, a member of itself",
                    "a partnership lists its partners; partners do not list the partnership",
                    code="organisation-cycle",
                )
                break
            if current in seen or current not in orgs:
                continue
            seen.add(current)
            todo.extend(orgs[current].members)


def _times(ctx: _Context) -> None:
    for mid, m in ctx.programme.meetings.items():
        if m.end_date is not None and m.end_date < m.date:
            ctx.report.error(
                ctx.at("meetings", mid, "end_date"),
                f"end_date {m.end_date} is before date {m.date}",
                code="end-before-start",
            )
            continue
        if (
            not m.all_day
            and m.end is not None
            and (ctx.programme.ends_at(m) <= ctx.programme.starts_at(m))
        ):
            ctx.report.error(
                ctx.at("meetings", mid, "end"),
                f"meeting '{mid}' ends ({m.end:%H:%M}) before it starts ({m.start:%H:%M})",
                "check the times; a meeting past midnight needs 'end_date:'",
                code="end-before-start",
            )
        if m.registration_deadline and m.registration_deadline > m.date:
            ctx.report.error(
                ctx.at("meetings", mid, "registration_deadline"),
                f"registration_deadline {m.registration_deadline} is after the meeting ({m.date})",
                code="deadline-after-meeting",
            )


def _summer_time(ctx: _Context) -> None:
    """A wall-clock time skipped or repeated by a DST change cannot be put in a calendar."""
    zone = ctx.programme.zone
    for mid, m in ctx.programme.meetings.items():
        if m.all_day or mid in ctx.loaded.unplanned:
            continue
        for field, day, time in (("start", m.date, m.start), ("end", m.last_date, m.end)):
            if time is None:
                continue
            wall = dt.datetime.combine(day, time, zone)
            back = wall.astimezone(dt.UTC).astimezone(zone)
            if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
                ctx.report.error(
                    ctx.at("meetings", mid, field),
                    f"{time:%H:%M} on {day} does not exist in {zone.key}: "
                    "the clocks skip that hour for summer time",
                    "choose a time outside the skipped hour",
                    code="dst-gap",
                )
            elif wall.replace(fold=1).utcoffset() != wall.replace(fold=0).utcoffset():
                ctx.report.warning(
                    ctx.at("meetings", mid, field),
                    f"{time:%H:%M} on {day} happens twice in {zone.key} "
                    "(the clocks go back); cohort takes the first",
                    "choose a time outside that hour to avoid confusion",
                    code="dst-ambiguous",
                )


def _agenda(ctx: _Context) -> None:
    participants = ctx.programme.participants
    for mid, m in ctx.programme.meetings.items():
        previous: dt.time | None = None
        for i, item in enumerate(m.agenda):
            where = ctx.at("meetings", mid, "agenda", i, "time")
            if item.time is not None:
                if (
                    not m.all_day
                    and m.start
                    and (item.time < m.start or (m.end and item.time >= m.end and m.end > m.start))
                ):
                    ctx.report.warning(
                        where,
                        f"agenda item at {item.time:%H:%M} lies outside the meeting "
                        f"({m.start:%H:%M}–{ctx.programme.ends_at(m):%H:%M})",
                        code="agenda-outside",
                    )
                if previous is not None and item.time < previous:
                    ctx.report.warning(
                        where, "agenda items are not in order of time", code="agenda-order"
                    )
                previous = item.time
            speaker = item.speaker
            if speaker and " " not in speaker and speaker not in participants:
                hint = did_you_mean(speaker, participants)
                if hint:
                    ctx.report.warning(
                        ctx.at("meetings", mid, "agenda", i, "speaker"),
                        f"speaker '{speaker}' is not a participant id; it will print as written",
                        hint,
                        code="unknown-speaker",
                    )


def _overlaps(programme: Programme, meetings: list[Meeting]) -> Iterator[tuple[Meeting, Meeting]]:
    """Pairs of meetings whose times overlap (meetings in chronological order)."""
    for i, first in enumerate(meetings):
        for second in meetings[i + 1 :]:
            if programme.starts_at(second) >= programme.ends_at(first):
                break
            yield first, second


def _venue_double_booked(ctx: _Context) -> None:
    by_venue: dict[str, list[Meeting]] = defaultdict(list)
    for m in ctx.active():
        venue = ctx.programme.venue_of(m)
        if venue is not None and not venue.online:
            by_venue[venue.id].append(m)
    for vid, meetings in by_venue.items():
        for first, second in _overlaps(ctx.programme, meetings):
            ctx.report.warning(
                ctx.at("meetings", second.id, "venue"),
                f"venue '{vid}' is double-booked: '{first.id}' and '{second.id}' overlap "
                f"on {second.date}",
                "fine for parallel rooms; otherwise move one of them",
                code="double-booked",
            )


def _overlapping_invitations(ctx: _Context) -> None:
    p = ctx.programme
    for first, second in _overlaps(p, ctx.active()):
        both = {x.id for x in p.invitees(first)} & {x.id for x in p.invitees(second)}
        if both:
            people = [p.participants[i] for i in sorted(both)]
            ctx.report.warning(
                ctx.at("meetings", second.id, "date"),
                f"'{first.id}' and '{second.id}' overlap, and {len(people)} invitee(s) are "
                f"invited to both: {names(people)}",
                "fine for parallel tracks; otherwise change a time or the invitations",
                code="overlap",
            )


def _capacity(ctx: _Context) -> None:
    p = ctx.programme
    for m in ctx.active():
        invited = len(p.invitees(m))
        venue = p.venue_of(m)
        limits = []
        if m.capacity:
            limits.append((m.capacity, "the meeting's capacity", ("meetings", m.id, "capacity")))
        if venue is not None and venue.capacity:
            limits.append(
                (
                    venue.capacity,
                    f"{venue.name} holds {venue.capacity}",
                    ("meetings", m.id, "venue"),
                )
            )
            if m.capacity and m.capacity > venue.capacity:
                ctx.report.warning(
                    ctx.at("meetings", m.id, "capacity"),
                    f"capacity {m.capacity} is more than {venue.name} holds ({venue.capacity})",
                    code="capacity",
                )
        for limit, what, path in limits:
            if invited > limit:
                ctx.report.warning(
                    ctx.at(*path),
                    f"{invited} people are invited to '{m.id}', but {what}"
                    + (f" ({limit})" if what.startswith("the") else ""),
                    "invite fewer people or choose a larger venue",
                    code="capacity",
                )
                break
        if invited == 0 and not ctx.known("participants") - set(ctx.programme.participants):
            ctx.report.warning(
                ctx.at("meetings", m.id, "title"),
                f"nobody is invited to '{m.id}'",
                code="nobody-invited",
            )
        if venue is None and not m.join_url and m.venue is None and p.planning is None:
            ctx.report.warning(
                ctx.at("meetings", m.id, "title"),
                f"meeting '{m.id}' has no venue yet",
                "add 'venue:' with a venue id",
                code="no-venue",
            )


@cache
def _holiday_calendar(country: str, year: int) -> Any:
    import holidays

    try:
        return holidays.country_holidays(country, years=year, language="en_US")
    except (NotImplementedError, KeyError):
        try:
            return holidays.country_holidays(country, years=year)
        except (NotImplementedError, KeyError):
            return {}


def _holidays(ctx: _Context) -> None:
    for m in ctx.active():
        country = ctx.programme.country_of(m)
        if not country:
            continue
        day = m.date
        while day <= m.last_date:
            name = _holiday_calendar(country, day.year).get(day)
            if name:
                ctx.report.warning(
                    ctx.at("meetings", m.id, "date"),
                    f"'{m.id}' falls on a public holiday in {country}: {name} ({day})",
                    "check that the venue is open and people are free",
                    code="holiday",
                )
            day += dt.timedelta(days=1)


def _addresses(ctx: _Context) -> None:
    addresses.check(ctx.programme, ctx.active(), ctx.at, ctx.report)


def _translations(ctx: _Context) -> None:
    from .translations import check as check_translations

    check_translations(ctx.programme, ctx.active(), ctx.at, ctx.report)


def _attendance_rule(ctx: _Context) -> None:
    check_rule(ctx.programme, ctx.active(), ctx.at, ctx.report)


def _groups(ctx: _Context) -> None:
    from .groups import check_rules

    check_rules(ctx.programme, ctx.known("participants"), ctx.at, ctx.report)


#: Names Windows keeps for devices, in any case and with any extension ('con.pdf' too).
_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)


def _file_names(ctx: _Context) -> None:
    """Ids become file names (certificates, agendas, attendance records, pages): warn of two
    that one file system takes for one (macOS and Windows ignore case), and of a name Windows
    keeps for a device, where no file of that name can be made (Microsoft, "Naming Files,
    Paths, and Namespaces")."""
    for name in COLLECTIONS:
        first: dict[str, str] = {}
        for key in getattr(ctx.programme, name):
            folded = key.casefold()
            if folded in _DEVICES:
                ctx.report.warning(
                    ctx.at(name, key, key=True),
                    f"'{key}' is a name Windows keeps for a device: no file can be called so there",
                    f"choose another id, such as '{key}-1'",
                    code="file-name",
                )
            if folded in first:
                ctx.report.warning(
                    ctx.at(name, key, key=True),
                    f"'{key}' and '{first[folded]}' differ only in case: on macOS and Windows "
                    "their files are one and the same",
                    "give each an id that differs in more than case",
                    code="file-name",
                )
            else:
                first[folded] = key


def _past(ctx: _Context, today: dt.date) -> None:
    for mid, m in ctx.programme.meetings.items():
        if m.status is Status.planned and m.last_date < today and mid not in ctx.loaded.unplanned:
            ctx.report.warning(
                ctx.at("meetings", mid, "date"),
                f"'{mid}' on {m.date} is in the past but still planned",
                "set 'status: confirmed' if it took place, 'cancelled' if not, or correct the date",
                code="past",
            )
