"""The facilitator's overview: meetings in order, and how venues and hosts rotate.

Rows are computed once; each format (table, markdown, csv, json) only lays them out. Words and
dates are in the programme's language; json is for machines and uses ids and ISO dates.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..i18n import Texts
from ..planning.replies import Tally
from ..programme.model import Programme
from ..tables import csv_bytes
from . import markdown
from .cells import Cell
from .view import MeetingView, Rotation, Views, rotation_of, texts_for

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class Row:
    """A line of the schedule: the meeting's view, how many are invited and, once invitees
    answer, how they answered."""

    meeting: MeetingView
    invited: int
    replies: Tally | None = None


def rows(
    programme: Programme, texts: Texts, replies: Mapping[str, Tally] | None = None
) -> list[Row]:
    """The schedule's rows, one per meeting in order."""
    views = Views(programme, texts)
    return [
        Row(views.meeting(m), len(programme.invitees(m)), (replies or {}).get(m.id))
        for m in programme.chronological()
    ]


def render(
    programme: Programme,
    format: str,
    color: bool = False,
    width: int | None = None,
    replies: Mapping[str, Tally] | None = None,
) -> str | bytes:
    """The schedule as text: `format` is table (`width` columns wide: default
    `terminal_width()`), markdown, csv (bytes, for a spreadsheet) or json. `replies`: how each
    meeting's invitees answered (columns accepted, declined, tentative and no answer; none when
    no one answered yet)."""
    texts = texts_for(programme)
    table = rows(programme, texts, replies)
    venues = rotation_of(programme, texts)
    if format == "json":
        return _json(programme, table, venues)
    if format == "csv":
        return _csv(table, texts)
    if format == "markdown":
        return _markdown(programme, table, venues, texts)
    return _table(programme, table, venues, texts, color, width or terminal_width())


#: The width of the table written to a file or a pipe (no terminal, no $COLUMNS).
FILE_WIDTH = 160


def terminal_width() -> int:
    """The width to lay the table out in: $COLUMNS when set, else the terminal's, else (output
    to a file or a pipe) FILE_WIDTH."""
    import os
    import shutil
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((FILE_WIDTH, 24)).columns
    return FILE_WIDTH


def _headers(texts: Texts, replies: bool = False) -> list[str]:
    _ = texts.gettext
    theme = texts.ngettext("Theme", "Themes", 1)
    answers = [_("Accepted"), _("Declined"), _("Tentative"), _("No answer")] if replies else []
    return [
        _("Date"),
        _("Time"),
        _("Kind"),
        _("Title"),
        theme,
        _("Venue"),
        _("Invited"),
        *answers,
        _("Status"),
    ]


def _answered(table: list[Row]) -> bool:
    """Whether the schedule shows answers: some meeting has them counted."""
    return any(row.replies is not None for row in table)


def _rotation_headers(texts: Texts) -> list[str]:
    _ = texts.gettext
    return [_("Venue"), _("City"), _("Host"), _("Meetings")]


def _cells(row: Row, replies: bool = False) -> list[str]:
    m = row.meeting
    n = row.replies or Tally()
    answers = [str(n.accepted), str(n.declined), str(n.tentative), str(n.unanswered)]
    return [
        m.dates,
        m.time,
        m.kind_label,
        m.title,
        m.themes_text,
        m.place,
        str(row.invited),
        *(answers if replies else []),
        m.status_label,
    ]


def _meetings_table(
    programme: Programme, table: list[Row], texts: Texts, color: bool, width: int
) -> Table:
    """The meetings as a rich Table laid out for `width` columns: the title, themes and venue
    share what is left and wrap at words; dates, times, counts and statuses never wrap; below
    160 columns a date is written short ('di 28 jan 2025') and the four answer counts share one
    column, a line each ('Ja 3'); below 110 the kind and the number invited are left out, below
    100 the themes too, so that titles and venues keep their words whole (json, csv and
    markdown have every column)."""
    from rich import box
    from rich.table import Table

    answered = _answered(table)
    folded = answered and width < 160
    wide = answered and not folded
    ratios = (0, 0, 0, 3, 2, 2, 0, *((0, 0, 0, 0) if wide else ()), *((0,) if folded else ()), 0)
    least = (0, 0, 8, 10, 7, 8, 0, *ratios[7:])
    count = len(ratios)
    shown = [
        i for i in range(count) if (width >= 110 or i not in (2, 6)) and (width >= 100 or i != 4)
    ]
    headers = _headers(texts, wide)
    if folded:
        headers.insert(7, texts.gettext("Answers"))
    main = Table(title=programme.title, box=box.SIMPLE_HEAD, title_justify="left", expand=False)
    for i in shown:
        main.add_column(
            headers[i],
            justify="right" if i == 6 or (6 < i < count - 1 and wide) else "left",
            ratio=ratios[i] or None,
            min_width=least[i] or None,
            no_wrap=not least[i],
            overflow="fold",
        )
    for row in table:
        cells: list[Any] = _cells(row, wide)
        if width < 160:
            cells[0] = _short_dates(row.meeting, texts)
        if folded:
            cells.insert(7, _answer_lines(row, texts))
        for i in (3, 4, 5):  # title, themes, venue: wrapped at words, never cut
            cells[i] = Cell(cells[i], texts.language)
        style = "dim strike" if row.meeting.cancelled and color else None
        main.add_row(*(cells[i] for i in shown), style=style)
    return main


def _answer_lines(row: Row, texts: Texts) -> str:
    """The answers of a meeting as lines for a narrow table: 'Ja 3', 'Afgemeld 1', ..."""
    n = row.replies or Tally()
    words = _headers(texts, True)[7:11]
    counts = (n.accepted, n.declined, n.tentative, n.unanswered)
    return "\n".join(f"{word} {count}" for word, count in zip(words, counts, strict=True))


def _short_dates(m: MeetingView, texts: Texts) -> str:
    """The day (or days) in the short form, for a narrow table: 'di 28 jan 2025'."""
    first = texts.date(m.day, "EEE d MMM y")
    if m.last_day != m.day:
        return f"{first} – {texts.date(m.last_day, 'EEE d MMM y')}"
    return first


def _group_headers(texts: Texts) -> list[str]:
    _ = texts.gettext
    return [_("Meeting"), _("Group"), _("Members")]


def _group_cells(meetings: list[MeetingView]) -> list[list[str]]:
    """A line per group: the meeting (on its first group only), the group, its members."""
    return [
        [m.title if g.number == 1 else "", g.name, ", ".join(g.members)]
        for m in meetings
        for g in m.groups
    ]


def _rotation_cells(item: Rotation) -> list[str]:
    return [item.venue, item.city, item.host, ", ".join(item.dates)]


def _table(
    programme: Programme,
    table: list[Row],
    venues: list[Rotation],
    texts: Texts,
    color: bool,
    width: int,
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=max(width, 40),
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(_meetings_table(programme, table, texts, color, width))
    grouped = [row.meeting for row in table if row.meeting.groups]
    if grouped:
        groups = Table(title=texts.gettext("Groups"), box=box.SIMPLE_HEAD, title_justify="left")
        for header in _group_headers(texts):
            groups.add_column(header)
        for cells in _group_cells(grouped):
            groups.add_row(*(Cell(cell, texts.language) for cell in cells))
        console.print(groups)
    if venues:
        rot = Table(
            title=texts.gettext("Venues and hosts"), box=box.SIMPLE_HEAD, title_justify="left"
        )
        for i, header in enumerate(_rotation_headers(texts)):
            rot.add_column(header, ratio=3 if i == 3 else 1 if i == 0 else None)
        for item in venues:
            cells = _rotation_cells(item)
            cells[3] = ", ".join(day.replace(" ", "\u00a0") for day in item.dates)  # a date whole
            rot.add_row(*(Cell(cell, texts.language) for cell in cells))
        console.print(rot)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(markdown.text(c) for c in cells) + " |"


def _markdown(programme: Programme, table: list[Row], venues: list[Rotation], texts: Texts) -> str:
    lines = [f"# {markdown.text(programme.title)}", ""]
    answered = _answered(table)
    headers = _headers(texts, answered)
    lines += [
        _md_row(headers),
        "|"
        + "|".join("---:" if 6 <= i < len(headers) - 1 else "---" for i in range(len(headers)))
        + "|",
    ]
    lines += [_md_row(_cells(row, answered)) for row in table]
    grouped = [row.meeting for row in table if row.meeting.groups]
    if grouped:
        lines += ["", "## " + texts.gettext("Groups"), ""]
        lines += [_md_row(_group_headers(texts)), "|---|---|---|"]
        lines += [_md_row(cells) for cells in _group_cells(grouped)]
    if venues:
        lines += ["", "## " + texts.gettext("Venues and hosts"), ""]
        lines += [_md_row(_rotation_headers(texts)), "|---|---|---|---|"]
        lines += [_md_row(_rotation_cells(item)) for item in venues]
    return "\n".join(lines) + "\n"


#: The CSV's columns for sorting and formulas, after the id: ISO 8601 dates and 24-hour times
#: (empty for an all-day meeting), in the programme's time zone.
ISO_COLUMNS = ["date", "start", "end_date", "end"]


def _iso(m: MeetingView) -> list[str]:
    if m.all_day:
        return [m.day.isoformat(), "", m.last_day.isoformat(), ""]
    return [
        m.starts_at.date().isoformat(),
        m.starts_at.strftime("%H:%M"),
        m.ends_at.date().isoformat(),
        m.ends_at.strftime("%H:%M"),
    ]


def _csv(table: list[Row], texts: Texts) -> bytes:
    """Through the one writer of CSV (`tables.csv_bytes`): a byte order mark for Excel, and no
    cell a spreadsheet would run as a formula. The id, then ISO dates and times a spreadsheet
    sorts, then the columns as the table words them; when meetings have groups, a last column
    of them."""
    answered = _answered(table)
    grouped = any(row.meeting.groups for row in table)
    groups = [texts.gettext("Groups")] if grouped else []
    return csv_bytes(
        [
            ["id", *ISO_COLUMNS, *_headers(texts, answered), *groups],
            *(
                [
                    row.meeting.id,
                    *_iso(row.meeting),
                    *_cells(row, answered),
                    *([_groups_cell(row.meeting)] if grouped else []),
                ]
                for row in table
            ),
        ]
    )


def _groups_cell(m: MeetingView) -> str:
    """A meeting's groups in one cell, a line each ('Tafel 1: Anna Peeters, Bert Jansen'): a
    spreadsheet shows the lines in the cell, and a filter on a name finds its meetings."""
    return "\n".join(f"{g.name}: {', '.join(g.members)}" for g in m.groups)


def _json(programme: Programme, table: list[Row], venues: list[Rotation]) -> str:
    meetings = []
    for row in table:
        m = row.meeting
        venue = m.venue
        meetings.append(
            {
                "id": m.id,
                "title": m.title,
                "kind": m.kind,
                "status": m.status,
                "date": m.day.isoformat(),
                "end_date": m.last_day.isoformat(),
                "all_day": m.all_day,
                "start": m.starts_at.isoformat(),
                "end": m.ends_at.isoformat(),
                "themes": [t.id for t in m.themes],
                "venue": venue.id if venue else None,
                "city": venue.city if venue else None,
                "online": bool(m.join_url) and (venue is None or venue.online),
                "invited": row.invited,
                "groups": [{"name": g.name, "members": list(g.ids)} for g in m.groups],
            }
        )
        if row.replies is not None:
            meetings[-1]["replies"] = row.replies.as_json()
    data = {
        "programme": {
            "id": programme.id,
            "title": programme.title,
            "language": programme.language.value,
            "timezone": programme.timezone,
        },
        "meetings": meetings,
        "rotation": [
            {
                "venue": r.id,
                "name": r.venue,
                "city": r.city,
                "host": r.host,
                "meetings": len(r.dates),
            }
            for r in venues
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
