"""Commands that sum up and bring together: report and build."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Force, Today, checked, progress, say, today, warn


class ReportFormat(StrEnum):
    """The formats of the report."""

    html = "html"
    md = "md"
    pdf = "pdf"
    json = "json"


@app.command()
def report(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the report into.")
    ] = Path("report"),
    format: Annotated[
        list[ReportFormat] | None,
        typer.Option("--format", "-f", help="html, md, pdf or json (default: all four)."),
    ] = None,
    force: Force = False,
    day: Today = None,
) -> None:
    """How the programme went: attendance per meeting, person and organisation, the rule."""
    from rich.console import Console

    from ..documents.report import write_report

    programme = checked(folder, day)
    formats = tuple(f.value for f in format or list(ReportFormat))
    summary, written = write_report(
        programme.folder, programme.programme, output, today(day), formats, force=force
    )
    warn(written.warnings)
    console = Console(highlight=False)
    for number, line in enumerate(summary.lines()):
        console.print(line, style="bold" if number == 0 else None, markup=False)
    say(f"wrote {', '.join(written.names)} to {output}")


@app.command()
def build(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to build the programme into.")
    ] = Path("site"),
    invitations: Annotated[
        bool, typer.Option("--invitations", help="Also write the invitation outbox (OUT/outbox).")
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Also write the report into OUT/report/ (it names people: not for a public "
            "web server).",
        ),
    ] = False,
    link_report: Annotated[
        bool,
        typer.Option(
            "--link-report",
            help="Write the report and link it from the public page (it names people).",
        ),
    ] = False,
    force: Force = False,
    day: Today = None,
) -> None:
    """Everything in one folder: the public page, calendars, agendas (and, when asked, the
    report)."""
    from ..documents.build import build as build_site
    from ..documents.build import steps

    programme = checked(folder, day)
    with progress("building", steps(programme.programme), minimum=0) as advance:
        built = build_site(
            programme.folder,
            programme.programme,
            output,
            today(day),
            progress=advance,
            invitations=invitations,
            report=report,
            link_report=link_report,
            force=force,
        )
    warn(built.warnings)
    say(built.lines())
