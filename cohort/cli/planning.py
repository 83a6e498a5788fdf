"""Commands that plan: `schedule --solve` (called from `schedule`) and `poll import`."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app, group
from .common import colour_wanted, say, today, warn

poll = group("Availability polls: import their answers for 'cohort schedule --solve'.")
app.add_typer(poll, name="poll")


def solve(
    folder: Path, format: str, day: str | None, write: bool, time_limit: float, move: list[str]
) -> None:
    """`cohort schedule --solve`: print the proposed schedule, who cannot come and the
    objective's parts (in json and csv as fields and columns too); with `write`, store it in
    planning/solution.yaml."""
    from ..documents.schedule import render
    from ..planning import solving
    from ..records import solution
    from ..records.workspace import load_checked

    solved = solving.solve(folder, today(day), time_limit, move)
    proposal = load_checked(folder, today(day), proposal=solved.solution.meetings)
    # the checks of the proposed schedule (capacity, holidays, ...) and of solving itself
    warn(
        dict.fromkeys(
            str(w) for w in sorted([*solved.warnings, *proposal.warnings], key=lambda d: d.sort_key)
        )
    )
    text = render(proposal.programme, format, color=colour_wanted())
    if format == "json":
        text = _with_solution(text, solving.as_data(solved))
    elif format == "csv":
        text = _with_columns(text, *solving.columns(solved))
    typer.echo(text, nl=False)
    lines = solved.lines
    if format in ("table", "markdown"):
        say(["", *lines])
    else:
        warn(lines)
    if write:
        path = solution.path_in(proposal.folder)
        changed = solution.store(proposal.folder, solved.solution)
        warn(f"{'wrote' if changed else 'unchanged'} {path}")


def _with_solution(text: str | bytes, data: dict[str, object]) -> str:
    import json

    document = json.loads(text)
    document["solution"] = data
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _with_columns(text: str | bytes, heads: list[str], cells: dict[str, list[str]]) -> bytes:
    """The schedule's CSV with the solution's columns, through the one CSV writer."""
    import csv
    import io

    from ..tables import csv_bytes, unneutralise

    raw = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    rows = [[unneutralise(c) for c in row] for row in csv.reader(io.StringIO(raw))]
    extra = [heads, *(cells.get(row[0], [""] * len(heads)) for row in rows[1:])]
    return csv_bytes([*(row + more for row, more in zip(rows, extra, strict=True))])


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
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the answers of another poll imported before."),
    ] = False,
    day: Annotated[str | None, typer.Option("--today", hidden=True)] = None,
) -> None:
    """Read a poll's export into planning/answers.yaml, matching respondents to participants."""
    from ..planning.poll_import import import_poll

    result = import_poll(file, programme, tool, today(day), replace)
    warn(str(w) for w in result.warnings)
    say(result.summary)
