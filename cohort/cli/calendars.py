"""Commands that publish calendars: calendar."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Today, checked, say


@app.command()
def calendar(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the calendars into.")
    ] = Path("calendars"),
    day: Today = None,
) -> None:
    """Write the programme feed, a personal feed per participant and an .ics per meeting."""
    from ..documents.calendar import write_calendars

    programme = checked(folder, day)
    say(write_calendars(programme.folder, programme.programme, output).lines())
