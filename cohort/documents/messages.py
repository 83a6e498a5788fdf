"""E-mail messages as cohort writes them: MIME built by the standard library's `email` package.

Every message cohort puts in an outbox (invitations, and whatever else a programme sends) is
made here from a `Mail`: text and HTML alternatives, an optional calendar part (iMIP, RFC 6047:
`text/calendar; method=...` plus the same `.ics` attached) and further attachments. Headers are
never pasted together: a name with a comma, quotes or a line break stays one name. Boundaries
and the Message-ID come from the message's own key, so the same message renders to the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, ClassVar


class CachedHeaderRegistry(HeaderRegistry):
    """HeaderRegistry, but each header class is made once per name, not once per header."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


_RECURRING = frozenset(
    {
        "content-type",
        "content-transfer-encoding",
        "mime-version",
        "content-disposition",
        "from",
        "date",
        "content-language",
    }
)
#: what makes a recurring header's value unique to one message
_ONCE = "boundary="


class RecurringHeadersPolicy(EmailPolicy):
    """The SMTP policy, remembering the parsed and folded forms of the part headers that recur
    in every message (Content-Type, Content-Transfer-Encoding, ...). Header objects are
    immutable, so sharing them changes nothing in the output; it halves the time to build a
    message, which counts for an outbox of ten thousand. A header naming a multipart's boundary
    is not remembered: each message has its own, and remembering them would make memory grow
    with the number of messages."""

    _parsed: ClassVar[dict[tuple[str, str], Any]] = {}
    _folded: ClassVar[dict[tuple[str, str, bool], bytes]] = {}

    def header_store_parse(self, name: str, value: Any) -> Any:
        if name.lower() in _RECURRING and type(value) is str and _ONCE not in value:
            key = (name, value)
            if key not in self._parsed:
                self._parsed[key] = super().header_store_parse(name, value)
            return self._parsed[key]
        return super().header_store_parse(name, value)

    def fold(self, name: str, value: Any) -> str:
        if _encoded_whole(self, name, value):
            return _encode_whole(self, name, value)
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: Any) -> bytes:
        if _encoded_whole(self, name, value):
            return _encode_whole(self, name, value).encode("ascii")
        if name.lower() in _RECURRING and _ONCE not in (text := str(value)):
            key = (name, text, self.utf8)
            if key not in self._folded:
                self._folded[key] = super().fold_binary(name, value)
            return self._folded[key]
        return super().fold_binary(name, value)


def _encoded_whole(policy: EmailPolicy, name: str, value: Any) -> bool:
    """Whether a header is a Subject with letters outside ASCII, in a message without UTF-8
    headers: see `_encode_whole`."""
    return name.lower() == "subject" and not policy.utf8 and not str(value).isascii()


def _encode_whole(policy: EmailPolicy, name: str, value: Any) -> str:
    """A Subject with letters outside ASCII, encoded whole as encoded-words (RFC 2047) by the
    email package's `Header`, folded between encoded-words. The modern folder encodes only the
    words that need it and folds before such a word while keeping the space before the fold
    ('ruimtes \r\n =?utf-8?b?4oCU?='): unfolded, the two spaces between text and an
    encoded-word stay (RFC 2047 §6.2 drops only the space between two encoded-words), and a
    mail client shows 'ruimtes  — donderdag'."""
    return _encoded(name, str(value), policy.linesep, policy.max_line_length or 78)


@lru_cache(maxsize=1024)
def _encoded(name: str, value: str, linesep: str, width: int) -> str:
    # every invitee of a meeting gets the same subject: encode it once
    encoded = Header(value, "utf-8", header_name=name).encode(linesep=linesep, maxlinelen=width)
    return f"{name}: {encoded}{linesep}"


#: Python 3.11's HeaderRegistry also makes a new class for every header; cache those too.
_POLICY = RecurringHeadersPolicy(linesep="\r\n", header_factory=CachedHeaderRegistry())
#: for a message to or from an address with letters outside ASCII before the @: its headers
#: are UTF-8 (RFC 6532), and it can only be sent through a server that offers SMTPUTF8
_POLICY_UTF8 = _POLICY.clone(utf8=True)


#: the header that tells `cohort send` when the meeting a message is about ends (ISO 8601 with
#: its offset from UTC); read back by `delivery.queue`
MEETING_ENDS = "X-Cohort-Meeting-Ends"


def transport_address(address: str) -> str:
    """An e-mail address as it travels, in headers, SMTP envelopes and calendar `mailto:`: the
    domain in IDNA A-labels (RFC 5891: `bücher.example` becomes `xn--bcher-kva.example`), which
    every server can route, and the local part as written. A local part with letters outside
    ASCII has no ASCII form: such a message needs SMTPUTF8 (RFC 6531), which `send` asks of
    the server, or it is refused."""
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    from email_validator import EmailNotValidError, validate_email

    try:
        ascii_domain = validate_email(address, check_deliverability=False).ascii_domain
    except EmailNotValidError:  # checked when the programme was read; left as it is
        return address
    return f"{local}@{ascii_domain}"


def needs_smtputf8(address: str) -> bool:
    """Whether an address (as it travels) can only be sent with SMTPUTF8 (RFC 6531)."""
    return not address.isascii()


def _address(name: str, address: str) -> Address:
    local, _, domain = transport_address(address).rpartition("@")
    # username and domain, not addr_spec: Address refuses to parse a non-ASCII local part
    return Address(one_line(name), username=local, domain=domain)


#: No-break spaces are typography, not breaks (French puts a narrow one before a colon).
_NO_BREAK = frozenset("\u00a0\u202f")


def one_line(text: str) -> str:
    """A display name or a subject on one line: control characters and line breaks become
    spaces, runs of spaces one; no-break spaces stay."""
    plain = "".join(c if c.isprintable() or c in _NO_BREAK else " " for c in text)
    return " ".join(part for part in plain.split(" ") if part)


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    data: bytes
    maintype: str
    subtype: str
    filename: str


@dataclass(frozen=True)
class Mail:
    """One message, before MIME: who, what, and the parts.

    `calendar` is an iTIP object (bytes of a VCALENDAR with METHOD) and `method` its METHOD
    (REQUEST, CANCEL, ...); it goes in as the third alternative and again as an attachment
    named `calendar_name`, as Outlook, Gmail, Apple Mail and Thunderbird expect (RFC 6047).
    """

    sender_name: str
    sender: str
    recipient_name: str
    recipient: str
    subject: str
    date: dt.datetime
    message_id: str
    language: str
    text: str
    html: str
    calendar: bytes | None = None
    method: str = ""
    calendar_name: str = "invite.ics"
    attachments: tuple[Attachment, ...] = ()
    #: when the meeting the message is about ends: `send` holds back what is about the past
    meeting_ends: dt.datetime | None = None


def message_id(key: str, kind: str, domain: str) -> str:
    """A Message-ID stable for one message (`key` names it uniquely), so writing it again gives
    the same file (RFC 5322 §3.6.4: unique, in angle brackets)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<{digest}.{kind}@{_message_id_domain(domain)}>"


def _message_id_domain(domain: str) -> str:
    """The right side of a Message-ID: a domain in ASCII (IDNA), else cohort.invalid."""
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "cohort.invalid"
    if not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", ascii_domain):
        return "cohort.invalid"
    return ascii_domain


def build(mail: Mail) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP (multipart/mixed around a
    multipart/alternative of text, HTML and the calendar part, then the attachments)."""
    # boundaries from the message's id, so the same message renders to the same bytes
    seed = hashlib.sha256(mail.message_id.encode()).hexdigest()[:20]
    sender = _address(mail.sender_name, mail.sender)
    recipient = _address(mail.recipient_name, mail.recipient)
    utf8 = needs_smtputf8(sender.addr_spec) or needs_smtputf8(recipient.addr_spec)
    msg = EmailMessage(policy=_POLICY_UTF8 if utf8 else _POLICY)
    # the sender as text: the same for every message, so parsed once
    msg["From"] = str(sender)
    msg["To"] = recipient
    msg["Subject"] = one_line(mail.subject)
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = mail.message_id
    if mail.meeting_ends is not None:
        msg[MEETING_ENDS] = mail.meeting_ends.isoformat()
    msg.set_content(mail.text, cte="quoted-printable")
    msg.make_alternative(boundary=f"=_cohort_{seed}_1")
    msg.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    if mail.calendar is not None:
        msg.add_alternative(
            mail.calendar.decode("utf-8"),
            subtype="calendar",
            params={"method": mail.method},
            cte="base64",
        )
    if mail.calendar is not None or mail.attachments:
        msg.make_mixed(boundary=f"=_cohort_{seed}_0")
    if mail.calendar is not None:
        msg.add_attachment(
            mail.calendar, maintype="application", subtype="ics", filename=mail.calendar_name
        )
    for item in mail.attachments:
        msg.add_attachment(
            item.data, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    # last: set_content and make_mixed clear or move every Content-* header of the message
    msg["Content-Language"] = mail.language  # RFC 3282
    return msg.as_bytes()
