"""What cohort last wrote into CalDAV calendars, kept in `published-caldav.json` next to
`published.json`.

Per calendar (the programme's, and with `--people` one per participant) and per event (by UID):
the resource's href, the ETag the server gave it, and a fingerprint of the VEVENT cohort wrote
there. With that record an unchanged meeting costs no request, an update goes straight to the
right resource with `If-Match`, and only events cohort created (their UIDs are in this file) are
ever deleted. A write that was under way when a run stopped is marked `sending`, so the next run
recognises its own event on the server instead of calling it someone else's change.

The file is written atomically and durably after every confirmed write (an interrupted run
resumes); it holds no password. Commit it next to the YAML, like `published.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from ..files import write_atomic
from .published import read_json

STATE_FILE = "published-caldav.json"
_ABOUT = (
    "Written by cohort publish: the events it wrote into CalDAV calendars (href, ETag, "
    "fingerprint per UID), so that it updates and deletes only its own. Commit it next to "
    "published.json; do not edit it."
)


@dataclass
class Stored:
    """One event in a calendar: where it is (href), its version on the server (ETag, None when
    the server gave none), and the fingerprint of the VEVENT it holds (None until a write was
    confirmed). `sending`: the fingerprints of writes that began and were not confirmed (the
    server may hold any of them)."""

    href: str
    etag: str | None
    fingerprint: str | None
    cancelled: bool = False
    sending: list[str] = field(default_factory=list)

    def ours(self) -> set[str]:
        """Every fingerprint of data cohort wrote here, or may have."""
        return {f for f in (self.fingerprint, *self.sending) if f}


@dataclass
class Synced:
    """One calendar cohort publishes into: how it was named on the command line (server URL and
    calendar name, or the participant it is for), its own URL once found, and its events."""

    server: str
    name: str
    url: str
    person: str | None = None
    events: dict[str, Stored] = field(default_factory=dict)

    def matches(self, server: str, name: str, person: str | None) -> bool:
        return (self.server, self.name, self.person) == (server, name, person)


@dataclass
class SyncState:
    """Every calendar cohort publishes a programme into (published-caldav.json)."""

    path: Path
    calendars: list[Synced] = field(default_factory=list)

    def find(self, server: str, name: str, person: str | None = None) -> Synced | None:
        """The calendar last reached with this server URL and calendar name (or participant)."""
        return next((c for c in self.calendars if c.matches(server, name, person)), None)

    def at(self, server: str, name: str, person: str | None, url: str) -> Synced:
        """The record of the calendar at `url`, now reached this way; a new, empty one when cohort
        never wrote there (a record for another URL under the same name is replaced: that
        calendar is gone or was another one)."""
        self.calendars = [
            c for c in self.calendars if c.url == url or not c.matches(server, name, person)
        ]
        for synced in self.calendars:
            if synced.url == url:
                synced.server, synced.name, synced.person = server, name, person
                return synced
        synced = Synced(server, name, url, person)
        self.calendars.append(synced)
        return synced

    def save(self) -> bool:
        """Write the file atomically and durably; False when it already held exactly this.
        It is written after every confirmed write, so it is kept cheap to write: one line per
        event (which also makes a diff in git read well), each from the C JSON encoder."""

        def line(value: object) -> str:
            return json.dumps(value, ensure_ascii=False)

        blocks = []
        for c in sorted(self.calendars, key=lambda c: (c.server, c.name, c.person or "")):
            head = {"server": c.server, "name": c.name, "person": c.person, "url": c.url}
            events = ",\n".join(
                f"   {line(uid)}: {line(s.__dict__)}" for uid, s in sorted(c.events.items())
            )
            body = f"\n{events}\n  " if events else ""
            blocks.append(f'  {line(head)[:-1]}, "events": {{{body}}}}}')
        calendars = ",\n".join(blocks)
        text = f'{{"about": {line(_ABOUT)},\n "calendars": [\n{calendars}\n ]}}\n'
        return write_atomic(self.path, text, durable=True)


def load_sync_state(folder: Path) -> SyncState:
    """The CalDAV record of a programme folder; an empty one if cohort never published there."""
    path = folder / STATE_FILE
    if not path.exists():
        return SyncState(path)
    calendars = read_json(
        path,
        "record of what it wrote into CalDAV calendars",
        lambda raw: _CALENDARS.validate_python(raw["calendars"]),
    )
    return SyncState(path, calendars)


_CALENDARS: TypeAdapter[list[Synced]] = TypeAdapter(list[Synced])
