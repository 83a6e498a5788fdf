"""What waits in an outbox, read, and what a run of `cohort send` does with it (`plan`).

Any `*.eml` file is a message, of whatever kind: its envelope comes from its own From, To and
Cc headers. A file that is not a message it can send is named, never a crash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path

from ..records.outbox import Outbox


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the outbox, read: its envelope comes from its From, To and Cc.

    `problem` says why it cannot be sent at all (no address to send it to, ...)."""

    path: Path
    message: EmailMessage | None
    sender: str = ""
    recipients: tuple[str, ...] = ()
    problem: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def recipient(self) -> str:
        """Who it goes to, for people to read."""
        return ", ".join(self.recipients)

    @property
    def subject(self) -> str:
        return _unescape(str(self.message["Subject"] or "")) if self.message is not None else ""

    @property
    def international(self) -> bool:
        """An address with letters outside ASCII before the @: only SMTPUTF8 can carry it
        (domains travel as IDNA A-labels, see `documents.messages.transport_address`)."""
        return not all(a.isascii() for a in (self.sender, *self.recipients))

    def data(self, now: dt.datetime) -> bytes:
        """The bytes to send: the message with its Date set to when it enters the mail system
        (RFC 5322 §3.6.1), in UTF-8 headers (RFC 6532) when its addresses need them."""
        assert self.message is not None
        message = self.message
        del message["Date"]
        message["Date"] = format_datetime(now)
        return message.as_bytes(policy=policy.SMTPUTF8 if self.international else policy.SMTP)


def read(path: Path) -> Waiting:
    """A waiting message, parsed; never raises for what is in the file (see `problem`)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return Waiting(path, None, problem=f"cannot be read ({err.strerror})")
    message = message_from_bytes(raw, policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    senders = _addresses(message, "From")
    recipients = _addresses(message, "To", "Cc")
    if not senders:
        return Waiting(path, message, problem="it has no sender address (From)")
    if not recipients:
        return Waiting(path, message, problem="it has no recipient address (To)")
    return Waiting(path, message, senders[0], tuple(recipients))


def _addresses(message: EmailMessage, *headers: str) -> list[str]:
    values = [_unescape(str(value)) for name in headers for value in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if "@" in address]


def _unescape(text: str) -> str:
    """A header as text: the parser keeps UTF-8 header bytes (RFC 6532) as surrogates."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def waiting(outbox: Outbox) -> list[Waiting]:
    """The messages waiting in an outbox, in file-name order, read."""
    return [read(path) for path in outbox.pending()]


@dataclass
class Queue:
    """What a run does with the outbox: the messages to try, in order, and those it leaves.

    uncertain: waiting messages that may have arrived (kept back unless --resend-uncertain);
    unrecorded: delivered in an earlier run but not yet moved into sent/ (never sent again);
    held_back: how many `--limit` leaves for a later run."""

    items: list[Waiting]
    uncertain: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    held_back: int = 0


def plan(outbox: Outbox, limit: int | None = None, resend_uncertain: bool = False) -> Queue:
    """Decide what a run sends; the same decision for a dry run and a real one."""
    uncertain = outbox.uncertain()
    unrecorded = outbox.unrecorded()
    queue = Queue([])
    for item in waiting(outbox):
        if item.name in unrecorded:
            queue.unrecorded.append(item.name)
        elif item.name in uncertain and not resend_uncertain:
            queue.uncertain.append(item.name)
        else:
            queue.items.append(item)
    if limit is not None and len(queue.items) > limit:
        queue.held_back = len(queue.items) - limit
        queue.items = queue.items[:limit]
    return queue
