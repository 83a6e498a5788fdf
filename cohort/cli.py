"""The `cohort` command: a thin shell that turns arguments into paths, calls one function, prints.

Only typer is imported at start-up; each command imports what it needs when it runs, so
`cohort --help` stays fast. Errors are turned into messages and exit codes in one place:
`CohortGroup.invoke`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .errors import EXIT_USAGE, CohortError, UsageError


class CohortGroup(TyperGroup):
    """Turns every CohortError, from any command, into its message and exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CohortError as err:
            for line in err.lines():
                typer.echo(line, err=True)
            if err.diagnostics and not err.message:
                errors = sum(d.severity == "error" for d in err.diagnostics)
                typer.echo(_summary(errors, len(err.diagnostics) - errors), err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except Exception as err:  # a bug in cohort: say so plainly, never a traceback
            if os.environ.get("COHORT_DEBUG"):
                raise
            typer.echo(
                f"error: internal error ({type(err).__name__}: {err}); this is a bug in cohort. "
                "Please report it with the command you ran (COHORT_DEBUG=1 shows the details).",
                err=True,
            )
            ctx.exit(70)


app = typer.Typer(
    cls=CohortGroup,
    name="cohort",
    help="The paperwork of a cohort programme, from a folder of YAML files.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Folder = Annotated[
    Path,
    typer.Argument(
        help="The programme's folder (holding programme.yaml).", show_default="current folder"
    ),
]


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"


class ScheduleFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def _summary(errors: int, warnings: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def _today(value: str | None) -> dt.date:
    """`--today` or COHORT_TODAY, so old programmes can be checked as of their own time."""
    text = value or os.environ.get("COHORT_TODAY")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today '{text}' is not a date; write YYYY-MM-DD") from None


Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        help="Check as if it were this day (default: today, or $COHORT_TODAY).",
    ),
]


@app.command()
def validate(
    folder: Folder = Path(),
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    format: Annotated[
        DiagnosticFormat, typer.Option("--format", "-f", help="Output for people or machines.")
    ] = DiagnosticFormat.text,
    today: Today = None,
) -> None:
    """Check a programme and report every problem, as FILE:LINE:COL: error|warning: message."""
    from .check import check
    from .load import load

    programme = None
    try:
        loaded = load(folder)
        programme = loaded.programme
        diagnostics = check(loaded, _today(today)).sorted()
    except UsageError:
        raise
    except CohortError as err:
        if format is not DiagnosticFormat.json:
            raise
        diagnostics = err.all_diagnostics()
    errors = sum(d.severity == "error" for d in diagnostics)
    failed = errors > 0 or (strict and diagnostics)
    if format is DiagnosticFormat.json:
        import json

        typer.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "errors": errors,
                    "warnings": len(diagnostics) - errors,
                    "diagnostics": [d.as_json() for d in diagnostics],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for diagnostic in diagnostics:
            typer.echo(str(diagnostic), err=True)
        if not failed and programme is not None:
            typer.echo(
                f'{folder}: ok: "{programme.title}", {len(programme.meetings)} meetings, '
                f"{len(programme.participants)} participants "
                f"({_summary(errors, len(diagnostics) - errors)})"
            )
        else:
            typer.echo(_summary(errors, len(diagnostics) - errors), err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def schedule(
    folder: Folder = Path(),
    format: Annotated[
        ScheduleFormat, typer.Option("--format", "-f", help="How to show the schedule.")
    ] = ScheduleFormat.table,
    today: Today = None,
) -> None:
    """The overview: meetings in order, the venue and host rotation, and any warnings."""
    from .check import load_checked
    from .schedule import render

    checked = load_checked(folder, _today(today))
    typer.echo(render(checked, format.value, color=sys.stdout.isatty()), nl=False)
    for warning in checked.warnings:
        typer.echo(str(warning), err=True)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema of programme files, for editors that validate while you type."""
    from .schema import json_schema

    text = json_schema()
    if output is None:
        typer.echo(text, nl=False)
    else:
        from .files import write_atomic

        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)


@app.command()
def init(
    folder: Folder = Path(),
    language: Annotated[
        str, typer.Option(help="The programme's language: nl, en or fr.")
    ] = "nl",
) -> None:
    """Start a new programme folder with a commented programme.yaml that validates."""
    from .scaffold import create

    for path in create(folder, language):
        typer.echo(f"created {path}")
    typer.echo(f"next: edit {folder / 'programme.yaml'}, then run 'cohort validate {folder}'")


@app.command()
def calendar(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the calendars into.")
    ] = Path("calendars"),
    today: Today = None,
) -> None:
    """Write the programme feed, a personal feed per participant and an .ics per meeting."""
    from .calendar import write_calendars
    from .check import load_checked

    checked = load_checked(folder, _today(today))
    for warning in checked.warnings:
        typer.echo(str(warning), err=True)
    written = write_calendars(checked.folder, checked.programme, output)
    for meeting_id, sequence in written.raised:
        typer.echo(f"'{meeting_id}' changed: SEQUENCE is now {sequence}")
    typer.echo(
        f"wrote {written.files} calendar files to {output} "
        f"({len(written.changed)} changed, {len(written.removed)} removed)"
    )


def main() -> None:
    """Entry point of the `cohort` script."""
    try:
        app()
    except CohortError as err:  # raised outside a command (e.g. while parsing arguments)
        for line in err.lines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_USAGE)
