"""What goes on paper at the door: agendas (PDF and a printable web page) and sign-in sheets
(PDF, and CSV and XLSX for a laptop at the door).

PDFs are typeset with Typst from Jinja templates (see `typeset`); web pages are Jinja HTML,
autoescaped. CSV cells that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection); XLSX cells are written as text.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..output import OutputFolder, Written
from ..programme.model import Meeting, Participant, Programme
from ..records import sheets
from ..tables import csv_bytes
from . import typeset
from .context import meeting_context
from .languages import language_file, switch
from .templating import Renderer
from .view import Views, texts_for

#: empty rows on a sign-in sheet for people who were not invited (in the PDF: as many as fill
#: the page the list ends on, and never fewer than LEAST_BLANK_ROWS on a page)
BLANK_ROWS = 8
LEAST_BLANK_ROWS = 3


def _context(views: Views, meeting: Meeting, public: bool = False) -> dict[str, Any]:
    """What an agenda or a sign-in sheet shows of a meeting: the names every template about a
    meeting gets (`meeting_context`), and the QR code's caption. `public`: for the public site,
    without the join link (`online` still says the meeting is online) and without the groups
    (names of people: they stay on the agenda `cohort agenda` prints, the sheet and the
    e-mail)."""
    context = meeting_context(views, views.meeting(meeting), public)
    context["qr_label"] = (
        views.texts.gettext("Join online")
        if context["join_url"]
        else (views.programme_view.links.website or "")
    )
    return context


#: how many of the next meetings an agenda names
LATER = 3


def later_meetings(order: list[Meeting], position: int) -> list[Meeting]:
    """The next meetings after the one at `position` in `order` (the programme's meetings in
    the order they happen), up to LATER, for its agenda: those anyone may see (not private)
    and not cancelled."""
    later: list[Meeting] = []
    for other in order[position + 1 :]:
        if len(later) == LATER:
            break
        if not other.private and not other.cancelled:
            later.append(other)
    return later


@dataclass
class Printer:
    """Renders the printed matter of one programme (templates compiled once, reused)."""

    folder: Path
    programme: Programme
    #: for the public site: an agenda without the join link (its QR code goes to the website)
    public: bool = False
    #: the language of the agendas (one the programme is published in); None: the programme's
    language: str | None = None

    #: who declined, per meeting id: marked on the sign-in sheet, or left off it
    declined: Mapping[str, frozenset[str]] = field(default_factory=dict)
    leave_off_declined: bool = False

    def __post_init__(self) -> None:
        self.texts = texts_for(self.programme, self.language)
        self.views = Views(self.programme, self.texts)
        self.typst = typeset.renderer(self.folder, self.texts)
        self.html = Renderer(self.folder, self.texts, autoescape=True)
        #: what the facilitator should know about the documents (characters no font has)
        self.warnings: list[str] = []
        self._order: list[Meeting] | None = None  # the meetings in order, once needed
        self._position: dict[str, int] = {}  # a meeting's place in that order, by id

    def agenda_source(self, meeting: Meeting) -> str:
        """The agenda of `meeting` as Typst source (what `agenda_pdf` typesets)."""
        context = self._agenda_context(meeting)
        context["qr"] = typeset.qr_code(context["link"]) if context["link"] else None
        return self.typst.render("agenda/agenda.typ", **context)

    def _agenda_context(self, meeting: Meeting) -> dict[str, Any]:
        """What an agenda shows (`_context`), with the next meetings of the programme."""
        context = _context(self.views, meeting, self.public)
        if self._order is None:
            self._order = self.programme.chronological()
            self._position = {m.id: n for n, m in enumerate(self._order)}
        later = later_meetings(self._order, self._position[meeting.id])
        context["later"] = tuple(self.views.meeting(m) for m in later)
        return context

    def agenda_pdf(self, meeting: Meeting) -> bytes:
        source = self.agenda_source(meeting)
        template = typeset.template_file(self.typst, "agenda/agenda.typ")
        return typeset.pdf(
            source, f"agenda of '{meeting.id}'", meeting.date, self.warnings, template
        )

    def agenda_html(self, meeting: Meeting) -> str:
        """The agenda of `meeting` as a printable web page, with a link to its page in each
        other language the programme is published in (files side by side: `agenda_name`)."""
        context = self._agenda_context(meeting)
        context["qr_svg"] = Markup(typeset.qr_svg(context["link"])) if context["link"] else None
        context["languages"] = switch(
            self.programme,
            self.texts.language,
            lambda language: agenda_name(self.programme, meeting.id, language) + ".html",
        )
        return self.html.render("agenda/agenda.html", **context)

    def sheet_rows(self, meeting: Meeting) -> list[Participant]:
        """The invitees as they stand on the sheet: participants first, then staff
        (facilitators, organisers, experts: `Role.staff`) apart; each by organisation, then by
        name."""
        p = self.programme
        gone = self.declined.get(meeting.id, frozenset()) if self.leave_off_declined else ()
        return sorted(
            (x for x in p.invitees(meeting) if x.id not in gone),
            key=lambda x: (
                x.role.staff,
                p.organisation_name(x) == "",
                _sortable(p.organisation_name(x)),
                _sortable(x.name),
                x.id,
            ),
        )

    def group_of(self, meeting: Meeting, person: Participant) -> str:
        """The name of someone's group at a meeting ('' when none)."""
        group = self.views.meeting(meeting).group_of(person.id)
        return group.name if group else ""

    def note(self, meeting: Meeting, person: Participant) -> str:
        """What the sheet says of someone who declined ('' for anyone else)."""
        if person.id in self.declined.get(meeting.id, frozenset()):
            return self.texts.gettext("Declined")
        return ""

    def sheet_pdf(self, meeting: Meeting) -> bytes:
        source = self.sheet_source(meeting)
        template = typeset.template_file(self.typst, "attendance/sheet.typ")
        name = f"sign-in sheet of '{meeting.id}'"
        return typeset.pdf(source, name, meeting.date, self.warnings, template)

    def sheet_source(self, meeting: Meeting) -> str:
        """The sign-in sheet of `meeting` as Typst source (what `sheet_pdf` typesets)."""
        p = self.programme
        rows = [
            {
                "number": n,
                "name": x.name,
                "organisation": p.organisation_name(x),
                "group": self.group_of(meeting, x),
                "staff": x.role.staff,
                "role": self.texts.role(x.role),
                "declined": self.note(meeting, x),
            }
            for n, x in enumerate(self.sheet_rows(meeting), start=1)
        ]
        context = _context(self.views, meeting)
        return self.typst.render(
            "attendance/sheet.typ",
            **context,
            rows=rows,
            blank=BLANK_ROWS,
            least=LEAST_BLANK_ROWS,
            grouped=bool(context["groups"]),
        )

    def sheet_table(self, meeting: Meeting) -> list[list[str]]:
        """The sheet as rows of text (the layout `records.sheets` reads back): the meeting it
        is for, the column titles, the invitees, empty rows for walk-ins."""
        _ = self.texts.gettext
        p = self.programme
        grouped = bool(self.views.meeting(meeting).groups)
        titles = ["id", _("Name"), _("Organisation"), _("Role"), _("Present"), _("Excused")]
        if grouped:
            titles.insert(3, _("Group"))
        titles.append(_("Note"))
        head = sheets.meeting_row(self.texts, meeting)
        table = [head + [""] * (len(titles) - len(head)), titles]
        for x in self.sheet_rows(meeting):
            row = [
                x.id,
                x.name,
                p.organisation_name(x),
                self.texts.role(x.role),
                "",
                "",
                self.note(meeting, x),
            ]
            if grouped:
                row.insert(3, self.group_of(meeting, x))
            table.append(row)
        table += [[""] * len(titles) for _row in range(BLANK_ROWS)]
        return table

    def sheet_csv(self, meeting: Meeting) -> bytes:
        return csv_bytes(self.sheet_table(meeting))

    def sheet_xlsx(self, meeting: Meeting) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = meeting.id[:31]
        for r, row in enumerate(self.sheet_table(meeting), start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                if r <= 2:
                    cell.font = Font(bold=True)
        widths = [14, 28, 28, 14, 10, 12, 24]
        if len(self.sheet_table(meeting)[1]) > len(widths):  # row 2: the column titles
            widths.insert(3, 14)
        for column, width in zip("ABCDEFGH", widths, strict=False):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A3"
        sheet.print_title_rows = "1:2"
        from openpyxl.writer.excel import ExcelWriter

        moment = dt.datetime.combine(meeting.date, dt.time(0))
        workbook.properties.created = workbook.properties.modified = moment
        buffer = io.BytesIO()
        # openpyxl's writer itself: Workbook.save() would stamp "modified" with the clock
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            ExcelWriter(workbook, archive).save()
        return _stable_zip(buffer.getvalue(), moment)


def agenda_name(programme: Programme, meeting_id: str, language: str) -> str:
    """The name of a meeting's agenda files without the extension: the meeting's id in the
    programme's language, else with the language after it ('intervisie-1.fr')."""
    return language_file(programme, meeting_id, language)


def agenda_files(
    folder: Path,
    programme: Programme,
    meetings: list[Meeting],
    formats: tuple[str, ...] = ("pdf", "html"),
    *,
    public: bool = False,
    warnings: list[str] | None = None,
    done: Callable[[], None] | None = None,
) -> dict[str, bytes | str]:
    """The agendas of `meetings` by file name, in every language the programme is published
    in: `<meeting>.pdf` and `<meeting>.html` in its language, `<meeting>.<language>.pdf` in
    another (see `agenda_name`). `public`: for the site (see `Printer`). What the facilitator
    should know about them (characters no font has) goes to `warnings`; `done` is called
    after each meeting (a progress bar)."""
    printers = [
        Printer(folder, programme, public=public, language=language)
        for language in programme.published_in
    ]
    files: dict[str, bytes | str] = {}
    for meeting in meetings:
        for printer in printers:
            name = agenda_name(programme, meeting.id, printer.texts.language)
            if "pdf" in formats:
                files[f"{name}.pdf"] = printer.agenda_pdf(meeting)
            if "html" in formats:
                files[f"{name}.html"] = printer.agenda_html(meeting)
        if done is not None:
            done()
    if warnings is not None:
        for printer in printers:
            warnings += [w for w in printer.warnings if w not in warnings]
    return files


def write_agendas(
    folder: Path,
    programme: Programme,
    meetings: list[Meeting],
    output: Path,
    formats: tuple[str, ...] = ("pdf", "html"),
    *,
    force: bool = False,
) -> Written:
    """Write the agendas of `meetings` into the output folder `output`, in every language the
    programme is published in (see `agenda_files`). Raises UsageError when `output` holds files
    cohort did not write."""
    target = OutputFolder(output, programme_folder=folder, force=force)
    warnings: list[str] = []
    files = agenda_files(folder, programme, meetings, formats, warnings=warnings)
    written = Written(output, files=len(files), names=list(files), warnings=warnings)
    written.changed = target.write_all(files, owned=())
    return written


@dataclass
class SheetWritten(Written):
    """What `write_sheet` wrote: the sign-in sheet of one meeting, in three files."""

    meeting: str = ""
    invitees: int = 0

    def line(self, what: str = "sign-in sheet") -> str:
        """'wrote the sign-in sheet of 'x' (12 invitees) to sheets: x-sheet.pdf, ...'."""
        return (
            f"wrote the {what} of '{self.meeting}' ({self.invitees} invitees) to {self.folder}: "
            + ", ".join(self.names)
        )


def write_sheet(
    folder: Path,
    programme: Programme,
    meeting: Meeting,
    output: Path,
    *,
    force: bool = False,
    leave_off_declined: bool = False,
) -> SheetWritten:
    """Write the sign-in sheet of `meeting` into `output` as PDF, CSV and XLSX. The invitees
    who declined the meeting (their answer that stands, see `cohort replies`) are marked so,
    or left off with `leave_off_declined`."""
    from ..planning.replies import declined, standing

    target = OutputFolder(output, programme_folder=folder, force=force)
    gone = declined(standing(folder, programme, meeting))
    printer = Printer(
        folder, programme, declined={meeting.id: gone}, leave_off_declined=leave_off_declined
    )
    files: dict[str, bytes | str] = {
        f"{meeting.id}-sheet.pdf": printer.sheet_pdf(meeting),
        f"{meeting.id}-sheet.csv": printer.sheet_csv(meeting),
        f"{meeting.id}-sheet.xlsx": printer.sheet_xlsx(meeting),
    }
    written = SheetWritten(
        output,
        files=len(files),
        names=list(files),
        warnings=printer.warnings,
        meeting=meeting.id,
        invitees=len(printer.sheet_rows(meeting)),
    )
    written.changed = target.write_all(files, owned=())
    return written


def _sortable(text: str) -> str:
    """For sorting names as people expect: case and accents do not count (Ünal near Unal)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same workbook always as the same bytes: every entry gets one fixed time stamp."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
