"""The outbox: messages waiting to be sent, messages sent, the journal of sending, and its lock.

    OUTBOX/
      <name>.eml           waiting (written by `cohort invite`, and later by other commands)
      sent/<name>.eml      delivered (moved there by `cohort send` once the server accepted it)
      journal.jsonl        one line per step of sending: what happened to which file, when
      lock                 the pid of the cohort command that has the outbox now (see `lock`)

Every `*.eml` file in the folder is a message waiting, whatever kind it is: `cohort send` knows
nothing of meetings. Invitations are named `<meeting>.<participant>.<kind>.<sequence>.eml`
(`Name`; ids hold no dots), so `cohort invite` reads from `sent/` who already received what.
Other messages follow the same pattern with kinds of their own: certificates
`<programme>.<participant>.certificate-<kind>.<code>.eml` (`documents.certificate_mail`),
registration e-mails `<meeting or programme>.<participant>.registration-<status>.<step>.eml`
(`documents.registration_mail`); `Name` knows only the invitations' kinds and leaves them be.

The journal is the record that makes sending exactly-once (see `delivery.send`): `sending` is
written just before the message data goes to the server, and what came of it after:
`delivered`, `uncertain`, `deferred`, `refused` or `failed`. A file still waiting whose last
event is `sending` or `uncertain` may have arrived; one whose last event is `delivered` did
arrive, even if it could not be moved into `sent/`.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CohortError

SENT = "sent"
JOURNAL = "journal.jsonl"
LOCK = "lock"
KINDS = ("invitation", "update", "cancellation", "reminder")

#: journal events after which a waiting message may have reached its recipient
MAYBE_DELIVERED = frozenset({"sending", "uncertain"})


@dataclass(frozen=True, order=True)
class Name:
    """The file name of an invitation: meeting, participant, kind and SEQUENCE."""

    meeting: str
    participant: str
    kind: str
    sequence: int

    @property
    def file(self) -> str:
        return f"{self.meeting}.{self.participant}.{self.kind}.{self.sequence}.eml"

    @classmethod
    def parse(cls, file: str) -> Name | None:
        parts = file.split(".")
        if len(parts) != 5 or parts[4] != "eml" or parts[2] not in KINDS:
            return None
        if not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2], int(parts[3]))


@dataclass(frozen=True)
class Holder:
    """Who has (or had) the outbox's lock: a process of a cohort command."""

    pid: int
    command: str
    host: str
    since: str

    def __str__(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"'cohort {self.command}', process {self.pid}{where}, since {self.since}"


class OutboxBusy(CohortError):
    """Another cohort command has the outbox's lock."""


class Outbox:
    """An outbox folder: messages waiting, sent, and the journal of sending."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def sent_dir(self) -> Path:
        return self.path / SENT

    def pending(self) -> list[Path]:
        """Every message waiting (any kind), in file-name order."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.glob("*.eml") if p.is_file())

    def delivered_files(self) -> set[str]:
        """The file names of every message delivered, of any kind: those in `sent/`, and those
        the journal says the server accepted but that could not be moved there."""
        files = {p.name for p in self.sent_dir.glob("*.eml")} if self.sent_dir.is_dir() else set()
        return files | self.unrecorded()

    def delivered(self) -> list[Name]:
        """The invitations delivered (see `delivered_files`)."""
        names = (Name.parse(file) for file in self.delivered_files())
        return sorted(n for n in names if n is not None)

    # -- the journal ------------------------------------------------------------------------

    def log(self, **entry: Any) -> None:
        """Append one line to the journal, on disk (fsync) before the next step.

        Raises OSError when it cannot be written: the caller must not go on sending."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / JOURNAL).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def journal(self) -> list[dict[str, Any]]:
        """Every entry of the journal, oldest first.

        A last line cut off by a crash while it was written (no line end) is left out: the
        step before it then stands, which never makes a message look delivered that was not.
        Raises CohortError for any other damage."""
        path = self.path / JOURNAL
        if not path.exists():
            return []
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            raise CohortError(f"cannot read the sending journal '{path}': {err.strerror}") from err
        lines = text.split("\n")
        torn = lines.pop()  # "" when the file ends with a line end
        entries = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            entry = _entry(line)
            if entry is None:
                raise CohortError(
                    f"{path}:{number}: the sending journal is damaged; it is cohort's record of "
                    "what was sent: restore it rather than editing it"
                )
            entries.append(entry)
        if torn.strip() and (entry := _entry(torn)) is not None:
            entries.append(entry)
        return entries

    def last_events(self) -> dict[str, str]:
        """Each file's last journal event."""
        return {entry["file"]: entry["event"] for entry in self.journal()}

    def uncertain(self) -> set[str]:
        """Messages waiting whose sending began but never came to a clear end: the connection
        was lost after the data went out, or the process stopped while the server had them.
        They may have arrived; they are not sent again unless the facilitator says so."""
        waiting = {p.name for p in self.pending()}
        return {f for f, event in self.last_events().items() if event in MAYBE_DELIVERED} & waiting

    def unrecorded(self) -> set[str]:
        """Messages still waiting that the server accepted (the journal says `delivered`) but
        that could not be moved into `sent/`: they are never sent again."""
        waiting = {p.name for p in self.pending()}
        return {f for f, event in self.last_events().items() if event == "delivered"} & waiting

    def mark_sent(self, file: Path) -> None:
        """Move a delivered message into `sent/`. Raises OSError when it cannot."""
        self.sent_dir.mkdir(parents=True, exist_ok=True)
        file.replace(self.sent_dir / file.name)

    def record_unrecorded(self) -> list[str]:
        """Move messages the journal says were delivered into `sent/`, where they belong;
        returns their names. Raises CohortError when `sent/` still cannot be written."""
        done = []
        for name in sorted(self.unrecorded()):
            try:
                self.mark_sent(self.path / name)
            except OSError as err:
                raise CohortError(
                    f"'{name}' was delivered, but cannot be moved into '{self.sent_dir}' "
                    f"({err.strerror or err}); make '{self.sent_dir}' a folder cohort can write "
                    "to and run the command again (it will not be sent again)"
                ) from None
            done.append(name)
        return done

    # -- the lock ---------------------------------------------------------------------------

    @contextmanager
    def lock(self, command: str) -> Iterator[Holder | None]:
        """Hold the outbox for one command: a second cohort command on the same outbox (in
        another terminal, a cron job) stops at once with OutboxBusy naming the holder.

        The lock file holds the holder's pid; the lock itself is the operating system's
        (flock, or msvcrt on Windows), so it ends with the process however it ends, and a
        lock file left by a process that died is stale: it is taken over. Yields that dead
        holder, or None."""
        self.path.mkdir(parents=True, exist_ok=True)
        path = self.path / LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise CohortError(f"cannot open the outbox's lock '{path}': {err.strerror}") from err
        try:
            if not _try_lock(fd):
                holder = _holder(fd)
                raise OutboxBusy(
                    f"the outbox '{self.path}' is in use by "
                    + (str(holder) if holder else "another cohort command")
                    + "; wait until it is done (two commands at once could send a message twice)"
                )
            stale = _holder(fd)
            _write_holder(fd, command)
            try:
                yield stale
            finally:
                os.ftruncate(fd, 0)  # an empty lock file: nobody holds it
                _unlock(fd)
        finally:
            os.close(fd)


def _entry(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        return None
    if not isinstance(entry.get("event"), str):
        return None
    return entry


# the lock file lies beyond this offset on Windows, whose locks forbid reading what they cover
_REGION = 1 << 20

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _REGION, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _REGION, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as err:
            raise CohortError(f"cannot lock the outbox ({err.strerror})") from err
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _holder(fd: int) -> Holder | None:
    """Who the lock file says holds it (None when it is empty or unreadable)."""
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        data = json.loads(os.read(fd, 4096).decode("utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), str(data["host"]), str(data["since"]))
    except (ValueError, KeyError, TypeError, OSError):
        return None


def _write_holder(fd: int, command: str) -> None:
    import datetime as dt

    since = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    data = {"pid": os.getpid(), "command": command, "host": socket.gethostname(), "since": since}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(data) + "\n").encode("utf-8"))
