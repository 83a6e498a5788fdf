"""Who is confirmed, who waits, who is offered a freed place: the decision behind every
`cohort registrations` command, as a pure function a table of cases can test.

The waiting list is fair and plain: registrations are served in the order they were made
(`registered`, ties in the order of the export). An order of several people (one row for two
places, or rows sharing an order code) is one entry of the list: its people are confirmed, or
offered a place, together, or not at all; when it needs more places than are free it is
skipped, with the reason said, and the next entry that fits is served (so one large order does
not block a single place). Someone who registers while places are free is confirmed at once;
someone who waited is *offered* the freed place, held for `offer_hours`: they accept (and are
confirmed), decline, or let it expire, and then the place moves on to the next in line.
Confirmed people keep their place when the capacity shrinks; the excess is reported.

Every change of status is a `Transition` and is told by exactly one e-mail (its kind is
`registration-<status>`), except a registration that arrives already cancelled: it was never
told anything, so there is nothing to undo. `Entry.step` counts the transitions, so the e-mail
of each is named once and never written twice.

Issue 18 (calendar replies) and `cohort registrations decline` free a place the same way:
`decide(..., actions={person: "decline"})`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..records.registrations import Entry, Status

Action = Literal["cancel", "accept", "decline"]
ACTIONS: tuple[Action, ...] = ("cancel", "accept", "decline")

#: statuses that hold a place
HOLDING: frozenset[str] = frozenset({"confirmed", "offered"})


def is_new(entry: Entry) -> bool:
    """A registration no decision has been made about yet (it came with this import)."""
    return entry.step == 0 and entry.status == "waiting"


def group_of(pid: str, entry: Entry) -> str:
    """The entry of the waiting list a registration belongs to: its order, else itself."""
    return f"order {entry.order}" if entry.order else pid


@dataclass(frozen=True)
class Transition:
    """One change of a registration's status, and the e-mail that tells it (None: none)."""

    person: str
    before: str  # the status before, or 'new'
    after: Status
    mail: str | None


@dataclass(frozen=True)
class Waiting:
    """An entry of the waiting list: its people, the places it needs, its position."""

    group: str
    people: tuple[str, ...]
    places: int
    position: int


@dataclass
class Decision:
    """The registrations after the decision (in the order of the list), what changed, the
    entries passed over and why, the places still free (None: no limit) and how many places
    are held beyond the capacity."""

    registrations: dict[str, Entry]
    transitions: list[Transition] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    free: int | None = None
    over: int = 0


def waiting_list(registrations: Mapping[str, Entry]) -> list[Waiting]:
    """The waiting list as it stands: entries (orders) in the order they registered."""
    groups: dict[str, list[str]] = {}
    for pid, entry in registrations.items():
        if entry.status == "waiting":
            groups.setdefault(group_of(pid, entry), []).append(pid)
    return [
        Waiting(group, tuple(people), sum(registrations[p].places for p in people), position)
        for position, (group, people) in enumerate(groups.items(), start=1)
    ]


class _Moves:
    """The registrations being decided, and each transition as it is made."""

    def __init__(self, registrations: Mapping[str, Entry], now: dt.datetime) -> None:
        self.current = dict(registrations)
        self.now = now
        self.transitions: list[Transition] = []

    def move(self, pid: str, status: Status, **changes: object) -> None:
        entry = self.current[pid]
        told = entry.step > 0 or status != "cancelled"
        before = "new" if is_new(entry) else entry.status
        update: dict[str, object] = {
            "status": status,
            "since": self.now,
            "step": entry.step + (1 if told else 0),
            "position": None,
            "expires": None,
            **changes,
        }
        self.current[pid] = entry.model_copy(update=update)
        mail = f"registration-{status}" if told else None
        self.transitions.append(Transition(pid, before, status, mail))


def decide(
    registrations: Mapping[str, Entry],
    places: int | None,
    now: dt.datetime,
    offer_hours: int,
    actions: Mapping[str, Action] | None = None,
) -> Decision:
    """Move the list on to `now`: apply `actions` (a cancellation, an offer accepted or
    declined, a confirmed person declining), let offers past their time expire, then fill the
    free places (`places`: how many this list may fill, None for no limit) in order.

    `registrations` is in the order of the list (see `records.registrations`); the result
    keeps that order. Actions that do not apply to someone's status change nothing (the
    commands say so before they decide)."""
    moves = _Moves(registrations, now)
    for pid, action in (actions or {}).items():
        _act(moves, pid, action)
    for pid, entry in moves.current.items():
        if entry.status == "offered" and entry.expires is not None and entry.expires <= now:
            moves.move(pid, "expired", expires=entry.expires)
    used = sum(e.places for e in moves.current.values() if e.status in HOLDING)
    free = None if places is None else places - used
    decision = Decision(moves.current, over=max(-free, 0) if free is not None else 0)
    decision.free = _fill(moves, free, offer_hours, decision.skipped)
    for waiting in waiting_list(moves.current):
        for pid in waiting.people:
            if is_new(moves.current[pid]):
                moves.move(pid, "waiting", position=waiting.position)
    decision.registrations = moves.current
    decision.transitions = moves.transitions
    return decision


def _fill(moves: _Moves, free: int | None, offer_hours: int, skipped: dict[str, str]) -> int | None:
    """Serve the waiting list in order while places are free: a new registration is
    confirmed, someone who waited is offered the place; an order that needs more places than
    are free is skipped (with the reason). Returns the places still free."""
    for waiting in waiting_list(moves.current):
        if free is not None and waiting.places > free:
            if free > 0:
                skipped[waiting.group] = (
                    f"an order of {waiting.places} places, {free} free: it waits until "
                    f"{waiting.places} are free"
                )
            continue
        for pid in waiting.people:
            entry = moves.current[pid]
            if is_new(entry):
                moves.move(pid, "confirmed", confirmed=entry.confirmed or moves.now)
            else:
                expires = moves.now + dt.timedelta(hours=offer_hours)
                moves.move(pid, "offered", expires=expires)
        if free is not None:
            free -= waiting.places
    return free


def _act(moves: _Moves, pid: str, action: Action) -> None:
    """Apply one action to a registration (and, for an offer, to its whole order)."""
    entry = moves.current.get(pid)
    if entry is None:
        return
    if action == "cancel":
        if entry.status in ("waiting", "offered", "confirmed"):
            moves.move(pid, "cancelled")
        return
    together = [
        other
        for other, e in moves.current.items()
        if group_of(other, e) == group_of(pid, entry) and e.status == "offered"
    ]
    if action == "accept" and entry.status == "offered":
        for other in together:
            confirmed = moves.current[other].confirmed or moves.now
            moves.move(other, "confirmed", confirmed=confirmed)
    elif action == "decline" and entry.status == "offered":
        for other in together:
            moves.move(other, "declined")
    elif action == "decline" and entry.status == "confirmed":
        moves.move(pid, "declined")


def describe(action: Action, entry: Entry) -> str | None:
    """Why an action does not apply to a registration in its status (None: it does)."""
    status = entry.status
    if action == "cancel" and status in ("declined", "expired", "cancelled"):
        return f"is already {status}"
    if action == "accept" and status != "offered":
        return f"has no place on offer (they are {status})"
    if action == "decline" and status not in ("offered", "confirmed"):
        return f"has no place to decline (they are {status})"
    return None
