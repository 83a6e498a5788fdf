"""The facilitator's overview: meetings in order, and how venues and hosts rotate.

Rows are computed once; each format (table, markdown, csv, json) only lays them out. Words and
dates are in the programme's language; json is for machines and uses ids and ISO dates.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from .check import Checked
from .i18n import Texts, texts_for
from .model import Meeting, Programme


@dataclass(frozen=True)
class Row:
    meeting: Meeting
    date: str
    time: str
    kind: str
    title: str
    themes: str
    venue: str
    invited: int
    status: str


@dataclass(frozen=True)
class Rotation:
    id: str
    venue: str
    city: str
    host: str
    dates: list[str]


def rows(programme: Programme, texts: Texts) -> list[Row]:
    out = []
    for m in programme.chronological():
        venue = programme.venue_of(m)
        if venue is None:
            _ = texts.gettext
            where = _("online") if m.join_url else _("venue to be announced")
        elif venue.online:
            online = texts.gettext("online")
            where = f"{venue.name} ({online})"
        else:
            where = ", ".join(x for x in (venue.name, venue.city) if x)
        date = texts.date(m.date)
        if m.end_date and m.end_date != m.date:
            date = f"{date} – {texts.date(m.end_date)}"
        out.append(
            Row(
                meeting=m,
                date=date,
                time=texts.time_range(m.starts_at, m.ends_at, m.all_day),
                kind=texts.kind(m.kind),
                title=m.title,
                themes=", ".join(
                    programme.themes[t].title for t in m.themes if t in programme.themes
                ),
                venue=where,
                invited=len(programme.invitees(m)),
                status=texts.status(m.status),
            )
        )
    return out


def rotation(programme: Programme, texts: Texts) -> list[Rotation]:
    """Venues in order of first use, with their host and the dates they receive the group."""
    seen: dict[str, Rotation] = {}
    for m in programme.chronological():
        venue = programme.venue_of(m)
        if venue is None or m.cancelled:
            continue
        if venue.id not in seen:
            host = programme.organisations.get(venue.host or "")
            seen[venue.id] = Rotation(
                id=venue.id,
                venue=venue.name,
                city=venue.city or (texts.gettext("online") if venue.online else ""),
                host=host.name if host else "",
                dates=[],
            )
        seen[venue.id].dates.append(texts.date(m.date, "medium"))
    return list(seen.values())


def render(checked: Checked, format: str, color: bool = False) -> str:
    programme = checked.programme
    texts = texts_for(programme)
    table = rows(programme, texts)
    venues = rotation(programme, texts)
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
    return [_("Date"), _("Time"), _("Kind"), _("Title"), theme, _("Venue"), _("Invited"),
            _("Status")]


def _rotation_headers(texts: Texts) -> list[str]:
    _ = texts.gettext
    return [_("Venue"), _("City"), _("Host"), _("Meetings")]


def _cells(row: Row) -> list[str]:
    return [row.date, row.time, row.kind, row.title, row.themes, row.venue, str(row.invited),
            row.status]


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
    if venues:
        rot = Table(title=texts.gettext("Venues and hosts"), box=box.SIMPLE_HEAD,
                    title_justify="left")
        for header in _rotation_headers(texts):
            rot.add_column(header)
        for item in venues:
            rot.add_row(*_rotation_cells(item))
        console.print(rot)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _markdown(
    programme: Programme, table: list[Row], venues: list[Rotation], texts: Texts
) -> str:
    lines = [f"# {programme.title}", ""]
    headers = _headers(texts)
    lines += [_md_row(headers), "|" + "|".join("---:" if i == 6 else "---" for i in
                                              range(len(headers))) + "|"]
    lines += [_md_row(_cells(row)) for row in table]
    if venues:
        lines += ["", "## " + texts.gettext("Venues and hosts"), ""]
        lines += [_md_row(_rotation_headers(texts)), "|---|---|---|---|"]
        lines += [_md_row(_rotation_cells(item)) for item in venues]
    return "\n".join(lines) + "\n"


def _csv(table: list[Row], texts: Texts) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", *_headers(texts)])
    for row in table:
        writer.writerow([row.meeting.id, *_cells(row)])
    return buffer.getvalue()


def _json(programme: Programme, table: list[Row], venues: list[Rotation]) -> str:
    meetings = []
    for row in table:
        m = row.meeting
        venue = programme.venue_of(m)
        meetings.append(
            {
                "id": m.id,
                "title": m.title,
                "kind": m.kind.value,
                "status": m.status.value,
                "date": m.date.isoformat(),
                "end_date": m.last_date.isoformat(),
                "all_day": m.all_day,
                "start": m.starts_at.isoformat(),
                "end": m.ends_at.isoformat(),
                "themes": list(m.themes),
                "venue": m.venue,
                "city": venue.city if venue else None,
                "online": bool(programme.join_url(m)) and (venue is None or venue.online),
                "invited": row.invited,
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
            {"venue": r.id, "name": r.venue, "city": r.city, "host": r.host,
             "meetings": len(r.dates)}
            for r in venues
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
