"""`cohort schedule --solve` as it is said: the proposed schedule in the format asked, with the
solution in it for machines (a `solution` field in JSON, columns in CSV), who cannot come and
what the schedule costs, and the solution stored in planning/solution.yaml when asked.

The schedule and the solution's summary go to standard output for people (table, markdown);
for machines (json, csv) standard output holds the document alone, and the summary goes to
standard error, as do the warnings and what was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from ..planning import solving
from ..records import solution
from ..records.workspace import load_checked
from ..said import Said
from .schedule import render


def propose(
    folder: Path,
    today: dt.date,
    time_limit: float,
    move: Iterable[str],
    format: str,
    *,
    color: bool = False,
    write: bool = False,
) -> Said:
    """Solve the open dates and venues (`solving.solve`) and say the proposal in `format`
    (table, markdown, csv or json; `color` for a table on a terminal); with `write`, store it.

    Raises what `solving.solve` raises (a usage error, the conflicting rules), and CohortError
    when the proposed schedule does not load."""
    solved = solving.solve(folder, today, time_limit, move)
    proposal = load_checked(folder, today, proposal=solved.solution.meetings)
    said = Said()
    # the checks of the proposed schedule (capacity, holidays, ...) and of solving itself
    found = sorted([*solved.warnings, *proposal.warnings], key=lambda d: d.sort_key)
    said.err(dict.fromkeys(str(w) for w in found))
    text = render(proposal.programme, format, color=color)
    if format == "json":
        text = with_solution(text, solving.as_data(solved))
    elif format == "csv":
        text = with_columns(text, *solving.columns(solved))
    said.text(text)
    if format in ("table", "markdown"):
        said.out(["", *solved.lines])
    else:
        said.err(solved.lines)
    if write:
        changed = solution.store(proposal.folder, solved.solution)
        said.err(f"{'wrote' if changed else 'unchanged'} {solution.path_in(proposal.folder)}")
    return said


def with_solution(text: str | bytes, data: dict[str, object]) -> str:
    """The schedule's JSON with the solution (`solving.as_data`) as its `solution` field."""
    import json

    document = json.loads(text)
    document["solution"] = data
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def with_columns(text: str | bytes, heads: list[str], cells: dict[str, list[str]]) -> bytes:
    """The schedule's CSV with the solution's columns (`solving.columns`: their names, and the
    cells per meeting id, the first column), through the one CSV writer."""
    import csv
    import io

    from ..tables import csv_bytes, unneutralise

    raw = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    rows = [[unneutralise(c) for c in row] for row in csv.reader(io.StringIO(raw))]
    extra = [heads, *(cells.get(row[0], [""] * len(heads)) for row in rows[1:])]
    return csv_bytes([*(row + more for row, more in zip(rows, extra, strict=True))])
