"""What waits in an outbox, and what a run of `cohort send` does with it (`plan`).

Any plain `*.eml` file is a message, of whatever kind: its envelope comes from its own From, To
and Cc headers. Messages are read one at a time, when their turn comes (`read`), so an outbox
of ten thousand costs the memory of one message; a message larger than
`outbox.MAX_MESSAGE_BYTES`, one that is not an e-mail, or one whose addresses are not addresses
(a line break in the To) is refused by name, never a crash, and the others go on.

Messages about a meeting carry its end (`X-Cohort-Meeting-Ends`, written by `invite`), so a
run holds back what is about a meeting already over.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path

from ..documents.messages import MEETING_ENDS
from ..errors import UsageError
from ..output import MARKER, Listing, digest, listed
from ..records.outbox import MAX_MESSAGE_BYTES, Identity, Outbox, identity


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the outbox, read: its envelope comes from its From, To and Cc.

    `problem` says why it cannot be sent at all (not an e-mail, no address to send it to...);
    `ends` is when the meeting it is about ends, if it is about one."""

    path: Path
    message: EmailMessage | None
    sender: str = ""
    recipients: tuple[str, ...] = ()
    problem: str = ""
    subject: str = ""
    identity: Identity | None = None
    ends: dt.datetime | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def recipient(self) -> str:
        """Who it goes to, for people to read."""
        return ", ".join(self.recipients)

    @property
    def international(self) -> bool:
        """An address with letters outside ASCII before the @: only SMTPUTF8 can carry it
        (domains travel as IDNA A-labels, see `documents.messages.transport_address`)."""
        return not all(a.isascii() for a in (self.sender, *self.recipients))

    def over(self, now: dt.datetime) -> bool:
        """Whether the meeting this message is about ended before `now`."""
        return self.ends is not None and self.ends < now

    def data(self, now: dt.datetime) -> bytes:
        """The bytes to send: the message with its Date set to when it enters the mail system
        (RFC 5322 §3.6.1), in UTF-8 headers (RFC 6532) when its addresses need them."""
        assert self.message is not None
        message = self.message
        del message["Date"]
        message["Date"] = format_datetime(now)
        return message.as_bytes(policy=policy.SMTPUTF8 if self.international else policy.SMTP)


def read(path: Path, written: Listing | None = None) -> Waiting:
    """A waiting message, read and parsed; never raises for what is in the file (see
    `problem`). `written`: what cohort wrote into the outbox (`output.listed`): any other file,
    or one changed since, is not sent (None: an earlier cohort's outbox, which kept no list)."""
    raw = _bytes(path)
    if isinstance(raw, str):
        return Waiting(path, None, problem=raw)
    if written is not None and (why := _not_cohorts(path.name, raw, written)):
        return Waiting(path, None, problem=why)
    try:
        message = message_from_bytes(raw, policy=policy.SMTP)
        assert isinstance(message, EmailMessage)
        senders = _addresses(message, "From")
        recipients = _addresses(message, "To", "Cc")
        subject = _unescape(str(message["Subject"] or ""))
        ends = _ends(message)
    # a hostile file can make the email package fail in many ways: each is this message's
    # problem alone, and the others go on
    except Exception as err:  # noqa: BLE001
        why = f"it cannot be read as an e-mail ({type(err).__name__}: {err})"
        return Waiting(path, None, problem=why)
    found = identity(raw)
    if isinstance(senders, str) or isinstance(recipients, str):
        bad = senders if isinstance(senders, str) else recipients
        return Waiting(path, message, problem=str(bad), subject=subject, identity=found)
    if not senders:
        return Waiting(path, message, problem="it has no sender address (From)", identity=found)
    if not recipients:
        return Waiting(path, message, problem="it has no recipient address (To)", identity=found)
    return Waiting(path, message, senders[0], tuple(recipients), "", subject, found, ends)


def _not_cohorts(name: str, raw: bytes, written: Listing) -> str:
    """Why a file is not a message as cohort wrote it ('' when it is)."""
    if name not in written:
        return (
            "cohort did not write it (it was put into the outbox by hand?); cohort sends only "
            "the messages it wrote"
        )
    if digest(raw) not in written[name]:
        return (
            "it changed since cohort wrote it; cohort sends only messages as it wrote them "
            "(write it again with the command that made it)"
        )
    return ""


def _bytes(path: Path) -> bytes | str:
    """The bytes of a message file, or why it cannot be sent: never through a link, never
    waiting on a pipe, never more than MAX_MESSAGE_BYTES."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        return f"it cannot be read ({err.strerror})"
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "it is not a plain file (a link, a pipe or a folder)"
        if info.st_size > MAX_MESSAGE_BYTES:
            return (
                f"it is {info.st_size // (1024 * 1024)} MB; cohort sends messages of at most "
                f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MB (a mail server would refuse it)"
            )
        try:  # read(n) sets aside n bytes at once: ask for what fstat says is there
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(MAX_MESSAGE_BYTES + 1 - len(data))
        except OSError as err:
            return f"it cannot be read ({err.strerror})"
    if len(data) > MAX_MESSAGE_BYTES:
        return f"it grew beyond {MAX_MESSAGE_BYTES // (1024 * 1024)} MB while it was read"
    return data


def _addresses(message: EmailMessage, *headers: str) -> list[str] | str:
    """The addresses in headers, or why one is not an address (a control character or a
    line break in it, no @, ...)."""
    values = [_unescape(str(value)) for name in headers for value in message.get_all(name, [])]
    found = []
    for _, address in getaddresses(values):
        if not address:
            continue
        local, at, domain = address.rpartition("@")
        odd = any(not c.isprintable() or c.isspace() for c in address)
        if not at or not local or not domain or odd:
            return f"its {'/'.join(headers)} holds {address!r}, which is not an e-mail address"
        found.append(address)
    return found


def _ends(message: EmailMessage) -> dt.datetime | None:
    value = message.get(MEETING_ENDS)
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is None:
        raise ValueError(f"{MEETING_ENDS} '{value}' has no offset from UTC")
    return moment


def _unescape(text: str) -> str:
    """A header as text: the parser keeps UTF-8 header bytes (RFC 6532) as surrogates."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class Queue:
    """What a run does with the outbox: the messages to try, in order, and those it leaves.

    written: what cohort wrote there (`output.listed`), for `read`;
    uncertain: waiting messages that may have arrived (kept back unless --resend-uncertain);
    unrecorded: delivered in an earlier run but not yet moved into sent/ (never sent again);
    refused: (name, the server's answer) of messages a server refused for good (5xx) in an
    earlier run: not tried again unless --retry-refused (a message `invite` wrote anew since,
    e.g. to a corrected address, is tried);
    strays: what is named like a message but is none (a link, a folder, a pipe), and why."""

    paths: list[Path]
    #: what cohort wrote into the outbox (see `read`)
    written: Listing | None = None
    uncertain: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    strays: list[tuple[Path, str]] = field(default_factory=list)


#: what is said of a message refused in an earlier run, after the server's answer
REFUSED_BEFORE = (
    "refused in an earlier run ({answer}); not tried again: correct what the answer names "
    "(an address in the programme, then 'cohort invite' writes the message anew), or add "
    "--retry-refused to this command to try it once more"
)


def plan(outbox: Outbox, resend_uncertain: bool = False, retry_refused: bool = False) -> Queue:
    """Decide what a run tries, from the journal alone (the messages are read as their turn
    comes); the same decision for a dry run and a real one."""
    states = outbox.states()
    last = outbox.last_entries() if "refused" in states.values() else {}
    queue = Queue([], listed(outbox.path), strays=outbox.strays())
    for path in outbox.pending():
        event = states.get(path.name)
        if event == "delivered":
            queue.unrecorded.append(path.name)
        elif event in ("sending", "uncertain") and not resend_uncertain:
            queue.uncertain.append(path.name)
        elif event == "refused" and not retry_refused:
            queue.refused.append((path.name, str(last[path.name].get("reason", ""))))
        else:
            queue.paths.append(path)
    return queue


def existing(outbox_path: Path) -> Outbox:
    """The outbox at `outbox_path`. Raises UsageError when there is none, or when the folder
    is not one cohort wrote: `send` never sends from a folder of the user's own."""
    if outbox_path.exists() and not outbox_path.is_dir():
        raise UsageError(
            f"'{outbox_path}' is a file, not an outbox; give the folder that 'cohort invite' "
            "wrote (its -o)"
        )
    if not outbox_path.is_dir():
        raise UsageError(f"there is no outbox '{outbox_path}'; write one with 'cohort invite'")
    marker = outbox_path / MARKER
    if marker.is_symlink() or not marker.is_file():
        raise UsageError(
            f"'{outbox_path}' is not an outbox cohort wrote (it has no {MARKER}); cohort sends "
            "only what 'cohort invite' or 'cohort certificates --email' wrote, so that no file "
            "of yours is ever mailed"
        )
    return Outbox(outbox_path)


def moment(today: dt.date | None) -> dt.datetime:
    """When a run happens, to tell which meetings are over: the start of `today` (--today)
    when given, else now (COHORT_NOW freezes it)."""
    if today is not None:
        return dt.datetime.combine(today, dt.time(0), dt.UTC)
    from ..records.published import now

    return now()
