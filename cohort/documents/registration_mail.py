"""The e-mails of registrations: one per transition, in the person's language, written into
the outbox by `cohort invite` next to the calendar invitations.

Each registration's last transition (its `step`, see `planning.registrations`) is due as
`<meeting or programme>.<person>.registration-<status>.<step>.eml` until that file is in the
programme's record of what was delivered (or may have been, see `records.deliveries`): so
re-running `invite` writes nothing twice, and an e-mail not sent yet that a later transition
made obsolete (a waiting list position, when a place is offered before it went out) is taken
out of the outbox. An e-mail about a meeting carries its end, so `send` never sends it once
the meeting is over.

The confirmation and the calendar invitation are two messages: "you are registered" comes
from here as soon as the place is confirmed; the invitation, with the meeting for the
calendar, comes from `invitations` like everyone's, and follows the meeting's changes (an
update, a cancellation). Nobody on a waiting list is an invitee, so nobody there gets a
calendar invitation, or a "you are registered".

The texts are templates per status (`email/registration/<status>.txt`, the subject in
`subject.txt`, the HTML around the same text in `message.html`), in the person's language,
overridable in the programme's own `templates/`; they get views (plain data), never models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Report
from ..programme.model import Programme
from ..records import registrations as record
from ..records.outbox import Outbox
from ..records.registrations import Entry
from . import messages
from .templating import Renderer
from .view import MeetingView, Views, texts_for

#: the e-mail of each status a registration can move to
STATUSES = ("confirmed", "waiting", "offered", "expired", "declined", "cancelled")
_NAME = re.compile(
    r"(?P<scope>[^.]+)\.(?P<person>[^.]+)\.registration-(?P<status>[a-z]+)\.(?P<step>\d+)\.eml"
)


@dataclass(frozen=True)
class RegistrationView:
    """A registration as an e-mail tells it: its status, the places of its whole order (its
    rows together), the position on the waiting list (waiting), until when a place is held
    (offered, expired)."""

    status: str
    places: int
    position: int | None
    expires: dt.datetime | None
    registered: dt.datetime


@dataclass(frozen=True)
class Recipient:
    """Whom a registration e-mail is to: their name (and organisation) as they registered."""

    name: str
    organisation: str | None
    language: str


@dataclass
class Due:
    """The registration e-mails due (file name -> message), those waiting that no longer are,
    and how many of each status."""

    files: dict[str, bytes] = field(default_factory=dict)
    stale: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def file_name(programme: Programme, scope: str | None, pid: str, entry: Entry) -> str:
    """The outbox name of the e-mail of a registration's last transition."""
    return f"{scope or programme.id}.{pid}.registration-{entry.status}.{entry.step}.eml"


def due(
    folder: Path, programme: Programme, outbox: Outbox, meeting: str | None, received: set[str]
) -> Due:
    """Every registration e-mail due now (of one meeting's list, with `meeting`), given the
    files someone `received` or may have (see `records.deliveries`). A waiting one that a later
    transition made obsolete is `stale`, also when it may have arrived (the outbox keeps that
    one's record, see `Outbox.withdraw`)."""
    stored = record.load_all(folder, Report())
    result = Due()
    if not stored:
        return result
    delivered = received
    wanted: dict[tuple[str, str], str] = {}
    composer = _Composer(folder, programme)
    for scope, item in stored.items():
        if item.record is None or (meeting is not None and scope != meeting):
            continue
        orders = _orders(item.record.registrations.values())
        for pid, entry in item.record.registrations.items():
            if entry.step == 0:
                continue
            name = file_name(programme, scope, pid, entry)
            wanted[(scope or programme.id, pid)] = name
            if name in delivered:
                continue
            places = orders.get(entry.order, entry.places) if entry.order else entry.places
            result.files[name] = composer.message(scope, entry, name, places)
            result.counts[entry.status] = result.counts.get(entry.status, 0) + 1
    for path in outbox.pending():
        match = _NAME.fullmatch(path.name)
        if match is None:
            continue
        key = (match["scope"], match["person"])
        if key in wanted and wanted[key] != path.name:
            result.stale.append(path)
    return result


def _orders(entries: Iterable[Entry]) -> dict[str, int]:
    """The places of each order of a list, its rows together."""
    orders: dict[str, int] = {}
    for entry in entries:
        if entry.order:
            orders[entry.order] = orders.get(entry.order, 0) + entry.places
    return orders


class _Composer:
    """Builds the registration e-mails of one programme; views and renderers per language."""

    def __init__(self, folder: Path, programme: Programme) -> None:
        self.folder = folder
        self.programme = programme
        self._views: dict[str, Views] = {}
        self._renderers: dict[tuple[str, bool], Renderer] = {}

    def views(self, language: str) -> Views:
        if language not in self._views:
            self._views[language] = Views(self.programme, texts_for(self.programme, language))
        return self._views[language]

    def renderer(self, language: str, html: bool) -> Renderer:
        key = (language, html)
        if key not in self._renderers:
            texts = self.views(language).texts
            self._renderers[key] = Renderer(self.folder, texts, autoescape=html)
        return self._renderers[key]

    def message(self, scope: str | None, entry: Entry, name: str, places: int) -> bytes:
        """The e-mail of a registration's last transition; `places`: its whole order's."""
        p = self.programme
        language = entry.language.value if entry.language else p.language.value
        views = self.views(language)
        meeting: MeetingView | None = None
        if scope is not None and scope in p.meetings:
            meeting = views.meeting(p.meetings[scope])
        zone = p.zone
        context = {
            "programme": views.programme_view,
            "meeting": meeting,
            "title": meeting.title if meeting else views.programme_view.title,
            "person": Recipient(entry.name, entry.organisation, language),
            "registration": RegistrationView(
                status=entry.status,
                places=places,
                position=entry.position,
                expires=entry.expires.astimezone(zone) if entry.expires else None,
                registered=entry.registered.astimezone(zone),
            ),
            "organiser": views.programme_view.organiser,
        }
        text = self.renderer(language, html=False)
        body = text.render(f"email/registration/{entry.status}.txt", **context)
        paragraphs = [
            [line.strip() for line in part.splitlines() if line.strip()]
            for part in body.split("\n\n")
            if part.strip()
        ]
        html = self.renderer(language, html=True).render(
            "email/registration/message.html", paragraphs=paragraphs, **context
        )
        domain = p.calendar.domain or (p.organiser.email or "").rpartition("@")[2]
        return messages.build(
            messages.Mail(
                sender_name=views.programme_view.organiser.name,
                sender=p.organiser.email or "",
                recipient_name=entry.name,
                recipient=entry.email,
                subject=text.render("email/registration/subject.txt", **context),
                date=entry.since,
                message_id=messages.message_id(f"{p.id}|{name}", "registration", domain),
                language=language,
                text=body,
                html=html,
                meeting_ends=_ends(p, scope),
            )
        )


def _ends(programme: Programme, scope: str | None) -> dt.datetime | None:
    """When the meeting a registration is for ends (None for the whole programme's)."""
    meeting = programme.meetings.get(scope) if scope is not None else None
    return programme.ends_at(meeting) if meeting is not None else None
