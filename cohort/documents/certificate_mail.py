"""Certificates by e-mail: one message per certificate in the outbox, with the PDF attached, in
the holder's language, from the templates `certificates/subject.txt`, `message.txt` and
`message.html` (overridable in the programme's `templates/`).

A message is named `certificate.<participant>.<kind>.<code>.eml`: `cohort send` sends it like any
other, exactly once, and a re-run finds it in the outbox's `sent/` and writes it no more. A
certificate that changed (a correction of the attendance) has a new code, so a new message; a
waiting message about a certificate that is no longer the current one is removed.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CohortError
from ..i18n import Texts
from ..output import OutputFolder
from ..programme.model import Participant
from ..records.outbox import Outbox
from . import messages
from .certificates import CertificateView, Certifier

if TYPE_CHECKING:
    from .certificates import Issued

PREFIX = "certificate"


@dataclass(frozen=True)
class MailName:
    """The file name of a certificate's message in the outbox."""

    participant: str
    kind: str
    code: str

    @property
    def file(self) -> str:
        return f"{PREFIX}.{self.participant}.{self.kind}.{self.code}.eml"

    @classmethod
    def parse(cls, file: str) -> MailName | None:
        parts = file.split(".")
        if len(parts) != 5 or parts[0] != PREFIX or parts[4] != "eml":
            return None
        if parts[2] not in ("attendance", "participation"):
            return None
        return cls(parts[1], parts[2], parts[3])


def attachment_name(view: CertificateView, programme_id: str, texts: Texts) -> str:
    """The PDF's name as the holder sees it: 'Certificaat van aanwezigheid twente-cop-2024.pdf'
    (the same for everyone of a language: the message's headers recur, and are made once)."""
    _ = texts.gettext
    kind = (
        _("Certificate of attendance")
        if view.kind == "attendance"
        else _("Certificate of participation")
    )
    return f"{kind} {programme_id}.pdf"


def message(certifier: Certifier, view: CertificateView, person: Participant, pdf: bytes) -> bytes:
    """The e-mail carrying one certificate, as bytes (see `messages.build`)."""
    p = certifier.programme
    language = view.person.language
    context = certifier.context(view)
    text = certifier.renderer(language, "text")
    name = MailName(view.person.id, view.kind, view.code)
    domain = p.calendar.domain or (p.organiser.email or "").rpartition("@")[2]
    return messages.build(
        messages.Mail(
            sender_name=p.organiser.name,
            sender=p.organiser.email or "",
            recipient_name=person.name,
            recipient=person.email or "",
            subject=text.render("certificates/subject.txt", **context),
            date=dt.datetime.combine(view.issued_on, dt.time(0), p.zone),
            message_id=messages.message_id(f"{p.id}|{name.file}", PREFIX, domain),
            language=language,
            text=text.render("certificates/message.txt", **context),
            html=certifier.renderer(language, "html").render(
                "certificates/message.html", **context
            ),
            attachments=(
                messages.Attachment(
                    pdf, "application", "pdf", attachment_name(view, p.id, text.texts)
                ),
            ),
        )
    )


class Post:
    """Certificates into the outbox, one message each, while the outbox is locked (`with`):
    `add` writes the message of a certificate unless it was delivered before; at the end,
    waiting messages about certificates no longer current (of everyone, or only of those
    added) are removed, and `issued` says what was done. Raises CohortError when the organiser
    has no address to send from."""

    def __init__(
        self, certifier: Certifier, outbox_path: Path, issued: Issued, *, everyone: bool
    ) -> None:
        p = certifier.programme
        if not p.organiser.email:
            raise CohortError(
                "the organiser has no e-mail address, and certificates are sent from it (replies "
                "go there too); add 'email:' under 'organiser:'",
                location=certifier.folder / "programme.yaml",
            )
        self.certifier = certifier
        self.path = outbox_path
        self.issued = issued
        self.everyone = everyone
        self.target = OutputFolder(outbox_path, programme_folder=certifier.folder)
        self.target.write_all({}, owned=())  # the folder is cohort's before its lock is taken
        self.outbox = Outbox(outbox_path)
        self.wanted: set[str] = set()
        self.concerned: set[str] = set()
        self.already = 0
        self.new = 0

    def __enter__(self) -> Post:
        self._locked = ExitStack()
        self._locked.enter_context(self.outbox.lock("certificates"))
        self.delivered = self.outbox.delivered_files()
        self.waiting = {path.name for path in self.outbox.pending()}
        return self

    def add(self, view: CertificateView, pdf: bytes) -> None:
        """The message of one certificate, written unless it was delivered before."""
        person = self.certifier.programme.participants[view.person.id]
        name = MailName(person.id, view.kind, view.code).file
        self.concerned.add(person.id)
        if not person.email:
            self.issued.warnings.append(
                f"warning: {person.name} ('{person.id}') has no e-mail address and gets the "
                "certificate on paper only"
            )
        elif name in self.delivered:
            self.already += 1
        else:
            self.wanted.add(name)
            self.new += name not in self.waiting
            self.target.write_all({name: message(self.certifier, view, person, pdf)}, owned=())

    def __exit__(self, *exc: object) -> None:
        with self._locked:
            if exc[0] is None:
                self._finish()

    def _finish(self) -> None:
        stale = [
            path
            for path in self.outbox.pending()
            if (old := MailName.parse(path.name)) is not None
            and path.name not in self.wanted
            and path.name not in self.delivered
            and (self.everyone or old.participant in self.concerned)
        ]
        for path in stale:
            path.unlink()
        self.issued.mail.append(
            f"{self.path}: {len(self.wanted)} message(s) with a certificate waiting "
            f"({self.new} new), {self.already} sent before"
            + (f"; {len(stale)} about an earlier certificate removed" if stale else "")
        )
        if self.wanted:
            self.issued.mail.append(
                f"next: cohort send {self.path} --server smtp+starttls://HOST:587 "
                "(a dry run until you add --confirm)"
            )
