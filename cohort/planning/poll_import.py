"""`cohort poll import FILE`: a poll's export into `planning/answers.yaml`, each respondent
matched to a participant by e-mail, then by exact name; anyone else is an error with the
closest name, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CohortError, Diagnostic, Report, UsageError, did_you_mean
from ..programme.load import ENTRY_FILE
from ..programme.model import Programme
from ..records import answers as record
from ..records.workspace import load_checked
from ..tables import Table, read_table
from .polls import TOOLS, Poll, detect, read_poll


@dataclass
class Imported:
    """What an import did: one line for people, and the warnings of the programme."""

    summary: str
    warnings: list[Diagnostic] = field(default_factory=list)


def find_programme(file: Path) -> Path:
    """The programme folder a poll export lies in (its folder or one above, holding
    programme.yaml)."""
    for folder in list(file.resolve().parents)[:3]:
        if (folder / ENTRY_FILE).is_file():
            return folder
    raise UsageError(f"'{file}' lies in no programme folder; name it with --programme DIR")


def import_poll(file: Path, folder: Path | None, tool: str | None, today: dt.date) -> Imported:
    """Read a poll export and write the programme's answers file.

    Raises UsageError for an unknown --tool or a file outside a programme, CohortError with
    every problem (at row and column) when the export cannot be read or matched."""
    if tool is not None and tool not in TOOLS:
        hint = did_you_mean(tool, TOOLS) or f"one of {', '.join(TOOLS)}"
        raise UsageError(f"--tool '{tool}' is not a poll tool cohort reads ({hint})")
    checked = load_checked(folder or find_programme(file), today, proposal={})
    programme = checked.programme
    table = read_table(file, what="poll export")
    tool = tool or detect(table)
    if tool is None:
        raise CohortError(
            "cannot tell which tool exported this poll; name it with --tool " + "|".join(TOOLS),
            location=file,
        )
    near = programme.planning.from_ if programme.planning else today
    report = Report()
    poll = read_poll(table, tool, programme.zone, near, report)
    ids = match(programme, table, poll, report)
    report.raise_if_errors()
    options = [record.format_option(o.day, o.time) for o in poll.options]
    answers: dict[str, dict[str, str]] = {}
    for person, pid in zip(poll.respondents, ids, strict=True):
        answers[pid] = {options[i]: answer for i, answer in sorted(person.answers.items())}
    try:
        source = str(file.resolve().relative_to(checked.folder.resolve()))
    except ValueError:
        source = str(file)
    stored = record.Answers.model_validate(
        {
            "source": source,
            "tool": tool,
            "options": options,
            "answers": dict(sorted(answers.items())),
        }
    )
    changed = record.store(checked.folder, stored)
    count = sum(len(a) for a in answers.values())
    path = record.path_in(checked.folder)
    verb = "wrote" if changed else "unchanged"
    return Imported(
        f"{verb} {path}: {count} answers of {len(answers)} participants on {len(options)} "
        f"options ({tool})",
        checked.warnings,
    )


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def match(programme: Programme, table: Table, poll: Poll, report: Report) -> list[str]:
    """The participant id of each respondent, in order; problems go to `report`."""
    by_email = {p.email.casefold(): p.id for p in programme.participants.values() if p.email}
    by_name: dict[str, list[str]] = defaultdict(list)
    for person in programme.participants.values():
        by_name[_normal(person.name)].append(person.id)
    names = [p.name for p in programme.participants.values()]
    first_row: dict[str, int] = {}
    ids = []
    for respondent in poll.respondents:
        where = table.at(respondent.row, respondent.column)
        pid = by_email.get((respondent.email or "").casefold())
        if pid is None:
            found = by_name.get(_normal(respondent.name), [])
            if len(found) > 1:
                report.error(
                    where,
                    f"'{respondent.name}' is the name of {len(found)} participants "
                    f"({', '.join(found)})",
                    "give them different names, or export the poll with e-mail addresses",
                    code="poll-respondent",
                )
            pid = found[0] if len(found) == 1 else None
        if pid is None:
            hint = did_you_mean(respondent.name, names) or "add them under 'participants:'"
            report.error(
                where,
                f"respondent '{respondent.name}' is not a participant of this programme",
                hint,
                code="poll-respondent",
            )
            ids.append("")
            continue
        if pid in first_row:
            report.error(
                where,
                f"'{respondent.name}' answered twice (first on row {first_row[pid]})",
                "delete one of the two answers in the poll, then export again",
                code="poll-respondent",
            )
        first_row.setdefault(pid, respondent.row)
        ids.append(pid)
    return ids
