"""The invitation e-mail of one planned message: templates in the reader's language, and the
iTIP object (RFC 5546/6047: the meeting's VEVENT with METHOD and the invitee as ATTENDEE).

What is the same for every invitee of a meeting (the event, a subject line that names nobody,
the listed attendees) is made once per meeting; `invitations` decides the order and writes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event, vCalAddress

from ..planning.invitations import Planned
from ..planning.publication import Entry
from ..programme.model import Participant, Programme
from . import messages
from .build import registration_link, registration_subject
from .calendar import PRODID, Calendars
from .changes import bounds, changes
from .context import meeting_context, message_kind_moved, removed_context
from .messages import one_line, transport_address
from .templating import Renderer
from .view import MeetingView

_END = b"END:VCALENDAR\r\n"


#: what the templates get about the invitee; a template that reads none of it renders the same
#: for everyone invited to a meeting ("*": one that includes another could read anything)
_PERSONAL = frozenset(
    {
        "person",
        "organisation",
        "group",
        "group_with",
        "changes",
        "presenting",
        "on_panel",
        "speaking",
        "next_meeting",
        "register",
        "register_subject",
        "*",
    }
)

_METHOD = {
    "invitation": "REQUEST",
    "update": "REQUEST",
    "reminder": "REQUEST",
    "cancellation": "CANCEL",
}


class Composer:
    """Builds the messages of one programme; renderers and calendars are shared by all."""

    def __init__(self, folder: Path, programme: Programme, entries: list[Entry]) -> None:
        self.folder = folder
        self.programme = programme
        self.calendars = Calendars(programme, entries)
        self._renderers: dict[tuple[str, bool], Renderer] = {}
        self._heads: dict[str, bytes] = {}
        self._events: dict[tuple[str, str, str], bytes] = {}
        self._listed: tuple[tuple[str, str] | None, bytes] = (None, b"")
        #: the context shared by the messages of one meeting, kind and language, and the
        #: templates rendered once for all of them (see `_shared` and `_render`)
        self._context: tuple[tuple[str, str, str] | None, dict[str, Any]] = (None, {})
        self._rendered: dict[str, str] = {}

    def renderer(self, language: str, html: bool) -> Renderer:
        key = (language, html)
        if key not in self._renderers:
            self._renderers[key] = Renderer(
                self.folder, self.calendars.views(language).texts, autoescape=html
            )
        return self._renderers[key]

    def calendar(self, planned: Planned, language: str) -> bytes:
        """The iTIP object: METHOD, the event, and the invitee as ATTENDEE (or everyone, when
        the programme opts in to listing attendees). The event is serialised once per meeting,
        language and method; only the ATTENDEE lines are serialised per person."""
        p = self.programme
        method = _METHOD[planned.name.kind]
        if p.calendar.list_attendees and planned.entry.meeting is not None:
            # the same for everyone invited: made once per meeting (the last one's is kept)
            key = (planned.entry.id, method)
            if self._listed[0] != key:
                everyone = [x for x in p.invitees(planned.entry.meeting) if x.email]
                self._listed = (key, self._attendees(everyone, method))
            attendees = self._listed[1]
        else:
            attendees = self._attendees([planned.person], method)
        event = self._event(planned.entry, language, method)
        # RFC 5545: an event's properties come before its VALARM components
        cut = event.find(b"BEGIN:VALARM\r\n")
        cut = cut if cut >= 0 else len(event) - len(b"END:VEVENT\r\n")
        event = event[:cut] + attendees + event[cut:]
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
            event = self.calendars.vevent(entry, self.calendars.views(language))
            if method == "CANCEL":
                event["STATUS"] = "CANCELLED"
            event.pop("ATTENDEE", None)  # the feed's list, if any: invitations write their own
            self._events[key] = bytes(event.to_ical())
        return self._events[key]

    @staticmethod
    def _attendees(people: list[Participant], method: str) -> bytes:
        holder = Event()
        for person in people:
            params = {
                "CN": one_line(person.name),
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "CUTYPE": "INDIVIDUAL",
            }
            if method == "REQUEST":
                params["RSVP"] = "TRUE"
            address = transport_address(person.email or "")
            holder.add("attendee", vCalAddress(f"mailto:{address}", params=params))
        return Calendars.properties(holder)

    def message(self, planned: Planned) -> bytes:
        """The whole e-mail of one planned message, as bytes (see `messages.build`)."""
        p = self.programme
        person = planned.person
        language = self.calendars.language_of(person)
        shared = self._shared(planned, language)
        views = self.calendars.views(language)
        meeting = shared["meeting"]
        group = meeting.group_of(person.id) if meeting else None
        seen = views.person(person)
        record = planned.entry.record
        context = {
            **shared,
            "person": seen,
            "organisation": seen.organisation,
            # what changed since the version they hold (an update), in their language
            "changes": changes(
                record,
                planned.held,
                meeting.location if meeting else "",
                self.renderer(language, html=False).texts,
            )
            if planned.name.kind == "update"
            else (),
            **self._speaking(meeting, person.id, language),
            "next_meeting": self._next_meeting(planned, person, language)
            if planned.name.kind == "cancellation" and planned.entry.cancelled
            else None,
            "register": self._register(planned, meeting.title, language) if meeting else None,
            "register_subject": registration_subject(
                self.renderer(language, False).texts, meeting.title
            )
            if meeting
            else None,
            "group": group,
            # the others in their group, by name only: never anyone's address
            "group_with": tuple(
                name for name, i in zip(group.members, group.ids, strict=True) if i != person.id
            )
            if group
            else (),
        }
        method = _METHOD[planned.name.kind]
        return messages.build(
            messages.Mail(
                sender_name=views.programme_view.organiser.name,
                sender=p.organiser.email or "",
                recipient_name=person.name,
                recipient=person.email or "",
                subject=self._render(language, False, "email/subject.txt", context),
                date=record.modified_at,
                message_id=messages.message_id(
                    f"{record.uid}|{planned.name.file}",
                    planned.name.kind,
                    record.uid.rsplit("@", 1)[-1],
                ),
                language=language,
                text=self._render(language, False, "email/message.txt", context),
                html=self._render(language, True, "email/message.html", context),
                calendar=self.calendar(planned, language),
                method=method,
                calendar_name="invite.ics" if method == "REQUEST" else "cancel.ics",
                meeting_ends=self.ends(planned.entry),
            )
        )

    def _speaking(self, meeting: MeetingView | None, pid: str, language: str) -> dict[str, Any]:
        """The agenda items a person speaks at or sits on the panel of, in the order of the
        agenda (`speaking`: item, panel, expertise, and `at`: its time, and its room when it
        runs in parallel: '14:30, Zaal A'); and the same apart, as `presenting` (items) and
        `on_panel` (panels)."""
        texts = self.renderer(language, False).texts
        speaking = []
        for item in meeting.agenda if meeting else ():
            panel = pid in item.panel_ids
            if not panel and pid not in item.speaker_ids:
                continue
            at = texts.time(item.time) if item.time else None
            speaking.append(
                {
                    "item": item,
                    "panel": panel,
                    "expertise": item.panel[item.panel_ids.index(pid)].expertise if panel else None,
                    "at": f"{at}, {item.room}" if at and item.room else at,
                }
            )
        return {
            "speaking": tuple(speaking),
            "presenting": tuple(s["item"] for s in speaking if not s["panel"]),
            "on_panel": tuple(s for s in speaking if s["panel"]),
        }

    def _next_meeting(
        self, planned: Planned, person: Participant, language: str
    ) -> MeetingView | None:
        """The first meeting after a cancelled one that `person` is invited to and that goes
        ahead: what their cancellation says comes next (none: 'we will keep you informed')."""
        record = planned.entry.record
        start = bounds(record.start, record.end, record.all_day)[0]
        if start.tzinfo is None:  # an all-day meeting: its day starts in the programme's zone
            start = start.replace(tzinfo=self.programme.zone)
        for meeting in self.programme.chronological():
            if (
                meeting.cancelled
                or meeting.id == planned.entry.id
                or self.programme.starts_at(meeting) <= start
            ):
                continue
            if any(p.id == person.id for p in self.programme.invitees(meeting)):
                return self.calendars.views(language).meeting(meeting)
        return None

    def _register(self, planned: Planned, title: str, language: str) -> str | None:
        """Where this invitee registers for the meeting (the site's link: a form, or an e-mail
        with its subject written), while a deadline asks for it; none for staff, who run the
        meeting, nor where the attendance rule expects everyone invited."""
        meeting = planned.entry.meeting
        person = planned.person
        if meeting is None or meeting.registration_deadline is None or person.role.staff:
            return None
        rule = self.programme.attendance
        if (
            rule is not None
            and rule.required == "all"
            and rule.binds(person.role)
            and (not rule.kinds or meeting.kind in rule.kinds)
        ):
            return None
        return registration_link(self.programme, title, self.renderer(language, False).texts)

    def ends(self, entry: Entry) -> dt.datetime:
        """When a meeting ends, as published: all-day meetings at the midnight that ends their
        last day, in the programme's time zone."""
        record = entry.record
        if record.all_day:
            return dt.datetime.combine(
                dt.date.fromisoformat(record.end), dt.time(0), self.programme.zone
            )
        return dt.datetime.fromisoformat(record.end)

    def _shared(self, planned: Planned, language: str) -> dict[str, Any]:
        """What the templates get that is the same for every invitee of one message about one
        meeting in one language: made once per meeting, kind and language."""
        key = (planned.entry.id, planned.name.kind, language)
        if self._context[0] == key:
            return self._context[1]
        views = self.calendars.views(language)
        record = planned.entry.record
        meeting = views.meeting(planned.entry.meeting) if planned.entry.meeting else None
        shared = {
            **(meeting_context(views, meeting) if meeting else removed_context(views, record)),
            "message_kind": planned.name.kind,
            "kind": message_kind_moved(),
            "meeting_cancelled": planned.entry.cancelled,
        }
        self._context = (key, shared)
        self._rendered.clear()
        return shared

    def _render(self, language: str, html: bool, name: str, context: dict[str, Any]) -> str:
        """A template rendered; once per meeting, kind and language when it reads nothing
        about the invitee (a subject line, usually), else once per message."""
        renderer = self.renderer(language, html)
        if renderer.reads(name) & _PERSONAL:
            return renderer.render(name, **context)
        if name not in self._rendered:
            self._rendered[name] = renderer.render(name, **context)
        return self._rendered[name]
