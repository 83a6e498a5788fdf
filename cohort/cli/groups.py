"""The command that forms groups: cohort groups."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Meeting, Today, checked, tell, today


@app.command()
def groups(
    folder: Folder = Path(),
    meeting: Meeting = None,
    seed: Annotated[int, typer.Option("--seed", help="Another seed gives other groups.")] = 0,
    write: Annotated[
        bool, typer.Option("--write", help="Keep the groups formed in groups/<meeting>.yaml.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Form anew the groups cohort wrote for meetings to come."),
    ] = False,
    day: Today = None,
) -> None:
    """Intervision groups for each meeting with groups: mixed, and new people every round."""
    from ..planning.rounds import said

    programme = checked(folder, day, show_warnings=False, keep_loaded=True)
    tell(said(programme, meeting=meeting, seed=seed, write=write, force=force, today=today(day)))
