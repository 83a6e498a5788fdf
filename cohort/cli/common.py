"""What every command shares: the programme folder argument, --today, --meeting, loading a
checked programme (warnings shown first), printing what a command says, colour, and one
progress bar."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UsageError

if TYPE_CHECKING:
    from ..records.workspace import Checked
    from ..said import Said

Folder = Annotated[
    Path,
    typer.Argument(
        help="The programme's folder (holding programme.yaml).", show_default="current folder"
    ),
]

Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        help="Check as if it were this day (default: today, or $COHORT_TODAY).",
    ),
]

Meeting = Annotated[str | None, typer.Option("--meeting", help="Only this meeting (its id).")]

Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace files in the output that cohort did not write, or that changed since "
        "(never the programme's own YAML).",
    ),
]
TheMeeting = Annotated[str, typer.Option("--meeting", help="The meeting (its id).")]


def today(value: str | None) -> dt.date:
    """`--today` or COHORT_TODAY, so old programmes can be checked as of their own time; else
    the day of the clock (COHORT_NOW's day when it freezes the clock)."""
    text = value or os.environ.get("COHORT_TODAY")
    if not text:
        from ..records.published import today as clock_day

        return clock_day()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today '{text}' is not a date; write YYYY-MM-DD") from None


def moment_day(value: str | None) -> dt.date | None:
    """`--today` (or COHORT_TODAY) for commands that act at a moment: that day's start; None
    when neither is given, and the moment is now (COHORT_NOW freezes it)."""
    return today(value) if value or os.environ.get("COHORT_TODAY") else None


def checked(
    folder: Path, day: str | None, *, show_warnings: bool = True, keep_loaded: bool = False
) -> Checked:
    """Load and check a programme for a command that produces something; warnings go to
    standard error first, errors stop the command (in CohortGroup). `keep_loaded`: see
    `load_checked`."""
    from ..planning import fit, group_checks
    from ..records.workspace import load_checked

    result = load_checked(
        folder, today(day), checks=(fit.check, group_checks.check), keep_loaded=keep_loaded
    )
    if show_warnings:
        warn(str(w) for w in result.warnings)
    return result


def say(lines: str | Iterable[str]) -> None:
    """Print lines on standard output."""
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line)


def warn(lines: str | Iterable[str]) -> None:
    """Print lines on standard error."""
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line, err=True)


def tell(said: Said) -> None:
    """Print what a command says, each piece on its stream in order, and end with its exit
    code."""
    for stream, text in said.pieces:
        typer.echo(text, nl=False, err=stream == "err")
    if said.exit_code:
        raise typer.Exit(said.exit_code)


def colour_wanted() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


Advance = Callable[[str, int], None]


@contextmanager
def progress(what: str, total: int, minimum: int = 10) -> Iterator[Advance]:
    """A progress bar on standard error when it is a terminal and the job is long enough;
    yields `advance(description, steps)`. Without a terminal, nothing is drawn."""
    if not sys.stderr.isatty() or total <= minimum:
        yield lambda _what, _n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda description, n: bar.update(task, advance=n, description=description)


def bar(what: str) -> Callable[[int], AbstractContextManager[Callable[[], None]]]:
    """`progress` for a function that counts its own steps: given the total, a context that
    yields `advance()`, one step each call."""

    @contextmanager
    def steps(total: int) -> Iterator[Callable[[], None]]:
        with progress(what, total) as advance:
            yield lambda: advance(what, 1)

    return steps
