"""Commands that plan: `schedule --solve` (called from `schedule`) and `poll import`."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app, group
from .common import colour_wanted, say, today, warn

poll = group("Availability polls: import their answers for 'cohort schedule --solve'.")
app.add_typer(poll, name="poll")


def solve(folder: Path, format: str, day: str | None, write: bool, time_limit: float) -> None:
    """`cohort schedule --solve`: print the proposed schedule, who cannot come and the
    objective's parts; with `write`, store it in planning/solution.yaml."""
    from ..documents.schedule import render
    from ..planning.solving import solve as run
    from ..records import solution
    from ..records.workspace import load_checked

    solved = run(folder, today(day), time_limit)
    warn(str(w) for w in solved.warnings)
    proposal = load_checked(folder, today(day), proposal=solved.solution.meetings)
    typer.echo(render(proposal.programme, format, color=colour_wanted()), nl=False)
    lines = solved.lines
    if format in ("table", "markdown"):
        say(["", *lines])
    else:
        warn(lines)
    if write:
        path = solution.path_in(proposal.folder)
        changed = solution.store(proposal.folder, solved.solution)
        warn(f"{'wrote' if changed else 'unchanged'} {path}")


@poll.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The poll's export (CSV or XLSX).")],
    programme: Annotated[
        Path | None,
        typer.Option(
            "--programme",
            "-p",
            help="The programme's folder (default: the folder above the file holding "
            "programme.yaml).",
        ),
    ] = None,
    tool: Annotated[
        str | None,
        typer.Option(help="framadate, rallly, nextcloud, newdle or doodle (default: detected)."),
    ] = None,
    day: Annotated[str | None, typer.Option("--today", hidden=True)] = None,
) -> None:
    """Read a poll's export into planning/answers.yaml, matching respondents to participants."""
    from ..planning.poll_import import import_poll

    result = import_poll(file, programme, tool, today(day))
    warn(str(w) for w in result.warnings)
    say(result.summary)
