"""The programme's record of what was delivered (`records.deliveries`) as one run of `cohort
send` on one outbox uses it: looked up before a message goes (another outbox of the programme
may have delivered it), written as each message ends. The outbox's journal stays the record
that makes sending exactly-once; this one makes it so across the programme's outboxes, and a
run that cannot reach or write it goes on, saying so (the next `invite` takes in what the
outbox knows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from ..records.deliveries import History
from ..records.outbox import POINTER, Identity, Outbox, identity_of
from .queue import Waiting


@dataclass
@dataclass
class ProgrammeRecord:
    """The programme's record of what was delivered, as a run of one outbox uses it; `note`
    says when it cannot be reached or written (the outbox's journal has everything all the
    same, and the next `invite` takes it in)."""

    history: History | None
    note: str = ""

    @classmethod
    def of(cls, outbox: Outbox) -> ProgrammeRecord:
        folder = outbox.programme()
        if folder is not None:
            return cls(History(folder))
        if (outbox.path / POINTER).exists():
            return cls(
                None,
                f"note: the programme folder of {outbox.path} is not where it was; what is sent "
                "now is recorded in the outbox only, until 'cohort invite' runs on it again",
            )
        return cls(None)

    def read(self) -> None:
        """Read the record now. Raises CohortError when it is damaged (a merge conflict)."""
        if self.history is not None:
            self.history.last()

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.history.lock("send") if self.history is not None else nullcontext():
            yield

    def event(self, item: Waiting) -> str | None:
        if self.history is None or item.identity is None:
            return None
        return self.history.event(item.name, item.identity)

    def record(self, item: Waiting, event: str) -> None:
        """Record what became of a message; never raises (see `note`)."""
        self.write(item.name, event, item.identity)

    def record_file(self, outbox: Outbox, name: str, event: str) -> None:
        """Record what became of a message of the outbox known by its name (waiting, or in
        sent/)."""
        if self.history is not None:
            path = outbox.path / name
            self.write(name, event, identity_of(path if path.exists() else outbox.sent_dir / name))

    def write(self, name: str, event: str, found: Identity | None, durable: bool = False) -> None:
        if self.history is None:
            return
        try:
            self.history.record(name, event, found, durable)
        except OSError as err:
            self.fail(err)

    def fail(self, err: OSError) -> None:
        if self.history is not None and not self.note:
            self.note = (
                f"note: cannot write {self.history.path} ({err.strerror or err}); what is sent "
                "now is recorded in the outbox only, until 'cohort invite' runs on it again"
            )

    def sync(self) -> None:
        if self.history is not None:
            try:
                self.history.journal.sync()
            except OSError as err:
                self.fail(err)


def over_reason(item: Waiting) -> str:
    """Why a message about a meeting that is over is held back."""
    assert item.ends is not None
    return (
        f"its meeting ended {item.ends.isoformat(sep=' ', timespec='minutes')}; nothing is "
        "sent about the past (the next 'cohort invite' removes it)"
    )


def elsewhere_reason(event: str | None) -> str:
    """Why a message another outbox of the programme delivered (or may have) is not sent."""
    if event == "delivered":
        return "it was delivered from another outbox of this programme"
    return "it may have arrived from another outbox of this programme (uncertain there)"
