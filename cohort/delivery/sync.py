"""Bringing one CalDAV calendar in step with the programme: find it (or make it), look at what
the server holds where cohort does not know it (or was asked to check), then make each planned
change with a precondition, journalling every confirmed write at once.

A 412 means the event is not as cohort left it. cohort then looks the event up by UID and
compares what the server holds with what it wrote (fingerprints of the VEVENT): its own data
(an earlier run that stopped after the server stored it, a server that re-tagged it) is simply
taken up; anyone else's change is a conflict, reported as "changed on the server" and left
alone unless `--force`. Only events whose UIDs are cohort's are ever deleted. Someone else's
event stored under the name cohort gives one of its own is left alone: cohort's goes beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from ..planning.caldav import Change, Known, Seen, Step, plan
from ..records.caldav import Stored, Synced, SyncState
from .caldav import NEW, Connection, Found, Mismatch, Refused, Taken, resource
from .dav import Lost, place
from .locate import Gone, Located, Target, locate
from .publish_outcome import CHANGED, DELETED, Policy, Tally, gone, held_back, label

#: how many other names cohort tries for an event whose own name someone else's event holds
BESIDE = 5


def known(synced: Synced | None) -> dict[str, Known]:
    """What the record says of each event in a calendar, for the plan."""
    if synced is None:
        return {}
    return {
        u: Known(s.fingerprint, s.cancelled, frozenset(s.ours())) for u, s in synced.events.items()
    }


class _Conflict(Exception):
    """The event is not as cohort left it; the message says what and how to go on."""


class CalendarSync:
    """Publishing into one calendar: find it, look, then make each step, journalling as it
    goes (or, in a dry run, only say what it would do)."""

    def __init__(
        self, connection: Connection, sync: SyncState, target: Target, policy: Policy
    ) -> None:
        self.connection = connection
        self.sync = sync
        self.target = target
        self.policy = policy
        self.wanted = {w.uid: w for w in target.wanted}
        self.synced: Synced
        self.found: dict[str, Found] = {}
        #: with --check: each resource of the recorded calendar and its ETag (None: it is gone)
        self.listing: dict[str, str | None] | None = None
        self.left = 0

    def run(self, tally: Tally, advance: Callable[[], None]) -> None:
        """Make the calendar's steps, counting each change made (or found made) in `tally`; a
        conflict or refusal is noted and the rest go on; Lost (the connection failed, the
        server is busy or failing) stops the run."""
        tally.changes = Counter()
        located = self.find(tally)
        if located is None:
            return
        seen = self.look(located)
        planned = plan(
            self.target.wanted,
            known(self.synced),
            seen,
            repair=self.policy.repair,
            force=self.policy.force,
        )
        for uid in planned.found:
            self.take(uid)
        for uid in planned.gone:
            self.sync.forget(self.synced, uid)
        tally.unchanged = planned.unchanged
        for step in planned.conflicts:
            tally.conflicts.append(f"{label(step)} in '{tally.title}' {held_back(step)}")
        self.begin(planned.steps)
        for index, step in enumerate(planned.steps):
            try:
                done = self.make(step, tally)
            except _Conflict as conflict:
                tally.conflicts.append(f"{label(step)} in '{tally.title}' {conflict}")
            except Refused as refusal:
                tally.failed.append(f"{label(step)} in '{tally.title}': {refusal}")
            except Lost:
                self.left = len(planned.steps) - index
                raise
            else:
                tally.count(done, step)
            advance()

    def find(self, tally: Tally) -> Located | None:
        """The calendar, found or made, renamed if its participant was; None when there is
        nothing more to do in it (gone, deleted whole, or deleted on the server: a conflict)."""
        t = self.target
        present = None
        recorded = self.sync.find(self.connection.server.url, t.name, t.person)
        if self.policy.check and recorded is not None:  # one request: is it there, and what
            self.listing = self.connection.etags(recorded.url)
            present = self.listing is not None
        try:
            located = locate(self.connection, self.sync, t, self.policy.repair, present)
        except Gone:
            gone(tally, sum(not w.removed for w in t.wanted))
            return None
        if located is None:
            return None
        self.synced = synced = located.synced
        tally.title = synced.title or tally.title
        if located.again:
            tally.lines.append(
                f"made the calendar '{tally.title}' again: it was deleted on the server"
            )
        if synced.made and synced.title != t.title and not t.leaving:
            self.connection.rename(synced.url, t.title)
            tally.lines.append(f"renamed the calendar '{synced.title}' to '{t.title}'")
            self.sync.retitle(synced, t.title)
            tally.title = t.title
        if t.leaving and synced.made and self.retire(tally):
            return None
        return located

    def preview(self, tally: Tally) -> None:
        """A dry run that looks (--check): what the server holds of each recorded event, and so
        what a run would change, restore or leave as someone changed it. Changes nothing."""
        synced = self.sync.find(self.connection.server.url, self.target.name, self.target.person)
        if synced is None:
            return
        self.synced = synced
        listing = self.connection.etags(synced.url)
        if listing is None:
            gone(tally, sum(not w.removed for w in self.target.wanted))
            return
        seen = self._checked(listing)
        planned = plan(
            self.target.wanted,
            known(synced),
            seen,
            repair=self.policy.repair,
            force=self.policy.force,
        )
        tally.changes = Counter(s.change for s in planned.steps)
        tally.unchanged = planned.unchanged
        if self.target.person is None:
            tally.lines = [f"would {s.change.value} {label(s)}" for s in planned.steps]
        for step in planned.conflicts:
            tally.conflicts.append(f"{label(step)} in '{tally.title}' {held_back(step)}")

    # -- looking at the server ----------------------------------------------------------------

    def look(self, located: Located) -> dict[str, Seen | None]:
        """What the server holds, where cohort needs to know: with --check, each recorded event
        (one listing of ETags; a GET for each whose ETag moved); and by UID (one calendar-query)
        the events cohort has no confirmed place for, or, in a calendar it did not know
        (`adopted`: its record lost, or told to use it), every UID of the programme. A calendar
        cohort just made holds nothing."""
        if located.made:
            return {uid: None for uid, w in self.wanted.items() if not w.removed}
        seen: dict[str, Seen | None] = {}
        if self.listing is not None and not located.adopted:
            seen = self._checked(self.listing)
        events = self.synced.events
        if located.adopted:
            unknown = set(self.target.ours) | set(self.wanted)
        else:
            unknown = {
                uid
                for uid, w in self.wanted.items()
                if not w.removed and (uid not in events or events[uid].fingerprint is None)
            }
        unknown -= set(seen)
        if unknown:
            found = self.lookup(unknown)
            self.found.update(found)
            for uid in unknown:
                seen[uid] = Seen(found[uid].fingerprint) if uid in found else None
        return seen

    def _checked(self, listing: dict[str, str | None]) -> dict[str, Seen | None]:
        """Each recorded event against the calendar's listing: gone, as recorded, or (its ETag
        moved) what a GET finds there."""
        seen: dict[str, Seen | None] = {}
        for uid, stored in self.synced.events.items():
            where = place(stored.href)
            if where not in listing:
                seen[uid] = None
                continue
            if stored.fingerprint and stored.etag and listing[where] == stored.etag:
                seen[uid] = Seen(stored.fingerprint)
                self.found[uid] = Found(stored.href, stored.etag, stored.fingerprint)
                continue
            held = self.connection.fetch(stored.href)
            found = held.of(uid) if held is not None else None
            seen[uid] = Seen(found.fingerprint) if found is not None else None
            if found is not None:
                self.found[uid] = found
        return seen

    def lookup(self, uids: set[str]) -> dict[str, Found]:
        """Where the server holds these UIDs: one calendar-query for all that share a
        programme's part (`.programme@domain`; one for each, if its domain changed)."""
        parts: dict[str, set[str]] = {}
        for uid in uids:
            parts.setdefault(uid[uid.find(".") :] if "." in uid else uid, set()).add(uid)
        found: dict[str, Found] = {}
        for part, some in sorted(parts.items()):
            found.update(self.connection.lookup(self.synced.url, part, some))
        return found

    def current(self, uid: str, href: str) -> tuple[Found | None, bool]:
        """What the server holds of an event now: at `href`, where cohort put it (a GET), else
        wherever its UID is (a calendar-query); and whether `href` holds someone else's event."""
        held = self.connection.fetch(href)
        if held is not None and uid in held.uids:
            return held.of(uid), False
        return self.lookup({uid}).get(uid), held is not None

    # -- the steps ----------------------------------------------------------------------------

    def begin(self, steps: list[Step]) -> None:
        """Journal every write as under way (one line), so a run cut off after the server
        stored one recognises it as cohort's."""
        writes: dict[str, tuple[str, str]] = {}
        for step in steps:
            if step.change is not Change.delete:
                stored = self.synced.events.get(step.uid)
                found = self.found.get(step.uid)
                href = (
                    found.href
                    if found
                    else stored.href
                    if stored
                    else resource(self.synced.url, step.uid)
                )
                writes[step.uid] = (href, self.wanted[step.uid].fingerprint)
        self.sync.sending(self.synced, writes)

    def make(self, step: Step, tally: Tally) -> Change | None:
        """Make one step; the change made, or None when the server held it as wanted."""
        if step.change is Change.delete:
            return self.delete(step)
        found = self.found.get(step.uid)
        if found is not None:
            stored = self.synced.events.get(step.uid)
            return self.onto(step, found, taken_up=stored is None or stored.fingerprint is None)
        if step.change in (Change.create, Change.restore):
            return self.create(step, tally)
        return self.update(step, tally)

    def create(self, step: Step, tally: Tally) -> Change | None:
        """A new event (or one deleted on the server, restored); if the server holds its UID
        already (an earlier run that stopped, another client that stored it under a name of
        its own), that resource is updated; if someone else's event holds its name, it goes
        beside it."""
        stored = self.synced.events.get(step.uid)
        href = stored.href if stored else resource(self.synced.url, step.uid)
        for beside in range(BESIDE + 1):
            if beside:
                href = resource(self.synced.url, step.uid, beside + 1)
            try:
                etag = self.connection.put(href, self.target.bodies[step.uid], NEW)
            except (Mismatch, Taken):
                found, occupied = self.current(step.uid, href)
                if found is not None:
                    return self.onto(step, found, taken_up=True)
                if not occupied:
                    raise _Conflict(
                        "could not be stored: the server says it is there, but does not find "
                        "it by its UID"
                    ) from None
                continue
            if beside:
                name = href.rsplit("/", 1)[1]
                taken = resource(self.synced.url, step.uid).rsplit("/", 1)[1]
                tally.lines.append(
                    f"{label(step)} in '{tally.title}': another program's event is stored under "
                    f"its name ({taken}); published beside it as {name}, theirs left alone"
                )
            self.record(step, href, etag)
            return step.change if step.change is Change.restore else Change.create
        raise _Conflict("could not be stored: other events hold every name cohort tried")

    def update(self, step: Step, tally: Tally) -> Change | None:
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
                return step.change
        found, _ = self.current(step.uid, stored.href)
        if found is not None:
            return self.onto(step, found, taken_up=False)
        if not (self.policy.repair or self.policy.force):
            raise _Conflict(DELETED)
        done = self.create(step, tally)
        return Change.restore if done is Change.create else done

    def onto(self, step: Step, found: Found, taken_up: bool) -> Change | None:
        """Write the event onto the resource that holds its UID: nothing to write if it
        already holds it; overwritten if it holds cohort's earlier data (or cohort never
        wrote there: `taken_up`), else a conflict unless --force."""
        want = self.wanted[step.uid].fingerprint
        if found.fingerprint == want:
            self.record(step, found.href, found.etag)
            return None
        stored = self.synced.events.get(step.uid)
        ours = stored.ours() if stored else set()
        if not (taken_up or found.fingerprint in ours or self.policy.force):
            raise _Conflict(CHANGED.format("overwritten", "overwrites"))
        try:
            etag = self.connection.put(found.href, self.target.bodies[step.uid], found.etag)
        except (Mismatch, Taken):
            raise _Conflict(
                "is being changed on the server right now; not overwritten (run again)"
            ) from None
        self.record(step, found.href, etag)
        return Change.update if step.change is Change.create else step.change

    def delete(self, step: Step) -> Change | None:
        """Delete an event cohort wrote (or whose UID is cohort's), with If-Match; one changed
        by someone else since is left alone unless --force; one already gone is forgotten."""
        stored = self.synced.events.get(step.uid)
        found = self.found.get(step.uid)
        if found is None and stored is not None and stored.etag is not None:
            try:
                deleted = self.connection.delete(stored.href, stored.etag)
            except Mismatch:
                pass
            else:
                self.forget(step)
                return Change.delete if deleted else None
        if found is None and stored is not None:
            found, _ = self.current(step.uid, stored.href)
        if found is None:
            self.forget(step)
            return None
        ours = stored.ours() if stored else {found.fingerprint}
        if not (found.fingerprint in ours or self.policy.force):
            raise _Conflict(CHANGED.format("deleted", "deletes"))
        if found.etag is None:
            raise Refused("the server gives no ETag to delete it safely")
        try:
            deleted = self.connection.delete(found.href, found.etag)
        except Mismatch:
            raise _Conflict(
                "is being changed on the server right now; not deleted (run again)"
            ) from None
        self.forget(step)
        return Change.delete if deleted else None

    def retire(self, tally: Tally) -> bool:
        """The calendar cohort made for a participant who left the programme: deleted whole if
        it holds only events cohort wrote (one listing, one DELETE); True when it was."""
        listing = self.connection.etags(self.synced.url)
        if listing is None:
            self.sync.drop(self.synced)
            return True
        hrefs = {place(s.href) for s in self.synced.events.values()}
        theirs = [p for p in listing if p not in hrefs]
        if theirs:
            tally.lines.append(
                f"kept the calendar '{tally.title}' of a participant who left the programme: it "
                f"holds {len(theirs)} event(s) cohort did not write (cohort's are deleted)"
            )
            return False
        self.connection.remove(self.synced.url)
        self.sync.drop(self.synced)
        tally.lines.append(
            f"deleted the calendar '{tally.title}': its participant left the programme"
        )
        tally.changes[Change.delete] += len(hrefs)
        return True

    # -- the record ---------------------------------------------------------------------------

    def take(self, uid: str) -> None:
        """An event found on the server as cohort wants it: recorded where it is."""
        found = self.found.get(uid)
        stored = self.synced.events.get(uid)
        if found is None or (
            stored is not None
            and stored.href == found.href
            and stored.etag == found.etag
            and stored.fingerprint == found.fingerprint
            and not stored.sending
        ):
            return
        wanted = self.wanted[uid]
        self.sync.store(
            self.synced, uid, Stored(found.href, found.etag, wanted.fingerprint, wanted.cancelled)
        )

    def record(self, step: Step, href: str, etag: str | None) -> None:
        wanted = self.wanted[step.uid]
        stored = Stored(href, etag, wanted.fingerprint, wanted.cancelled)
        self.sync.store(self.synced, step.uid, stored)

    def forget(self, step: Step) -> None:
        self.sync.forget(self.synced, step.uid)
