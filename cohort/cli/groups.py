"""The command that forms groups: cohort groups."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Meeting, Today, checked, say, today, warn


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
    from ..errors import CohortError
    from ..planning.rounds import group

    programme = checked(folder, day, show_warnings=False)
    # what the command says itself: rules that cannot hold (an error here), and what it has
    # just formed anew (the warnings were about the file it replaced)
    warnings = [
        w for w in programme.warnings if w.code not in ("groups-impossible", "groups-names")
    ]
    try:
        result = group(
            programme.loaded,
            programme.programme,
            meeting=meeting,
            seed=seed,
            write=write,
            force=force,
            today=today(day),
        )
    except CohortError:
        warn(str(w) for w in warnings)
        raise
    replaced = {r.written for r in result.rounds if r.written}
    warn(str(w) for w in warnings if w.location.file not in replaced)
    say(result.lines(write))
