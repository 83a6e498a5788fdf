"""What cohort last wrote into CalDAV calendars, kept in `published-caldav.json` next to
`published.json`.

Per calendar (the programme's, and with `--people` one per participant) and per event (by UID):
the resource's href, the ETag the server gave it, and a fingerprint of the VEVENT cohort wrote
there. With that record an unchanged meeting costs no request, an update goes straight to the
right resource with `If-Match`, and only events cohort created (their UIDs are in this file) are
ever deleted. A calendar cohort made itself is marked `made`, with the name it gave it: only
those are renamed, and deleted when their participant leaves the programme. A write that was
under way when a run stopped is marked `sending`, so the next run recognises its own event on
the server instead of calling it someone else's change.

Every change to the record during a run is appended to a journal,
`published-caldav.journal`, and flushed to the disk at once: one short line per confirmed
write, however large the record (a `--people` record of thousands of events is megabytes). At
the end of the run the record is rewritten once, atomically, and the journal removed. A run
that was killed leaves its journal; the next one reads the record, replays the journal on top
(a last line cut off halfway is ignored: its write was never confirmed) and so loses nothing.
Neither file holds a password. Commit the record next to published.json, like it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import TypeAdapter, ValidationError

from ..errors import CohortError
from ..files import read_regular, write_atomic
from .published import MAX_STATE_BYTES, read_json

STATE_FILE = "published-caldav.json"
JOURNAL_FILE = "published-caldav.journal"
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
    calendar name, or the participant it is for), its own URL once found, and its events.
    `made`: cohort made this calendar (at a path of its own), and `title` is the display name
    it gave it; a calendar it was told to use (`--calendar`, `--caldav`) is neither renamed nor
    ever deleted."""

    server: str
    name: str
    url: str
    person: str | None = None
    events: dict[str, Stored] = field(default_factory=dict)
    title: str | None = None
    made: bool = False

    def matches(self, server: str, name: str, person: str | None) -> bool:
        return (self.server, self.name, self.person) == (server, name, person)


@dataclass
class SyncState:
    """Every calendar cohort publishes a programme into (published-caldav.json), and the
    journal of this run's changes. Change it only through the methods that journal."""

    path: Path
    calendars: list[Synced] = field(default_factory=list)
    #: changed since it was read (a journal of a run that stopped replayed, or this run's)
    changed: bool = False
    _journal: IO[str] | None = field(default=None, repr=False)

    @property
    def journal_path(self) -> Path:
        return self.path.with_name(JOURNAL_FILE)

    def find(self, server: str, name: str, person: str | None = None) -> Synced | None:
        """The calendar last reached with this server URL and calendar name (or participant)."""
        return next((c for c in self.calendars if c.matches(server, name, person)), None)

    def people(self, server: str) -> list[Synced]:
        """The personal calendars on this server."""
        return [c for c in self.calendars if c.server == server and c.person is not None]

    # -- changes, each journalled ---------------------------------------------------------------

    def at(
        self,
        server: str,
        name: str,
        person: str | None,
        url: str,
        *,
        title: str | None = None,
        made: bool = False,
    ) -> Synced:
        """The record of the calendar at `url`, now reached this way; a new, empty one when cohort
        never wrote there (a record for another URL under the same name is replaced: that
        calendar is gone or was another one)."""
        self._change({"at": [server, name, person, url, title, made]})
        return next(c for c in self.calendars if c.url == url)

    def drop(self, synced: Synced) -> None:
        """Forget a calendar (deleted, or gone from the server)."""
        self._change({"drop": synced.url})

    def store(self, synced: Synced, uid: str, stored: Stored) -> None:
        """A write the server confirmed (or an event found as cohort wants it)."""
        self._change({"store": [synced.url, uid, asdict(stored)]})

    def forget(self, synced: Synced, uid: str) -> None:
        """An event deleted (or found gone)."""
        self._change({"forget": [synced.url, uid]})

    def sending(self, synced: Synced, writes: dict[str, tuple[str, str]]) -> None:
        """Writes about to begin: UID -> (href, fingerprint), in one journal line."""
        if writes:
            self._change({"sending": [synced.url, {u: list(w) for u, w in writes.items()}]})

    def retitle(self, synced: Synced, title: str) -> None:
        """The calendar cohort made now has this display name."""
        self._change({"title": [synced.url, title]})

    def _change(self, change: dict[str, Any]) -> None:
        self._apply(change)
        self.changed = True
        line = json.dumps(change, ensure_ascii=False) + "\n"
        try:
            if self._journal is None:
                new = not self.journal_path.exists()
                self._journal = _open_journal(self.journal_path)
                if new:  # the journal's name reaches the disk too
                    _sync_folder(self.path.parent)
            self._journal.write(line)
            self._journal.flush()
            os.fsync(self._journal.fileno())
        except OSError as err:
            raise CohortError(f"cannot write '{self.journal_path}': {err.strerror}") from err

    def _apply(self, change: dict[str, Any]) -> None:  # noqa: C901 (one branch per kind)
        [(kind, value)] = change.items()
        if kind == "at":
            server, name, person, url, title, made = value
            self.calendars = [
                c for c in self.calendars if c.url == url or not c.matches(server, name, person)
            ]
            synced = next((c for c in self.calendars if c.url == url), None)
            if synced is None:
                synced = Synced(server, name, url, person)
                self.calendars.append(synced)
            synced.server, synced.name, synced.person = server, name, person
            synced.title, synced.made = title, made
            return
        if kind == "drop":
            self.calendars = [c for c in self.calendars if c.url != value]
            return
        url, *rest = value
        synced = next((c for c in self.calendars if c.url == url), None)
        if synced is None:
            return
        if kind == "store":
            uid, stored = rest
            synced.events[uid] = _STORED.validate_python(stored)
        elif kind == "forget":
            synced.events.pop(rest[0], None)
        elif kind == "sending":
            for uid, (href, fingerprint) in rest[0].items():
                stored = synced.events.setdefault(uid, Stored(href, None, None))
                if fingerprint not in stored.sending:
                    stored.sending.append(fingerprint)
        elif kind == "title":
            synced.title = rest[0]

    # -- the record ---------------------------------------------------------------------------

    def save(self) -> bool:
        """Write the record atomically and durably, then remove the journal; False when the
        record already held exactly this. One line per event, each from the C JSON encoder,
        which also makes a diff in git read well."""

        def line(value: object) -> str:
            return json.dumps(value, ensure_ascii=False)

        blocks = []
        for c in sorted(self.calendars, key=lambda c: (c.server, c.name, c.person or "")):
            head: dict[str, object] = {
                "server": c.server,
                "name": c.name,
                "person": c.person,
                "url": c.url,
            }
            if c.title is not None:
                head["title"] = c.title
            if c.made:
                head["made"] = True
            events = ",\n".join(
                f"   {line(uid)}: {line(s.__dict__)}" for uid, s in sorted(c.events.items())
            )
            body = f"\n{events}\n  " if events else ""
            blocks.append(f'  {line(head)[:-1]}, "events": {{{body}}}}}')
        calendars = ",\n".join(blocks)
        text = f'{{"about": {line(_ABOUT)},\n "calendars": [\n{calendars}\n ]}}\n'
        written = write_atomic(self.path, text, durable=True)
        self.close()
        try:
            self.journal_path.unlink(missing_ok=True)
        except OSError as err:
            raise CohortError(f"cannot remove '{self.journal_path}': {err.strerror}") from err
        self.changed = False
        return written

    def close(self) -> None:
        """Close the journal (it stays until the record is saved)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def load_sync_state(folder: Path) -> SyncState:
    """The CalDAV record of a programme folder, with the journal of a run that stopped replayed
    on top; an empty one if cohort never published there."""
    path = folder / STATE_FILE
    state = SyncState(path)
    if path.exists():
        state.calendars = read_json(
            path,
            "record of what it wrote into CalDAV calendars",
            lambda raw: _CALENDARS.validate_python(raw["calendars"]),
        )
    if state.journal_path.exists() or state.journal_path.is_symlink():
        _replay(state)
    return state


def _replay(state: SyncState) -> None:
    """Apply the journal of a run that stopped; a last line cut off as it was written is
    dropped (that write was never confirmed), any other damage is a CohortError."""
    journal = state.journal_path
    if journal.is_symlink():
        raise CohortError(_NOT_PLAIN.format(journal.name), location=journal, code="damaged-record")
    try:
        lines = read_regular(journal, MAX_STATE_BYTES, what="journal").decode().split("\n")
    except UnicodeDecodeError as err:
        raise CohortError(
            f"cannot read {journal.name} ({err}); it holds the writes of a run of cohort "
            "publish that stopped: remove it and run the same command again",
            location=journal,
            code="damaged-record",
        ) from None
    # every line ends with a newline: what follows the last one is "", or a line cut off
    for number, text in enumerate(lines[:-1], start=1):
        try:
            state._apply(json.loads(text))
        except (json.JSONDecodeError, ValidationError, ValueError, TypeError, KeyError) as err:
            raise CohortError(
                f"{journal.name} is damaged at line {number} ({err}); it holds the writes of a "
                "run of cohort publish that stopped: remove it and run the same command again",
                location=journal,
                code="damaged-record",
            ) from None
    state.changed = True


#: the journal is cohort's own plain file in the programme folder, never followed elsewhere
_NOT_PLAIN = (
    "{} is not a plain file (a link, a pipe?); it should hold the writes of a run of cohort "
    "publish that stopped: remove it and run the same command again"
)


def _open_journal(path: Path) -> IO[str]:
    """The journal, opened to append: a plain file of the programme folder, never a link
    (followed, it would write elsewhere) nor a pipe (it would wait for a reader)."""
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644
        )
    except OSError as err:
        if path.is_symlink() or err.errno == errno.ENXIO:  # a link; a pipe nobody reads
            raise CohortError(_NOT_PLAIN.format(path.name), location=path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CohortError(_NOT_PLAIN.format(path.name), location=path)
    return os.fdopen(fd, "a", encoding="utf-8")


def _sync_folder(folder: Path) -> None:
    """Make a new file's name in `folder` durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system can
    finally:
        os.close(fd)


_CALENDARS: TypeAdapter[list[Synced]] = TypeAdapter(list[Synced])
_STORED: TypeAdapter[Stored] = TypeAdapter(Stored)
