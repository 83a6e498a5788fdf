"""Calendars: the programme feed, a personal feed per participant, a file per meeting.

The programme feed and the meeting files are public (the site links them): they hold no
private meeting and no join link. A personal feed holds its reader's meetings as they are,
private ones and join links included (`public` below).

RFC 5545 (iCalendar), RFC 7986 (NAME, REFRESH-INTERVAL, CONFERENCE). icalendar does all the
escaping, folding and CRLF; each event is serialised once per language and the same bytes go
into every file that holds it, so 2,000 personal feeds cost little more than one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration, vText, vUri

from .. import __version__
from ..languages import LANGUAGES
from ..output import OutputFolder, Written
from ..planning.publication import Entry, public_location, publication
from ..programme.model import Participant, Programme, Status
from ..records.published import State, load_state, now
from .context import public_view
from .languages import language_file
from .messages import transport_address
from .view import MeetingView, Views, language_of, texts_for
from .vtimezone import vtimezone

PRODID = f"-//cohort//cohort {__version__}//EN"
REFRESH = dt.timedelta(hours=12)
_END = b"END:VCALENDAR\r\n"
_STATUS = {
    Status.planned: "TENTATIVE",
    Status.confirmed: "CONFIRMED",
    Status.cancelled: "CANCELLED",
}


class Calendars:
    """Builds the calendar files of a programme from its publication entries."""

    def __init__(self, programme: Programme, entries: list[Entry]) -> None:
        self.programme = programme
        self.entries = entries
        self._events: dict[tuple[str, str, bool], bytes] = {}
        self._objects: dict[tuple[str, str, bool], bytes] = {}
        self._views: dict[str, Views] = {}

    def views(self, language: str) -> Views:
        """The meeting views in one language, shared by every file and message of a run."""
        if language not in self._views:
            self._views[language] = Views(self.programme, texts_for(self.programme, language))
        return self._views[language]

    @cached_property
    def vtimezone_bytes(self) -> bytes:
        years = [e.meeting.date.year for e in self.entries if e.meeting] or [dt.date.today().year]
        last = [e.meeting.last_date.year for e in self.entries if e.meeting] or years
        zone = vtimezone(self.programme.zone, min(years), max(last))
        return bytes(zone.to_ical())

    def language_of(self, person: Participant | None) -> str:
        return language_of(self.programme, person)

    # -- events -------------------------------------------------------------------------------

    def event(self, entry: Entry, language: str, public: bool = False) -> bytes:
        """The VEVENT's bytes, made once per meeting, language and audience (`public`: for
        everyone, without a join link)."""
        key = (entry.id, language, public)
        if key not in self._events:
            event = self.vevent(entry, self.views(language), public=public)
            self._events[key] = bytes(event.to_ical())
        return self._events[key]

    def public_entries(self) -> list[Entry]:
        """The meetings everyone may see: the entries less the private meetings."""
        return [e for e in self.entries if not e.record.private]

    def calendar_object(self, entry: Entry, language: str, public: bool = False) -> bytes:
        """The meeting as a CalDAV calendar object resource (RFC 4791 §4.1): one VEVENT, the same
        as in the feeds (UID, SEQUENCE, DTSTAMP, text), with the feeds' VTIMEZONE. ORGANIZER and
        ATTENDEE carry SCHEDULE-AGENT=CLIENT (RFC 6638 §7.1), so a server that schedules
        (Nextcloud, iCloud, Fastmail) does not e-mail invitations of its own: cohort sends them."""
        key = (entry.id, language, public)
        if key not in self._objects:
            event = self.vevent(entry, self.views(language), public=public)
            for name in ("ORGANIZER", "ATTENDEE"):
                found = event.get(name)
                for address in found if isinstance(found, list) else [found] if found else []:
                    address.params["SCHEDULE-AGENT"] = "CLIENT"
            before, _ = self._shared_head
            self._objects[key] = before + self.vtimezone_bytes + bytes(event.to_ical()) + _END
        return self._objects[key]

    def vevent(self, entry: Entry, views: Views, public: bool = False) -> Event:
        """The VEVENT of a meeting as published (cancelled if it is, or was removed); `public`
        leaves out the join link (LOCATION, CONFERENCE and the description's line)."""
        p = self.programme
        texts = views.texts
        record = entry.record
        meeting = views.meeting(entry.meeting) if entry.meeting is not None else None
        event = Event()
        event.add("uid", record.uid)
        event.add("sequence", record.sequence)
        event.add("dtstamp", record.modified_at)
        event.add("created", record.created_at)
        event.add("last-modified", record.modified_at)
        if record.all_day:
            event.add("dtstart", dt.date.fromisoformat(record.start))
            event.add("dtend", dt.date.fromisoformat(record.end))
        else:
            zone = p.zone
            event.add("dtstart", dt.datetime.fromisoformat(record.start).astimezone(zone))
            event.add("dtend", dt.datetime.fromisoformat(record.end).astimezone(zone))
        title = meeting.title if meeting else record.title
        if entry.cancelled:
            title = texts.gettext("Cancelled: {title}").format(title=title)
        event.add("summary", title)
        event.add("status", "CANCELLED" if meeting is None else _STATUS[Status(meeting.status)])
        if entry.meeting is None or meeting is None:
            where = public_location(record.location) if public else record.location
        else:
            website = views.programme_view.links.website
            where = public_view(meeting, website).location if public else meeting.location
        if where:
            event.add("location", where)
        if meeting is not None:
            self._details(event, meeting, views, public)
        organiser = views.programme_view.organiser
        if organiser.email:
            event.add(
                "organizer",
                vCalAddress(
                    f"mailto:{transport_address(organiser.email)}", params={"CN": organiser.name}
                ),
            )
        return event

    def _details(self, event: Event, meeting: MeetingView, views: Views, public: bool) -> None:
        p = self.programme
        texts = views.texts
        venue = meeting.venue
        join = None if public else meeting.join_url
        event.add("description", self.description(meeting, views, public))
        event.add("categories", [meeting.kind_label])
        if venue is not None and venue.coordinates is not None:
            event.add("geo", venue.coordinates)
        if p.links.website:
            event.add("url", vUri(p.links.website), parameters={"VALUE": "URI"})
        if join:
            event.add(
                "conference",
                vUri(join),
                parameters={
                    "VALUE": "URI",
                    "FEATURE": "VIDEO",
                    "LABEL": venue.name if venue else texts.gettext("Join online"),
                },
            )
        if p.calendar.list_attendees:
            for person in p.invitees(p.meetings[meeting.id]):
                if person.email:
                    event.add(
                        "attendee",
                        vCalAddress(
                            f"mailto:{transport_address(person.email)}",
                            params={"CN": person.name, "ROLE": "REQ-PARTICIPANT"},
                        ),
                    )
        if not meeting.cancelled:
            for before in p.calendar.reminders:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", meeting.title)
                alarm.add("trigger", -before)
                event.add_component(alarm)

    @staticmethod
    def description(meeting: MeetingView, views: Views, public: bool = False) -> str:
        """The event's text: what, which themes, the agenda (items in parallel in order, each
        with its room), how to join or get there, who. `public`: the join link is left out,
        and an online meeting says the link comes with the invitation."""
        texts = views.texts
        programme = views.programme_view
        _ = texts.gettext
        blocks: list[str] = []
        if meeting.description:
            blocks.append(meeting.description)
        if meeting.themes:
            blocks.append(
                texts.ngettext("Theme: {themes}", "Themes: {themes}", len(meeting.themes)).format(
                    themes=meeting.themes_text
                )
            )
        if meeting.agenda:
            blocks.append("\n".join([_("Agenda:"), *_agenda_lines(meeting, views)]))
        if meeting.join_url and public:
            blocks.append(_("The link to join comes with the invitation."))
        elif meeting.join_url:
            blocks.append(_("Join online: {link}").format(link=meeting.join_url))
        venue = meeting.venue
        if venue is not None and venue.accessibility:
            blocks.append(_("Accessibility: {text}").format(text=venue.accessibility))
        if venue is not None and venue.directions:
            blocks.append(_("Directions: {text}").format(text=venue.directions))
        if venue is not None and venue.parking:
            blocks.append(_("Parking: {text}").format(text=venue.parking))
        organiser = programme.organiser
        contact = organiser.name + (f", {organiser.email}" if organiser.email else "")
        blocks.append(_("Organiser: {contact}").format(contact=contact))
        if programme.links.website:
            blocks.append(programme.links.website)
        return "\n\n".join(blocks)

    # -- files --------------------------------------------------------------------------------

    @staticmethod
    def properties(component: Calendar | Event) -> bytes:
        """A component's own property lines, as icalendar escapes and folds them."""
        lines = component.content_lines()[1:-2]  # without BEGIN, END and the final empty line
        return b"".join(bytes(line.to_ical()) + b"\r\n" for line in lines)

    @cached_property
    def _shared_head(self) -> tuple[bytes, bytes]:
        """What every file's header has in common, before and after its name."""
        before, after = Calendar(), Calendar()
        before.add("prodid", PRODID)
        before.add("version", "2.0")
        before.add("calscale", "GREGORIAN")
        after.add("x-wr-timezone", self.programme.timezone)
        # RFC 7986 wants VALUE=DURATION on REFRESH-INTERVAL; icalendar's setter leaves it out
        after.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        after.add("x-published-ttl", vDuration(REFRESH))
        if self.programme.calendar.base_url:
            after.add("url", vUri(self.programme.calendar.base_url))
        return b"BEGIN:VCALENDAR\r\n" + self.properties(before), self.properties(after)

    def _head(self, name: str, description: str | None) -> bytes:
        """The header of a file: shared lines, its own name (and description), the VTIMEZONE."""
        own = Calendar()
        # RFC 7986 NAME is TEXT; icalendar does not know it and would not escape ',' and ';'
        own.add("name", vText(name))
        own.add("x-wr-calname", vText(name))
        if description:
            own.add("description", vText(description))
            own.add("x-wr-caldesc", vText(description))
        before, after = self._shared_head
        return before + self.properties(own) + after + self.vtimezone_bytes

    def _file(self, head: bytes, events: list[bytes]) -> bytes:
        return head + b"".join(events) + _END

    def programme_feed(self, language: str | None = None) -> bytes:
        """The feed of every public meeting, in the programme's language (or `language`)."""
        language = language or self.programme.language.value
        shown = self.views(language).programme_view
        head = self._head(shown.title, shown.description)
        return self._file(head, [self.event(e, language, True) for e in self.public_entries()])

    def meeting_file(self, entry: Entry, language: str | None = None) -> bytes:
        """A public meeting's own file, as the site links it (no join link), in the
        programme's language (or `language`)."""
        language = language or self.programme.language.value
        views = self.views(language)
        title = views.meeting(entry.meeting).title if entry.meeting else entry.record.title
        head = self._head(title, None)
        return self._file(head, [self.event(entry, language, True)])

    def personal_feed(self, person: Participant) -> bytes:
        language = self.language_of(person)
        shown = self.views(language).programme_view
        head = self._head(f"{shown.title} — {person.name}", shown.description)
        mine = self._entries_of.get(person.id, [])
        return self._file(head, [self.event(e, language) for e in mine])

    @cached_property
    def _entries_of(self) -> dict[str, list[Entry]]:
        """Each participant's meetings (as published: a removed meeting stays, cancelled)."""
        index: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for participant_id in entry.record.invitees:
                index.setdefault(participant_id, []).append(entry)
        return index


def _agenda_lines(meeting: MeetingView, views: Views) -> list[str]:
    """The agenda as lines of text, in order: '14:15  [Kamer 2] Title (Speaker)' (the room of an
    item in parallel before its title)."""
    lines = []
    for item in meeting.agenda:
        when = f"{views.texts.time(item.time)}  " if item.time else ""
        room = f"[{item.room}] " if item.room else ""
        who = f" ({item.speaker})" if item.speaker else ""
        lines.append(f"{when}{room}{item.title}{who}")
    return lines


@dataclass
class CalendarsWritten(Written):
    """What `write_calendars` did: the files, and which meetings got a new SEQUENCE."""

    raised: list[tuple[str, int]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the feed secret's file

    def lines(self) -> list[str]:
        """For the terminal: each meeting whose SEQUENCE rose, then what was written."""
        out = [
            f"'{meeting_id}' changed: SEQUENCE is now {sequence}"
            for meeting_id, sequence in self.raised
        ]
        out.append(
            f"wrote {self.files} calendar files to {self.folder} "
            f"({len(self.changed)} changed, {len(self.removed)} removed)"
        )
        return out + self.notices


def personal_feed_name(state: State, person: Participant) -> str:
    """The path of someone's personal feed: their id and an unguessable code."""
    return f"people/{person.id}-{state.feed_token(person.id)}.ics"


def calendar_files(
    programme: Programme, state: State, moment: dt.datetime
) -> tuple[dict[str, bytes], list[Entry]]:
    """Every calendar file by its path relative to the output folder: the programme feed and
    each public meeting's file in every language the programme is published in (see
    `languages.language_file`), and each participant's personal feed in their language."""
    entries = publication(programme, state, moment)
    calendars = Calendars(programme, entries)
    files = {}
    for language in programme.published_in:
        files[language_file(programme, "programme.ics", language)] = calendars.programme_feed(
            language
        )
        for entry in calendars.public_entries():
            name = language_file(programme, f"meetings/{entry.id}.ics", language)
            files[name] = calendars.meeting_file(entry, language)
    for person in programme.participants.values():
        files[personal_feed_name(state, person)] = calendars.personal_feed(person)
    return files, entries


def write_calendars(
    folder: Path, programme: Programme, out: Path, *, force: bool = False
) -> CalendarsWritten:
    """Write the calendars into `out` and remember what was published in the state file."""
    state = load_state(folder)
    before = {mid: rec.sequence for mid, rec in state.meetings.items()}
    files, entries = calendar_files(programme, state, now())
    target = OutputFolder(out, programme_folder=folder, force=force)
    written = CalendarsWritten(out, files=len(files))
    feeds = tuple(language_file(programme, "programme.ics", x) for x in LANGUAGES)
    written.changed = target.write_all(files, owned=(*feeds, "meetings/", "people/"))
    written.removed = target.removed
    written.raised = [
        (e.id, e.record.sequence)
        for e in entries
        if e.id in before and e.record.sequence != before[e.id]
    ]
    if state.changed:
        state.save()
    written.notices = state.notices
    return written
