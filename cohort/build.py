"""`cohort build`: everything for the programme in one folder, ready to open or to publish.

    OUT/index.html                    the programme's public page
    OUT/calendar/programme.ics        the feed to subscribe to
    OUT/calendar/meetings/<id>.ics    one file per meeting
    OUT/calendar/people/<id>-<code>.ics  personal feeds (unguessable names, not listed)
    OUT/agendas/<id>.pdf|.html        printable agendas
    OUT/report/report.*               the report (names and attendance: not linked from the
                                      public page unless asked)
    OUT/outbox/                       invitations, only with --invitations (never publish it)

Every link is relative. The same input gives the same bytes, and a file whose bytes did not
change is not rewritten, so a web server or rsync sees only what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

from .calendar import calendar_files
from .i18n import texts_for
from .model import Meeting, Programme
from .output import OutputFolder, Written
from .printing import Printer
from .report import render, summarise
from .state import load_state, now
from .templating import Renderer

OWNED = ("index.html", "calendar/", "agendas/", "report/")
_NO_LISTING = (
    "<!DOCTYPE html><meta charset=\"utf-8\"><title>-</title><meta name=\"robots\" "
    "content=\"noindex\">\n"
)


@dataclass
class Built(Written):
    """What `build` wrote, and how many invitations it put in the outbox."""

    messages: int = 0


def map_url(programme: Programme, meeting: Meeting) -> str | None:
    """OpenStreetMap at the venue: by its coordinates, or a search for its address."""
    venue = programme.venue_of(meeting)
    if venue is None or venue.online:
        return None
    if venue.coordinates is not None:
        lat, lon = venue.coordinates
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    address = ", ".join(p for p in (venue.full_address, venue.country) if p)
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


def webcal(programme: Programme, path: str) -> str | None:
    """The webcal:// address of a feed, when the programme says where the site is published."""
    base = programme.calendar.base_url
    if not base:
        return None
    parts = urlsplit(base)
    return f"webcal://{parts.netloc}{parts.path.rstrip('/')}/{path}"


def index_page(folder: Path, programme: Programme, agendas: bool, link_report: bool) -> str:
    texts = texts_for(programme)
    items = []
    for meeting in programme.chronological():
        venue = programme.venue_of(meeting)
        items.append({
            "meeting": meeting,
            "when": texts.period(meeting.starts_at, meeting.ends_at, meeting.all_day),
            "kind": texts.kind(meeting.kind),
            "themes": [programme.themes[t].title for t in meeting.themes
                       if t in programme.themes],
            "venue": venue,
            "address": venue.full_address if venue is not None and not venue.online else "",
            "map_url": map_url(programme, meeting),
            "join_url": programme.join_url(meeting),
            "agenda_pdf": f"agendas/{meeting.id}.pdf" if agendas else None,
            "agenda_html": f"agendas/{meeting.id}.html" if agendas else None,
            "ics": f"calendar/meetings/{meeting.id}.ics",
        })
    renderer = Renderer(folder, texts, autoescape=True)
    return renderer.render(
        "site/index.html", programme=programme, meetings=items, language=texts.language,
        feed="calendar/programme.ics", webcal=webcal(programme, "calendar/programme.ics"),
        report="report/report.html" if link_report else None, organiser=programme.organiser,
    )


def build(
    folder: Path,
    programme: Programme,
    out: Path,
    today: dt.date,
    *,
    invitations: bool = False,
    link_report: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> Built:
    """Write the whole programme into `out`."""
    def step(what: str, amount: int = 1) -> None:
        if progress is not None:
            progress(what, amount)

    target = OutputFolder(out, programme_folder=folder)
    files: dict[str, bytes | str] = {}
    state = load_state(folder)
    calendars, _ = calendar_files(programme, state, now())
    files.update({f"calendar/{name}": data for name, data in calendars.items()})
    files["calendar/people/index.html"] = _NO_LISTING
    step("calendars")
    printer = Printer(folder, programme)
    for meeting in programme.chronological():
        files[f"agendas/{meeting.id}.pdf"] = printer.agenda_pdf(meeting)
        files[f"agendas/{meeting.id}.html"] = printer.agenda_html(meeting)
        step("agendas")
    summary = summarise(folder, programme, today)
    for format in ("html", "md", "pdf", "json"):
        files[f"report/report.{format}"] = render(summary, folder, format)
    step("report")
    files["index.html"] = index_page(folder, programme, agendas=True, link_report=link_report)
    step("index")
    built = Built(out, files=len(files))
    built.changed = target.write_all(files, owned=OWNED)
    built.removed = target.removed
    if state.changed:
        state.save()
    if invitations:
        from .mail import render_invitations

        rendered = render_invitations(folder, programme, out / "outbox", today=today)
        built.messages = len(rendered.plan.messages)
    step("written")
    return built


def steps(programme: Programme) -> int:
    """How many progress steps a build makes (for the progress bar)."""
    return 4 + len(programme.meetings)
