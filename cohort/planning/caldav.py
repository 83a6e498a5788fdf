"""Decide what a CalDAV calendar needs: which events to create, update, cancel or delete.

A pure function over two lists, so a table of cases tests it: the events the calendar should
hold (from the publication entries, with a fingerprint of each VEVENT) and what cohort knows it
wrote there before (published-caldav.json). What the server says is the delivery's business;
this decides from the record alone, so an unchanged calendar costs no request at all.
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
    """What cohort last wrote of an event: its fingerprint (None when no write was confirmed)
    and whether it was cancelled."""

    fingerprint: str | None
    cancelled: bool = False


@dataclass(frozen=True)
class Step:
    """One change to make."""

    change: Change
    uid: str
    meeting: str
    title: str


@dataclass
class Plan:
    """The changes a calendar needs, in the programme's order (deletions last), and how many
    events are already as they should be."""

    steps: list[Step] = field(default_factory=list)
    unchanged: int = 0

    def count(self, change: Change) -> int:
        return sum(step.change is change for step in self.steps)


def plan(wanted: list[Wanted], known: Mapping[str, Known]) -> Plan:
    """The steps that bring a calendar from `known` (by UID) to `wanted`.

    - not known (or never confirmed): create it, cancelled or not;
    - known with the same fingerprint: nothing;
    - known, now cancelled and not before: cancel (STATUS:CANCELLED, a higher SEQUENCE);
    - known and different: update;
    - removed from the YAML, or known but no longer wanted (someone no longer invited): delete,
      only if known: cohort deletes only events it wrote itself.
    """
    result = Plan()
    deletions: list[Step] = []
    seen: set[str] = set()
    for event in wanted:
        seen.add(event.uid)
        before = known.get(event.uid)
        if event.removed:
            if before is not None:
                deletions.append(Step(Change.delete, event.uid, event.meeting, event.title))
            continue
        if before is None or before.fingerprint is None:
            change = Change.create
        elif before.fingerprint == event.fingerprint:
            result.unchanged += 1
            continue
        elif event.cancelled and not before.cancelled:
            change = Change.cancel
        else:
            change = Change.update
        result.steps.append(Step(change, event.uid, event.meeting, event.title))
    for uid in sorted(set(known) - seen):
        deletions.append(Step(Change.delete, uid, "", ""))
    result.steps.extend(deletions)
    return result
