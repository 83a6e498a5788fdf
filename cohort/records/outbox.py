"""The outbox: messages waiting to be sent, messages sent, the journal of sending, and its lock.

    OUTBOX/
      .cohort-output       cohort's marker: `send` sends only from a folder cohort wrote
      programme.json       the programme folder whose messages these are (see `deliveries`)
      <name>.eml           waiting (written by `cohort invite`, `cohort certificates --email`)
      sent/<name>.eml      delivered (moved there by `cohort send` once the server accepted it)
      journal.jsonl        one line per step of sending: what happened to which message, when
      lock                 who has the outbox now (see `locking`); gone when nobody has

Every plain `*.eml` file is a message waiting, whatever kind it is: `cohort send` knows nothing
of meetings. Invitations are named `<meeting>.<participant>.<kind>.<sequence>.eml` (`Name`; ids
hold no dots). Other messages follow the same pattern with kinds of their own: certificates
`<programme>.<participant>.certificate-<kind>.<code>.eml` (`documents.certificate_mail`),
registration e-mails `<meeting or programme>.<participant>.registration-<status>.<step>-<list>.eml`
(`documents.registration_mail`); `Name` knows only the invitations' kinds and leaves them be.

The journal is the record that makes sending exactly-once (see `delivery.send`): `sending` is
written just before the message data goes to the server, and what came of it after:
`delivered`, `uncertain`, `deferred`, `refused` or `failed`; `superseded` when `invite` took a
message that may have arrived out of the queue for a newer one, and `delivered` or
`not-delivered` when the facilitator settled an uncertain one. Each entry names the file and
the message's identity (`identity`: its Message-ID and recipients), so a file written again for
someone else (a changed address) is a new message, never taken for the one delivered before.
A waiting message whose last event is `sending` or `uncertain` may have arrived; one whose last
event is `delivered` did arrive, even if it could not be moved into `sent/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from ..errors import CohortError
from ..output import Listing, digest, listed
from . import locking
from .journal import Journal, Repaired
from .locking import Holder
from .published import now

SENT = "sent"
JOURNAL = "journal.jsonl"
POINTER = "programme.json"
KINDS = ("invitation", "update", "cancellation", "reminder")

#: journal events after which a waiting message may have reached its recipient
MAYBE_DELIVERED = frozenset({"sending", "uncertain"})
#: the largest message cohort reads: certificates with their PDF are a few hundred KB, and
#: mail servers refuse far less than this
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
#: headers end well before this; a message whose headers do not is not one cohort wrote
_HEADERS = 256 * 1024


@dataclass(frozen=True, order=True, slots=True)
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
class Identity:
    """Which message a file holds, for the journals: `id` digests its Message-ID and
    recipients (the same message to someone else is another message), `to` its recipients
    alone (to notice a changed address without keeping it)."""

    id: str
    to: str


def identity(raw: bytes) -> Identity:
    """The identity of a message from its bytes (only the headers are read)."""
    end = raw.find(b"\r\n\r\n", 0, _HEADERS)
    head = raw[: end if end >= 0 else _HEADERS]
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    message_id = str(headers.get("Message-ID", "")).strip()
    values = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    recipients = sorted({a.strip().lower() for _, a in getaddresses(values) if a.strip()})
    to = address_digest(recipients)
    if not message_id:  # not one cohort wrote: its bytes are its identity
        message_id = hashlib.sha256(raw).hexdigest()
    return Identity(_digest(message_id + "\0" + ",".join(recipients)), to)


def address_digest(addresses: Iterable[str]) -> str:
    """A short digest of addresses (as they travel), to tell whether they changed."""
    return _digest(",".join(sorted(a.strip().lower() for a in addresses)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def identity_of(path: Path) -> Identity | None:
    """The identity of the message in a file (None when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return identity(handle.read(_HEADERS))
    except OSError:
        return None


class OutboxBusy(locking.Busy):
    """Another cohort command has the outbox's lock."""


def stamp() -> str:
    """The moment of a journal entry: UTC, to the second (COHORT_NOW freezes it, as every
    clock of cohort: a registration offer's hours count from its delivery)."""
    return now().isoformat()


class Outbox:
    """An outbox folder: messages waiting, sent, and the journal of sending."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal = Journal(
            path / JOURNAL,
            "the sending journal",
            f"Run 'cohort send {path} --repair': it keeps a copy of the journal, drops the "
            "lines it cannot read, and lists the messages they spoke of as uncertain",
        )
        self._states: dict[str, str] | None = None

    @property
    def sent_dir(self) -> Path:
        return self.path / SENT

    # -- what is there ------------------------------------------------------------------------

    def pending(self) -> list[Path]:
        """Every message waiting (any kind, a plain file, not a link), in file-name order."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.glob("*.eml") if _plain(p))

    def strays(self) -> list[tuple[Path, str]]:
        """What is named `*.eml` but is no message cohort sends: a link, a folder, a pipe."""
        if not self.path.is_dir():
            return []
        out = []
        for path in sorted(self.path.glob("*.eml")):
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                out.append((path, "a link (cohort sends only messages it wrote, never a link)"))
            elif stat.S_ISDIR(mode):
                out.append((path, "a folder, not a message"))
            elif not stat.S_ISREG(mode):
                out.append((path, "not a plain file (a pipe or a device?)"))
        return out

    def sent_files(self) -> set[str]:
        """The file names in `sent/`."""
        if not self.sent_dir.is_dir():
            return set()
        return {p.name for p in self.sent_dir.glob("*.eml")}

    # -- the journal --------------------------------------------------------------------------

    def log(self, **entry: Any) -> None:
        """Append one line to the journal, on disk (fsync) before the next step.

        Raises OSError when it cannot be written: the caller must not go on sending."""
        self.journal.append({**entry, "at": stamp()})
        self._states = None

    def last_entries(self) -> dict[str, dict[str, Any]]:
        """Each file's last journal entry."""
        last: dict[str, dict[str, Any]] = {}
        for entry in self.journal.entries():
            if entry["file"]:
                last[entry["file"]] = entry
        return last

    def states(self) -> dict[str, str]:
        """The last journal event of each waiting message that has one: only when the entry is
        about the message the file holds now (its identity), or names none (an older
        journal)."""
        if self._states is None:
            last = self.last_entries()
            states = {}
            for path in self.pending():
                entry = last.get(path.name)
                if entry is None:
                    continue
                if "id" in entry:
                    found = identity_of(path)
                    if found is None or found.id != entry["id"]:
                        continue
                states[path.name] = entry["event"]
            self._states = states
        return self._states

    def uncertain(self) -> set[str]:
        """Messages waiting whose sending began but never came to a clear end: the connection
        was lost after the data went out, or the process stopped while the server had them.
        They may have arrived; they are not sent again unless the facilitator says so."""
        return {f for f, event in self.states().items() if event in MAYBE_DELIVERED}

    def unrecorded(self) -> set[str]:
        """Messages still waiting that the server accepted (the journal says `delivered`) but
        that could not be moved into `sent/`: they are never sent again."""
        return {f for f, event in self.states().items() if event == "delivered"}

    def delivered_files(self) -> set[str]:
        """The file names of every message of this outbox that reached its recipient or may
        have: in `sent/`, delivered but not moved there, or uncertain."""
        states = self.states()
        maybe = {f for f, e in states.items() if e in MAYBE_DELIVERED or e == "delivered"}
        return self.sent_files() | maybe

    def delivered_times(self) -> dict[str, dt.datetime]:
        """When each message of `delivered_files` reached its recipient or may have: the time
        of its last journal entry when that says so (delivered, sending, uncertain), else (a
        message in `sent/` the journal does not know) the time of its file."""
        last = self.last_entries()
        times: dict[str, dt.datetime] = {}
        for name in self.delivered_files():
            entry = last.get(name, {})
            at = entry.get("at") if entry.get("event") in {*MAYBE_DELIVERED, "delivered"} else None
            try:
                times[name] = (
                    dt.datetime.fromisoformat(at)
                    if isinstance(at, str)
                    else _mtime(self.sent_dir / name)
                )
            except (OSError, ValueError):
                continue
        return times

    # -- moving messages ----------------------------------------------------------------------

    def mark_sent(self, file: Path) -> None:
        """Move a delivered message into `sent/` (an earlier message of the same name there is
        kept, renamed). Raises OSError when it cannot."""
        self.sent_dir.mkdir(parents=True, exist_ok=True)
        target = self.sent_dir / file.name
        if target.exists():
            number = 1
            stem = file.name[: -len(".eml")]
            while (earlier := self.sent_dir / f"{stem}.earlier-{number}.eml").exists():
                number += 1
            target.replace(earlier)
        file.replace(target)
        self._states = None

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

    def withdraw(self, paths: Iterable[Path]) -> list[Path]:
        """Take waiting messages out of the queue (no longer due, or replaced by a newer one):
        one that may have arrived (uncertain) is kept, moved into `sent/` with the journal's
        `superseded`, so its record stays and it is never sent again; one the server accepted
        goes into `sent/`; any other is removed, if it is as cohort wrote it (a file someone
        else put there, or changed since, is left alone). Returns the paths taken out. Raises
        OSError when `sent/` cannot be written."""
        states = dict(self.states())
        written = listed(self.path)
        out = []
        for path in paths:
            event = states.get(path.name)
            if event in MAYBE_DELIVERED or event == "delivered":
                if event != "delivered":
                    found = identity_of(path)
                    self.log(file=path.name, event="superseded", id=found.id if found else "")
                self.mark_sent(path)
            elif written is None or _as_written(path, written):
                path.unlink(missing_ok=True)
            else:
                continue
            out.append(path)
        return out

    def settle(self, files: list[str], delivered: bool) -> list[tuple[str, Identity | None]]:
        """Record what the facilitator found out about uncertain messages: `delivered` moves
        each into `sent/`; otherwise it waits again, to be sent by the next run. Returns the
        names settled, with their identities. Raises CohortError, before settling any, for a
        name that is not an uncertain message waiting here."""
        uncertain = self.uncertain()
        problems = [
            f"'{name}' is not waiting in {self.path}"
            if not (self.path / name).is_file()
            else f"'{name}' is not uncertain (it never was, or it was settled)"
            for name in files
            if name not in uncertain
        ]
        if problems:
            raise CohortError(
                "; ".join(problems)
                + f"; 'cohort send {self.path}' lists the uncertain messages (nothing settled)"
            )
        event = "delivered" if delivered else "not-delivered"
        done = []
        for name in dict.fromkeys(files):
            found = identity_of(self.path / name)
            self.log(file=name, event=event, id=found.id if found else "", reason="settled by hand")
            if delivered:
                self.mark_sent(self.path / name)
            done.append((name, found))
        return done

    def repair(self) -> Repaired:
        """Repair a damaged journal (see `Journal.repair`); every waiting message a dropped
        line spoke of becomes uncertain, since that line may have said it was sent."""
        repaired = self.journal.repair(stamp().replace(":", "").replace("+0000", "Z"))
        self._states = None
        waiting = {p.name for p in self.pending()}
        for name in sorted(repaired.messages & waiting):
            found = identity_of(self.path / name)
            self.log(
                file=name,
                event="uncertain",
                id=found.id if found else "",
                reason="its record was in a damaged line of the journal",
            )
        return repaired

    # -- the programme ------------------------------------------------------------------------

    def programme(self) -> Path | None:
        """The programme folder whose messages these are (None when no command said, or it is
        not there any more): written by `claim`."""
        path = self.path / POINTER
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        for key, base in (("relative", self.path), ("absolute", None)):
            text = data.get(key)
            if not isinstance(text, str):
                continue
            folder = (base / text) if base is not None else Path(text)
            if (folder / "programme.yaml").is_file():
                return folder
        return None

    def claim(self, folder: Path) -> None:
        """Say that this outbox holds the messages of the programme in `folder`. Raises
        CohortError when it holds another programme's (two programmes never share one)."""
        from ..files import write_atomic

        current = self.programme()
        if current is not None and current.resolve() != folder.resolve():
            raise CohortError(
                f"the outbox '{self.path}' holds the messages of the programme in '{current}'; "
                "give each programme an outbox of its own (--outbox FOLDER, e.g. "
                f"'{folder.resolve().name}-outbox')"
            )
        data = {
            "about": "Written by cohort: the programme whose messages wait in this outbox.",
            "relative": os.path.relpath(folder.resolve(), self.path.resolve()),
            "absolute": str(folder.resolve()),
        }
        write_atomic(self.path / POINTER, json.dumps(data, indent=1) + "\n", durable=False)

    # -- the lock -----------------------------------------------------------------------------

    @contextmanager
    def lock(self, command: str) -> Iterator[Holder | None]:
        """Hold the outbox for one command: a second cohort command on the same outbox (in
        another terminal, a cron job) stops at once with OutboxBusy naming the holder. Yields
        the holder of a stale lock (killed while it had the outbox), or None."""

        def refusal(holder: Holder | None) -> str:
            return (
                f"the outbox '{self.path}' is in use by "
                + (str(holder) if holder else "another cohort command")
                + "; wait until it is done (two commands at once could send a message twice)"
            )

        with locking.hold(self.path, command, refusal, busy=OutboxBusy) as stale:
            yield stale

    def busy(self) -> tuple[bool, Holder | None]:
        """Whether another command has the outbox now (and who), without keeping it."""
        return locking.peek(self.path)


def _as_written(path: Path, written: Listing) -> bool:
    """Whether a file holds what cohort wrote there (see `output.listed`)."""
    try:
        return digest(path.read_bytes()) in written.get(path.name, ())
    except OSError:
        return False


def _plain(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
