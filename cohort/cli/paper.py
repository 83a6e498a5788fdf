"""Commands for paper at the door: agenda, attendance sheet, attendance record."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .app import app, group
from .common import Folder, Force, Meeting, TheMeeting, Today, checked, say, today, warn


class AgendaFormat(StrEnum):
    """The formats of an agenda."""

    pdf = "pdf"
    html = "html"


@app.command()
def agenda(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the agendas into.")
    ] = Path("agendas"),
    meeting: Meeting = None,
    format: Annotated[
        AgendaFormat | None,
        typer.Option("--format", "-f", help="pdf or html (default: both)."),
    ] = None,
    force: Force = False,
    day: Today = None,
) -> None:
    """Printable agendas: one A4 page per meeting, as PDF and as a web page."""
    from ..documents.printing import write_agendas

    programme = checked(folder, day)
    formats = (format.value,) if format else tuple(f.value for f in AgendaFormat)
    written = write_agendas(
        programme.folder,
        programme.programme,
        programme.meetings(meeting),
        output,
        formats,
        force=force,
    )
    warn(written.warnings)
    say(written.line("agenda"))


attendance_app = group("Sign-in sheets for the door, and recording who came.")
app.add_typer(attendance_app, name="attendance")


@attendance_app.command("sheet")
def attendance_sheet(
    folder: Folder = Path(),
    meeting: TheMeeting = ...,  # type: ignore[assignment]
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the sheet into.")
    ] = Path("sheets"),
    force: Force = False,
    without_declined: Annotated[
        bool,
        typer.Option(
            "--without-declined",
            help="Leave off who declined the meeting (by default they are marked so).",
        ),
    ] = False,
    day: Today = None,
) -> None:
    """A sign-in sheet for the door (PDF), and the same list as CSV and XLSX; who declined is
    marked so (see 'cohort replies')."""
    from ..documents.printing import write_sheet

    programme = checked(folder, day)
    (item,) = programme.meetings(meeting)
    written = write_sheet(
        programme.folder,
        programme.programme,
        item,
        output,
        force=force,
        leave_off_declined=without_declined,
    )
    warn(written.warnings)
    say(written.line("sign-in sheet"))


def _ids(values: list[str] | None) -> list[str]:
    """`--present anna --present bert` or `--present anna,bert`."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


IdList = Annotated[list[str] | None, typer.Option(metavar="ID", help="Participant id(s).")]


@attendance_app.command("record")
def attendance_record(
    folder: Folder = Path(),
    meeting: TheMeeting = ...,  # type: ignore[assignment]
    present: IdList = None,
    excused: IdList = None,
    absent: IdList = None,
    visitor: Annotated[
        list[str] | None,
        typer.Option(metavar='"NAME, ORGANISATION"', help="Someone who came uninvited."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A filled-in sheet (.csv or .xlsx) from 'attendance sheet'."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Change what was recorded before.")
    ] = False,
    day: Today = None,
) -> None:
    """Record who came to a meeting: attended, excused, absent (everyone else), visitors."""
    from ..planning.attendance import record

    programme = checked(folder, day)
    (item,) = programme.meetings(meeting)
    recorded = record(
        programme.folder,
        programme.programme,
        item,
        present=_ids(present),
        excused=_ids(excused),
        absent=_ids(absent),
        visitors=visitor or [],
        sheet=from_file,
        force=force,
        today=today(day),
    )
    warn(str(w) for w in recorded.warnings)
    say(recorded.summary())
