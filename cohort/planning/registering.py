"""The `cohort registrations` commands: cancel, accept, decline, move the lists on, see how
they stand (the import is in `registration_import`); each command that acts reads the
programme, decides (`registrations.decide`) and keeps the result in the registrations file;
`status` only looks (it shows the lists as they would stand now, and keeps nothing). The
e-mails each transition is due are written by `cohort invite` (see
`documents.registration_mail`), with the calendar invitations; `invite` also moves the lists on
(`advance`): it knows the outbox, so it starts the clock of each offer whose e-mail `cohort
send` delivered.

A list is closed from the start of its meeting (for the programme's list: of its last
meeting): nothing more is imported, decided or told about it.

How many places a list may fill: the capacity of the meeting (the smaller of its own
`capacity:` and its venue's) less the people the programme itself invites to it; for the whole
programme, the smallest such number over the meetings to come that invite every participant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Report, UsageError, did_you_mean
from ..programme.model import Meeting, Programme, Role
from ..records import deliveries
from ..records import registrations as record
from ..records.outbox import Outbox
from ..records.published import now as clock
from ..records.registrations import Entry, Registrations
from ..records.workspace import Checked, load_checked
from .registrations import ACTIONS, Action, Decision, Waiting, decide, describe, waiting_list


@dataclass
class Done:
    """What a command did: lines for people, and the programme's warnings."""

    lines: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


def moment(programme: Programme, today: dt.date | None) -> dt.datetime:
    """The moment a command acts at: the start of `today` (--today) in the programme's time
    zone, else now (COHORT_NOW freezes it)."""
    if today is not None:
        return dt.datetime.combine(today, dt.time(0), programme.zone)
    return clock()


def scope_title(programme: Programme, scope: str | None) -> str:
    """What a list is for, in a line: the meeting's id and title, or the programme."""
    if scope is None:
        return f"the programme ({programme.title})"
    meeting = programme.meetings.get(scope)
    return f"{scope} ({meeting.title})" if meeting else scope


def _takes_everyone(meeting: Meeting) -> bool:
    rule = meeting.invited
    return rule.everyone or Role.participant in rule.roles


def places(
    programme: Programme,
    scope: str | None,
    listed: set[str],
    today: dt.date,
    declined: Mapping[str, frozenset[str]] | None = None,
) -> int | None:
    """How many places a list may fill (None: no limit); see the module's docstring. `listed`
    are the people on the list (they do not count among those the programme invites), nor do
    those who declined the meeting (`declined`: meeting id -> participant ids, from their
    calendar replies): their place is free."""
    if scope is not None:
        meetings = [programme.meetings[scope]]
    else:
        meetings = [
            m
            for m in programme.meetings.values()
            if not m.cancelled and m.last_date >= today and _takes_everyone(m)
        ]
    result: int | None = None
    for meeting in meetings:
        venue = programme.venue_of(meeting)
        capacities = [c for c in (meeting.capacity, venue.capacity if venue else None) if c]
        if not capacities:
            continue
        gone = (declined or {}).get(meeting.id, frozenset())
        others = sum(1 for p in programme.invitees(meeting) if p.id not in listed | gone)
        free = max(min(capacities) - others, 0)
        result = free if result is None else min(result, free)
    return result


def scope_of(programme: Programme, meeting: str | None) -> str | None:
    """The list `--meeting` names (None: the programme's). Raises UsageError for an id that
    is not a meeting of the programme."""
    if meeting is None:
        return None
    if meeting not in programme.meetings:
        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(
            f"--meeting '{meeting}' is not a meeting of this programme"
            + (f" ({hint})" if hint else "")
        )
    return meeting


def lists_of(folder: Path) -> dict[str | None, Registrations]:
    """Every list of a programme folder. Raises CohortError for a damaged file."""
    report = Report()
    stored = record.load_all(folder, report)
    report.raise_if_errors()
    return {scope: s.record for scope, s in stored.items() if s.record is not None}


def closes(programme: Programme, scope: str | None) -> dt.datetime | None:
    """When a list closes: the start of its meeting; of the programme's list, the start of the
    programme's last meeting (None: no meeting to wait for)."""
    if scope is not None:
        meeting = programme.meetings.get(scope)
        return programme.starts_at(meeting) if meeting is not None else None
    starts = [programme.starts_at(m) for m in programme.meetings.values() if not m.cancelled]
    return max(starts, default=None)


def cancelled(programme: Programme, scope: str | None) -> bool:
    """Whether a list's meeting is cancelled: its list stands still, as when it began."""
    meeting = programme.meetings.get(scope) if scope is not None else None
    return meeting is not None and meeting.cancelled


def over(programme: Programme, scope: str | None, now: dt.datetime) -> bool:
    """Whether a list is closed at `now` (its meeting began, or is cancelled)."""
    end = closes(programme, scope)
    return cancelled(programme, scope) or (end is not None and now >= end)


def why_closed(programme: Programme, scope: str | None) -> str:
    """Why a closed list stands still, for a message: '... is cancelled' or '... began on
    2027-11-16 at 13:00'."""
    title = scope_title(programme, scope)
    start = closes(programme, scope)
    if cancelled(programme, scope) or start is None:
        return f"{title} is cancelled"
    return f"{title} began on {start.astimezone(programme.zone):%Y-%m-%d at %H:%M}"


def decide_list(
    checked: Checked,
    current: Registrations,
    now: dt.datetime,
    actions: Mapping[str, Action] | None = None,
    *,
    new: Set[str] = frozenset(),
    told: Mapping[str, dt.datetime] | None = None,
) -> Decision:
    """Decide a list now: how many places it may fill, the programme's offer time, when the
    list closes; `new` and `told` as `registrations.decide` takes them."""
    programme = checked.programme
    listed = set(current.registrations)
    free = places(programme, current.meeting, listed, now.date(), _declined(checked.folder))
    hours = programme.registration.offer_hours
    return decide(
        current.registrations,
        free,
        now,
        hours,
        actions,
        new=new,
        closes=now if cancelled(programme, current.meeting) else closes(programme, current.meeting),
        told=told,
    )


def _declined(folder: Path) -> dict[str, frozenset[str]]:
    """Who declined each meeting in a calendar reply (or by hand): meeting id -> ids."""
    from ..records.replies import all_replies
    from .replies import declined

    return {mid: declined(answers) for mid, answers in all_replies(folder).items()}


def store_list(folder: Path, current: Registrations, decision: Decision, command: str) -> bool:
    """Keep a list as decided (False when its file held exactly this)."""
    updated = current.model_copy(update={"registrations": decision.registrations})
    return record.store_record(folder, updated, command)


def summary(programme: Programme, scope: str | None, decision: Decision) -> list[str]:
    """For the terminal: how the list stands and what changed."""
    counts: dict[str, int] = {}
    for entry in decision.registrations.values():
        counts[entry.status] = counts.get(entry.status, 0) + 1
    stands = ", ".join(f"{counts[s]} {s}" for s in record.STATUSES if counts.get(s))
    free = "no limit" if decision.free is None else f"{decision.free} place(s) free"
    lines = [f"{scope_title(programme, scope)}: {stands or 'nobody registered'}; {free}"]
    moved: dict[str, int] = {}
    for change in decision.transitions:
        moved[change.after] = moved.get(change.after, 0) + 1
    if moved:
        told = sum(1 for change in decision.transitions if change.mail)
        lines.append(
            "changed: "
            + ", ".join(f"{n} {status}" for status, n in moved.items())
            + f"; {told} e-mail(s) due: write them with 'cohort invite DIR -o OUTBOX'"
        )
    for group, reason in decision.skipped.items():
        lines.append(f"skipped {group}: {reason}")
    if decision.over:
        lines.append(
            f"warning: {decision.over} place(s) held beyond the capacity (it was lowered?); "
            "nobody loses a confirmed place"
        )
    waiting = [
        e.name for e in decision.registrations.values() if e.status == "offered" and not e.expires
    ]
    if waiting:
        hours = programme.registration.offer_hours
        lines.append(
            f"{len(waiting)} offer(s) not delivered yet: each one's {hours} hours start when "
            "'cohort send' delivers it (then 'cohort invite' counts them)"
        )
    return lines


# -- cancel, accept, decline, and time passing -----------------------------------------------


def act(
    folder: Path, action: Action, people: Sequence[str], meeting: str | None, today: dt.date | None
) -> Done:
    """`cohort registrations cancel|accept|decline`: apply one action to people on a list
    (the meeting's, or the only list they are on). Raises UsageError for someone on no list,
    on several (without --meeting), or whose status the action does not fit."""
    assert action in ACTIONS
    checked = load_checked(folder, today)
    programme = checked.programme
    lists = lists_of(checked.folder)
    scope = scope_of(programme, meeting)
    chosen: dict[str | None, dict[str, Action]] = {}
    for pid in people:
        on = [
            s
            for s, r in lists.items()
            if pid in r.registrations and (meeting is None or s == scope)
        ]
        if not on:
            known = [p for r in lists.values() for p in r.registrations]
            hint = did_you_mean(pid, known)
            where = f" of '{meeting}'" if meeting else ""
            raise UsageError(
                f"'{pid}' is on no registration list{where}" + (f" ({hint})" if hint else "")
            )
        if len(on) > 1:
            names = ", ".join(s or "the programme" for s in on)
            raise UsageError(f"'{pid}' is on several lists ({names}); say which with --meeting")
        why = describe(action, lists[on[0]].registrations[pid])
        if why is not None:
            raise UsageError(f"cannot {action} '{pid}': their registration {why}")
        chosen.setdefault(on[0], {})[pid] = action
    now = moment(programme, today)
    for list_scope in chosen:
        if over(programme, list_scope, now):
            raise UsageError(
                f"cannot {action}: {why_closed(programme, list_scope)}; a list stands still "
                "once its meeting has started or is cancelled"
            )
    done = Done(warnings=checked.warnings)
    for list_scope, actions in chosen.items():
        current = lists[list_scope]
        decision = decide_list(checked, current, now, actions)
        store_list(checked.folder, current, decision, f"registrations {action}")
        done.lines += summary(programme, list_scope, decision)
    return done


def advance(folder: Path, today: dt.date | None, outbox: Outbox | None = None) -> Done:
    """Move every list on to now: the offers whose e-mail reached their people (or may have:
    the programme's record of deliveries, and `outbox` for what it has not taken in) start
    their clock, offers past their time expire and pass to the next in line, places freed (a
    capacity raised, a meeting's invitees changed) are filled. `cohort invite` runs this
    first. Does nothing without a list."""
    if not any(record.path_of(folder, None).parent.glob("*.y*ml")):
        return Done()
    checked = load_checked(folder, today)
    programme = checked.programme
    now = moment(programme, today)
    delivered = deliveries.received_times(checked.folder, outbox) if outbox is not None else {}
    done = Done(warnings=checked.warnings)
    for scope, current in lists_of(checked.folder).items():
        told = _told(programme, scope, current, delivered)
        decision = decide_list(checked, current, now, told=told)
        if decision.registrations != current.registrations:
            store_list(checked.folder, current, decision, "registrations")
        if decision.transitions:
            done.lines += summary(programme, scope, decision)
    return done


def replied(checked: Checked, declined: Mapping[str, set[str]], now: dt.datetime) -> Done:
    """Someone declined a meeting in a calendar reply (`declined`: meeting id -> participant
    ids): a confirmed registration of theirs for that meeting is declined, and every list of
    those meetings moves on, so the places they free go to the next in line."""
    done = Done()
    for scope, current in lists_of(checked.folder).items():
        if scope is None or scope not in declined:
            continue
        actions: dict[str, Action] = {
            pid: "decline"
            for pid in declined[scope]
            if pid in current.registrations
            and current.registrations[pid].status in ("confirmed", "offered")
        }
        decision = decide_list(checked, current, now, actions)
        if decision.transitions:
            store_list(checked.folder, current, decision, "replies import")
            done.lines += summary(checked.programme, scope, decision)
    return done


def _told(
    programme: Programme,
    scope: str | None,
    current: Registrations,
    delivered: Mapping[str, dt.datetime],
) -> dict[str, dt.datetime]:
    """When the offers of a list reached their people: person -> the delivery of the offer's
    e-mail (offers whose clock runs already, or whose e-mail is not delivered, are left out)."""
    token = record.token(current)
    told = {}
    for pid, entry in current.registrations.items():
        if entry.status == "offered" and entry.expires is None:
            name = record.mail_name(scope or programme.id, pid, entry, token)
            if name in delivered:
                told[pid] = delivered[name]
    return told


# -- how the lists stand ---------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One list as it stands now: what it is for, its places, its registrations in order, the
    waiting list with positions, entries passed over and why."""

    scope: str | None
    title: str
    places: int | None
    free: int | None
    over: int
    registrations: dict[str, Entry]
    waiting: tuple[Waiting, ...]
    skipped: dict[str, str]


@dataclass
class Lists(Done):
    """Every list of a programme (or the one asked for), after moving them on to now."""

    lists: list[Standing] = field(default_factory=list)
    at: dt.datetime | None = None
    #: the programme's time zone, in which times are shown
    zone: dt.tzinfo = dt.UTC


def standing(folder: Path, meeting: str | None, today: dt.date | None) -> Lists:
    """`cohort registrations status`: how every list would stand now (offers past their time
    passed on), without keeping anything: looking changes nothing; `cohort invite` (or any
    command that acts) moves the lists on."""
    checked = load_checked(folder, today)
    programme = checked.programme
    scope = scope_of(programme, meeting)
    now = moment(programme, today)
    result = Lists(warnings=checked.warnings, at=now, zone=programme.zone)
    for list_scope, current in lists_of(checked.folder).items():
        if meeting is not None and list_scope != scope:
            continue
        decision = decide_list(checked, current, now)
        if decision.transitions:
            moved: dict[str, int] = {}
            for change in decision.transitions:
                moved[change.after] = moved.get(change.after, 0) + 1
            at = now.astimezone(programme.zone)
            result.lines.append(
                f"{scope_title(programme, list_scope)}: as of {at:%Y-%m-%d %H:%M}, "
                + ", ".join(f"{n} {status}" for status, n in moved.items())
                + " (shown below, not kept: 'cohort invite' moves the list on and writes "
                "their e-mails)"
            )
        if decision.closed:
            result.lines.append(
                f"closed: {why_closed(programme, list_scope)}; the list stands as it was"
            )
        listed = set(current.registrations)
        free = places(programme, list_scope, listed, now.date(), _declined(checked.folder))
        result.lists.append(
            Standing(
                scope=list_scope,
                title=scope_title(programme, list_scope),
                places=free,
                free=decision.free,
                over=decision.over,
                registrations=decision.registrations,
                waiting=tuple(waiting_list(decision.registrations)),
                skipped=decision.skipped,
            )
        )
    result.lists.sort(key=lambda s: (s.scope is not None, s.scope or ""))
    return result
