"""Certificates as people get them: one PDF each, in the holder's language, typeset by Typst from
`certificates/certificate.typ` (overridable in the programme's `templates/`), and with `--email`
one message each in the outbox carrying it.

Who gets which certificate, its hours and its code are decided in `planning.certificates`; this
module lays them out. Templates get views (plain frozen data) and every value is escaped for
Typst by cohort; the logo and the signature image come in as Typst code cohort writes itself
(the image's bytes in an SVG), since Typst reads no file of the programme. A certificate is dated
by its day of issue, never the clock, so a re-run gives the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CohortError, Report, UsageError, did_you_mean
from ..files import read_regular
from ..i18n import Texts
from ..output import OutputFolder
from ..planning import certificates as decide
from ..planning.certificates import Certificate, Plan
from ..programme.certificates import IMAGE_TYPES, MAX_IMAGE_BYTES, image_problem
from ..programme.model import Programme
from ..records import certificate_secret
from ..records.attendance import Record, load_all
from . import typeset
from .templating import Renderer
from .view import MeetingView, PersonView, ProgrammeView, Views, language_of, texts_for

if TYPE_CHECKING:
    from .certificate_mail import Post


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
    """Minutes as hours in words: '1,5 uur', '1.5 hours', '1,5 heures' (at most two decimals)."""
    words = texts.ngettext("%(hours)s hour", "%(hours)s hours", 1 if minutes == 60 else 2)
    return words % {"hours": texts.number(round(minutes / 60, 2))}


def picture(folder: Path, name: str) -> typeset.Code:
    """An image file of the programme as Typst bytes of an SVG (`image(...)` takes it): an SVG
    as it is, a PNG or JPEG inside one at its own size. Raises CohortError when it cannot be
    used (checked again here: the file may have changed since the programme was read)."""
    problem = image_problem(folder, name)
    if problem is not None:
        raise CohortError(problem, location=folder / "programme.yaml", code="bad-image")
    path = folder / name
    kind = IMAGE_TYPES[path.suffix.lower()]
    data = read_regular(path, MAX_IMAGE_BYTES, what="image")
    if kind == "svg":
        try:
            return typeset.Code(f"bytes({typeset.string(data.decode('utf-8'))})")
        except UnicodeDecodeError:
            raise CohortError(f"'{name}' is not an SVG image (not UTF-8 text)") from None
    size = _pixels(data, kind)
    if size is None:
        raise CohortError(f"'{name}' is not a {kind.upper()} image", code="bad-image")
    width, height = size
    encoded = base64.b64encode(data).decode("ascii")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" '
        f'xlink:href="data:image/{kind};base64,{encoded}"/></svg>'
    )
    return typeset.Code(f"bytes({typeset.string(svg)})")


#: JPEG markers that start a frame and hold its size (ITU T.81, table B.1)
_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _pixels(data: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height in pixels of a PNG (its IHDR chunk, RFC 2083) or a JPEG (its frame
    header), or None when the data is not one."""
    if kind == "png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker in _FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        else:
            at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return None


class Certifier:
    """Typesets the certificates of one programme: a renderer per language, images read once."""

    def __init__(self, folder: Path, programme: Programme) -> None:
        self.folder = folder
        self.programme = programme
        block = programme.certificates
        self.logo = picture(folder, block.logo) if block.logo else None
        self.signature = picture(folder, block.signature) if block.signature else None
        self._views: dict[str, Views] = {}
        self._renderers: dict[tuple[str, str], Renderer] = {}
        #: what the facilitator should know (characters no font on the machine has)
        self.warnings: list[str] = []

    def views(self, language: str) -> Views:
        if language not in self._views:
            self._views[language] = Views(self.programme, texts_for(self.programme, language))
        return self._views[language]

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
            place=plan.place,
            signed_by=p.certificates.signed_by or p.organiser.name,
            position=p.certificates.position,
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

    def pdf(self, view: CertificateView) -> bytes:
        """The certificate as PDF, dated its day of issue."""
        source = self.renderer(view.person.language, "typst").render(
            "certificates/certificate.typ",
            **self.context(view),
            logo=self.logo,
            signature=self.signature,
            qr=typeset.qr_code(view.code, "2.2cm"),
        )
        return typeset.pdf(
            source, f"certificate of '{view.person.id}'", view.issued_on, self.warnings
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
    made_secret: bool = False
    mail: list[str] = field(default_factory=list)  # lines about the outbox
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """For the terminal: what was written, who got none and why, what next."""
        counts = {
            kind: sum(c.kind == kind for c in self.plan.certificates) for kind in decide.KINDS
        }
        what = ", ".join(f"{n} of {kind}" for kind, n in counts.items() if n)
        out = [
            f"wrote {len(self.files)} certificate(s) to {self.output}"
            + (f" ({what}; {self.changed} changed)" if self.files else "")
        ]
        out += [
            f"  no certificate for {r.person.name} ('{r.person.id}'): {r.reason}"
            for r in self.plan.refused
        ]
        out += [
            f"  certificate of participation for {c.person.name} ('{c.person.id}'): "
            f"{c.standing.reason}"
            for c in self.plan.certificates
            if c.kind == decide.PARTICIPATION and c.standing.status
        ]
        out += self.mail
        if self.made_secret:
            out.append(
                f"made {certificate_secret.SECRET_FILE}, the key of the verification codes: keep "
                "a copy somewhere safe (it stays out of git). If certificates were issued before "
                "from another copy of this programme, put that copy's file back instead: codes "
                "made with another key do not verify"
            )
        return out


def issue(
    folder: Path,
    programme: Programme,
    output: Path,
    today: dt.date,
    *,
    partial: bool = False,
    participant: str | None = None,
    outbox: Path | None = None,
    force: bool = False,
) -> Issued:
    """Write a PDF per certificate into the output folder `output` (`<participant>.pdf`), and
    with `outbox` an e-mail each into it; returns what was done. Raises UsageError for an
    unknown participant or `partial` where the programme does not allow it, CohortError for a
    programme without an attendance rule (unless `partial`)."""
    _allowed(folder, programme, partial, participant)
    target = OutputFolder(output, programme_folder=folder, force=force)
    plan = decide.plan(programme, records_of(folder), today, partial=partial, only=participant)
    result = Issued(output, plan)
    before = set() if participant else set(_pdfs(output))
    certifier = Certifier(folder, programme)
    post = _post(certifier, outbox, result, everyone=participant is None)
    with post or nullcontext():
        secret = ""
        if plan.certificates:
            secret, result.made_secret = certificate_secret.read_or_make(folder)
        # one at a time, written at once: 2,000 certificates never sit in memory together
        for certificate in plan.certificates:
            view = certifier.view(certificate, plan, decide.code(secret, programme.id, certificate))
            pdf = certifier.pdf(view)
            result.files.append(f"{view.person.id}.pdf")
            result.changed += len(target.write_all({result.files[-1]: pdf}, owned=()))
            if post is not None:
                post.add(view, pdf)
    target.write_all({}, owned=tuple(sorted(before - set(result.files))))
    result.warnings += certifier.warnings
    return result


def _post(certifier: Certifier, outbox: Path | None, issued: Issued, everyone: bool) -> Post | None:
    if outbox is None:
        return None
    from .certificate_mail import Post

    return Post(certifier, outbox, issued, everyone=everyone)


def _pdfs(output: Path) -> tuple[str, ...]:
    """The certificates a run before wrote into the output folder (a run for everyone removes
    those of people who no longer get one)."""
    return tuple(p.name for p in output.glob("*.pdf")) if output.is_dir() else ()


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


@dataclass(frozen=True)
class Verdict:
    """What `cohort certificates verify` found: the certificate with that code, if any."""

    code: str
    certificate: Certificate | None
    text: str

    @property
    def genuine(self) -> bool:
        return self.certificate is not None


def verify(folder: Path, programme: Programme, code: str, today: dt.date) -> Verdict:
    """Whether `code` is the code of a certificate this programme's records give (as of
    `today`, at any moment so far); raises CohortError when the key is missing."""
    wanted = decide.normalise(code)
    secret = certificate_secret.existing(folder)
    for candidate in decide.issuable(programme, records_of(folder), today):
        if decide.code(secret, programme.id, candidate) == wanted:
            return Verdict(wanted, candidate, _described(programme, candidate))
    return Verdict(
        wanted,
        None,
        f"not genuine: no certificate of {programme.title} has the code '{code.strip()}' "
        "(a certificate made from attendance recorded differently then, or with another "
        f"{certificate_secret.SECRET_FILE}, does not verify either)",
    )


def _described(programme: Programme, certificate: Certificate) -> str:
    person = certificate.person
    organisation = programme.organisation_name(person)
    dates = ", ".join(a.meeting.date.isoformat() for a in certificate.meetings)
    hours_ = round(certificate.minutes / 60, 2)
    return (
        f"genuine: certificate of {certificate.kind} of {person.name} ('{person.id}'"
        + (f", {organisation}" if organisation else "")
        + f") for {programme.title}: {len(certificate.meetings)} meeting(s) ({dates}), "
        f"{hours_:g} hours"
    )
