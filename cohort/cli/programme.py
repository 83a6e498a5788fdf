"""Commands about the programme itself: init, validate, schedule, schema."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..languages import Language
from .app import app
from .common import Folder, Force, Today, checked, colour_wanted, say, tell, today, warn


class DiagnosticFormat(StrEnum):
    """How `validate` reports: for people (text) or for machines (json)."""

    text = "text"
    json = "json"


class ScheduleFormat(StrEnum):
    """The formats of the schedule."""

    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


@app.command()
def validate(
    folder: Folder = Path(),
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    format: Annotated[
        DiagnosticFormat, typer.Option("--format", "-f", help="Output for people or machines.")
    ] = DiagnosticFormat.text,
    day: Today = None,
) -> None:
    """Check a programme and report every problem, as FILE:LINE:COL: error|warning: message."""
    from ..planning import fit, group_checks
    from ..records.workspace import validate as run

    validation = run(folder, today(day), strict=strict, checks=(fit.check, group_checks.check))
    tell(validation.said(json=format is DiagnosticFormat.json))


@app.command()
def schedule(
    folder: Folder = Path(),
    format: Annotated[
        ScheduleFormat, typer.Option("--format", "-f", help="How to show the schedule.")
    ] = ScheduleFormat.table,
    day: Today = None,
    solve: Annotated[
        bool,
        typer.Option(
            "--solve", help="Choose the open dates and venues from the 'planning:' block."
        ),
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="With --solve: store it in planning/solution.yaml.")
    ] = False,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            metavar="SECONDS",
            help="With --solve: stop after this much of the solver's deterministic time (about "
            "seconds; the same on every machine, so the same input gives the same schedule).",
        ),
    ] = 30.0,
    move: Annotated[
        list[str] | None,
        typer.Option(
            "--move",
            metavar="MEETING",
            help="With --solve: choose this meeting's date again, though it was published or "
            "held (repeat for more).",
        ),
    ] = None,
) -> None:
    """The overview: meetings in order, the venue and host rotation, and any warnings."""
    from ..documents.schedule import render

    if solve:
        from ..documents.proposal import propose

        proposal = propose(
            folder,
            today(day),
            time_limit,
            move or [],
            format.value,
            color=colour_wanted(),
            write=write,
        )
        return tell(proposal)
    if write or move:
        raise UsageError(f"{'--write' if write else '--move'} is for --solve; add --solve")
    from ..planning.replies import tallies

    programme = checked(folder, day, show_warnings=False)
    replies = tallies(programme.folder, programme.programme)
    shown = render(programme.programme, format.value, color=colour_wanted(), replies=replies)
    typer.echo(shown, nl=False)
    # (a CSV comes as bytes: typer writes them as they are, byte order mark and CRLF)
    warn(str(w) for w in programme.warnings)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    force: Force = False,
) -> None:
    """Print the JSON Schema of programme files, for editors that validate while you type."""
    from ..programme.schema import json_schema, write_schema

    if output is None:
        typer.echo(json_schema(), nl=False)
    elif write_schema(output, force=force):
        warn(f"wrote {output}")
    else:
        warn(f"{output} is up to date")


@app.command()
def init(
    folder: Folder = Path(),
    language: Annotated[Language, typer.Option(help="The programme's language.")] = Language.nl,
) -> None:
    """Start a new programme folder with a commented programme.yaml that validates."""
    from ..programme.init import create

    say(f"created {path}" for path in create(folder, language.value))
    say(
        f"next: edit {folder / 'programme.yaml'} (every field: docs/format.md), then run "
        f"'cohort validate {folder}'"
    )
