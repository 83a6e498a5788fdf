"""What the programme's people received, from whichever outbox: `delivered.jsonl` in the
programme folder. `cohort send` writes it, `cohort invite` (and the certificates' and the
registrations' e-mails) read it, so what someone received follows the programme, not an outbox
folder: a second outbox (`invite -o elsewhere`, `build --invitations`, a run from another
folder) writes only what is new, and `send` never delivers from one outbox what another
already delivered.

One line per message that reached its recipient or may have, appended by `send` as it learns
it: `{"file", "event", "id", "to", "at"}`, where event is `delivered` (the server accepted it),
`uncertain` (the connection was lost after its data went out: it may have arrived) or
`not-delivered` (the facilitator settled an uncertain one: it did not arrive); `id` is the
message's identity and `to` a digest of its recipients (see `outbox.identity`): never the
addresses themselves, since the file is committed next to the YAML. A message counts as
received while its last line says delivered or uncertain: one that may have arrived is never
written again, and what follows it (an update, a cancellation) is planned as if it had.

An outbox from before this record, or one whose `send` could not reach the programme folder,
is taken in (`adopt`) by the next `invite` on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import CohortError
from . import locking
from .journal import Journal, Repaired
from .outbox import MAYBE_DELIVERED, Identity, Outbox, identity_of, stamp

RECORD = "delivered.jsonl"
#: what the record says of a message: it arrived, may have, or (settled) did not
EVENTS = ("delivered", "uncertain", "not-delivered")


@dataclass(frozen=True)
class Received:
    """A message someone received (or may have): its file name, the last event, identity."""

    file: str
    event: str
    id: str
    to: str


class History:
    """The record of what a programme's people received (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.journal = Journal(
            folder / RECORD,
            "the record of what was delivered",
            "If it is a merge conflict, keep the lines of both sides; else run 'cohort send "
            "OUTBOX --repair' on an outbox of this programme: it keeps a copy, drops the lines "
            "it cannot read, and counts the messages they spoke of as may-have-arrived",
        )
        self._last: dict[tuple[str, str], Received] | None = None

    @property
    def path(self) -> Path:
        return self.journal.path

    def last(self) -> dict[tuple[str, str], Received]:
        """Each message's last event, by (file, identity)."""
        if self._last is None:
            last: dict[tuple[str, str], Received] = {}
            for entry in self.journal.entries():
                if entry["event"] not in EVENTS or not entry["file"]:
                    continue
                file, event = entry["file"], entry["event"]
                key = (file, str(entry.get("id", "")))
                last[key] = Received(file, event, key[1], str(entry.get("to", "")))
            self._last = last
        return self._last

    def received(self) -> dict[str, Received]:
        """Each file someone received or may have (delivered or uncertain, not settled as
        not delivered), with its latest message."""
        out: dict[str, Received] = {}
        for received in self.last().values():
            if received.event != "not-delivered":
                out[received.file] = received
        return out

    def times(self) -> dict[str, dt.datetime]:
        """When each file of `received` reached its recipient or may have: the first
        `delivered` or `uncertain` line of its latest message (since it was last settled as not
        delivered)."""
        first: dict[tuple[str, str], str] = {}
        for entry in self.journal.entries():
            key = (entry["file"], str(entry.get("id", "")))
            if entry["event"] == "not-delivered":
                first.pop(key, None)
            elif entry["event"] in ("delivered", "uncertain") and isinstance(entry.get("at"), str):
                first.setdefault(key, entry["at"])
        times: dict[str, dt.datetime] = {}
        for file, received in self.received().items():
            with suppress(KeyError, ValueError):
                times[file] = dt.datetime.fromisoformat(first[(file, received.id)])
        return times

    def event(self, file: str, found: Identity) -> str | None:
        """What the record says of this message (this file, this identity), if anything."""
        entry = self.last().get((file, found.id))
        return entry.event if entry else None

    def record(self, file: str, event: str, found: Identity | None, durable: bool = False) -> None:
        """Append what became of a message. Raises OSError when it cannot be written (the
        outbox's journal has it all the same: the next `invite` takes it in)."""
        entry = {"file": file, "event": event, "at": stamp()}
        if found is not None:
            entry.update(id=found.id, to=found.to)
        self.journal.append(entry, durable=durable)
        if self._last is not None:
            key = (file, found.id if found else "")
            self._last[key] = Received(file, event, key[1], found.to if found else "")

    def adopt(self, outbox: Outbox) -> int:
        """Take in what an outbox knows and this record does not: the messages in its `sent/`
        and those its journal says were delivered, may have been, or were settled. Returns how
        many lines were added. Raises OSError when the record cannot be written."""
        known = self.last()
        files = {file for file, _ in known}
        journal = outbox.last_entries()
        added = 0
        for name in sorted(outbox.sent_files() - files):
            found = identity_of(outbox.sent_dir / name)
            if found is not None:
                superseded = journal.get(name, {}).get("event") == "superseded"
                self.record(name, "uncertain" if superseded else "delivered", found)
                added += 1
        for name, event in sorted(outbox.states().items()):
            what = "uncertain" if event in MAYBE_DELIVERED or event == "superseded" else event
            if what not in EVENTS:
                continue
            found = identity_of(outbox.path / name)
            if found is not None and (known.get((name, found.id)) or _NONE).event != what:
                self.record(name, what, found)
                added += 1
        if added:
            self.journal.sync()
        return added

    def repair(self) -> Repaired:
        """Repair a damaged record (see `Journal.repair`): a message a dropped line spoke of
        may have arrived, so it counts as received (uncertain)."""
        repaired = self.journal.repair(stamp().replace(":", "").replace("+0000", "Z"))
        self._last = None
        for name in sorted(repaired.messages):
            self.record(name, "uncertain", None)
        return repaired

    @contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Hold the record for one command: two commands of one programme (sending from two
        outboxes) never decide at once what was delivered. Raises locking.Busy."""

        def refusal(_holder: locking.Holder | None) -> str:
            return (
                f"another cohort command is sending or writing messages of the programme in "
                f"'{self.folder}'; wait until it is done (two at once could send a message twice)"
            )

        with locking.hold(self.folder, command, refusal, note=False):
            yield


_NONE = Received("", "", "", "")


def received_files(folder: Path | None, outbox: Outbox) -> set[str]:
    """The file names of every message someone received or may have: from the programme's
    record (when `folder` is given) and from the outbox itself."""
    mine = outbox.delivered_files()
    if folder is None:
        return mine
    return mine | set(History(folder).received())


def received_times(folder: Path, outbox: Outbox) -> dict[str, dt.datetime]:
    """When each message someone received or may have reached them (file name -> moment, UTC):
    from the programme's record, else (a message it has not taken in yet) from the outbox."""
    return {**outbox.delivered_times(), **History(folder).times()}


@contextmanager
def writing(folder: Path, outbox: Outbox, command: str) -> Iterator[History]:
    """Hold an outbox and its programme's record for a command that writes messages into it
    (`invite`, `certificates --email`): the outbox is claimed for the programme, and what it
    knows of deliveries is taken into the programme's record first. Yields the record.

    Raises OutboxBusy or locking.Busy when another command has either, CohortError when the
    outbox belongs to another programme or the record cannot be written."""
    history = History(folder)
    with outbox.lock(command), history.lock(command):
        outbox.claim(folder)
        try:
            history.adopt(outbox)
        except OSError as err:
            raise CohortError(f"cannot write '{history.path}': {err.strerror or err}") from None
        yield history
