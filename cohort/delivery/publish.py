"""`cohort publish`: put the programme into a shared CalDAV calendar and keep it in step.

The events are the programme feed's (the same UID, SEQUENCE, DTSTAMP and VTIMEZONE, built by
`documents.calendar.Calendars` from the same publication entries), one calendar object per
meeting. What to change is decided from the record (`planning.caldav.plan`), so a calendar
that is up to date costs no request. Then, per calendar (`sync.CalendarSync`): find it (or make
it), find the events cohort does not know the place of by UID (one calendar-query), and write
each change with a precondition: `If-Match` on the ETag cohort recorded, `If-None-Match: *` for
a new resource. Every confirmed write is journalled at once and the record rewritten once at the
end, so a run cut off by the network loses nothing and the next one finishes the job.

What someone did to the calendars on the server is seen only when asked (`--check`: one listing
of ETags per calendar), restored with `--repair`, overwritten with `--force`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from ..documents.calendar import Calendars
from ..planning.caldav import Plan, Wanted, plan
from ..planning.publication import Entry, publication
from ..programme.model import Programme
from ..records.caldav import SyncState, load_sync_state
from ..records.published import load_state
from .caldav import Connection, Server
from .caldav import event_fingerprint as fingerprint_of
from .dav import Lost
from .locate import Target, path_for
from .publish_outcome import Outcome, Policy, Tally, label
from .sync import CalendarSync, known


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
    """The programme's calendar (named by --calendar, else the --caldav URL itself or the
    programme's own) and, with `people`, a calendar per participant invited to something (or
    that cohort filled before), and the calendars of participants who left the programme. The
    programme's calendar is shared like the programme feed: no private meeting, no join link;
    a personal calendar holds its reader's meetings as they are."""
    events = _Events(Calendars(programme, entries))
    ours = frozenset(entry.record.uid for entry in entries)
    main = Target(
        calendar or "",
        calendar or programme.title,
        path_for(calendar) if calendar else programme.id,
        None,
        explicit=calendar is not None,
        ours=ours,
    )
    for entry in events.calendars.public_entries():
        events.add(main, entry, programme.language.value, public=True)
    out = [main]
    if not people:
        return out
    for person in programme.participants.values():
        own = Target(
            person.id,
            f"{programme.title} — {person.name}",
            f"{programme.id}.{person.id}",
            person.id,
            ours=ours,
        )
        language = events.calendars.language_of(person)
        for entry in entries:
            if person.id in entry.record.invitees:
                events.add(own, entry, language)
        if own.wanted or sync.find(server.url, person.id, person.id):
            out.append(own)
    for synced in sync.people(server.url):
        if synced.person not in programme.participants:
            title = synced.title or synced.person or ""
            out.append(Target(synced.name, title, "", synced.person, leaving=True, ours=ours))
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
    policy: Policy | None = None,
    progress: Callable[[int], AbstractContextManager[Callable[[], None]]] | None = None,
) -> Outcome:
    """Publish (or, without `confirm`, show what would be published) into the calendar(s);
    returns what happened. Without `confirm` nothing is asked of the server, unless
    `policy.check` (then only reads). Raises CohortError when the server refuses the login,
    the TLS certificate, or the calendar."""
    policy = policy or Policy()
    state = load_state(folder)
    entries = publication(programme, state, moment)
    sync = load_sync_state(folder)
    wanted = targets(programme, entries, sync, server, calendar, people)
    outcome = Outcome(server, dry_run=not confirm, policy=policy)
    if not people:
        outcome.people_left = len(sync.people(server.url))
    busy: list[tuple[Target, Plan, Tally]] = []
    for target in wanted:
        synced = sync.find(server.url, target.name, target.person)
        steps = plan(target.wanted, known(synced))
        title = (synced.title if synced is not None else None) or target.title
        tally = Tally(title, target.person, unchanged=steps.unchanged)
        renamed = synced is not None and synced.made and synced.title != target.title
        if not confirm:  # what would change; with --confirm, what did (CalendarSync.run)
            tally.changes = Counter(s.change for s in steps.steps)
            if target.person is None:
                tally.lines = [f"would {s.change.value} {label(s)}" for s in steps.steps]
            if renamed and not target.leaving:
                tally.lines.append(f"would rename the calendar '{title}' to '{target.title}'")
        outcome.tallies.append(tally)
        if steps.steps or renamed or target.leaving or policy.check:
            busy.append((target, steps, tally))
    if confirm and state.changed:
        state.save()
    outcome.notices = state.notices
    try:
        if busy and (confirm or policy.check):
            outcome.asked = True
            _connect(server, sync, busy, outcome, confirm, policy, progress)
    finally:
        if confirm and sync.changed:
            sync.save()
        sync.close()
    return outcome


def _connect(
    server: Server,
    sync: SyncState,
    busy: list[tuple[Target, Plan, Tally]],
    outcome: Outcome,
    confirm: bool,
    policy: Policy,
    progress: Callable[[int], AbstractContextManager[Callable[[], None]]] | None,
) -> None:
    """Bring each calendar that needs it in step (or, in a dry run with --check, look)."""
    total = sum(len(p.steps) for _, p, _ in busy)
    bar = progress(total) if progress and confirm else nullcontext(lambda: None)
    with Connection(server) as connection, bar as advance:
        for index, (target, steps, tally) in enumerate(busy):
            publishing = CalendarSync(connection, sync, target, policy)
            try:
                if confirm and index == 0 and len(busy) > 3:
                    connection.collections()  # one listing finds them all
                if confirm:
                    publishing.run(tally, advance)
                else:
                    publishing.preview(tally)
            except Lost as lost:
                outcome.stopped = str(lost)
                here = publishing.left or len(steps.steps)  # 0: it stopped before the first step
                outcome.left = here + sum(len(p.steps) for _, p, _ in busy[index + 1 :])
                break
