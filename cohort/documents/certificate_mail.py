"""Certificates by e-mail: one message per certificate in the outbox, with the PDF attached, in
the holder's language, from the templates `certificates/subject.txt`, `message.txt` and
`message.html` (overridable in the programme's `templates/`).

A message is named `<programme>.<participant>.certificate-<kind>.<code>.eml`: `cohort send`
sends it like any other, exactly once, and a re-run finds it in the programme's record of what
was delivered (`records.deliveries`) and writes it no more. The code covers everything the
certificate says (see `planning.certificates`), so a certificate that changed (a corrected
name, attendance, a meeting's title) has a new code, so a new message; a waiting message about
a certificate of this programme that is no longer the current one is removed, and the
facilitator told why (one that may have arrived stays). Messages of other programmes are never
touched.
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
from ..programme.model import Participant, Programme
from ..records import deliveries
from ..records.outbox import Outbox
from . import messages
from .certificate_files import Batches

if TYPE_CHECKING:
    from .certificates import CertificateView, Certifier, Issued

PREFIX = "certificate"


@dataclass(frozen=True)
class MailName:
    """The file name of a certificate's message in the outbox (ids hold no dots)."""

    programme: str
    participant: str
    kind: str
    code: str

    @property
    def file(self) -> str:
        return f"{self.programme}.{self.participant}.{PREFIX}-{self.kind}.{self.code}.eml"

    @classmethod
    def parse(cls, file: str) -> MailName | None:
        parts = file.split(".")
        if len(parts) != 5 or parts[4] != "eml":
            return None
        prefix, _, kind = parts[2].partition("-")
        if prefix != PREFIX or kind not in ("attendance", "participation"):
            return None
        return cls(parts[0], parts[1], kind, parts[3])


def of_programme(files: set[str], programme: str) -> list[str]:
    """The names of certificate messages of `programme` among `files`."""
    return sorted(
        f for f in files if (name := MailName.parse(f)) is not None and name.programme == programme
    )


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


def texts(certifier: Certifier, view: CertificateView) -> tuple[str, str, str]:
    """The subject, the plain text and the HTML of a certificate's e-mail, from the templates
    (`cohort certificates` renders them for everyone before it writes anything). Raises
    CohortError at the template's line when one cannot be rendered."""
    language = view.person.language
    context = certifier.context(view)
    text = certifier.renderer(language, "text")
    return (
        text.render("certificates/subject.txt", **context),
        text.render("certificates/message.txt", **context),
        certifier.renderer(language, "html").render("certificates/message.html", **context),
    )


def message(certifier: Certifier, view: CertificateView, person: Participant, pdf: bytes) -> bytes:
    """The e-mail carrying one certificate, as bytes (see `messages.build`)."""
    p = certifier.programme
    language = view.person.language
    subject, plain, html = texts(certifier, view)
    name = MailName(p.id, view.person.id, view.kind, view.code)
    domain = p.calendar.domain or (p.organiser.email or "").rpartition("@")[2]
    return messages.build(
        messages.Mail(
            sender_name=p.organiser.name,
            sender=p.organiser.email or "",
            recipient_name=person.name,
            recipient=person.email or "",
            subject=subject,
            date=dt.datetime.combine(view.issued_on, dt.time(0), p.zone),
            message_id=messages.message_id(name.file, PREFIX, domain),
            language=language,
            text=plain,
            html=html,
            attachments=(
                messages.Attachment(
                    pdf, "application", "pdf", attachment_name(view, p.id, certifier.texts(view))
                ),
            ),
        )
    )


class Post:
    """Certificates into the outbox, one message each, while the outbox is locked (`with`):
    `add` writes the message of a certificate unless it was delivered before; at the end,
    waiting messages of this programme about certificates no longer current (of everyone, or
    with `only` of that participant) are removed, each with the reason, and `issued` says what
    was done. Raises CohortError when the organiser has no address to send from."""

    def __init__(
        self,
        certifier: Certifier,
        outbox_path: Path,
        issued: Issued,
        *,
        only: str | None,
        force: bool = False,
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
        self.only = only
        self.target = OutputFolder(outbox_path, programme_folder=certifier.folder, force=force)
        self.outbox = Outbox(outbox_path)
        self.wanted: set[str] = set()
        self.already = 0
        self.new = 0
        self.messages = Batches(self.target)

    def __enter__(self) -> Post:
        self.target.write_all({}, owned=())  # the folder is cohort's before its lock is taken
        self._locked = ExitStack()
        self._locked.enter_context(
            deliveries.writing(self.certifier.folder, self.outbox, "certificates")
        )
        self.delivered = deliveries.received_files(self.certifier.folder, self.outbox)
        self.waiting = {path.name for path in self.outbox.pending()}
        return self

    def add(self, view: CertificateView, pdf: bytes) -> None:
        """The message of one certificate, written unless it was delivered before."""
        p = self.certifier.programme
        person = p.participants[view.person.id]
        name = MailName(p.id, person.id, view.kind, view.code).file
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
            self.messages.add(name, message(self.certifier, view, person, pdf))

    def __exit__(self, *exc: object) -> None:
        with self._locked:
            if exc[0] is None:
                self.messages.flush()
                self._finish()

    def _finish(self) -> None:
        programme = self.certifier.programme
        refused = {r.person.id: r.reason for r in self.issued.plan.refused}
        stale: dict[Path, MailName] = {}
        for path in self.outbox.pending():
            old = MailName.parse(path.name)
            if (
                old is None
                or old.programme != programme.id
                or path.name in self.wanted
                or path.name in self.delivered  # may have arrived: never taken out
                or (self.only is not None and old.participant != self.only)
            ):
                continue
            stale[path] = old
        removed = [
            f"  removed {path}, not yet sent: {_why(programme, stale[path], refused)}"
            for path in self.outbox.withdraw(list(stale))
        ]
        self.issued.mail.append(
            f"{self.path}: {len(self.wanted)} message(s) with a certificate waiting "
            f"({self.new} new), {self.already} sent before"
            + (f"; {len(removed)} about an earlier certificate removed" if removed else "")
        )
        self.issued.mail += removed
        if self.wanted:
            self.issued.mail.append(
                f"next: cohort send {self.path} --server smtp+starttls://HOST:587 "
                "(a dry run until you add --confirm)"
            )


def _why(programme: Programme, old: MailName, refused: dict[str, str]) -> str:
    """Why a waiting message about a certificate goes: its holder gets none now, or another."""
    person = programme.participants.get(old.participant)
    if person is None:
        return f"'{old.participant}' is no longer a participant of the programme"
    if person.id in refused:
        return f"{person.name} ('{person.id}') no longer gets a certificate ({refused[person.id]})"
    return f"the certificate of {person.name} ('{person.id}') changed; the new one replaces it"
