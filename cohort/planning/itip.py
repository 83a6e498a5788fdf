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
import re
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
#: how many parts deep a message may nest (a reply is two or three deep)
MAX_DEPTH = 20
#: control characters (not tab), and the bidirectional controls that reorder what a terminal
#: shows: never kept in a comment
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

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
    #: every address the message says it is from (From and Sender, lower case)
    senders: tuple[str, ...] = ()
    subject: str = ""
    kind: Kind = "other"
    answers: list[Answer] = field(default_factory=list)
    reason: str = ""
    references: tuple[str, ...] = ()
    excerpt: str = ""
    uid: str = ""
    proposed: str = ""
    #: the proposed start as a moment (or a day), when it can be read
    proposed_at: dt.date | None = None
    #: what was cleaned or is odd about a message that was read nonetheless
    notes: list[str] = field(default_factory=list)


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
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        if _depth(message) > MAX_DEPTH:
            raise RecursionError
    except RecursionError:
        return refused(
            name, f"its parts nest more than {MAX_DEPTH} deep (a calendar reply nests two or three)"
        )
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    found = Read(
        name,
        sender=sender,
        senders=tuple(
            a.strip().lower()
            for _, a in getaddresses(message.get_all("From", []) + message.get_all("Sender", []))
            if a.strip()
        ),
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
    once: dict[tuple[str, str], Answer] = {}
    for answer in found.answers:  # Gmail and Thunderbird send the same calendar twice
        once.setdefault((answer.uid, answer.attendee), answer)
    found.answers = list(once.values())
    return found


def _depth(message: Message) -> int:
    """How deep a message's parts nest, counted without recursion."""
    deepest, stack = 0, [(message, 1)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH and part.is_multipart():
            payload = part.get_payload()
            stack.extend((p, depth + 1) for p in payload if isinstance(p, Message))
    return deepest


def shown(text: str) -> str:
    """A line safe for a terminal: each control character (an ESC would start a terminal
    command, a newline a line of its own) and each bidirectional control (which would show a
    name reversed) as its escape, such as '\\x1b' or '\\u202e'."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def clean(text: str) -> tuple[str, bool]:
    """Text without control characters (each becomes a space; bidirectional controls go), and
    whether there were any."""
    cleaned = _CONTROL.sub(lambda m: " " if m.group() < "\x80" else "", text)
    return " ".join(cleaned.split()) if cleaned != text else text, cleaned != text


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


#: the properties an answer is read from; other lines are not parsed further
_WANTED = frozenset(
    {"BEGIN", "END", "METHOD", "UID", "DTSTAMP", "SEQUENCE", "ORGANIZER", "ATTENDEE", "COMMENT"}
    | {"DTSTART"}
)


def _calendar(payload: bytes, method: str, found: Read) -> None:
    """Read one calendar part into `found`. Raises _Refused when it cannot be read.

    icalendar's content-line parser reads it (unfolding, parameters, quoting, escapes), and
    its value types decode DTSTAMP and COMMENT; only the properties an answer needs are parsed
    (a client's VTIMEZONE and X- lines are skipped), and the components must nest properly."""
    from icalendar.parser import Contentlines

    try:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:  # Latin-1 labelled as UTF-8: as Windows would show it
            text = payload.decode("cp1252", errors="replace")
        lines = Contentlines.from_ical(text)  # type: ignore[no-untyped-call]
        events = _events(lines)
    except _Refused:
        raise
    except Exception as err:  # icalendar raises ValueError, KeyError, ... on broken input
        raise _Refused(f"its calendar part cannot be read ({_short(err)})") from None
    method = str(events.pop(0).get("METHOD", [("", {}, method)])[0][2]).upper() or method
    if method == "COUNTER":
        found.kind = "counter"
        if events:
            found.uid = str(events[0].get("UID", [("", {}, "")])[0][2])
            starts = events[0].get("DTSTART")
            found.proposed = str(starts[0][2]) if starts else ""
            found.proposed_at = _start(starts[0]) if starts else None
        return
    if method != "REPLY":
        return  # an invitation, a cancellation, a published calendar: not an answer
    found.kind = "reply"
    for event in events:
        _event(event, found)


Properties = dict[str, list[tuple[str, Any, str]]]


def _events(lines: Any) -> list[Properties]:
    """The calendar's own properties, then each VEVENT's (name -> [(name, params, value)]).
    Raises _Refused when it is not one VCALENDAR whose components nest properly."""
    stack: list[str] = []
    calendar: Properties = {}
    events: list[Properties] = []
    for line in lines:
        if not line:
            continue
        head, _, rest = line.partition(":")
        name = head.split(";", 1)[0].upper()
        if name not in _WANTED:
            if not stack:
                raise _Refused("its calendar part cannot be read (text outside BEGIN:VCALENDAR)")
            continue
        if name in ("BEGIN", "END") and head.upper() == name:  # no parameters: as it is
            _nest(stack, name, rest.strip().upper(), events)
            continue
        name, params, value = _split(line, name)
        name = name.upper()
        if name in ("BEGIN", "END"):
            _nest(stack, name, value.upper(), events)
        elif stack == ["VCALENDAR"]:
            calendar.setdefault(name, []).append((name, params, value))
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1].setdefault(name, []).append((name, params, value))
    if stack or not calendar and not events:
        raise _Refused("its calendar part cannot be read (it does not end where it should)")
    return [calendar, *events]


_PARTSTAT = re.compile(r"[;:]PARTSTAT=\"?([A-Za-z-]+)", re.IGNORECASE)
_MAILTO = re.compile(r":(mailto:[^;:\s\"]+@[^;:\s\"]+)\s*$", re.IGNORECASE)


def _split(line: Any, name: str) -> tuple[str, Any, str]:
    """A content line's name, parameters and value; an ATTENDEE line icalendar cannot split
    is read leniently (see `_lenient_attendee`)."""
    try:
        parts: tuple[str, Any, str] = line.parts()
    except ValueError:
        if name != "ATTENDEE":
            raise
        return _lenient_attendee(str(line))
    return parts


def _lenient_attendee(line: str) -> tuple[str, dict[str, str], str]:
    """An ATTENDEE line icalendar cannot split (a CN with quotes in it, as some clients write):
    its PARTSTAT and its mailto: address, when both can be found for sure. Raises _Refused."""
    partstat, address = _PARTSTAT.search(line), _MAILTO.search(line)
    if partstat is None or address is None:
        raise _Refused(
            "its ATTENDEE line cannot be read (a name with quotes in it?), so who answered is "
            "not known"
        )
    return "ATTENDEE", {"PARTSTAT": partstat.group(1).upper()}, address.group(1)


def _nest(stack: list[str], name: str, component: str, events: list[Properties]) -> None:
    """Follow BEGIN and END; a new VEVENT starts its properties. Raises _Refused when they do
    not nest in one VCALENDAR."""
    if name == "BEGIN":
        if not stack and component != "VCALENDAR":
            raise _Refused("its calendar part is not a VCALENDAR")
        if stack == ["VCALENDAR"] and component == "VEVENT":
            events.append({})
        stack.append(component)
    elif not stack or stack.pop() != component:
        raise _Refused(f"its calendar part cannot be read (END:{component} out of place)")


def _event(event: Properties, found: Read) -> None:
    """The answers of one VEVENT of a REPLY into `found`. Raises _Refused for an event that
    lacks what an answer needs (RFC 5546 §3.2.3: UID, DTSTAMP, an ATTENDEE with PARTSTAT)."""
    from icalendar.prop import vText

    def value(name: str) -> str:
        return str(event[name][0][2]) if name in event else ""

    uid = value("UID").strip()
    if not uid:
        raise _Refused("its calendar reply has no UID")
    moment = _stamp(value("DTSTAMP"))
    try:
        sequence = int(value("SEQUENCE") or 0)
    except ValueError:
        raise _Refused(f"its SEQUENCE '{value('SEQUENCE')}' is not a number") from None
    organiser = _address(value("ORGANIZER") or None)
    comment = " ".join(str(vText.from_ical(v)) for _, _, v in event.get("COMMENT", []))
    attendees = event.get("ATTENDEE", [])
    if not attendees:
        raise _Refused("its calendar reply names no ATTENDEE")
    for _, params, address in attendees:
        partstat = str(params.get("PARTSTAT", "")).upper()
        if partstat not in PARTSTATS:
            if len(attendees) == 1:
                raise _Refused(
                    f"its answer is '{partstat or 'none'}', not ACCEPTED, DECLINED or TENTATIVE"
                )
            continue
        said = comment.strip() or str(params.get("X-RESPONSE-COMMENT") or "").strip()
        said, cleaned = clean(said)
        if cleaned:
            found.notes.append(
                "its comment held control characters; they were left out, the answer is kept"
            )
        found.answers.append(
            Answer(
                uid=uid,
                sequence=sequence,
                stamp=moment,
                attendee=_address(address) or "",
                answer=PARTSTATS[partstat],
                comment=said or None,
                organiser=organiser,
            )
        )


def _start(prop: tuple[str, Any, str]) -> dt.date | None:
    """A DTSTART as a moment (in its TZID's zone, else as it is written) or a day; None when it
    cannot be read."""
    from icalendar.prop import vDDDTypes

    _, params, text = prop
    try:
        found = vDDDTypes.from_ical(text, timezone=params.get("TZID"))  # type: ignore[no-untyped-call]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, dt.date) else None


def _stamp(text: str) -> dt.datetime:
    """A DTSTAMP as a moment in UTC, to the second. Raises _Refused when it is none."""
    from icalendar.prop import vDDDTypes

    try:
        stamp = vDDDTypes.from_ical(text) if text else None  # type: ignore[no-untyped-call]
    except ValueError:
        stamp = None
    if isinstance(stamp, dt.date) and not isinstance(stamp, dt.datetime):
        raise _Refused(
            f"its DTSTAMP '{text}' is a date, not the moment of the answer (RFC 5545 §3.8.7.2 "
            "asks for a date and time in UTC)"
        )
    if not isinstance(stamp, dt.datetime):
        raise _Refused("its calendar reply has no DTSTAMP (the moment of the answer)")
    moment = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


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
