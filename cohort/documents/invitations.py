"""Invitations: one e-mail per invitee per meeting, carrying a calendar invite (iMIP, RFC 6047).

Who gets what is decided in `planning.invitations`; this module renders each planned message
(templates `email/subject.txt`, `message.txt`, `message.html` in the reader's language, with the
meeting's view) and its iTIP object (the meeting's VEVENT with METHOD and the invitee as
ATTENDEE), and writes the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from icalendar import Calendar, Event, vCalAddress

from ..output import OutputFolder
from ..planning.invitations import Plan, Planned, plan
from ..planning.invitations import moved as moved_people
from ..planning.publication import Entry, publication
from ..programme.model import Participant, Programme
from ..records import deliveries
from ..records.outbox import MAYBE_DELIVERED, Name, Outbox, address_digest
from ..records.published import load_state, now
from . import messages, registration_mail
from .calendar import PRODID, Calendars
from .changes import bounds, changes
from .messages import one_line, transport_address
from .templating import Renderer

_END = b"END:VCALENDAR\r\n"


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
        views = self.calendars.views(language)
        text = self.renderer(language, html=False)
        record = planned.entry.record
        meeting = views.meeting(planned.entry.meeting) if planned.entry.meeting else None
        group = meeting.group_of(person.id) if meeting else None
        context = {
            "programme": views.programme_view,
            "meeting": meeting,
            "title": meeting.title if meeting else record.title,
            "kind": planned.name.kind,
            "meeting_cancelled": planned.entry.cancelled,
            "person": views.person(person),
            "organisation": views.person(person).organisation,
            "venue": meeting.venue if meeting else None,
            "where": meeting.location if meeting else record.location,
            "join_url": meeting.join_url if meeting else None,
            "starts_at": dt.datetime.fromisoformat(record.start) if not record.all_day else None,
            "ends_at": dt.datetime.fromisoformat(record.end) if not record.all_day else None,
            "day": dt.date.fromisoformat(record.start[:10]),
            "all_day": record.all_day,
            "when": meeting.when_at
            if meeting
            else text.texts.period(
                *bounds(record.start, record.end, record.all_day), record.all_day, at=True
            ),
            # what changed since the version they hold (an update), in their language
            "changes": changes(
                record, planned.held, meeting.location if meeting else "", text.texts
            )
            if planned.name.kind == "update"
            else (),
            # the agenda items they speak at
            "presenting": tuple(i for i in meeting.agenda if person.id in i.speaker_ids)
            if meeting
            else (),
            "themes": meeting.themes if meeting else (),
            "agenda": meeting.agenda if meeting else (),
            "organiser": views.programme_view.organiser,
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
                subject=text.render("email/subject.txt", **context),
                date=record.modified_at,
                message_id=messages.message_id(
                    f"{record.uid}|{planned.name.file}",
                    planned.name.kind,
                    record.uid.rsplit("@", 1)[-1],
                ),
                language=language,
                text=text.render("email/message.txt", **context),
                html=self.renderer(language, html=True).render("email/message.html", **context),
                calendar=self.calendar(planned, language),
                method=method,
                calendar_name="invite.ics" if method == "REQUEST" else "cancel.ics",
                meeting_ends=self.ends(planned.entry),
            )
        )

    def ends(self, entry: Entry) -> dt.datetime:
        """When a meeting ends, as published: all-day meetings at the midnight that ends their
        last day, in the programme's time zone."""
        record = entry.record
        if record.all_day:
            return dt.datetime.combine(
                dt.date.fromisoformat(record.end), dt.time(0), self.programme.zone
            )
        return dt.datetime.fromisoformat(record.end)


@dataclass
class Rendered:
    """What `render_invitations` did: the plan, the files written and removed."""

    outbox: Path
    plan: Plan
    #: registration e-mails due, by status (see `registration_mail`)
    registrations: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the feed secret's file
    #: messages that may have arrived, taken out of the queue for a newer one (kept in sent/)
    superseded: list[Path] = field(default_factory=list)
    #: people whose address changed since they received a meeting's invitation: id -> meetings
    moved: dict[str, list[str]] = field(default_factory=dict)
    #: who asked for --new-address (and gets the current state at their address now)
    readdressed: frozenset[str] = frozenset()
    #: names of the participants, for the warnings
    names: dict[str, str] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """Invitees who get nothing, and addresses that changed, for standard error."""
        out = [
            f"warning: {person.name} ('{person.id}') has no e-mail address and gets no invitation"
            for person in self.plan.without_email
        ]
        out += [
            f"warning: the address of {self.names.get(pid, pid)} ('{pid}') changed since they "
            f"received the invitation to {', '.join(meetings)}, so their calendar at the new "
            f"address has none of it; 'cohort invite --new-address {pid}' sends them the current "
            "state there"
            for pid, meetings in sorted(self.moved.items())
            if pid not in self.readdressed
        ]
        return out

    def lines(self) -> list[str]:
        """For the terminal: how many messages of which kind are due, and what next."""
        counts: dict[str, int] = {}
        for planned in self.plan.messages:
            counts[planned.name.kind] = counts.get(planned.name.kind, 0) + 1
        what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items()))
        if self.registrations:
            what = ", ".join(
                [what] * bool(what)
                + [
                    f"{n} registration e-mail(s) ({status})"
                    for status, n in self.registrations.items()
                ]
            )
        due = len(self.plan.messages) + sum(self.registrations.values())
        out = [
            f"{self.outbox}: {due} message(s) due"
            + (f" ({what})" if what else "")
            + (
                f"; {len(self.removed)} waiting message(s) no longer due removed"
                if self.removed
                else ""
            )
        ]
        if self.superseded:
            out.append(
                f"{len(self.superseded)} message(s) that may have arrived replaced by a newer one "
                "(kept in sent/, never sent again): " + ", ".join(p.name for p in self.superseded)
            )
        if self.plan.over:
            meetings = sorted({planned.name.meeting for planned in self.plan.over})
            out.append(
                f"{len(self.plan.over)} message(s) not written: meeting(s) already over "
                f"({', '.join(meetings)}); nothing is sent about the past"
            )
        if due:
            out.append(
                f"next: cohort send {self.outbox} --server smtp+starttls://HOST:587 "
                "(a dry run until you add --confirm)"
            )
        return out + self.notices


def render_invitations(
    folder: Path,
    programme: Programme,
    outbox_path: Path,
    *,
    meeting: str | None = None,
    reminder_days: int | None = None,
    today: dt.date | None = None,
    force: bool = False,
    new_address: frozenset[str] = frozenset(),
    unanswered: bool = False,
) -> Rendered:
    """Write every message due now into the outbox; take out waiting ones no longer due.

    What each person received comes from the programme's record (`records.deliveries`), so any
    outbox of the programme gets only what is new; a message that may have arrived counts as
    received. `new_address`: participants whose address changed, who get the current state of
    every meeting they hold at their address now. `force` replaces a waiting message someone
    changed since cohort wrote it (see `output.OutputFolder`). `unanswered` reminds only
    invitees whose answer to the meeting as it is now is not in (see `planning.replies`)."""
    from ..errors import UsageError

    if meeting is not None and meeting not in programme.meetings:
        from ..errors import did_you_mean

        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(
            f"--meeting '{meeting}' is not a meeting of this programme"
            + (f" ({hint})" if hint else "")
        )
    unknown = sorted(new_address - set(programme.participants))
    if unknown:
        raise UsageError(f"--new-address: {', '.join(unknown)} is not a participant's id")
    if not programme.organiser.email:
        from ..errors import CohortError

        raise CohortError(
            "the organiser has no e-mail address, and invitations are sent from it (replies go "
            "there too); add 'email:' under 'organiser:'",
            location=folder / "programme.yaml",
        )
    target = OutputFolder(outbox_path, programme_folder=folder, force=force)
    target.write_all({}, owned=())  # the folder is cohort's before its lock is taken
    outbox = Outbox(outbox_path)
    # locked from reading what was delivered to writing: a `send` at the same time could
    # otherwise move a message into sent/ that this run then writes back into the outbox
    with deliveries.writing(folder, outbox, "invite") as history:
        state = load_state(folder)
        entries = publication(programme, state, now())
        today = today or dt.date.today()
        until = today + dt.timedelta(days=reminder_days) if reminder_days is not None else None
        received, moved = _received(programme, entries, history, today, new_address)
        result = plan(
            programme,
            entries,
            received,
            meeting=meeting,
            reminder_until=until,
            today=today,
            answered=_answered(folder, programme, entries) if unanswered else None,
        )
        composer = Composer(folder, programme, entries)
        files = {planned.name.file: composer.message(planned) for planned in result.messages}
        known = deliveries.received_files(folder, outbox)
        registered = registration_mail.due(folder, programme, outbox, meeting, known)
        rendered = Rendered(outbox_path, result, registrations=registered.counts)
        rendered.moved, rendered.readdressed = moved, new_address
        rendered.names = {pid: person.name for pid, person in programme.participants.items()}
        over = {entry.id for entry in entries if entry.last_day < today}
        rendered.written, rendered.removed, rendered.superseded = _write(
            target,
            outbox,
            {**files, **registered.files},
            _Scope(meeting, until, over),
            registered.stale,
        )
    if state.changed:
        state.save()
    rendered.notices = state.notices
    return rendered


def _received(
    programme: Programme,
    entries: list[Entry],
    history: deliveries.History,
    today: dt.date,
    new_address: frozenset[str],
) -> tuple[list[Name], dict[str, list[str]]]:
    """The invitations each person received (or may have), and whose address changed since
    (see `planning.invitations.moved`). For the people in `new_address`, only what reached
    their address now counts: they get the current state there."""
    received: dict[Name, str] = {}
    for file, item in history.received().items():
        name = Name.parse(file)
        if name is not None:
            received[name] = item.to
    addresses = {
        pid: address_digest([messages.transport_address(person.email)])
        for pid, person in programme.participants.items()
        if person.email
    }
    moved = moved_people(entries, received, addresses, today)
    names = [
        name
        for name, to in received.items()
        if name.participant not in new_address or to == addresses.get(name.participant)
    ]
    return sorted(names), moved


@dataclass(frozen=True)
class _Scope:
    """What a run of `invite` decides on: one meeting or all, reminders up to a day, and the
    meetings that are over."""

    meeting: str | None
    until: dt.date | None
    over: set[str]


def _answered(
    folder: Path, programme: Programme, entries: list[Entry]
) -> dict[str, frozenset[str]]:
    """Per meeting, the invitees whose answer to it as it is now stands."""
    from ..planning.replies import answered
    from ..records.replies import all_replies

    replies = all_replies(folder)
    return {
        entry.id: answered(
            programme, entry.meeting, replies.get(entry.id, {}), entry.record.revision
        )
        for entry in entries
        if entry.meeting is not None
    }


def _write(
    target: OutputFolder,
    outbox: Outbox,
    files: dict[str, bytes],
    scope: _Scope,
    superseded: list[Path],
) -> tuple[list[Path], list[Path], list[Path]]:
    """Write the messages due into the outbox and take out the waiting ones no longer due: of
    the kinds this run decides on, and of the meetings it looked at, and the registration
    e-mails a later one `superseded`. A message the server already accepted (the journal says
    so) stays, for `send` to move into sent/. A message that may have arrived is never
    removed: it stays while it is current, and is kept in sent/ (`Outbox.withdraw`) once a
    newer message to the same person about the same meeting replaces it, or its meeting is
    over. Returns the files written, removed and superseded."""
    kinds = {"invitation", "update", "cancellation"} | ({"reminder"} if scope.until else set())
    states = outbox.states()
    planned = {(n.meeting, n.participant) for f in files if (n := Name.parse(f))}
    stale: list[Path] = []
    for path in outbox.pending():
        n = Name.parse(path.name)
        if n is None or n.kind not in kinds or scope.meeting not in (None, n.meeting):
            continue
        state = states.get(path.name)
        if state not in MAYBE_DELIVERED and state != "delivered":
            if path.name not in files:  # no longer due
                stale.append(path)
        elif path.name in files or (  # replaced by a newer message, or about the past
            state != "delivered"
            and ((n.meeting, n.participant) in planned or n.meeting in scope.over)
        ):
            stale.append(path)
    stale += [path for path in superseded if path not in stale]
    maybe = {p for p in stale if states.get(p.name) in MAYBE_DELIVERED}
    try:
        taken = outbox.withdraw(stale)
    except OSError as err:
        from ..errors import CohortError

        raise CohortError(
            f"cannot move a message that was (or may have been) delivered into "
            f"'{outbox.sent_dir}' ({err.strerror or err}); make it a folder cohort can write to "
            "and run the command again"
        ) from None
    # only what is due: a file someone else put into the outbox is left alone, never taken in
    # as cohort's (and so never sent)
    written = target.write_all(files, owned=())
    return written, [p for p in taken if p not in maybe], sorted(maybe)
