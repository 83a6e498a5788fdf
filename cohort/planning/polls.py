"""Availability polls, as the tools export them, read into one list of answers.

Each reader follows its tool's real export (read through `tables.read_table`):

- **Framadate** (`exportcsv.php`): UTF-8 with BOM, two header rows: the day (a short date in
  the poll's locale, e.g. 05/03/2026, or a long one, "jeudi 5 mars 2026"), then the moment
  ("19:00", or words: "Matin", "Après-midi", "soir"); answers "Yes"/"Under reserve"/"No" in the
  poll's language. A moment that names a part of the day becomes that part (morning,
  afternoon, evening); any other word stands for the whole day, so one day can hold only one.
- **Rallly** (`use-csv-exporter.ts`): one header row: "Name" (before 2023 the participant
  count), "Email", since 2026 "Responded on (zone)", then options "Thu 5 Mar 2026" or "Thu 5
  Mar 2026 19:00 - 21:00" (before 2023 without a year: the year whose weekday matches, nearest
  the planning window); words in the poll's language ("Yes"/"If need be"/"No", "Oui"/"En cas
  de besoin"/"Non", ...).
- **Nextcloud Polls** (`ExportPoll.vue`, CSV): "Participants" (translated: "Deelnemers"),
  optionally "Email address" ("E-mailadres"), then each option as an interval: before 8.7 in
  UTC, "2026-03-05T18:00:00.000Z - 2026-03-05T20:00:00.000Z"; since 8.7 luxon's
  `Interval.toISO()` in the exporter's zone, "2026-03-05T19:00:00.000+01:00/2026-03-05T21:00:
  00.000+01:00" (a whole day ends at 23:59:59.999); answers yes/maybe/no.
- **newdle** (`export.py`): "Participant name", slots as 2026-03-05T19:00, "Comment";
  available/ifneedbe/unavailable.
- **Doodle** (spreadsheet export): preamble rows (title, link), then a month row ("March
  2026"), a day row ("Thu 5") and a time row ("7:00 PM – 9:00 PM"), merged cells left empty
  (filled forward here); "OK", "(OK)" or empty (= no); a closing "Count" row.

An unknown cell value is an error at its row and column; so is a respondent who is not a
participant (see `poll_import.match`). A file whose cells mostly do not read as the tool's is
one error saying so, not one per cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..errors import Report
from ..records.answers import Moment
from ..tables import Table
from .pollwords import (
    EMAIL_HEADERS,
    RALLLY_COUNT,
    RALLLY_NAME,
    RALLLY_RESPONDED,
    TOOLS_VALUES,
    parse_day,
    parse_time,
    part_of_day,
)

TOOLS = ("framadate", "rallly", "nextcloud", "newdle", "doodle")


@dataclass(frozen=True)
class Option:
    """One thing the poll asked about: a day, and its moment (a start time, a part of the day
    from records.answers.PARTS, or None for the whole day)."""

    day: dt.date
    moment: Moment
    column: int


@dataclass
class Respondent:
    """One row of answers: who (as they wrote it), and their answer per option index."""

    row: int
    column: int
    name: str
    email: str | None
    email_column: int | None = None
    answers: dict[int, str] = field(default_factory=dict)


@dataclass
class Poll:
    """A poll as read: its options and respondents."""

    tool: str
    options: list[Option]
    respondents: list[Respondent]


_NEWDLE_SLOT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_COUNT = {"count", "anzahl", "aantal", "nombre", "total"}
#: A value shown in a message is cut to this many characters.
SHOWN = 40


def shown(text: str) -> str:
    """A cell's text for a message: at most SHOWN characters, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def interval(label: str) -> tuple[dt.datetime, dt.datetime] | None:
    """A Nextcloud Polls option header as its start and end (aware datetimes), or None."""
    text = label.strip()
    parts = text.split("/") if "/" in text else re.split(r"\s+-\s+", text)
    if len(parts) != 2 or "T" not in parts[0]:
        return None
    try:
        start, end = (dt.datetime.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        return None
    if start.tzinfo is None or end.tzinfo is None:
        return None
    return start, end


def detect(table: Table) -> str | None:
    """Which tool wrote this export, from its layout (None when it is none we know)."""
    rows = table.rows
    head = rows[0] if rows else []
    if any(_NEWDLE_SLOT.fullmatch(c.strip()) for c in head):
        return "newdle"
    if any(interval(c) for c in head[1:]):
        return "nextcloud"
    if any(row and row[0].strip().lower() in _COUNT for row in rows[1:]):
        return "doodle"
    if len(rows) >= 2 and head[:1] in ([], [""]) and rows[1][:1] in ([], [""]):
        return "framadate"
    first = head[0].strip() if head else ""
    if first.lower() in RALLLY_NAME or RALLLY_COUNT.fullmatch(first):
        return "rallly"
    return None


def read_poll(table: Table, tool: str, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    """The options and respondents of a poll export; every problem goes to `report` at its
    row and column. `near` is a day in the planning window (for years a tool leaves out),
    `zone` the programme's time zone (for tools that export times with an offset)."""
    readers: dict[str, Callable[[Table, ZoneInfo, dt.date, Report], Poll]] = {
        "framadate": _framadate,
        "rallly": _rallly,
        "nextcloud": _nextcloud,
        "newdle": _newdle,
        "doodle": _doodle,
    }
    found = Report()
    poll = readers[tool](table, zone, near, found)
    _layout(table, poll, found, report)
    return poll


def _layout(table: Table, poll: Poll, found: Report, report: Report) -> None:
    """Pass on what reading found, unless it says the file is not this tool's export at all:
    most headers not options, or most cells not the tool's answers. Then one error says so."""
    options = sum(d.code == "poll-option" for d in found.diagnostics)
    cells = sum(d.code == "poll-answer" for d in found.diagnostics)
    answered = len(poll.options) * max(len(poll.respondents), 1)
    if (options > 2 and options >= len(poll.options)) or (
        cells > 2 and cells * 2 >= answered + cells
    ):
        what = (
            f"{options} of its {options + len(poll.options)} option headers are not dates"
            if options > 2 and options >= len(poll.options)
            else f"{cells} of its answer cells are not answers {poll.tool} writes"
        )
        report.error(
            table.at(1),
            f"this does not read as a {poll.tool} export: {what}",
            "is it another tool's export? name the tool with --tool "
            "framadate|rallly|nextcloud|newdle|doodle, or export the poll again unchanged",
            code="poll-layout",
        )
        return
    report.extend(found.diagnostics)


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
        person = Respondent(number, name_col, name, email or None, email_col if email else None)
        for index, option in enumerate(poll.options):
            cell = row[option.column - 1].strip() if len(row) >= option.column else ""
            key = cell.lower()
            if key not in values:
                known = ", ".join(f"'{v}'" for v in sorted({k for k in values if k}))
                report.error(
                    table.at(number, option.column),
                    f"'{shown(cell)}' is not an answer {poll.tool} writes",
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
    table: Table, column: int, day: dt.date | None, moment: Moment, label: str, report: Report
) -> Option | None:
    if day is None:
        report.error(
            table.at(1, column),
            f"cannot read '{shown(label)}' as a date",
            "is this the poll's own export, unchanged?",
            code="poll-option",
        )
        return None
    return Option(day, moment, column)


def _framadate(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone
    days, moments = table.rows[0], table.rows[1] if len(table.rows) > 1 else []
    poll = Poll("framadate", [], [])
    words: dict[dt.date, list[tuple[int, str]]] = {}
    for column in range(2, len(days) + 1):
        label = days[column - 1].strip()
        if not label:
            continue
        moment_text = moments[column - 1].strip() if len(moments) >= column else ""
        moment: Moment = parse_time(moment_text) or part_of_day(moment_text)
        option = _option(table, column, parse_day(label, near), moment, label, report)
        if option is None:
            continue
        if moment is None and moment_text:
            words.setdefault(option.day, []).append((column, moment_text))
        poll.options.append(option)
    for day, named in words.items():
        for column, text in named[1:]:
            report.error(
                table.at(2, column),
                f"the moments '{shown(named[0][1])}' (column {named[0][0]}) and "
                f"'{shown(text)}' of {day} are neither times nor parts of the day, so cohort "
                "cannot tell them apart",
                "name them with a time (19:00) or morning, afternoon, evening in the poll, and "
                "export it again",
                code="poll-option",
            )
    _unique(table, poll, report)
    _cells(table, poll, 3, 1, None, report)
    return poll


def _rallly(table: Table, zone: ZoneInfo, near: dt.date, report: Report) -> Poll:
    del zone
    head = table.rows[0]
    poll = Poll("rallly", [], [])
    email_col = None
    for column in range(2, len(head) + 1):
        label = head[column - 1].strip()
        if label.lower() in EMAIL_HEADERS:
            email_col = column
            continue
        if not label or label.lower().startswith(RALLLY_RESPONDED):
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
        found = interval(label)
        if found is None:
            if label.lower() in EMAIL_HEADERS:
                email_col = column
            elif label:
                _option(table, column, None, None, label, report)
            continue
        start, end = (moment.astimezone(zone) for moment in found)
        last = end - dt.timedelta(milliseconds=1) if end.time() == dt.time(0) else end
        whole_days = start.time() == dt.time(0) and last.time() >= dt.time(23, 59, 59)
        poll.options.append(Option(start.date(), None if whole_days else start.time(), column))
    _unique(table, poll, report)
    _cells(table, poll, 2, 1, email_col, report)
    return poll


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
    seen: dict[tuple[dt.date, Moment], int] = {}
    for option in poll.options:
        key = (option.day, option.moment)
        if key in seen:
            moment = option.moment
            when = f"{moment:%H:%M}" if isinstance(moment, dt.time) else (moment or "whole day")
            report.error(
                table.at(1, option.column),
                f"this option ({option.day}, {when}) is also in column {seen[key]}",
                "cohort tells options apart by date and start time (or part of the day)",
                code="poll-option",
            )
        seen[key] = option.column
