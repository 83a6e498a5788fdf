"""Commands that plan: `poll import` (`schedule --solve` is `schedule`'s, in programme.py)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .app import app, group
from .common import say, today, warn


class PollTool(StrEnum):
    """The poll tools whose exports cohort reads (as `planning.polls.TOOLS`)."""

    framadate = "framadate"
    rallly = "rallly"
    nextcloud = "nextcloud"
    newdle = "newdle"
    doodle = "doodle"


poll = group("Availability polls: import their answers for 'cohort schedule --solve'.")
app.add_typer(poll, name="poll")


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
        PollTool | None,
        typer.Option(help="The tool that exported the poll (default: detected)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the answers of another poll imported before."),
    ] = False,
    day: Annotated[str | None, typer.Option("--today", hidden=True)] = None,
) -> None:
    """Read a poll's export into planning/answers.yaml, matching respondents to participants."""
    from ..planning.poll_import import import_poll

    result = import_poll(file, programme, tool.value if tool else None, today(day), replace)
    warn(str(w) for w in result.warnings)
    say(result.summary)
