"""Invitations: one e-mail per invitee per meeting, carrying a calendar invite (iMIP, RFC 6047).

Who gets what follows from what was already delivered (the outbox's `sent/`) and from the
published state (UID, SEQUENCE): an invitation the first time, an update when the meeting's time,
venue or status changed since, a cancellation when it is cancelled, removed, or the person is no
longer invited, a reminder on request. Messages are built with the standard library's `email`
package, never by pasting strings: a name with a comma, quotes or a line break stays one name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar

from icalendar import Calendar, Event, vCalAddress

from .calendar import PRODID, Calendars
from .i18n import texts_for
from .model import Participant, Programme
from .outbox import Name, Outbox
from .publish import Entry, location, publication
from .state import load_state, now
from .templating import Renderer

_END = b"END:VCALENDAR\r\n"


class CachedHeaderRegistry(HeaderRegistry):
    """HeaderRegistry, but each header class is made once per name, not once per header."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


_RECURRING = frozenset({"content-type", "content-transfer-encoding", "mime-version",
                        "content-disposition", "from", "date"})


class RecurringHeadersPolicy(EmailPolicy):
    """The SMTP policy, remembering the parsed and folded forms of the part headers that recur
    in every message (Content-Type, Content-Transfer-Encoding, ...). Header objects are
    immutable, so sharing them changes nothing in the output; it halves the time to build a
    message, which counts for an outbox of ten thousand."""

    _parsed: ClassVar[dict[tuple[str, str], Any]] = {}
    _folded: ClassVar[dict[tuple[str, str], bytes]] = {}

    def header_store_parse(self, name: str, value: Any) -> Any:
        if name.lower() in _RECURRING and type(value) is str:
            key = (name, value)
            if key not in self._parsed:
                self._parsed[key] = super().header_store_parse(name, value)
            return self._parsed[key]
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _RECURRING:
            key = (name, str(value))
            if key not in self._folded:
                self._folded[key] = super().fold_binary(name, value)
            return self._folded[key]
        return super().fold_binary(name, value)


#: Python 3.11's HeaderRegistry also makes a new class for every header; cache those too.
_POLICY = RecurringHeadersPolicy(linesep="\r\n", header_factory=CachedHeaderRegistry())
_METHOD = {"invitation": "REQUEST", "update": "REQUEST", "reminder": "REQUEST",
           "cancellation": "CANCEL"}


@dataclass(frozen=True)
class Planned:
    name: Name
    entry: Entry
    person: Participant


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)
    without_email: list[Participant] = field(default_factory=list)


def one_line(text: str) -> str:
    """A display name on one line: control characters and line breaks become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def plan(
    programme: Programme,
    entries: list[Entry],
    delivered: list[Name],
    *,
    meeting: str | None = None,
    reminder_until: dt.date | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Decide every message to send now, from the programme and what was delivered before."""
    received: dict[tuple[str, str], list[Name]] = defaultdict(list)
    for name in delivered:
        received[(name.meeting, name.participant)].append(name)
    result = Plan()
    missing: dict[str, Participant] = {}
    for entry in entries:
        if meeting is not None and entry.id != meeting:
            continue
        sequence = entry.record.sequence
        invited = set(entry.record.invitees) if not entry.cancelled else set()
        everyone = set(entry.record.invitees) | {pid for (mid, pid) in received if mid == entry.id}
        for pid in sorted(everyone):
            person = programme.participants.get(pid)
            if person is None:
                continue  # gone from the programme: no address left to write to
            if person.email is None:
                if pid in invited:
                    missing[pid] = person
                continue
            history = received[(entry.id, pid)]
            requests = [n for n in history if n.kind in ("invitation", "update")]
            cancelled = any(n.kind == "cancellation" and n.sequence >= sequence for n in history)
            kind: str | None = None
            if pid not in invited:
                if requests and not cancelled:
                    kind = "cancellation"
            elif not any(n.sequence == sequence for n in requests):
                kind = "update" if requests else "invitation"
            elif reminder_until is not None and entry.meeting is not None:
                starts = entry.meeting.date
                due = (today or dt.date.today()) <= starts <= reminder_until
                done = any(n.kind == "reminder" and n.sequence == sequence for n in history)
                if due and not done:
                    kind = "reminder"
            if kind is not None:
                result.messages.append(Planned(Name(entry.id, pid, kind, sequence), entry, person))
    result.without_email = sorted(missing.values(), key=lambda p: p.id)
    return result


class Composer:
    """Builds the messages of one programme; renderers and calendars are shared by all."""

    def __init__(self, folder: Path, programme: Programme, entries: list[Entry]) -> None:
        self.folder = folder
        self.programme = programme
        self.calendars = Calendars(programme, entries)
        self._renderers: dict[tuple[str, bool], Renderer] = {}
        self._heads: dict[str, bytes] = {}
        self._events: dict[tuple[str, str, str], bytes] = {}

    def renderer(self, language: str, html: bool) -> Renderer:
        key = (language, html)
        if key not in self._renderers:
            self._renderers[key] = Renderer(self.folder, texts_for(self.programme, language),
                                            autoescape=html)
        return self._renderers[key]

    def calendar(self, planned: Planned, language: str) -> bytes:
        """The iTIP object: METHOD, the event, and the invitee as ATTENDEE (or everyone, when
        the programme opts in to listing attendees). The event is serialised once per meeting,
        language and method; only the ATTENDEE lines are serialised per person."""
        p = self.programme
        method = _METHOD[planned.name.kind]
        people = [planned.person]
        if p.calendar.list_attendees and planned.entry.meeting is not None:
            people = [x for x in p.invitees(planned.entry.meeting) if x.email]
        event = self._event(planned.entry, language, method)
        # RFC 5545: an event's properties come before its VALARM components
        cut = event.find(b"BEGIN:VALARM\r\n")
        cut = cut if cut >= 0 else len(event) - len(b"END:VEVENT\r\n")
        event = event[:cut] + self._attendees(people, method) + event[cut:]
        return self._head(method) + self.calendars.vtimezone_bytes + event + _END

    def _head(self, method: str) -> bytes:
        if method not in self._heads:
            cal = Calendar()
            cal.add("prodid", PRODID)
            cal.add("version", "2.0")
            cal.add("method", method)
            self._heads[method] = bytes(cal.to_ical())[: -len(_END)]
        return self._heads[method]

    def _event(self, entry: Entry, language: str, method: str) -> bytes:
        key = (entry.id, language, method)
        if key not in self._events:
            event = self.calendars.vevent(entry, texts_for(self.programme, language))
            if method == "CANCEL":
                event["STATUS"] = "CANCELLED"
            event.pop("ATTENDEE", None)  # the feed's list, if any: invitations write their own
            self._events[key] = bytes(event.to_ical())
        return self._events[key]

    @staticmethod
    def _attendees(people: list[Participant], method: str) -> bytes:
        holder = Event()
        for person in people:
            params = {"CN": one_line(person.name), "ROLE": "REQ-PARTICIPANT",
                      "PARTSTAT": "NEEDS-ACTION", "CUTYPE": "INDIVIDUAL"}
            if method == "REQUEST":
                params["RSVP"] = "TRUE"
            holder.add("attendee", vCalAddress(f"mailto:{person.email}", params=params))
        return Calendars.properties(holder)

    def message(self, planned: Planned) -> bytes:
        p = self.programme
        person = planned.person
        language = self.calendars.language_of(person)
        meeting = planned.entry.meeting
        record = planned.entry.record
        venue = p.venue_of(meeting) if meeting else None
        context = {
            "programme": p,
            "meeting": meeting,
            "title": meeting.title if meeting else record.title,
            "kind": planned.name.kind,
            "meeting_cancelled": planned.entry.cancelled,
            "person": person,
            "organisation": p.organisations.get(person.organisation or ""),
            "venue": venue,
            "where": location(p, meeting) if meeting else record.location,
            "join_url": p.join_url(meeting) if meeting else None,
            "starts_at": dt.datetime.fromisoformat(record.start) if not record.all_day else None,
            "ends_at": dt.datetime.fromisoformat(record.end) if not record.all_day else None,
            "day": dt.date.fromisoformat(record.start[:10]),
            "all_day": record.all_day,
            "when": self.renderer(language, html=False).texts.period(
                *_bounds(record.start, record.end, record.all_day), record.all_day, at=True),
            "themes": [p.themes[t] for t in meeting.themes if t in p.themes] if meeting else [],
            "agenda": [
                {"time": item.time, "title": item.title,
                 "speaker": (p.participants[item.speaker].name
                             if item.speaker in p.participants else item.speaker)}
                for item in (meeting.agenda if meeting else ())
            ],
            "organiser": p.organiser,
        }
        text = self.renderer(language, html=False)
        subject = one_line(text.render("email/subject.txt", **context))
        body = text.render("email/message.txt", **context)
        html = self.renderer(language, html=True).render("email/message.html", **context)
        ics = self.calendar(planned, language)
        method = _METHOD[planned.name.kind]

        message_id = _message_id(p, planned.name, record.uid)
        # boundaries from the message's id, so the same message renders to the same bytes
        seed = hashlib.sha256(message_id.encode()).hexdigest()[:20]
        msg = EmailMessage(policy=_POLICY)
        # the organiser's address as text: the same for every message, so parsed once
        msg["From"] = str(Address(one_line(p.organiser.name), addr_spec=p.organiser.email or ""))
        msg["To"] = Address(one_line(person.name), addr_spec=person.email or "")
        msg["Subject"] = subject
        msg["Date"] = format_datetime(record.modified_at)
        msg["Message-ID"] = message_id
        msg["Content-Language"] = language
        msg.set_content(body, cte="quoted-printable")
        msg.make_alternative(boundary=f"=_cohort_{seed}_1")
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
        msg.add_alternative(
            ics.decode("utf-8"), subtype="calendar", params={"method": method}, cte="base64"
        )
        msg.make_mixed(boundary=f"=_cohort_{seed}_0")
        msg.add_attachment(ics, maintype="application", subtype="ics",
                           filename="invite.ics" if method == "REQUEST" else "cancel.ics")
        return msg.as_bytes()


def _bounds(start: str, end: str, all_day: bool) -> tuple[dt.datetime, dt.datetime]:
    """A published start and end (ISO text) as datetimes; days at midnight when all day."""
    if all_day:
        return (dt.datetime.combine(dt.date.fromisoformat(start), dt.time(0)),
                dt.datetime.combine(dt.date.fromisoformat(end), dt.time(0)))
    return dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)


def _message_id(programme: Programme, name: Name, uid: str) -> str:
    """Stable for one message, so rendering again gives the same file (and the same id)."""
    digest = hashlib.sha256(f"{uid}|{name.file}".encode()).hexdigest()[:24]
    domain = uid.rsplit("@", 1)[-1]
    return f"<{digest}.{name.kind}@{domain}>"


@dataclass
class Rendered:
    outbox: Path
    plan: Plan
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def render_invitations(
    folder: Path,
    programme: Programme,
    outbox_path: Path,
    *,
    meeting: str | None = None,
    reminder_days: int | None = None,
    today: dt.date | None = None,
) -> Rendered:
    """Write every message due now into the outbox; remove waiting ones no longer due."""
    from .errors import UsageError
    from .output import OutputFolder

    if meeting is not None and meeting not in programme.meetings:
        from .errors import did_you_mean

        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(f"--meeting '{meeting}' is not a meeting of this programme"
                         + (f" ({hint})" if hint else ""))
    if not programme.organiser.email:
        from .errors import CohortError

        raise CohortError(
            "the organiser has no e-mail address, and invitations are sent from it (replies go "
            "there too); add 'email:' under 'organiser:'", location=folder / "programme.yaml")
    target = OutputFolder(outbox_path, programme_folder=folder)
    outbox = Outbox(outbox_path)
    state = load_state(folder)
    entries = publication(programme, state, now())
    today = today or dt.date.today()
    until = today + dt.timedelta(days=reminder_days) if reminder_days is not None else None
    result = plan(programme, entries, outbox.delivered(), meeting=meeting,
                  reminder_until=until, today=today)
    composer = Composer(folder, programme, entries)
    files = {planned.name.file: composer.message(planned) for planned in result.messages}
    # waiting messages of the kinds this run decides on, and of the meetings it looked at
    kinds = {"invitation", "update", "cancellation"} | ({"reminder"} if until else set())
    stale = [
        path.name for path in outbox.pending()
        if (n := Name.parse(path.name)) and n.kind in kinds
        and (meeting is None or n.meeting == meeting) and path.name not in files
    ]
    keep = {path.name: path.read_bytes() for path in outbox.pending() if path.name not in stale}
    rendered = Rendered(outbox_path, result)
    rendered.written = target.write_all({**keep, **files}, owned=())
    for name in stale:
        (outbox_path / name).unlink()
        rendered.removed.append(outbox_path / name)
    if state.changed:
        state.save()
    return rendered
