"""Who is confirmed, who waits, who is offered a freed place: the decision behind every
`cohort registrations` command, as a pure function a table of cases can test.

The waiting list is fair and plain: registrations are served in the order they were made
(`registered`, ties in the order of the export). An order of several people (one row for two
places, or rows sharing an order code) is one entry of the list: its people are confirmed, or
offered a place, together, or not at all; when it needs more places than are free it is
skipped, with the reason said, and the next entry that fits is served (so one large order does
not block a single place). Someone who registers while places are free is confirmed at once;
someone who waited is *offered* the freed place, held for `offer_hours` from the moment the
offer reached them (`cohort send` delivered its e-mail: before that nobody could know of it, so
its clock does not run), and never past the start of the meeting: they accept (and are
confirmed), decline, or let it expire, and then the place moves on to the next in line.
Confirmed people keep their place when the capacity shrinks; the excess is reported. Once the
meeting has started its list stands still: nothing more is decided, or told, about it.

Every change of status is a `Transition` and is told by exactly one e-mail (its kind is
`registration-<status>`), except a registration that arrives already cancelled: it was never
told anything, so there is nothing to undo. `Entry.step` counts the transitions, so the e-mail
of each is named once and never written twice. A new registration (`new`: this import's, or
someone registering again after a cancellation) joins the end of the queue.

Issue 18 (calendar replies) and `cohort registrations decline` free a place the same way:
`decide(..., actions={person: "decline"})`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Literal

from ..records.registrations import Entry, Status

Action = Literal["cancel", "accept", "decline"]
ACTIONS: tuple[Action, ...] = ("cancel", "accept", "decline")

#: statuses that hold a place
HOLDING: frozenset[str] = frozenset({"confirmed", "offered"})


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
    entries passed over and why, the places still free (None: no limit), how many places
    are held beyond the capacity, and whether the list is closed (its meeting began)."""

    registrations: dict[str, Entry]
    transitions: list[Transition] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    free: int | None = None
    over: int = 0
    closed: bool = False


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
    """The registrations being decided, the new ones among them, and each transition as it
    is made."""

    def __init__(self, registrations: Mapping[str, Entry], now: dt.datetime, new: Set[str]) -> None:
        self.current = dict(registrations)
        self.now = now
        self.new = set(new) & self.current.keys()
        self.transitions: list[Transition] = []

    def is_new(self, pid: str) -> bool:
        """A registration no decision has been made about yet (it came with this import)."""
        return pid in self.new

    def move(self, pid: str, status: Status, **changes: object) -> None:
        entry = self.current[pid]
        told = not self.is_new(pid) or status != "cancelled"
        before = "new" if self.is_new(pid) else entry.status
        self.new.discard(pid)
        update: dict[str, object] = {
            "status": status,
            "since": self.now,
            "step": entry.step + (1 if told else 0),
            "position": None,
            "expires": None,
            "passed_on": False,
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
    *,
    new: Set[str] = frozenset(),
    closes: dt.datetime | None = None,
    told: Mapping[str, dt.datetime] | None = None,
) -> Decision:
    """Move the list on to `now`: apply `actions` (a cancellation, an offer accepted or
    declined, a confirmed person declining), start the clock of offers whose e-mail was
    delivered (`told`: person -> when), let offers past their time expire, then fill the free
    places (`places`: how many this list may fill, None for no limit) in order: `new`
    registrations are confirmed or put on the waiting list, those who waited are offered a
    place. An offer holds for `offer_hours` from its delivery, and never past `closes` (the
    start of the meeting); from `closes` on, nothing changes (the decision is `closed`).

    `registrations` is in the order of the list (see `records.registrations`); the result
    keeps that order. Actions that do not apply to someone's status change nothing (the
    commands say so before they decide)."""
    if closes is not None and now >= closes:
        return Decision(dict(registrations), closed=True, free=_free(registrations, places))
    moves = _Moves(registrations, now, new)
    for pid, action in (actions or {}).items():
        _act(moves, pid, action)
    _start_clocks(moves, told or {}, offer_hours, closes)
    freed = _expire(moves)
    free = _free(moves.current, places)
    decision = Decision(moves.current, over=max(-free, 0) if free is not None else 0)
    decision.free = _fill(moves, free, decision.skipped)
    if free is not None and decision.free is not None:
        # the places freed now went on when more were taken than were free before
        before = free - sum(moves.current[pid].places for pid in freed)
        if free - decision.free > max(before, 0):
            for pid in freed:
                moves.current[pid] = moves.current[pid].model_copy(update={"passed_on": True})
    for waiting in waiting_list(moves.current):
        for pid in waiting.people:
            if moves.is_new(pid):
                moves.move(pid, "waiting", position=waiting.position)
    decision.registrations = moves.current
    decision.transitions = moves.transitions
    return decision


def _start_clocks(
    moves: _Moves, told: Mapping[str, dt.datetime], hours: int, closes: dt.datetime | None
) -> None:
    """Offers whose e-mail was delivered (`told`) hold from then for `hours`, never past
    `closes`."""
    for pid, when in told.items():
        entry = moves.current.get(pid)
        if entry is not None and entry.status == "offered" and entry.expires is None:
            expires = when + dt.timedelta(hours=hours)
            if closes is not None:
                expires = min(expires, closes)
            moves.current[pid] = entry.model_copy(update={"expires": expires})


def _expire(moves: _Moves) -> list[str]:
    """Let the offers past their time expire; returns whose places are freed now (theirs,
    and those declined by this decision's actions)."""
    freed = [t.person for t in moves.transitions if t.after == "declined"]
    for pid, entry in list(moves.current.items()):
        if entry.status == "offered" and entry.expires is not None and entry.expires <= moves.now:
            moves.move(pid, "expired", expires=entry.expires)
            freed.append(pid)
    return freed


def _free(registrations: Mapping[str, Entry], places: int | None) -> int | None:
    """The places not held by anyone (None: no limit; below zero: held beyond them)."""
    if places is None:
        return None
    return places - sum(e.places for e in registrations.values() if e.status in HOLDING)


def _fill(moves: _Moves, free: int | None, skipped: dict[str, str]) -> int | None:
    """Serve the waiting list in order while places are free: a new registration is
    confirmed, someone who waited is offered the place (its clock starts when the offer is
    delivered); an order that needs more places than are free is skipped (with the reason).
    Returns the places still free."""
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
            if moves.is_new(pid):
                moves.move(pid, "confirmed", confirmed=entry.confirmed or moves.now)
            else:
                moves.move(pid, "offered")
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
    """Why an action does not apply to a registration in its status, said of the
    registration ('is already cancelled'); None: it does."""
    status = entry.status
    if action == "cancel" and status in ("declined", "expired", "cancelled"):
        return f"is already {status}"
    if action == "accept" and status != "offered":
        return f"has no place on offer (the registration is {status})"
    if action == "decline" and status not in ("offered", "confirmed"):
        return f"has no place to decline (the registration is {status})"
    return None
