"""Decide what a CalDAV calendar needs: which events to create, update, cancel, delete or
restore, and which ones someone else changed.

A pure function over what cohort knows, so a table of cases tests it: the events the calendar
should hold (from the publication entries, with a fingerprint of each VEVENT), what cohort
knows it wrote there before (published-caldav.json), and, when it looked this run, what the
server holds of some UIDs. Without a look at the server it decides from the record alone, so
an unchanged calendar costs no request at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Change(StrEnum):
    """What one event needs in the calendar."""

    create = "create"
    update = "update"
    cancel = "cancel"
    delete = "delete"
    restore = "restore"


class Drift(StrEnum):
    """How someone else changed an event cohort wrote: deleted it, or changed it."""

    deleted = "deleted"
    changed = "changed"


@dataclass(frozen=True)
class Wanted:
    """An event as it should be in the calendar: its UID, its meeting (id and title, for
    messages), the fingerprint of its VEVENT, and whether the meeting is cancelled, or gone
    from the YAML (then it is deleted from the calendar)."""

    uid: str
    meeting: str
    title: str
    fingerprint: str
    cancelled: bool = False
    removed: bool = False


@dataclass(frozen=True)
class Known:
    """What cohort last wrote of an event: its fingerprint (None when no write was confirmed),
    whether it was cancelled, and every fingerprint it wrote there or may have (`ours`)."""

    fingerprint: str | None
    cancelled: bool = False
    ours: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Seen:
    """What the server holds of a UID, when cohort looked this run: the fingerprint of the
    event it holds."""

    fingerprint: str


@dataclass(frozen=True)
class Step:
    """One change to make, or one that someone else's change stands in the way of (`drift`)."""

    change: Change
    uid: str
    meeting: str
    title: str
    drift: Drift | None = None


@dataclass
class Plan:
    """The changes a calendar needs, in the programme's order (deletions last); the events
    already as they should be (`unchanged`); of those, the ones found on the server that the
    record did not hold (`found`, to record without a request); the ones cohort recorded that
    are gone and no longer wanted (`gone`, to forget without a request); and the changes held
    back because someone else deleted or changed the event (`conflicts`)."""

    steps: list[Step] = field(default_factory=list)
    unchanged: int = 0
    found: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    conflicts: list[Step] = field(default_factory=list)

    def count(self, change: Change) -> int:
        return sum(step.change is change for step in self.steps)


def plan(
    wanted: list[Wanted],
    known: Mapping[str, Known],
    seen: Mapping[str, Seen | None] | None = None,
    *,
    repair: bool = False,
    force: bool = False,
) -> Plan:
    """The steps that bring a calendar from `known` (by UID) to `wanted`.

    `seen`: what cohort found on the server this run, for the UIDs it looked for (None for a
    UID the server does not hold); a UID not in it was not looked for, and the record is
    taken at its word. Then:
    - not known (or never confirmed): create it, cancelled or not; if the server holds it
      already (an earlier run whose record is lost), as wanted: nothing; else update it;
    - known with the same fingerprint and not seen otherwise: nothing;
    - known, now cancelled and not before: cancel (STATUS:CANCELLED, a higher SEQUENCE);
    - known and different: update;
    - known and seen gone from the server: restored with `repair` (or `force`), else a
      conflict (someone deleted it);
    - known and seen holding what cohort never wrote: a conflict (someone changed it), unless
      `force`;
    - removed from the YAML, or known but no longer wanted (someone no longer invited): delete,
      only if cohort wrote it (known) or its UID is cohort's and the server holds it (the
      caller looks only for cohort's UIDs); one seen gone is forgotten without a request.
    """
    planner = _Planner(known, seen or {}, repair, force)
    for event in wanted:
        if event.removed:
            planner.delete(event.uid, event.meeting, event.title)
        else:
            planner.keep(event)
    wanted_uids = {event.uid for event in wanted}
    for uid in sorted((set(known) | set(planner.seen)) - wanted_uids):
        planner.delete(uid, "", "")
    planner.result.steps.extend(planner.deletions)
    return planner.result


@dataclass
class _Planner:
    known: Mapping[str, Known]
    seen: Mapping[str, Seen | None]
    repair: bool
    force: bool
    result: Plan = field(default_factory=Plan)
    deletions: list[Step] = field(default_factory=list)

    def keep(self, event: Wanted) -> None:
        """An event the calendar should hold."""
        before = self.known.get(event.uid)
        if before is not None and before.fingerprint is None:
            before = None  # a write that was never confirmed: as if never written
        step = _change(event, before)
        if event.uid in self.seen:
            there = self.seen[event.uid]
            if there is None:
                if before is not None and not (self.repair or self.force):
                    self.result.conflicts.append(_held(event, Change.restore, Drift.deleted))
                    return
                step = Change.create if before is None else Change.restore
            elif there.fingerprint == event.fingerprint:
                self.result.unchanged += 1
                self.result.found.append(event.uid)
                return
            elif before is not None and there.fingerprint not in before.ours and not self.force:
                self.result.conflicts.append(_held(event, Change.update, Drift.changed))
                return
            elif step in (None, Change.create):
                # cohort's UID, stored as cohort wrote it once, or by someone who imported it
                cancelling = event.cancelled and not (before is not None and before.cancelled)
                step = Change.cancel if cancelling else Change.update
        if step is None:
            self.result.unchanged += 1
            return
        self.result.steps.append(Step(step, event.uid, event.meeting, event.title))

    def delete(self, uid: str, meeting: str, title: str) -> None:
        """An event the calendar should no longer hold."""
        before, there = self.known.get(uid), self.seen.get(uid)
        if there is None:
            if uid in self.seen and before is not None:
                self.result.gone.append(uid)
            elif before is not None:
                self.deletions.append(Step(Change.delete, uid, meeting, title))
            return
        changed = before is not None and there.fingerprint not in before.ours
        if changed and not self.force:
            self.result.conflicts.append(Step(Change.delete, uid, meeting, title, Drift.changed))
            return
        self.deletions.append(Step(Change.delete, uid, meeting, title))


def _change(event: Wanted, before: Known | None) -> Change | None:
    """What the record alone says an event needs (None: nothing)."""
    if before is None:
        return Change.create
    if before.fingerprint == event.fingerprint:
        return None
    if event.cancelled and not before.cancelled:
        return Change.cancel
    return Change.update


def _held(event: Wanted, change: Change, drift: Drift) -> Step:
    return Step(change, event.uid, event.meeting, event.title, drift)
