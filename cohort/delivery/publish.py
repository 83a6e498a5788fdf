"""`cohort publish`: put the programme into a shared CalDAV calendar and keep it in step.

The events are the programme feed's (the same UID, SEQUENCE, DTSTAMP and VTIMEZONE, built by
`documents.calendar.Calendars` from the same publication entries), one calendar object per
meeting. What to change is decided from the record alone (`planning.caldav.plan`), so a calendar
that is up to date costs no request. Then, per calendar (`sync.CalendarSync`): find it (or make
it), find the events cohort does not know the place of by UID (one calendar-query), and write
each change with a precondition: `If-Match` on the ETag cohort recorded, `If-None-Match: *` for
a new resource. Every confirmed write is recorded at once (published-caldav.json, atomically),
and a write under way is marked first, so a run cut off by the network loses nothing and the
next one finishes the job.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.calendar import Calendars
from ..planning.caldav import Plan, Wanted, plan
from ..planning.publication import Entry, publication, uid
from ..programme.model import Programme
from ..records.caldav import SyncState, load_sync_state
from ..records.published import load_state
from .caldav import Connection, Lost, Server
from .caldav import event_fingerprint as fingerprint_of
from .sync import CalendarSync, Tally, Target, known, label


class _Events:
    """Calendar objects and their fingerprints, made once per meeting and language."""

    def __init__(self, calendars: Calendars) -> None:
        self.calendars = calendars
        self._fingerprints: dict[tuple[str, str, bool], str] = {}

    def add(self, target: Target, entry: Entry, language: str, public: bool = False) -> None:
        record = entry.record
        title = entry.meeting.title if entry.meeting is not None else record.title
        if entry.meeting is None:
            target.wanted.append(Wanted(record.uid, entry.id, title, "", True, removed=True))
            return
        body = self.calendars.calendar_object(entry, language, public)
        key = (entry.id, language, public)
        if key not in self._fingerprints:
            self._fingerprints[key] = fingerprint_of(body)
        target.bodies[record.uid] = body
        target.wanted.append(
            Wanted(record.uid, entry.id, title, self._fingerprints[key], entry.cancelled)
        )


def targets(
    programme: Programme,
    entries: list[Entry],
    sync: SyncState,
    server: Server,
    calendar: str | None,
    people: bool,
) -> list[Target]:
    """The programme's calendar (named by --calendar, else the --caldav URL itself or one
    called after the programme) and, with `people`, a calendar per participant invited to
    something (or that cohort filled before: a participant who left is emptied). The
    programme's calendar is shared like the programme feed: no private meeting, no join link;
    a personal calendar holds its reader's meetings as they are."""
    events = _Events(Calendars(programme, entries))
    main = Target(calendar or "", calendar or programme.title, programme.id, None)
    for entry in events.calendars.public_entries():
        events.add(main, entry, programme.language.value, public=True)
    out = [main]
    if not people:
        return out
    for person in programme.participants.values():
        own = Target(
            person.id,
            f"{programme.title} — {person.name}",
            f"{programme.id}-{person.id}",
            person.id,
        )
        language = events.calendars.language_of(person)
        for entry in entries:
            if person.id in entry.record.invitees:
                events.add(own, entry, language)
        if own.wanted or sync.find(server.url, person.id, person.id):
            out.append(own)
    for synced in sync.calendars:
        if synced.server == server.url and synced.person not in (None, *programme.participants):
            out.append(Target(synced.name, synced.person or "", "", synced.person))
    return out


@dataclass
class Outcome:
    """What a run of `cohort publish` did or would do, calendar by calendar."""

    server: Server
    dry_run: bool
    tallies: list[Tally] = field(default_factory=list)
    stopped: str = ""
    left: int = 0
    notices: list[str] = field(default_factory=list)  # about the feed secret's file

    @property
    def ok(self) -> bool:
        """Nothing in conflict, failed or stopped: the run's exit code is 0."""
        return not (self.stopped or any(t.conflicts or t.failed for t in self.tallies))

    def lines(self) -> list[str]:
        """For standard output: each change to the programme's calendar, then a line per
        calendar that changes, then the last word."""
        out = [line for t in self.tallies for line in t.lines]
        changing = [t for t in self.tallies if t.changes]
        for tally in self.tallies:
            if tally.person is None or tally.changes:
                out.append(tally.summary(self.dry_run))
        if self.dry_run:
            out.append(
                f"dry run: {sum(sum(t.changes.values()) for t in changing)} change(s) in "
                f"{len(changing)} calendar(s); nothing was sent. Add --confirm to publish to "
                f"{self.server.url}"
            )
        elif not changing and self.ok:
            out.append(f"up to date: nothing to publish to {self.server.url}")
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


def publish(
    folder: Path,
    programme: Programme,
    server: Server,
    moment: dt.datetime,
    *,
    calendar: str | None = None,
    people: bool = False,
    confirm: bool = False,
    force: bool = False,
    progress: Callable[[int], AbstractContextManager[Callable[[], None]]] | None = None,
) -> Outcome:
    """Publish (or, without `confirm`, show what would be published) into the calendar(s);
    returns what happened. Raises CohortError when the server refuses the login, the TLS
    certificate, or the calendar."""
    state = load_state(folder)
    entries = publication(programme, state, moment)
    sync = load_sync_state(folder)
    wanted = targets(programme, entries, sync, server, calendar, people)
    outcome = Outcome(server, dry_run=not confirm)
    plans: list[tuple[Target, Plan]] = []
    for target in wanted:
        steps = plan(target.wanted, known(sync.find(server.url, target.name, target.person)))
        tally = Tally(target.title, target.person, unchanged=steps.unchanged)
        if not confirm:  # what would change; with --confirm, what did (CalendarSync.run)
            tally.changes = Counter(s.change for s in steps.steps)
            if target.person is None:
                tally.lines = [f"would {s.change.value} {label(s)}" for s in steps.steps]
        outcome.tallies.append(tally)
        plans.append((target, steps))
    if not confirm:
        return outcome
    if state.changed:
        state.save()
    outcome.notices = state.notices
    total = sum(len(p.steps) for _, p in plans)
    if not total:
        return outcome
    bar = progress(total) if progress else nullcontext(lambda: None)
    fragment = uid(programme, "")
    with Connection(server) as connection, bar as advance:
        for index, ((target, steps), tally) in enumerate(zip(plans, outcome.tallies, strict=True)):
            if not steps.steps:
                continue
            publishing = CalendarSync(connection, sync, target, fragment, force)
            try:
                publishing.run(tally, advance)
            except Lost as lost:
                outcome.stopped = str(lost)
                here = publishing.left or len(steps.steps)  # 0: it stopped before the first step
                outcome.left = here + sum(len(p.steps) for _, p in plans[index + 1 :])
                break
    return outcome
