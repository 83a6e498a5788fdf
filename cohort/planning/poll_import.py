"""`cohort poll import FILE`: a poll's export into `planning/answers.yaml`, each respondent
matched to a participant (see `match`); anyone cohort cannot place is an error with the closest
name, never a guess.

One poll's answers are kept at a time: importing the same export again (more answers since)
updates them; importing another poll over them is refused unless the facilitator says
`--replace`, so the answers of a first poll are never lost by accident.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CohortError, Diagnostic, Report, UsageError, did_you_mean
from ..programme.load import ENTRY_FILE
from ..programme.model import Programme
from ..records import answers as record
from ..records.workspace import load_checked
from ..tables import Table, read_table
from .polls import TOOLS, Poll, Respondent, detect, read_poll, shown

#: Errors shown of one export; the rest are counted ("and 212 more").
MAX_SHOWN = 30


@dataclass
class Imported:
    """What an import did: one line for people, and the warnings of the programme and of the
    poll."""

    summary: str
    warnings: list[Diagnostic] = field(default_factory=list)


def find_programme(file: Path) -> Path:
    """The programme folder a poll export lies in (its folder or one above, holding
    programme.yaml)."""
    for folder in list(file.resolve().parents)[:3]:
        if (folder / ENTRY_FILE).is_file():
            return folder
    raise UsageError(f"'{file}' lies in no programme folder; name it with --programme DIR")


def import_poll(
    file: Path, folder: Path | None, tool: str | None, today: dt.date, replace: bool = False
) -> Imported:
    """Read a poll export and write the programme's answers file.

    Raises UsageError for an unknown --tool, a file outside a programme, or another poll's
    answers in the way (without `replace`); CohortError with every problem (at row and column)
    when the export cannot be read or matched, or holds no answers."""
    if tool is not None and tool not in TOOLS:
        hint = did_you_mean(tool, TOOLS) or f"one of {', '.join(TOOLS)}"
        raise UsageError(f"--tool '{tool}' is not a poll tool cohort reads ({hint})")
    checked = load_checked(folder or find_programme(file), today, proposal={})
    programme = checked.programme
    table = read_table(file, what="poll export", visible=True)
    tool = tool or detect(table)
    if tool is None:
        raise CohortError(
            "cannot tell which tool exported this poll (its first row is neither Framadate's, "
            "Rallly's, Nextcloud Polls', newdle's nor Doodle's); name it with --tool "
            + "|".join(TOOLS),
            location=file,
            code="poll-layout",
        )
    near = programme.planning.from_ if programme.planning else today
    report = Report()
    poll = read_poll(table, tool, programme.zone, near, report)
    ids = match(programme, table, poll, report)
    if not report.errors and not poll.respondents:
        report.error(
            table.at(1),
            f"this {tool} export holds no answers (nobody responded yet)",
            "export the poll again once people have answered",
            code="poll-empty",
        )
    if report.errors:
        raise capped(report.sorted(), table)
    _outside_window(programme, table, poll, report)
    source = _source(file, checked.folder)
    _replacing(checked.folder, source, replace)
    options = [record.format_option(o.day, o.moment) for o in poll.options]
    answers: dict[str, dict[str, str]] = {}
    for person, pid in zip(poll.respondents, ids, strict=True):
        answers[pid] = {options[i]: answer for i, answer in sorted(person.answers.items())}
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
        checked.warnings + report.sorted(),
    )


def _source(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(file)


def _replacing(folder: Path, source: str, replace: bool) -> None:
    """Refuse to replace another poll's answers unless told to."""
    quiet = Report()
    stored = record.read(folder, quiet)
    if replace or stored is None or stored.record is None or stored.record.source == source:
        return
    raise UsageError(
        f"{record.path_in(folder)} holds the answers of another poll ({stored.record.source}); "
        f"importing {source} would replace them: add --replace to do so"
    )


def _outside_window(programme: Programme, table: Table, poll: Poll, report: Report) -> None:
    """Options outside the planning window are read, but no open meeting can take them."""
    plan = programme.planning
    if plan is None:
        return
    outside = [o for o in poll.options if not plan.from_ <= o.day <= plan.until]
    if outside:
        days = ", ".join(str(o.day) for o in outside[:3]) + (", ..." if len(outside) > 3 else "")
        report.warning(
            table.at(1, outside[0].column),
            f"{len(outside)} of the poll's {len(poll.options)} options lie outside the planning "
            f"window {plan.from_} to {plan.until} ({days}); no open meeting can take them",
            "is this the poll for this programme, and its window right?",
            code="poll-window",
        )


def capped(diagnostics: list[Diagnostic], table: Table) -> CohortError:
    """The error of an export that cannot be read: its first MAX_SHOWN problems, then one line
    that counts the rest."""
    if len(diagnostics) <= MAX_SHOWN:
        return CohortError(diagnostics=diagnostics)
    rest = len(diagnostics) - MAX_SHOWN
    return CohortError(
        f"and {rest} more problems in this export (the first {MAX_SHOWN} are above); fix these "
        "first: is it the poll's own export, unchanged?",
        diagnostics=diagnostics[:MAX_SHOWN],
        location=table.path,
        code="poll-layout",
    )


def loose(name: str) -> str:
    """A name for a loose comparison: case, spaces and accents ignored ('José  maes' ->
    'jose maes')."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def match(programme: Programme, table: Table, poll: Poll, report: Report) -> list[str]:
    """The participant id of each respondent, in order; problems go to `report`.

    The rule: the e-mail address (any case) when the export gives one a participant has, and a
    warning when the name is another participant's; else the name exactly as in participants
    (an error when two participants bear it); else the name with case, spaces and accents
    ignored, when it fits one participant (a warning naming who; an error when it fits more);
    else an error with the closest name."""
    people = programme.participants
    by_email = {p.email.casefold(): p.id for p in people.values() if p.email}
    exact: dict[str, list[str]] = defaultdict(list)
    similar: dict[str, list[str]] = defaultdict(list)
    for person in people.values():
        exact[person.name.strip()].append(person.id)
        similar[loose(person.name)].append(person.id)
    first_row: dict[str, int] = {}
    ids = []
    for respondent in poll.respondents:
        pid = _matched(programme, table, respondent, by_email, exact, similar, report)
        if pid is None:
            ids.append("")
            continue
        if pid in first_row:
            report.error(
                table.at(respondent.row, respondent.column),
                f"'{shown(respondent.name)}' answered twice (first on row {first_row[pid]})",
                "delete one of the two answers in the poll, then export again",
                code="poll-respondent",
            )
        first_row.setdefault(pid, respondent.row)
        ids.append(pid)
    return ids


def _matched(
    programme: Programme,
    table: Table,
    respondent: Respondent,
    by_email: dict[str, str],
    exact: dict[str, list[str]],
    similar: dict[str, list[str]],
    report: Report,
) -> str | None:
    people = programme.participants
    where = table.at(respondent.row, respondent.column)
    name = respondent.name.strip()
    named = exact.get(name, [])
    pid = by_email.get((respondent.email or "").casefold())
    if pid is not None:
        if named and pid not in named:
            report.warning(
                table.at(respondent.row, respondent.email_column or respondent.column),
                f"'{shown(name)}' answered with the e-mail address of {people[pid].name} "
                f"({pid}); the answers count as {people[pid].name}'s, not as "
                f"{people[named[0]].name}'s ({named[0]})",
                "check who answered; cohort matches the e-mail address first",
                code="poll-match",
            )
        return pid
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        report.error(
            where,
            f"'{shown(name)}' is the name of {len(named)} participants ({', '.join(named)})",
            "give them different names, or export the poll with e-mail addresses",
            code="poll-respondent",
        )
        return None
    close = similar.get(loose(name), [])
    if len(close) == 1:
        report.warning(
            where,
            f"'{shown(name)}' is taken as {people[close[0]].name} ({close[0]}): the names "
            "differ only in case, spaces or accents",
            "write the name as in participants if that is someone else",
            code="poll-match",
        )
        return close[0]
    if len(close) > 1:
        listed = " and ".join(f"'{people[c].name}' ({c})" for c in close)
        report.error(
            where,
            f"'{shown(name)}' fits {listed} only when case, spaces and accents are ignored",
            "write the name exactly as in participants, or export with e-mail addresses",
            code="poll-respondent",
        )
        return None
    names = [p.name for p in people.values()]
    report.error(
        where,
        f"respondent '{shown(name)}' is not a participant of this programme",
        did_you_mean(name, names) or "add them under 'participants:'",
        code="poll-respondent",
    )
    return None
