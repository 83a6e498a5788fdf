"""Bringing one CalDAV calendar in step with the programme: find it (or make it), then make
each planned change with a precondition, recording every confirmed write at once.

A 412 means the event is not as cohort left it. cohort then looks the event up by UID and
compares what the server holds with what it wrote (fingerprints of the VEVENT): its own data
(an earlier run that stopped after the server stored it, a server that re-tagged it) is simply
taken up; anyone else's change is a conflict, reported as "changed on the server" and left
alone unless `--force`. Only events whose UIDs the record holds are ever deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import CohortError
from ..planning.caldav import Change, Known, Step, Wanted, plan
from ..records.caldav import Stored, Synced, SyncState
from .caldav import NEW, Connection, Found, Lost, Mismatch, Refused, Taken, resource

DONE = {
    Change.create: "created",
    Change.update: "updated",
    Change.cancel: "cancelled",
    Change.delete: "deleted",
}


@dataclass
class Target:
    """A calendar to publish into: how the command line names it (`name`: --calendar, or '' for
    the --caldav URL itself; `person` for a personal calendar), the display name and id it gets
    when cohort makes it, and the events it should hold with their calendar objects."""

    name: str
    title: str
    calendar_id: str
    person: str | None
    wanted: list[Wanted] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Tally:
    """What happened (or would happen) in one calendar: the changes, a line per change (for the
    programme's calendar), and the events in conflict or refused."""

    title: str
    person: str | None
    changes: Counter[Change] = field(default_factory=Counter)
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self, dry_run: bool) -> str:
        order = (Change.create, Change.update, Change.cancel, Change.delete)
        if dry_run:
            parts = [f"{self.changes[c]} to {c.value}" for c in order]
        else:
            parts = [f"{self.changes[c]} {DONE[c]}" for c in order]
        return f"'{self.title}': {', '.join(parts)}, {self.unchanged} unchanged"


def label(step: Step) -> str:
    """How a change names its meeting: id and title (or the UID of one cohort no longer knows)."""
    return f"'{step.meeting}' ({step.title})" if step.meeting else f"event {step.uid}"


def known(synced: Synced | None) -> dict[str, Known]:
    """What the record says of each event in a calendar, for the plan."""
    if synced is None:
        return {}
    return {u: Known(s.fingerprint, s.cancelled) for u, s in synced.events.items()}


class _Conflict(Exception):
    """The event is not as cohort left it; the message says what and how to go on."""


class CalendarSync:
    """Publishing into one calendar: find it, then make each step, recording as it goes."""

    def __init__(
        self,
        connection: Connection,
        sync: SyncState,
        target: Target,
        fragment: str,
        force: bool,
    ) -> None:
        self.connection = connection
        self.server = connection.server
        self.sync = sync
        self.target = target
        self.fragment = fragment
        self.force = force
        self.wanted = {w.uid: w for w in target.wanted}
        self.synced: Synced
        self.fresh = False
        self.left = 0

    def find(self) -> Synced | None:
        """The calendar's record: the one cohort wrote into before if it is still a calendar,
        else the one the command line names (the URL itself, or by display name), made when
        missing. None when it is gone and nothing is to be put in it (only deletions, which
        went with it): its record is dropped."""
        t = self.target
        synced = self.sync.find(self.server.url, t.name, t.person)
        if synced is not None and self.connection.is_calendar(synced.url):
            return synced
        if all(w.removed for w in t.wanted):
            if synced is not None:
                self.sync.calendars.remove(synced)
                self.sync.save()
            return None
        url: str | None = None
        if not t.name and self.connection.is_calendar(self.server.url):
            url = self.server.url
        else:
            url = self._named()
        if url is None:
            url = self.connection.make_calendar(t.title, t.calendar_id)
            self.fresh = True
        return self.sync.at(self.server.url, t.name, t.person, url)

    def _named(self) -> str | None:
        t = self.target
        calendars = self.connection.calendars()
        if t.person is not None:
            mine = [u for u, _ in calendars if u.rstrip("/").endswith("/" + t.calendar_id)]
            if mine:
                return mine[0]
        named = [u for u, name in calendars if name == t.title]
        if len(named) > 1:
            raise CohortError(
                f"{self.server.host} has {len(named)} calendars called '{t.title}' "
                f"({', '.join(named)}); give the address of one with --caldav"
            )
        return named[0] if named else None

    def run(self, tally: Tally, advance: Callable[[], None]) -> None:
        """Make the calendar's steps (planned again from its record, now that it is found),
        counting each change made in `tally`; a conflict or refusal is noted and the rest go
        on; Lost (the connection failed) stops the run."""
        synced = self.find()
        tally.changes = Counter()
        if synced is None:
            return
        self.synced = synced
        planned = plan(self.target.wanted, known(self.synced))
        steps = planned.steps
        tally.unchanged = planned.unchanged
        found = self.prepare(steps)
        for index, step in enumerate(steps):
            try:
                if step.change is Change.create:
                    self.create(step, found.get(step.uid))
                elif step.change is Change.delete:
                    self.delete(step)
                else:
                    self.update(step)
            except _Conflict as conflict:
                tally.conflicts.append(f"{label(step)} in '{self.target.title}' {conflict}")
            except Refused as refusal:
                tally.failed.append(f"{label(step)} in '{self.target.title}': {refusal}")
            except Lost:
                self.left = len(steps) - index
                raise
            else:
                tally.changes[step.change] += 1
                if self.target.person is None:
                    tally.lines.append(f"{DONE[step.change]} {label(step)}")
            advance()

    def prepare(self, steps: list[Step]) -> dict[str, Found]:
        """Mark every write as under way in the record (one durable write), then find the
        events to create that the server may hold already (none in a calendar just made)."""
        for step in steps:
            if step.change is not Change.delete:
                stored = self.synced.events.setdefault(
                    step.uid, Stored(resource(self.synced.url, step.uid), None, None)
                )
                if self.wanted[step.uid].fingerprint not in stored.sending:
                    stored.sending.append(self.wanted[step.uid].fingerprint)
        self.sync.save()
        creating = {s.uid for s in steps if s.change is Change.create}
        return {} if self.fresh or not creating else self.lookup(creating)

    # -- the steps ----------------------------------------------------------------------------

    def lookup(self, uids: set[str]) -> dict[str, Found]:
        """Where the server holds these UIDs: one calendar-query for all that share the
        programme's part, one for each other (an older calendar domain)."""
        shared = {u for u in uids if self.fragment in u}
        found = self.connection.lookup(self.synced.url, self.fragment, shared) if shared else {}
        for other in sorted(uids - shared):
            found.update(self.connection.lookup(self.synced.url, other, {other}))
        return found

    def current(self, uid: str, href: str) -> Found | None:
        """What the server holds of an event now: at `href`, where cohort put it (a GET), else
        wherever its UID is (a calendar-query); None when it is nowhere."""
        return self.connection.fetch(href, uid) or self.lookup({uid}).get(uid)

    def create(self, step: Step, found: Found | None) -> None:
        """A new event; if the server already holds its UID (an earlier run that stopped,
        another client that stored it under a name of its own), that resource is updated."""
        if found is None:
            href = resource(self.synced.url, step.uid)
            try:
                etag = self.connection.put(href, self.target.bodies[step.uid], NEW)
            except (Mismatch, Taken):
                found = self.current(step.uid, href)
                if found is None:
                    raise _Conflict(
                        "could not be stored: the server says it is there, but does not find "
                        "it by its UID"
                    ) from None
            else:
                self.record(step, href, etag)
                return
        self.onto(step, found, taken_up=True)

    def update(self, step: Step) -> None:
        """Rewrite a known event with If-Match on its recorded ETag; on a 412, look at what the
        server holds (see onto)."""
        stored = self.synced.events[step.uid]
        if stored.etag is not None:
            try:
                etag = self.connection.put(stored.href, self.target.bodies[step.uid], stored.etag)
            except Mismatch:
                pass
            else:
                self.record(step, stored.href, etag)
                return
        found = self.current(step.uid, stored.href)
        if found is not None:
            self.onto(step, found, taken_up=False)
            return
        if not self.force:
            raise _Conflict(
                "was deleted from the calendar on the server; not created again "
                "(--force creates it again)"
            )
        self.create(step, None)

    def onto(self, step: Step, found: Found, taken_up: bool) -> None:
        """Write the event onto the resource that holds its UID: nothing to write if it
        already holds it; overwritten if it holds cohort's earlier data (or cohort never
        wrote there: `taken_up`), else a conflict unless --force."""
        want = self.wanted[step.uid].fingerprint
        if found.fingerprint == want:
            self.record(step, found.href, found.etag)
            return
        stored = self.synced.events.get(step.uid)
        ours = stored.ours() if stored else set()
        if not (taken_up or found.fingerprint in ours or self.force):
            raise _Conflict(
                "was changed in the calendar since cohort published it; not overwritten "
                "(--force overwrites it)"
            )
        try:
            etag = self.connection.put(found.href, self.target.bodies[step.uid], found.etag)
        except (Mismatch, Taken):
            raise _Conflict(
                "is being changed on the server right now; not overwritten (run again)"
            ) from None
        self.record(step, found.href, etag)

    def delete(self, step: Step) -> None:
        """Delete an event cohort wrote, with If-Match; one changed by someone else since is
        left alone unless --force."""
        stored = self.synced.events[step.uid]
        if stored.etag is not None:
            try:
                self.connection.delete(stored.href, stored.etag)
            except Mismatch:
                pass
            else:
                self.forget(step)
                return
        found = self.current(step.uid, stored.href)
        if found is not None:
            if not (found.fingerprint in stored.ours() or self.force):
                raise _Conflict(
                    "was changed in the calendar since cohort published it; not deleted "
                    "(--force deletes it)"
                )
            if found.etag is None:
                raise Refused("the server gives no ETag to delete it safely")
            try:
                self.connection.delete(found.href, found.etag)
            except Mismatch:
                raise _Conflict(
                    "is being changed on the server right now; not deleted (run again)"
                ) from None
        self.forget(step)

    # -- the record ---------------------------------------------------------------------------

    def record(self, step: Step, href: str, etag: str | None) -> None:
        wanted = self.wanted[step.uid]
        self.synced.events[step.uid] = Stored(href, etag, wanted.fingerprint, wanted.cancelled)
        self.sync.save()

    def forget(self, step: Step) -> None:
        self.synced.events.pop(step.uid, None)
        self.sync.save()
