"""The e-mails of registrations: one per transition, in the person's language, written into
the outbox by `cohort invite` next to the calendar invitations.

Each registration's last transition (its `step`, see `planning.registrations`) is due as
`<meeting or programme>.<person>.registration-<status>.<step>-<list>.eml` (`<list>`: when the
list started, see `records.registrations`) until that file is in the programme's record of what
was delivered (or may have been, see `records.deliveries`): so re-running `invite` writes
nothing twice, and an e-mail not sent yet that a later transition made obsolete (a waiting list
position, when a place is offered before it went out), or whose person is no longer on the list
(consent withdrawn), is taken out of the outbox. Nothing is written about a meeting that began
or is cancelled (`registering.over`), and what waits about one is taken out. An e-mail about a
meeting carries its end, so `send` never sends it once the meeting is over.

A list started over (its file moved away, the export imported again) while people received
e-mails of the earlier one would tell them things that contradict what they were told (a
confirmed person back on the waiting list, someone who declined invited again): `due` names
those lists, and `invite` refuses to go on until the earlier file is put back, or it is
told that the list was started over on purpose (`--list-restarted`).

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Report
from ..planning.registering import closes, over
from ..programme.model import Programme
from ..records import registrations as record
from ..records.outbox import Outbox
from ..records.registrations import Entry
from . import messages
from .names import first_name
from .templating import Renderer
from .view import MeetingView, Views, texts_for

#: the e-mail of each status a registration can move to
STATUSES = ("confirmed", "waiting", "offered", "expired", "declined", "cancelled")


@dataclass(frozen=True)
class RegistrationView:
    """A registration as an e-mail tells it: its status; the places of its whole order, and
    whether they are held by several people (an order of colleagues) or by this person alone
    (one row for two places); the position on the waiting list (waiting); how many hours an
    offer holds from its e-mail, and `until`, the start of the meeting when that comes first
    (offered); until when it was held (expired); whether a place given up went on to someone
    waiting (expired, declined)."""

    status: str
    places: int
    together: bool
    position: int | None
    hours: int
    until: dt.datetime | None
    expires: dt.datetime | None
    registered: dt.datetime
    passed_on: bool


@dataclass(frozen=True)
class Recipient:
    """Whom a registration e-mail is to: their name (and organisation) as they registered, and
    the first name a letter greets them by (see `names.first_name`; None: by their name)."""

    name: str
    organisation: str | None
    language: str
    first_name: str | None = None


@dataclass
class Due:
    """The registration e-mails due (file name -> message), those waiting that no longer are,
    how many of each status, and the lists started over while people received e-mails of an
    earlier one (list file -> the earlier lists' names)."""

    files: dict[str, bytes] = field(default_factory=dict)
    stale: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    restarted: dict[Path, set[str]] = field(default_factory=dict)


def due(
    folder: Path,
    programme: Programme,
    outbox: Outbox,
    meeting: str | None,
    received: set[str],
    at: dt.datetime,
) -> Due:
    """Every registration e-mail due at `at` (of one meeting's list, with `meeting`), given the
    files someone `received` or may have (see `records.deliveries`). A waiting one no longer
    wanted is `stale`, also when it may have arrived (the outbox keeps that one's record, see
    `Outbox.withdraw`)."""
    stored = record.load_all(folder, Report())
    result = Due()
    if not stored:
        return result
    delivered = received
    wanted: set[str] = set()
    looked: set[str] = set()
    composer = _Composer(folder, programme)
    for scope, item in stored.items():
        if item.record is None or (meeting is not None and scope != meeting):
            continue
        label = scope or programme.id
        looked.add(label)
        token = record.token(item.record)
        earlier = _lists(delivered, label) - {token, *item.record.earlier}
        if earlier:
            result.restarted[item.path] = earlier
        if over(programme, scope, at):
            continue
        registrations = item.record.registrations
        orders = _orders(registrations.values())
        for pid, entry in registrations.items():
            if entry.step == 0:
                continue
            name = record.mail_name(label, pid, entry, token)
            wanted.add(name)
            if name in delivered:
                continue
            places, together = orders.get(entry.order or "", (entry.places, False))
            view = _view(programme, scope, entry, places, together)
            result.files[name] = composer.message(scope, entry, name, view)
            result.counts[entry.status] = result.counts.get(entry.status, 0) + 1
    result.stale = [
        path
        for path in outbox.pending()
        if path.name not in wanted
        and (match := record.MAIL_NAME.fullmatch(path.name))
        and match["scope"] in looked
    ]
    return result


def _lists(delivered: Iterable[str], label: str) -> set[str]:
    """The lists (by their names) of a meeting (`label`) that e-mails delivered came from."""
    return {
        found["list"]
        for name in delivered
        if (found := record.MAIL_NAME.fullmatch(name)) and found["scope"] == label
    }


def _orders(entries: Iterable[Entry]) -> dict[str, tuple[int, bool]]:
    """The places of each order of a list, its rows together, and whether several people
    hold them."""
    places: dict[str, int] = {}
    rows: dict[str, int] = {}
    for entry in entries:
        if entry.order:
            places[entry.order] = places.get(entry.order, 0) + entry.places
            rows[entry.order] = rows.get(entry.order, 0) + 1
    return {order: (n, rows[order] > 1) for order, n in places.items()}


def _view(
    programme: Programme, scope: str | None, entry: Entry, places: int, together: bool
) -> RegistrationView:
    zone = programme.zone
    hours = programme.registration.offer_hours
    start = closes(programme, scope)
    until = start if start is not None and start < entry.since + dt.timedelta(hours=hours) else None
    return RegistrationView(
        status=entry.status,
        places=places,
        together=together,
        position=entry.position,
        hours=hours,
        until=until.astimezone(zone) if until else None,
        expires=entry.expires.astimezone(zone) if entry.expires else None,
        registered=entry.registered.astimezone(zone),
        passed_on=entry.passed_on,
    )


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

    def message(
        self, scope: str | None, entry: Entry, name: str, registration: RegistrationView
    ) -> bytes:
        """The e-mail of a registration's last transition."""
        p = self.programme
        language = entry.language.value if entry.language else p.language.value
        views = self.views(language)
        meeting: MeetingView | None = None
        if scope is not None and scope in p.meetings:
            meeting = views.meeting(p.meetings[scope])
        title = meeting.title if meeting else views.programme_view.title
        texts = views.texts
        context = {
            "programme": views.programme_view,
            "meeting": meeting,
            "title": title,
            # what the registration is for, as a sentence names it: 'de bijeenkomst
            # ‘Slotbijeenkomst’', 'le programme « … »' (French contracts 'à le' to 'au')
            "what": texts.format(
                # Translators: what a registration is for, with its article, in a sentence:
                # 'Your registration for the meeting ‘Closing event’ is confirmed'
                texts.gettext("the meeting ‘%(title)s’"),
                title=title,
            )
            if meeting
            else texts.format(
                # Translators: what a registration is for, with its article, in a sentence:
                # 'Your registration for the programme ‘Learning network’ is confirmed'
                texts.gettext("the programme ‘%(title)s’"),
                title=title,
            ),
            "person": Recipient(entry.name, entry.organisation, language, first_name(entry.name)),
            "registration": registration,
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
