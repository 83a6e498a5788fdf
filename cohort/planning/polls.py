"""Availability polls, as the tools export them, read into one list of answers.

Each reader follows its tool's real export (read through `tables.read_table`):

- **Framadate** (`exportcsv.php`): UTF-8 with BOM, two header rows: the day (a short date in
  the poll's locale, e.g. 05/03/2026, or a long one, "jeudi 5 mars 2026"), then the moment
  ("19:00", "soir"); answers "Yes"/"Under reserve"/"No" in the poll's language.
- **Rallly** (`use-csv-exporter.ts`): one header row, the first cell the participant count
  (or "Name", then "Email"); options "Thu 5 Mar" or "Thu 5 Mar 19:00 - 21:00", without a year
  (the year whose weekday matches, nearest the planning window); "Yes"/"If need be"/"No".
- **Nextcloud Polls** (`ExportPoll.vue`, CSV): "Participants", optionally "Email address", then
  each option as a UTC interval "2026-03-05T18:00:00.000Z - 2026-03-05T20:00:00.000Z"; answers
  yes/maybe/no.
- **newdle** (`export.py`): "Participant name", slots as 2026-03-05T19:00, "Comment";
  available/ifneedbe/unavailable.
- **Doodle** (spreadsheet export): preamble rows (title, link), then a month row ("March
  2026"), a day row ("Thu 5") and a time row ("7:00 PM – 9:00 PM"), merged cells left empty
  (filled forward here); "OK", "(OK)" or empty (= no); a closing "Count" row.

An unknown cell value is an error at its row and column; so is a respondent who is not a
participant (matched by e-mail, then by exact name; never guessed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..errors import Report
from ..tables import Table
from .pollwords import TOOLS_VALUES, parse_day, parse_time

TOOLS = ("framadate", "rallly", "nextcloud", "newdle", "doodle")


@dataclass(frozen=True)
class Option:
    """One thing the poll asked about: a day, and a start time when it had one."""

    day: dt.date
    time: dt.time | None
    column: int


@dataclass
class Respondent:
    """One row of answers: who (as they wrote it), and their answer per option index."""

    row: int
    column: int
    name: str
    email: str | None
    answers: dict[int, str] = field(default_factory=dict)


@dataclass
class Poll:
    """A poll as read: its options and respondents."""

    tool: str
    options: list[Option]
    respondents: list[Respondent]


_NEWDLE_SLOT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_NEXTCLOUD = re.compile(r"(\S+Z)\s*-\s*(\S+Z)")
_COUNT = {"count", "anzahl", "aantal", "nombre", "total"}


def detect(table: Table) -> str | None:
    """Which tool wrote this export, from its layout (None when it is none we know)."""
    rows = table.rows
    head = rows[0] if rows else []
    if any(_NEWDLE_SLOT.fullmatch(c.strip()) for c in head):
        return "newdle"
    if any(_NEXTCLOUD.fullmatch(c.strip()) for c in head):
        return "nextcloud"
    if any(row and row[0].strip().lower() in _COUNT for row in rows[1:]):
        return "doodle"
    if len(rows) >= 2 and head[:1] in ([], [""]) and rows[1][:1] in ([], [""]):
        return "framadate"
    if head:
        return "rallly"
    return None


def read_poll(table: Table, tool: str, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    """The options and respondents of a poll export; every problem goes to `report` at its
    row and column. `near` is a day in the planning window (for years a tool leaves out),
    `zone` the programme's time zone (for tools that export UTC)."""
    readers: dict[str, Callable[[Table, ZoneInfo, dt.date, Report], Poll]] = {
        "framadate": _framadate,
        "rallly": _rallly,
        "nextcloud": _nextcloud,
        "newdle": _newdle,
        "doodle": _doodle,
    }
    return readers[tool](table, zone, near, report)


def _cells(
    table: Table,
    poll: Poll,
    first_row: int,
    name_col: int,
    email_col: int | None,
    report: Report,
    last_row: int | None = None,
) -> None:
    """The respondents' rows: name, e-mail, and each option's answer, checked."""
    values = TOOLS_VALUES[poll.tool]
    rows = table.rows[first_row - 1 : (last_row - 1) if last_row else None]
    for number, row in enumerate(rows, start=first_row):
        name = row[name_col - 1].strip() if len(row) >= name_col else ""
        if not name and not any(c.strip() for c in row):
            continue
        email = row[email_col - 1].strip() if email_col and len(row) >= email_col else None
        person = Respondent(number, name_col, name, email or None)
        for index, option in enumerate(poll.options):
            cell = row[option.column - 1].strip() if len(row) >= option.column else ""
            key = cell.lower()
            if key not in values:
                known = ", ".join(f"'{v}'" for v in sorted({k for k in values if k}))
                report.error(
                    table.at(number, option.column),
                    f"'{cell}' is not an answer {poll.tool} writes",
                    f"expected one of {known}, or an empty cell",
                    code="poll-answer",
                )
                continue
            answer = values[key]
            if answer is not None:
                person.answers[index] = answer
        if not name:
            report.error(table.at(number, name_col), "an answer without a name", code="poll-name")
            continue
        poll.respondents.append(person)


def _option(
    table: Table, column: int, day: dt.date | None, time: dt.time | None, label: str, report: Report
) -> Option | None:
    if day is None:
        report.error(
            table.at(1, column),
            f"cannot read '{label}' as a date",
            "is this the poll's own export, unchanged?",
            code="poll-option",
        )
        return None
    return Option(day, time, column)


def _framadate(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone
    days, moments = table.rows[0], table.rows[1] if len(table.rows) > 1 else []
    poll = Poll("framadate", [], [])
    for column in range(2, len(days) + 1):
        label = days[column - 1].strip()
        if not label:
            continue
        moment = moments[column - 1].strip() if len(moments) >= column else ""
        option = _option(table, column, parse_day(label, near), parse_time(moment), label, report)
        if option is not None:
            poll.options.append(option)
    _unique(table, poll, report)
    _cells(table, poll, 3, 1, None, report)
    return poll


_EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mailadres", "courriel", "adresse e-mail"}


def _rallly(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone
    head = table.rows[0]
    poll = Poll("rallly", [], [])
    email_col = None
    for column in range(2, len(head) + 1):
        label = head[column - 1].strip()
        if label.lower() in _EMAIL_HEADERS:
            email_col = column
            continue
        if not label or label.lower().startswith(("responded", "beantwoord", "répondu")):
            continue
        option = _option(table, column, parse_day(label, near), parse_time(label), label, report)
        if option is not None:
            poll.options.append(option)
    _unique(table, poll, report)
    _cells(table, poll, 2, 1, email_col, report)
    return poll


def _nextcloud(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del near
    head = table.rows[0]
    poll = Poll("nextcloud", [], [])
    email_col = None
    for column in range(2, len(head) + 1):
        label = head[column - 1].strip()
        match = _NEXTCLOUD.fullmatch(label)
        if match is None:
            if label.lower() in _EMAIL_HEADERS or not label:
                email_col = column if label else email_col
                continue
            _option(table, column, None, None, label, report)
            continue
        start, end = (_utc(text).astimezone(zone) for text in match.groups())
        whole_days = start.time() == dt.time(0) and (end - start) % dt.timedelta(
            days=1
        ) == dt.timedelta(0)
        poll.options.append(Option(start.date(), None if whole_days else start.time(), column))
    _unique(table, poll, report)
    _cells(table, poll, 2, 1, email_col, report)
    return poll


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _newdle(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone, near
    head = table.rows[0]
    poll = Poll("newdle", [], [])
    for column in range(2, len(head) + 1):
        label = head[column - 1].strip()
        if _NEWDLE_SLOT.fullmatch(label):
            slot = dt.datetime.fromisoformat(label)
            poll.options.append(Option(slot.date(), slot.time(), column))
        elif label.lower() not in ("comment", ""):
            _option(table, column, None, None, label, report)
    _unique(table, poll, report)
    _cells(table, poll, 2, 1, None, report)
    return poll


def _doodle(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone
    rows = table.rows
    poll = Poll("doodle", [], [])
    month_row = next(
        (n for n, row in enumerate(rows, start=1) if any(_month_year(c) for c in row[1:])), None
    )
    count_row = next(
        (n for n, row in enumerate(rows, start=1) if row and row[0].strip().lower() in _COUNT),
        len(rows) + 1,
    )
    if month_row is None:
        report.error(
            table.at(1), "no row with the poll's months (e.g. 'March 2026')", code="poll-layout"
        )
        return poll
    months, days = rows[month_row - 1], rows[month_row] if month_row < len(rows) else []
    times = rows[month_row + 1] if month_row + 1 < len(rows) else []
    timed = any(parse_time(c) for c in times[1:])
    month = ""
    day_label = ""
    for column in range(2, max(len(months), len(days)) + 1):
        month = (months[column - 1].strip() if len(months) >= column else "") or month
        day_label = (days[column - 1].strip() if len(days) >= column else "") or day_label
        time = parse_time(times[column - 1]) if timed and len(times) >= column else None
        label = f"{day_label} {month}"
        option = _option(table, column, parse_day(label, near), time, label, report)
        if option is not None:
            poll.options.append(option)
    _unique(table, poll, report)
    first = month_row + (3 if timed else 2)
    _cells(table, poll, first, 1, None, report, last_row=count_row)
    return poll


def _month_year(cell: str) -> bool:
    return bool(re.fullmatch(r"\D+\s\d{4}", cell.strip()))


def _unique(table: Table, poll: Poll, report: Report) -> None:
    seen: dict[tuple[dt.date, dt.time | None], int] = {}
    for option in poll.options:
        key = (option.day, option.time)
        if key in seen:
            report.error(
                table.at(1, option.column),
                f"this option ({option.day} {option.time or ''}) is also in column "
                f"{Table.column_name(seen[key])}",
                "cohort tells options apart by date and start time",
                code="poll-option",
            )
        seen[key] = option.column
