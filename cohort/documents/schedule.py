"""The facilitator's overview: meetings in order, and how venues and hosts rotate.

Rows are computed once; each format (table, markdown, csv, json) only lays them out. Words and
dates are in the programme's language; json is for machines and uses ids and ISO dates.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from ..i18n import Texts
from ..programme.model import Programme
from ..tables import csv_bytes
from .view import MeetingView, Rotation, Views, rotation_of, texts_for


@dataclass(frozen=True)
class Row:
    """A line of the schedule: the meeting's view and how many are invited."""

    meeting: MeetingView
    invited: int


def rows(programme: Programme, texts: Texts) -> list[Row]:
    """The schedule's rows, one per meeting in order."""
    views = Views(programme, texts)
    return [Row(views.meeting(m), len(programme.invitees(m))) for m in programme.chronological()]


def render(programme: Programme, format: str, color: bool = False) -> str | bytes:
    """The schedule as text: `format` is table, markdown, csv (bytes, for a spreadsheet) or
    json."""
    texts = texts_for(programme)
    table = rows(programme, texts)
    venues = rotation_of(programme, texts)
    if format == "json":
        return _json(programme, table, venues)
    if format == "csv":
        return _csv(table, texts)
    if format == "markdown":
        return _markdown(programme, table, venues, texts)
    return _table(programme, table, venues, texts, color)


def _headers(texts: Texts) -> list[str]:
    _ = texts.gettext
    theme = texts.ngettext("Theme", "Themes", 1)
    return [
        _("Date"),
        _("Time"),
        _("Kind"),
        _("Title"),
        theme,
        _("Venue"),
        _("Invited"),
        _("Status"),
    ]


def _rotation_headers(texts: Texts) -> list[str]:
    _ = texts.gettext
    return [_("Venue"), _("City"), _("Host"), _("Meetings")]


def _cells(row: Row) -> list[str]:
    m = row.meeting
    return [
        m.dates,
        m.time,
        m.kind_label,
        m.title,
        ", ".join(t.title for t in m.themes),
        m.place,
        str(row.invited),
        m.status_label,
    ]


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
    programme: Programme, table: list[Row], venues: list[Rotation], texts: Texts, color: bool
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=240 if not color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    main = Table(title=programme.title, box=box.SIMPLE_HEAD, title_justify="left")
    for header in _headers(texts):
        main.add_column(header, justify="right" if header == _headers(texts)[6] else "left")
    for row in table:
        style = "dim strike" if row.meeting.cancelled and color else None
        main.add_row(*_cells(row), style=style)
    console.print(main)
    grouped = [row.meeting for row in table if row.meeting.groups]
    if grouped:
        groups = Table(title=texts.gettext("Groups"), box=box.SIMPLE_HEAD, title_justify="left")
        for header in _group_headers(texts):
            groups.add_column(header)
        for cells in _group_cells(grouped):
            groups.add_row(*cells)
        console.print(groups)
    if venues:
        rot = Table(
            title=texts.gettext("Venues and hosts"), box=box.SIMPLE_HEAD, title_justify="left"
        )
        for header in _rotation_headers(texts):
            rot.add_column(header)
        for item in venues:
            rot.add_row(*_rotation_cells(item))
        console.print(rot)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _markdown(programme: Programme, table: list[Row], venues: list[Rotation], texts: Texts) -> str:
    lines = [f"# {programme.title}", ""]
    headers = _headers(texts)
    lines += [
        _md_row(headers),
        "|" + "|".join("---:" if i == 6 else "---" for i in range(len(headers))) + "|",
    ]
    lines += [_md_row(_cells(row)) for row in table]
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


def _csv(table: list[Row], texts: Texts) -> bytes:
    """Through the one writer of CSV (`tables.csv_bytes`): a byte order mark for Excel, and no
    cell a spreadsheet would run as a formula."""
    return csv_bytes([["id", *_headers(texts)], *([row.meeting.id, *_cells(row)] for row in table)])


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
