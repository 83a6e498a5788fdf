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
from dataclasses import dataclass
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
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
    }
)


class RecurringHeadersPolicy(EmailPolicy):
    """The SMTP policy, remembering the parsed and folded forms of the part headers that recur
    in every message (Content-Type, Content-Transfer-Encoding, ...). Header objects are
    immutable, so sharing them changes nothing in the output; it halves the time to build a
    message, which counts for an outbox of ten thousand."""

    _parsed: ClassVar[dict[tuple[str, str], Any]] = {}
    _folded: ClassVar[dict[tuple[str, str], bytes]] = {}

    def header_store_parse(self, name: str, value: Any) -> Any:
        if name.lower() in _RECURRING and type(value) is str:
            key = (name, value)
            if key not in self._parsed:
                self._parsed[key] = super().header_store_parse(name, value)
            return self._parsed[key]
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _RECURRING:
            key = (name, str(value))
            if key not in self._folded:
                self._folded[key] = super().fold_binary(name, value)
            return self._folded[key]
        return super().fold_binary(name, value)


#: Python 3.11's HeaderRegistry also makes a new class for every header; cache those too.
_POLICY = RecurringHeadersPolicy(linesep="\r\n", header_factory=CachedHeaderRegistry())


def one_line(text: str) -> str:
    """A display name on one line: control characters and line breaks become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


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


def message_id(key: str, kind: str, domain: str) -> str:
    """A Message-ID stable for one message (`key` names it uniquely), so writing it again gives
    the same file (RFC 5322 §3.6.4: unique, in angle brackets)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<{digest}.{kind}@{domain}>"


def build(mail: Mail) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP (multipart/mixed around a
    multipart/alternative of text, HTML and the calendar part, then the attachments)."""
    # boundaries from the message's id, so the same message renders to the same bytes
    seed = hashlib.sha256(mail.message_id.encode()).hexdigest()[:20]
    msg = EmailMessage(policy=_POLICY)
    # the sender as text: the same for every message, so parsed once
    msg["From"] = str(Address(one_line(mail.sender_name), addr_spec=mail.sender))
    msg["To"] = Address(one_line(mail.recipient_name), addr_spec=mail.recipient)
    msg["Subject"] = one_line(mail.subject)
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = mail.message_id
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
