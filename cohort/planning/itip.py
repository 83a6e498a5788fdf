"""Reading one e-mail for an invitee's answer: an iTIP REPLY (RFC 5546 §3.2.3) in an iMIP
message (RFC 6047), as Outlook, Gmail, Apple Calendar and Thunderbird send them when someone
presses Accept, Decline or Maybe.

The message is parsed by the `email` package and its calendar parts by icalendar; what is read
is plain data (`Read`) for the import to match to meetings and participants. Nothing is
guessed: a message without a calendar part is `text` (listed for the facilitator, never read
as an answer), a proposal of another time (METHOD:COUNTER) is `counter` (listed too), and a
message that is too large or whose calendar part cannot be read is `refused` with the reason.

Where each client puts the answer (observed formats):

- Outlook / Exchange: subject "Accepted: <title>" ("Geaccepteerd:", "Accepté:", ...),
  a `text/calendar; method=REPLY` part with METHOD:REPLY, X-MS-OLK-* properties, the comment
  typed in COMMENT;
- Gmail: `text/calendar; method=REPLY` in a multipart/alternative, plus the same as an
  attachment `invite.ics` (application/ics); a comment as the ATTENDEE's X-RESPONSE-COMMENT;
- Apple Calendar: a `text/calendar; method=REPLY` part with X-APPLE-* lines;
- Thunderbird: text/plain, then `text/calendar; method=REPLY`, and `invite.ics` attached.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Any, Literal

#: a calendar reply is a few kilobytes; anything this large is not read
MAX_MESSAGE = 5 * 1024 * 1024
#: a calendar part larger than this is not parsed
MAX_CALENDAR = 256 * 1024

PARTSTATS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}

Kind = Literal["reply", "counter", "text", "refused", "other"]


@dataclass(frozen=True)
class Answer:
    """One attendee's answer in a REPLY: the event (UID, SEQUENCE), when (DTSTAMP, UTC), who
    (the ATTENDEE's address, lower case), the answer, their comment, the ORGANIZER's address."""

    uid: str
    sequence: int
    stamp: dt.datetime
    attendee: str
    answer: str
    comment: str | None = None
    organiser: str | None = None


@dataclass
class Read:
    """What one message says: its name (a file, an IMAP UID), sender (address, lower case) and
    subject; its kind; the answers of a reply; why it was refused; the messages it answers
    (In-Reply-To and References); a first line of text (a plain-text reply); the UID and
    proposed start of a counter-proposal."""

    name: str
    sender: str = ""
    subject: str = ""
    kind: Kind = "other"
    answers: list[Answer] = field(default_factory=list)
    reason: str = ""
    references: tuple[str, ...] = ()
    excerpt: str = ""
    uid: str = ""
    proposed: str = ""


def refused(name: str, reason: str) -> Read:
    """A message that is not read, and why."""
    return Read(name, kind="refused", reason=reason)


def size_of(size: int) -> str:
    """A size for people: '12.3 MB', '5 kB'."""
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} kB"


def too_large(name: str, size: int) -> Read:
    """A message over MAX_MESSAGE, refused unread."""
    return refused(
        name,
        f"it is too large ({size_of(size)}; a calendar reply is a few kB, and cohort reads "
        f"none over {size_of(MAX_MESSAGE)}): not read",
    )


def read_message(name: str, data: bytes) -> Read:
    """Read one e-mail (its bytes, as stored or fetched) for an answer; see the module."""
    if len(data) > MAX_MESSAGE:
        return too_large(name, len(data))
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    found = Read(
        name,
        sender=parseaddr(str(message.get("From", "")))[1].strip().lower(),
        subject=_header(message.get("Subject", "")),
        references=tuple(
            address
            for _, address in getaddresses(
                message.get_all("In-Reply-To", []) + message.get_all("References", [])
            )
        ),
    )
    try:
        calendars, text = _parts(message)
        if not calendars:
            found.kind, found.excerpt = "text", _first_line(text)
            return found
        for payload, method in calendars:
            _calendar(payload, method, found)
    except _Refused as why:
        found.kind, found.reason, found.answers = "refused", str(why), []
        return found
    if found.kind == "reply" and not found.answers:
        found.kind, found.reason = "refused", "its calendar reply holds no event with an answer"
    return found


class _Refused(Exception):
    """Why a message is not read."""


def _parts(message: Message) -> tuple[list[tuple[bytes, str]], str]:
    """The message's calendar parts (each once, with the METHOD of its Content-Type) and its
    first plain text. Raises _Refused for a calendar part over MAX_CALENDAR."""
    calendars: list[tuple[bytes, str]] = []
    text = ""
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if ctype in ("text/calendar", "application/ics") or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            if len(payload) > MAX_CALENDAR:
                raise _Refused(f"its calendar part is too large ({size_of(len(payload))})")
            method = str(part.get_param("method") or "").upper()
            if all(payload != seen for seen, _ in calendars):
                calendars.append((payload, method))
        elif ctype == "text/plain" and not text and not part.get_filename():
            text = _text(part)
    return calendars, text


def _calendar(payload: bytes, method: str, found: Read) -> None:
    """Read one calendar part into `found`. Raises _Refused when it cannot be read."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(payload)
    except Exception as err:  # icalendar raises ValueError, KeyError, ... on broken input
        raise _Refused(f"its calendar part cannot be read ({_short(err)})") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise _Refused("its calendar part is not a VCALENDAR")
    method = str(calendar.get("METHOD") or method).upper()
    events = calendar.walk("VEVENT")
    if method == "COUNTER":
        found.kind = "counter"
        if events:
            found.uid = str(events[0].get("UID", ""))
            start = events[0].get("DTSTART")
            found.proposed = start.dt.isoformat() if start is not None else ""
        return
    if method != "REPLY":
        return  # an invitation, a cancellation, a published calendar: not an answer
    found.kind = "reply"
    for event in events:
        _event(event, found)


def _event(event: Any, found: Read) -> None:
    """The answers of one VEVENT of a REPLY into `found`. Raises _Refused for an event that
    lacks what an answer needs (RFC 5546 §3.2.3: UID, DTSTAMP, an ATTENDEE with PARTSTAT)."""
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise _Refused("its calendar reply has no UID")
    stamp = event.get("DTSTAMP")
    if stamp is None or not isinstance(stamp.dt, dt.datetime):
        raise _Refused("its calendar reply has no DTSTAMP (the moment of the answer)")
    moment = stamp.dt if stamp.dt.tzinfo else stamp.dt.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC).replace(microsecond=0)
    try:
        sequence = int(str(event.get("SEQUENCE", 0)))
    except ValueError:
        raise _Refused(f"its SEQUENCE '{event.get('SEQUENCE')}' is not a number") from None
    organiser = _address(event.get("ORGANIZER"))
    comment = " ".join(str(c) for c in _listed(event.get("COMMENT"))).strip() or None
    attendees = _listed(event.get("ATTENDEE"))
    if not attendees:
        raise _Refused("its calendar reply names no ATTENDEE")
    for attendee in attendees:
        params = getattr(attendee, "params", {})
        partstat = str(params.get("PARTSTAT", "")).upper()
        if partstat not in PARTSTATS:
            if len(attendees) == 1:
                raise _Refused(
                    f"its answer is '{partstat or 'none'}', not ACCEPTED, DECLINED or TENTATIVE"
                )
            continue
        said = params.get("X-RESPONSE-COMMENT")
        found.answers.append(
            Answer(
                uid=uid,
                sequence=sequence,
                stamp=moment,
                attendee=_address(attendee) or "",
                answer=PARTSTATS[partstat],
                comment=comment or (str(said).strip() if said else None) or None,
                organiser=organiser,
            )
        )


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _address(value: Any) -> str | None:
    """The address of a CAL-ADDRESS ('mailto:Anna@Example.org' -> 'anna@example.org')."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower() or None


def _header(value: Any) -> str:
    try:
        return " ".join(str(make_header(decode_header(str(value)))).split())
    except (ValueError, LookupError, UnicodeError):
        return " ".join(str(value).split())


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _first_line(text: str) -> str:
    """The first line someone wrote (not a quoted one), shortened for a listing."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(">"):
            return line[:80] + ("…" if len(line) > 80 else "")
    return ""


def _short(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:120] + ("…" if len(text) > 120 else "")
