"""Who gets which message now: the decision behind `cohort invite`, kept apart from rendering.

From the programme, each meeting's publication record (UID, SEQUENCE) and what each person
received (the programme's record of what was delivered, `records.deliveries`: a message that
may have arrived counts as received), `plan` decides per invitee: an invitation the first time (or
again after a cancellation), an update when the meeting changed in time, venue or status since
their last one, a cancellation when it is cancelled, removed, or the person is no longer invited
(RFC 5546 §3.2.5), a reminder on request. Every message carries the meeting's current SEQUENCE,
which is higher than that of anything the person received before (see `publication`).

Nothing is sent about a meeting that is over (its last day is before today): no invitation,
update or reminder, and no cancellation either, since a calendar has no use for news about the
past. It is a pure function over data, so a table of cases tests it.

`moved` finds the people whose address changed since they received what their calendar holds:
their new address has none of it, so `invite` says so, and sends them the current state there
when asked (`--new-address`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..programme.model import Participant, Programme
from ..records.outbox import Name
from ..records.published import today as clock_day
from .publication import Entry


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to write: its name in the outbox, the meeting as published, to whom."""

    name: Name
    entry: Entry
    person: Participant
    #: the SEQUENCE of the last invitation, update or reminder they received (-1: none), so
    #: that an update can say what changed since
    held: int = -1


@dataclass
class Plan:
    """The messages due now, the invitees who cannot get one (no e-mail address), and the
    messages left out because their meeting is over."""

    messages: list[Planned] = field(default_factory=list)
    without_email: list[Participant] = field(default_factory=list)
    over: list[Planned] = field(default_factory=list)


def plan(
    programme: Programme,
    entries: list[Entry],
    delivered: list[Name],
    *,
    meeting: str | None = None,
    reminder_until: dt.date | None = None,
    today: dt.date | None = None,
    answered: Mapping[str, frozenset[str]] | None = None,
) -> Plan:
    """Decide every message to send now, from the programme and what was delivered before.

    `entries` are the meetings as published (see `publication`), `delivered` the names of the
    messages in the outbox's `sent/`; `meeting` limits the plan to one meeting, and
    `reminder_until` asks for reminders of meetings from `today` up to that day; `answered`
    (meeting id -> participant ids whose answer stands) leaves them out of the reminders."""
    received: dict[tuple[str, str], list[Name]] = defaultdict(list)
    #: per meeting, who received something about it
    reached: dict[str, set[str]] = defaultdict(set)
    for name in delivered:
        received[(name.meeting, name.participant)].append(name)
        reached[name.meeting].add(name.participant)
    result = Plan()
    missing: dict[str, Participant] = {}
    day = today or clock_day()
    for entry in entries:
        if meeting is not None and entry.id != meeting:
            continue
        past = entry.last_day < day
        invited = set(entry.record.invitees) if not entry.cancelled else set()
        everyone = set(entry.record.invitees) | reached.get(entry.id, set())
        for pid in sorted(everyone):
            person = programme.participants.get(pid)
            if person is None:
                continue  # gone from the programme: no address left to write to
            if person.email is None:
                if pid in invited and not past:
                    missing[pid] = person
                continue
            reminder = (
                reminder_until is not None
                and entry.meeting is not None
                and day <= entry.meeting.date <= reminder_until
                and pid not in (answered or {}).get(entry.id, frozenset())
            )
            record = entry.record
            history = received.get((entry.id, pid), [])
            kind = _due(history, record.revision, pid in invited, reminder)
            if kind is not None:
                name = Name(entry.id, pid, kind, record.sequence)
                held = max((n.sequence for n in history if n.kind != "cancellation"), default=-1)
                planned = Planned(name, entry, person, held)
                (result.over if past else result.messages).append(planned)
    result.without_email = sorted(missing.values(), key=lambda p: p.id)
    return result


def _due(history: list[Name], revision: int, invited: bool, reminder: bool) -> str | None:
    """The one message someone should get now about a meeting whose last change they must hear
    about is at SEQUENCE `revision`, given what they received (`history`): None when they are
    up to date. Invitations, updates and reminders are all requests (METHOD:REQUEST): the
    last one they had, unless a later cancellation followed, is what their calendar shows."""
    requests = [n.sequence for n in history if n.kind != "cancellation"]
    cancellations = [n.sequence for n in history if n.kind == "cancellation"]
    holds = max(requests, default=-1) > max(cancellations, default=-1)
    if not invited:
        return "cancellation" if holds else None
    if not holds:
        return "invitation"
    if max(requests) < revision:
        return "update"
    reminded = any(n.kind == "reminder" and n.sequence >= revision for n in history)
    if reminder and not reminded:
        return "reminder"
    return None


def moved(
    entries: list[Entry],
    received: Mapping[Name, str],
    addresses: Mapping[str, str],
    today: dt.date,
) -> dict[str, list[str]]:
    """Who received a meeting's invitation (or update) at an address that is no longer theirs,
    while the meeting still stands for them: participant id -> meeting ids.

    `received` gives each message received the digest of the address it went to ("" when not
    known); `addresses` each participant's digest now. Meetings that are over, cancelled or
    that the person is no longer invited to are left out: nothing is sent about those."""
    latest: dict[tuple[str, str], Name] = {}
    for name in received:
        key = (name.meeting, name.participant)
        if key not in latest or (name.sequence, name.kind != "cancellation") > (
            latest[key].sequence,
            latest[key].kind != "cancellation",
        ):
            latest[key] = name
    standing = {
        entry.id: set(entry.record.invitees)
        for entry in entries
        if not entry.cancelled and entry.last_day >= today
    }
    out: dict[str, list[str]] = defaultdict(list)
    for (mid, pid), name in sorted(latest.items()):
        if name.kind == "cancellation" or pid not in standing.get(mid, set()):
            continue
        to, now = received[name], addresses.get(pid)
        if to and now and to != now:
            out[pid].append(mid)
    return dict(out)
