"""`cohort build`: everything for the programme in one folder, ready to open or to publish.

    OUT/index.html                    the programme's public page
    OUT/calendar/programme.ics        the feed to subscribe to
    OUT/calendar/meetings/<id>.ics    one file per meeting
    OUT/calendar/people/<id>-<code>.ics  personal feeds (unguessable names, not listed)
    OUT/agendas/<id>.pdf|.html        printable agendas
    OUT/<language>/index.html         the page in each other language the programme is
                                      published in (`Programme.published_in`), with its
                                      feeds and agendas named <name>.<language>.<extension>
    OUT/report/report.*               the report, only with --report or --link-report: it
                                      names people, and the folder is meant for a web server
                                      (linked from the public page only with --link-report)
    OUT/outbox/                       invitations, only with --invitations (never publish it)

Every link is relative. The same input gives the same bytes, and a file whose bytes did not
change is not rewritten, so a web server or rsync sees only what changed.

The site is public: a private meeting (`Meeting.private`: coaching, unless it says otherwise)
has no line on the page, no agenda and no calendar file there, and no page, agenda or feed on
it carries a join link. Invitees get those in their invitation and their personal feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..i18n import Texts
from ..languages import LANGUAGES
from ..output import OutputFolder, Written
from ..programme.model import Meeting, Programme
from ..records.published import load_state, now
from .calendar import calendar_files
from .context import meeting_context
from .languages import language_file, page_name, switch
from .printing import agenda_files
from .report import FORMATS, render, summarise
from .templating import Renderer
from .view import Views, texts_for

#: what cohort keeps in the folder: the pages in other languages go into a folder each
OWNED = ("index.html", "calendar/", "agendas/", "report/", *(f"{x}/" for x in LANGUAGES))
_NO_LISTING = (
    '<!DOCTYPE html><meta charset="utf-8"><title>-</title><meta name="robots" content="noindex">\n'
)


@dataclass
class Built(Written):
    """What `build` wrote, and how many invitations it put in the outbox."""

    messages: int = 0
    invitations: bool = False

    def lines(self) -> list[str]:
        """For the terminal: what was written, where to look, and a warning about the outbox."""
        out = [
            f"built {self.folder}: {self.files} files, {len(self.changed)} changed, "
            f"{len(self.removed)} removed; open {self.folder / 'index.html'}"
        ]
        if self.invitations:
            out.append(
                f"{self.messages} invitation(s) due in {self.folder / 'outbox'}: it holds "
                "e-mail addresses, so never publish that folder"
            )
        return out


def webcal(programme: Programme, path: str) -> str | None:
    """The webcal:// address of a feed, when the programme says where the site is published."""
    base = programme.calendar.base_url
    if not base:
        return None
    parts = urlsplit(base)
    return f"webcal://{parts.netloc}{parts.path.rstrip('/')}/{path}"


def public_meetings(programme: Programme) -> list[Meeting]:
    """The meetings the public site shows, in order: every one that is not private."""
    return [m for m in programme.chronological() if not m.private]


def registration_link(programme: Programme, title: str, texts: Texts) -> str | None:
    """Where to register for a meeting: the programme's registration form, else an e-mail to
    the organiser with the subject written ('Inschrijving: <title>'), else None."""
    if programme.links.registration:
        return programme.links.registration
    if programme.organiser.email:
        subject = registration_subject(texts, title)
        return f"mailto:{programme.organiser.email}?subject={quote(subject)}"
    return None


def registration_open(meetings: list[Meeting], today: dt.date) -> bool:
    """Whether the programme still takes registrations on `today` (its registration form is
    offered at the top of its page): a meeting of `meetings` (those the page shows) is still
    to come and not cancelled, and `today` is not after the last registration deadline any of
    them has (the deadline of a first meeting closes the series: a community of practice
    registers once, for all its meetings)."""
    taking_place = [m for m in meetings if not m.cancelled]
    if not any(m.last_date >= today for m in taking_place):
        return False
    deadlines = [m.registration_deadline for m in taking_place if m.registration_deadline]
    return not deadlines or today <= max(deadlines)


def registration_subject(texts: Texts, title: str) -> str:
    """The subject of an e-mail that registers for a meeting: 'Inschrijving: <title>'."""
    return texts.gettext("Registration: {title}").format(title=title)


def index_page(
    folder: Path,
    programme: Programme,
    agendas: bool,
    link_report: bool,
    today: dt.date,
    language: str | None = None,
) -> str:
    """The programme's public page (site/index.html): the next meeting at the top, then each
    public meeting with its view (past ones marked, under a heading per year when the
    programme spans several), links to agendas and calendar files; never a join link. In
    `language` (one of `Programme.published_in`; default the programme's), with its agendas
    and feeds in that language and a link to the page in each other (see `page_name`)."""
    language = language or programme.language.value
    texts = texts_for(programme, language)
    views = Views(programme, texts)
    root = "" if language == programme.language.value else "../"

    def file(name: str) -> str:
        return root + language_file(programme, name, language)

    items: list[dict[str, Any]] = []
    for meeting in public_meetings(programme):
        view = views.meeting(meeting)
        items.append(
            {
                **meeting_context(views, view, public=True),
                "address": view.venue.full_address if view.venue is not None else "",
                "map_url": view.venue.map_url if view.venue is not None else None,
                "past": view.last_day < today,
                "year": view.day.year,
                "register": registration_link(programme, view.title, texts)
                if view.registration_deadline is not None and view.registration_deadline >= today
                else None,
                "agenda_pdf": file(f"agendas/{meeting.id}.pdf") if agendas else None,
                "agenda_html": file(f"agendas/{meeting.id}.html") if agendas else None,
                "ics": file(f"calendar/meetings/{meeting.id}.ics"),
            }
        )
    coming = [i for i in items if not i["past"] and not i["meeting"].cancelled]
    years = sorted({i["year"] for i in items})
    renderer = Renderer(folder, texts, autoescape=True)
    return renderer.render(
        "site/index.html",
        programme=views.programme_view,
        meetings=items,
        next=coming[0] if coming else None,
        years=years if len(years) > 1 else [],
        language=texts.language,
        languages=switch(
            programme,
            language,
            lambda x: "index.html" if x == language else root + page_name(programme, x),
        ),
        feed=file("calendar/programme.ics"),
        webcal=webcal(programme, language_file(programme, "calendar/programme.ics", language)),
        report=f"{root}report/report.html" if link_report else None,
        register=programme.links.registration
        if registration_open(public_meetings(programme), today)
        else None,
        organiser=views.programme_view.organiser,
    )


def build(
    folder: Path,
    programme: Programme,
    out: Path,
    today: dt.date,
    *,
    invitations: bool = False,
    report: bool = False,
    link_report: bool = False,
    force: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> Built:
    """Write the whole programme into `out`: the report (which names people) only when asked
    (`report`, or `link_report`, which links it from the public page too); without it, a
    report an earlier build wrote there is removed."""

    def step(what: str, amount: int = 1) -> None:
        if progress is not None:
            progress(what, amount)

    target = OutputFolder(out, programme_folder=folder, force=force)
    files: dict[str, bytes | str] = {}
    state = load_state(folder)
    calendars, _ = calendar_files(programme, state, now())
    files.update({f"calendar/{name}": data for name, data in calendars.items()})
    files["calendar/people/index.html"] = _NO_LISTING
    step("calendars")
    warnings: list[str] = []
    shown = public_meetings(programme)
    made = agenda_files(
        folder, programme, shown, public=True, warnings=warnings, done=lambda: step("agendas")
    )
    files.update({f"agendas/{name}": data for name, data in made.items()})
    if len(shown) < len(programme.meetings):  # private meetings: no agenda on the site
        step("agendas", len(programme.meetings) - len(shown))
    if report or link_report:
        summary = summarise(folder, programme, today, regrets=False)  # replies are never published
        for format in FORMATS:
            files[f"report/report.{format}"] = render(summary, folder, format, warnings)
    step("report")
    for language in programme.published_in:
        files[page_name(programme, language)] = index_page(
            folder, programme, True, link_report, today, language
        )
    step("index")
    built = Built(out, files=len(files), warnings=warnings)
    built.changed = target.write_all(files, owned=OWNED)
    built.removed = target.removed
    if state.changed:
        state.save()
    built.warnings += state.notices
    if invitations:
        from .invitations import render_invitations

        rendered = render_invitations(folder, programme, out / "outbox", today=today, force=force)
        built.warnings += rendered.warnings()
        built.messages = len(rendered.plan.messages)
        built.invitations = True
    step("written")
    return built


def steps(programme: Programme) -> int:
    """How many progress steps a build makes (for the progress bar)."""
    return 4 + len(programme.meetings)
