"""What a run of `cohort publish` did (or, in a dry run, would do): per calendar a Tally, for
the run an Outcome, and the words for them on standard output and standard error. They count
what happened, not what was planned: an event found on the server as cohort wants it is
unchanged, not created; one held back by someone else's change is counted as such.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..planning.caldav import Change, Drift, Step
from .caldav import Server

DONE = {
    Change.create: "created",
    Change.update: "updated",
    Change.cancel: "cancelled",
    Change.delete: "deleted",
    Change.restore: "restored",
}


@dataclass(frozen=True)
class Policy:
    """What the facilitator asked for beyond the changes in the YAML: `check` what the server
    holds (one listing per calendar), `repair` what was deleted there, `force` over what was
    changed there."""

    check: bool = False
    repair: bool = False
    force: bool = False

    @classmethod
    def of(cls, check: bool, repair: bool, force: bool) -> Policy:
        """--force implies --repair, which implies --check."""
        return cls(check or repair or force, repair or force, force)


@dataclass
class Tally:
    """What happened (or would happen) in one calendar: the changes made, the events already
    as they should be, a line per change (for the programme's calendar) and notes, and the
    events held back by someone else's change (`conflicts`) or refused (`failed`)."""

    title: str
    person: str | None
    changes: Counter[Change] = field(default_factory=Counter)
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: the calendar was deleted on the server: the number of events it should hold
    gone: int | None = None

    def count(self, done: Change | None, step: Step) -> None:
        """A step made: the change it took (None: the server held it as wanted already)."""
        if done is None:
            self.unchanged += 1
            return
        self.changes[done] += 1
        if self.person is None:
            self.lines.append(f"{DONE[done]} {label(step)}")

    @property
    def busy(self) -> bool:
        """Something was (or would be) changed, held back or refused here."""
        return bool(sum(self.changes.values()) or self.conflicts or self.failed)

    def summary(self, dry_run: bool) -> str:
        if self.gone is not None:
            return (
                f"'{self.title}': deleted on the server; {self.gone} event(s) not published into it"
            )
        order = (Change.create, Change.update, Change.cancel, Change.delete)
        extra = [Change.restore] if self.changes[Change.restore] else []
        if dry_run:
            parts = [f"{self.changes[c]} to {c.value}" for c in (*order, *extra)]
        else:
            parts = [f"{self.changes[c]} {DONE[c]}" for c in (*order, *extra)]
        parts.append(f"{self.unchanged} unchanged")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} changed on the server (left as they are)")
        if self.failed:
            parts.append(f"{len(self.failed)} not published")
        return f"'{self.title}': {', '.join(parts)}"


def label(step: Step) -> str:
    """How a change names its meeting: id and title (or the UID of one cohort no longer knows)."""
    return f"'{step.meeting}' ({step.title})" if step.meeting else f"event {step.uid}"


#: why a change was not made: someone deleted or changed the event on the server
DELETED = "was deleted from the calendar on the server; not created again (--repair creates it)"
CHANGED = "was changed in the calendar since cohort published it; not {} (--force {} it)"


def gone(tally: Tally, wanted: int) -> None:
    """The calendar was deleted on the server: nothing goes into it, `wanted` events left out."""
    tally.gone = wanted
    tally.unchanged = 0
    tally.changes = Counter()
    tally.lines = []
    tally.conflicts.append(
        f"the calendar '{tally.title}' was deleted on the server; nothing was published into it "
        "(--repair makes it again, with every event)"
    )


def held_back(step: Step) -> str:
    """Why a change was not made: someone deleted or changed the event on the server."""
    if step.drift is Drift.deleted:
        return DELETED
    if step.change is Change.delete:
        return CHANGED.format("deleted", "deletes")
    return CHANGED.format("overwritten", "overwrites")


@dataclass
class Outcome:
    """What a run of `cohort publish` did or would do, calendar by calendar."""

    server: Server
    dry_run: bool
    policy: Policy = field(default_factory=Policy)
    tallies: list[Tally] = field(default_factory=list)
    stopped: str = ""
    left: int = 0
    #: personal calendars published before with --people, not looked at now
    people_left: int = 0
    notices: list[str] = field(default_factory=list)  # about the feed secret's file
    #: the server was asked something (a calendar found, events looked up)
    asked: bool = False

    @property
    def ok(self) -> bool:
        """Nothing in conflict, failed or stopped: the run's exit code is 0."""
        return not (self.stopped or any(t.conflicts or t.failed for t in self.tallies))

    def lines(self) -> list[str]:
        """For standard output: each change to the programme's calendar and each note, then a
        line per calendar that changes, then the last word."""
        out = [line for t in self.tallies for line in t.lines]
        busy = [t for t in self.tallies if t.busy]
        for tally in self.tallies:
            if tally.person is None or tally.busy:
                out.append(tally.summary(self.dry_run))
        if self.people_left and busy:
            out.append(
                f"not looked at: the personal calendars of {self.people_left} participant(s), "
                "published with --people before; add --people to bring them up to date too"
            )
        if self.dry_run:
            changes = sum(sum(t.changes.values()) for t in busy)
            done = "nothing was changed" if self.policy.check else "nothing was sent"
            if self.policy.check and not busy and self.ok:
                done += " (the server holds every event as cohort wrote it)"
            out.append(
                f"dry run: {changes} change(s) in {len(busy)} calendar(s); {done}. Add --confirm "
                f"to publish to {self.server.url}"
            )
        elif not busy and self.ok:
            looked = (
                " (the server holds every event as cohort wrote it)"
                if self.policy.check
                else ""
                if self.asked
                else " (cohort did not ask the server; --check compares with what it holds)"
            )
            out.append(f"up to date: nothing to publish to {self.server.url}{looked}")
        return out + self.notices

    def problems(self) -> list[str]:
        """For standard error: conflicts, refusals, and why the run stopped."""
        out = [f"changed on the server: {text}" for t in self.tallies for text in t.conflicts]
        out += [f"not published: {text}" for t in self.tallies for text in t.failed]
        if self.stopped:
            out.append(
                f"stopped: {self.stopped}; {self.left} change(s) not made yet. Nothing is lost: "
                "run the same command again to finish"
            )
        return out
