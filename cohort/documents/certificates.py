"""Certificates as people get them: one PDF each, in the holder's language, typeset by Typst from
`certificates/certificate.typ` (overridable in the programme's `templates/`), and with `--email`
one message each in the outbox carrying it.

Who gets which certificate, its hours and its code are decided in `planning.certificates`; this
module lays them out and writes them. Templates get views (plain frozen data) and every value
is escaped for Typst by cohort; the logo and the signature image come in as Typst code cohort
writes itself (`pictures`). A certificate is dated by its day of issue, never the clock, so a
re-run gives the same bytes.

A run writes nothing until it knows it can finish: every template is rendered for every
certificate (and the first is typeset) before the first file is written, so a mistake in a
template the facilitator changed stops the run at its line, with nothing half done. It removes
only certificates it wrote for this programme (`certificate_files`), and says which and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CohortError, Report, UsageError, did_you_mean
from ..i18n import Texts
from ..output import OutputFolder
from ..planning import certificates as decide
from ..planning.certificates import Certificate, Plan
from ..programme.model import Programme
from ..records import certificate_secret, keys
from ..records.attendance import Record, load_all
from ..records.outbox import Outbox
from . import certificate_mail, pictures, typeset
from .certificate_files import Batches, Index
from .templating import Renderer
from .view import MeetingView, PersonView, ProgrammeView, Views, language_of, texts_for

if TYPE_CHECKING:
    from .certificate_mail import Post

TEMPLATE = "certificates/certificate.typ"
#: The QR code's size on the page: it stands in the footer, beside the code in words.
QR_SIZE = "1.6cm"


@dataclass(frozen=True)
class AttendedView:
    """A meeting on a certificate: its view and the minutes it counts."""

    meeting: MeetingView
    minutes: int


@dataclass(frozen=True)
class CertificateView:
    """A certificate as its template gets it.

    kind: 'attendance' (met the rule) or 'participation'; required: the rule ('all' or a
    number; None without a rule); minutes: the total; all_day: whether an all-day meeting is
    listed (the template says what a day counts: hours_per_day)."""

    kind: str
    person: PersonView
    meetings: tuple[AttendedView, ...]
    minutes: int
    all_day: bool
    hours_per_day: float
    required: str | int | None
    issued_on: dt.date
    place: str | None
    signed_by: str
    position: str | None
    code: str


def hours(texts: Texts, minutes: int) -> str:
    """Minutes as hours in words, the plural as the language has it: '1,5 uur', '1.5 hours',
    '1,5 heure' (French is singular below 2), '1 hour' (at most two decimals)."""
    value = round(minutes / 60, 2)
    words = texts.ngettext("%(hours)s hour", "%(hours)s hours", texts.plural(value))
    return words % {"hours": texts.number(value)}


class Certifier:
    """Typesets the certificates of one programme: a renderer per language, images read once."""

    def __init__(self, folder: Path, programme: Programme) -> None:
        self.folder = folder
        self.programme = programme
        block = programme.certificates
        self.logo = pictures.for_print(folder, block.logo) if block.logo else None
        self.signature = pictures.for_print(folder, block.signature) if block.signature else None
        self._views: dict[str, Views] = {}
        self._renderers: dict[tuple[str, str], Renderer] = {}

    def views(self, language: str) -> Views:
        if language not in self._views:
            self._views[language] = Views(self.programme, texts_for(self.programme, language))
        return self._views[language]

    def texts(self, view: CertificateView) -> Texts:
        """The words of the certificate's holder."""
        return self.views(view.person.language).texts

    def renderer(self, language: str, kind: str) -> Renderer:
        """A renderer in `language` for `kind`: 'typst' (escaped for Typst), 'text' or 'html'
        (autoescaped), with the `hours` filter."""
        key = (language, kind)
        if key not in self._renderers:
            texts = self.views(language).texts
            if kind == "typst":
                renderer = typeset.renderer(self.folder, texts)
            else:
                renderer = Renderer(self.folder, texts, autoescape=kind == "html")
            renderer.env.filters["hours"] = lambda m: hours(texts, m)
            self._renderers[key] = renderer
        return self._renderers[key]

    def view(self, certificate: Certificate, plan: Plan, code: str) -> CertificateView:
        """The certificate as its templates see it, in its holder's language."""
        p = self.programme
        views = self.views(language_of(p, certificate.person))
        assert plan.issued_on is not None  # a certificate lists a meeting held and recorded
        return CertificateView(
            kind=certificate.kind,
            person=views.person(certificate.person),
            meetings=tuple(
                AttendedView(views.meeting(a.meeting), a.minutes) for a in certificate.meetings
            ),
            minutes=certificate.minutes,
            all_day=any(a.meeting.all_day for a in certificate.meetings),
            hours_per_day=p.certificates.hours_per_day,
            required=p.attendance.required if p.attendance else None,
            issued_on=plan.issued_on,
            place=views.maybe(plan.place),
            signed_by=p.certificates.signed_by or views.text(p.organiser.name),
            position=views.maybe(p.certificates.position),
            code=code,
        )

    def context(self, view: CertificateView) -> dict[str, object]:
        """What every certificate template gets (see certificate.typ)."""
        views = self.views(view.person.language)
        programme: ProgrammeView = views.programme_view
        return {
            "programme": programme,
            "organiser": programme.organiser,
            "certificate": view,
            "person": view.person,
            "language": view.person.language,
        }

    def source(self, view: CertificateView, qr: bool = True) -> str:
        """The certificate as Typst source (without `qr`, with an empty space for the QR code,
        to try the template out). Raises CohortError at the template's line."""
        return self.renderer(view.person.language, "typst").render(
            TEMPLATE,
            **self.context(view),
            logo=self.logo,
            signature=self.signature,
            qr=typeset.qr_code(view.code, QR_SIZE) if qr else typeset.Code("none"),
        )

    def pdf(self, view: CertificateView, warnings: list[str] | None = None) -> bytes:
        """The certificate as PDF, dated its day of issue. Raises CohortError, at the
        template's line when Typst refuses what it made."""
        renderer = self.renderer(view.person.language, "typst")
        return typeset.pdf(
            self.source(view),
            f"certificate of '{view.person.id}'",
            view.issued_on,
            warnings,
            typeset.template_file(renderer, TEMPLATE),
        )


def records_of(folder: Path) -> dict[str, Record]:
    """The attendance records of a programme (checked already by `load_checked`)."""
    return {mid: item.record for mid, item in load_all(folder, Report()).items() if item.record}


@dataclass
class Issued:
    """What `cohort certificates` did: the plan, the files, the messages, what to say."""

    output: Path
    plan: Plan
    files: list[str] = field(default_factory=list)
    changed: int = 0
    removed: list[str] = field(default_factory=list)  # lines: which file went, and why
    made_secret: bool = False
    mail: list[str] = field(default_factory=list)  # lines about the outbox
    notices: list[str] = field(default_factory=list)  # about the key's file
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """For the terminal: what was written and removed, who got none and why, what next."""
        counts = {
            kind: sum(c.kind == kind for c in self.plan.certificates) for kind in decide.KINDS
        }
        what = ", ".join(f"{n} of {kind}" for kind, n in counts.items() if n)
        out = [
            f"wrote {len(self.files)} certificate(s) to {self.output}"
            + (f" ({what}; {self.changed} changed)" if self.files else "")
        ]
        out += [
            f"  certificate of participation for {c.person.name} ('{c.person.id}'): "
            + (c.standing.reason if c.standing.status else f"attended {len(c.meetings)}")
            for c in self.plan.certificates
            if c.kind == decide.PARTICIPATION
        ]
        out += [
            f"  no certificate for {r.person.name} ('{r.person.id}'): {r.reason}"
            for r in self.plan.refused
        ]
        out += self.removed
        out += self.mail
        if self.made_secret:
            out.append(
                f"made {certificate_secret.SECRET_FILE}, the key of the verification codes: keep "
                "a copy somewhere safe (it stays out of git)"
            )
        return out + self.notices


def issue(
    folder: Path,
    programme: Programme,
    output: Path,
    today: dt.date,
    *,
    partial: bool = False,
    participant: str | None = None,
    outbox: Path | None = None,
    email: bool = False,
    new_key: bool = False,
    force: bool = False,
) -> Issued:
    """Write a PDF per certificate into the output folder `output` (`<participant>.pdf`), and
    with `email` an e-mail each into `outbox`; remove the certificates of this programme no
    longer issued (only those of `participant`, when given); returns what was done.

    Raises UsageError for an unknown participant, `partial` where the programme does not allow
    it, `new_key` beside a key, or a file in the way; CohortError for a programme without an
    attendance rule (unless `partial`), a lost key where certificates were issued before
    (unless `new_key`), or a template that cannot be rendered, before anything is written."""
    _allowed(folder, programme, partial, participant)
    target = OutputFolder(output, programme_folder=folder, force=force)
    index = Index.read(output)
    plan = decide.plan(programme, records_of(folder), today, partial=partial, only=participant)
    result = Issued(output, plan)
    names = {f"{c.person.id}.pdf" for c in plan.certificates}
    index.claim(programme.id, names, force)
    before = index.of(programme.id)
    stale = (before - names) & ({f"{participant}.pdf"} if participant else before)
    secret, result.made_secret = _key(folder, programme, index, outbox, new_key, plan)
    certifier = Certifier(folder, programme)
    post = _post(certifier, outbox, result, participant, force) if email else None

    def views() -> Iterator[CertificateView]:
        for c in plan.certificates:
            yield certifier.view(c, plan, decide.code(secret, programme.id, c))

    first = _rehearsed(certifier, views(), post is not None, result.warnings)
    if result.made_secret:
        result.notices += certificate_secret.save(folder, secret)
    elif secret:
        result.notices += keys.guard(certificate_secret.path_of(folder))
    if names or stale:  # a run cut short leaves every certificate listed
        index.write(target, programme.id, before | names)
    pdfs = Batches(target)
    with post or nullcontext():
        # a batch at a time: 2,000 certificates never sit in memory together
        for view in views():
            pdf = first if first is not None else certifier.pdf(view, result.warnings)
            first = None
            result.files.append(f"{view.person.id}.pdf")
            pdfs.add(result.files[-1], pdf)
            if post is not None:
                post.add(view, pdf)
        pdfs.flush()
    result.changed = pdfs.changed
    if names or stale:
        index.write(target, programme.id, names)
        target.write_all({}, owned=tuple(sorted(stale)))
    result.removed = _removals(programme, plan, target, output, stale)
    return result


def _rehearsed(
    certifier: Certifier, views: Iterator[CertificateView], email: bool, warnings: list[str]
) -> bytes | None:
    """Every template rendered for every certificate (and with `email` its message's), and the
    first certificate typeset, before anything is written; returns the first PDF. Raises
    CohortError at the template's line."""
    first = None
    for view in views:
        certifier.source(view, qr=False)
        if email:
            certificate_mail.texts(certifier, view)
        if first is None:
            first = certifier.pdf(view, warnings)
    return first


def _key(
    folder: Path,
    programme: Programme,
    index: Index,
    outbox: Path | None,
    new_key: bool,
    plan: Plan,
) -> tuple[str, bool]:
    """The key of the codes, and whether it is new (to be saved once the run can go on). A new
    one is made only where no certificate of this programme was issued before (in the output
    folder, or the outbox's messages), or when `new_key` says to start over. Raises
    UsageError for `new_key` beside a key, CohortError for a lost key."""
    key = certificate_secret.read(folder)
    path = certificate_secret.path_of(folder)
    if key is not None:
        if new_key:
            raise UsageError(
                f"--new-key, but {path} holds a key: codes made with it would no longer verify. "
                "To start over all the same, move that file away first"
            )
        return key, False
    if not plan.certificates:
        return "", False
    before = sorted(str(index.folder / n) for n in index.of(programme.id))
    if outbox is not None and outbox.is_dir():
        box = Outbox(outbox)
        files = box.delivered_files() | {p.name for p in box.pending()}
        before += certificate_mail.of_programme(files, programme.id)
    if before and not new_key:
        shown = ", ".join(before[:3]) + (f" and {len(before) - 3} more" if len(before) > 3 else "")
        raise CohortError(
            f"{certificate_secret.SECRET_FILE} is missing, and certificates of this programme "
            f"were issued with the key it held ({shown}). Copy the file back into {folder} "
            "from where you keep it (the computer they were made on, a colleague's copy of the "
            "programme, a password manager). To start over with a new key instead, add "
            "--new-key: every certificate then gets a new code, is issued (and e-mailed) again, "
            "and the codes issued before no longer verify",
            location=path,
            code="missing-record",
        )
    return certificate_secret.new(), True


def _removals(
    programme: Programme, plan: Plan, target: OutputFolder, output: Path, stale: set[str]
) -> list[str]:
    """A line per certificate of this programme that went from the output folder, with the
    reason, and one per such file left because it changed since cohort wrote it."""
    refused = {f"{r.person.id}.pdf": r for r in plan.refused}
    gone = {p.name for p in target.removed}
    out = []
    for name in sorted(stale):
        person = programme.participants.get(name.removesuffix(".pdf"))
        if person is None:
            why = f"'{name.removesuffix('.pdf')}' is no longer a participant of the programme"
        else:
            why = f"{person.name} ('{person.id}') no longer gets a certificate"
            why += f" ({refused[name].reason})" if name in refused else ""
        if name in gone:
            out.append(f"  removed {output / name}: {why}")
        elif (output / name).exists():
            out.append(
                f"  left {output / name} (changed since cohort wrote it), though {why}; remove "
                "it yourself"
            )
    return out


def _post(
    certifier: Certifier, outbox: Path | None, issued: Issued, only: str | None, force: bool
) -> Post:
    from .certificate_mail import Post

    return Post(certifier, outbox or Path("outbox"), issued, only=only, force=force)


def _allowed(folder: Path, programme: Programme, partial: bool, participant: str | None) -> None:
    if participant is not None and participant not in programme.participants:
        hint = did_you_mean(participant, programme.participants)
        raise UsageError(
            f"--participant '{participant}' is not a participant of this programme"
            + (f" ({hint})" if hint else "")
        )
    if partial and not programme.certificates.partial:
        raise UsageError(
            "this programme issues no certificates of participation; to allow them, add "
            "'partial: true' under 'certificates:' in programme.yaml"
        )
    if programme.attendance is None and not partial:
        raise CohortError(
            "the programme has no attendance rule, so nobody can meet it; add one "
            "('attendance: {required: all}'), or issue certificates of participation with "
            "--partial",
            location=folder / "programme.yaml",
        )
