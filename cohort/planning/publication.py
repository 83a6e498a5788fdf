"""Decide what goes out for each meeting: its UID, SEQUENCE and DTSTAMP, from what was published.

Every output that carries calendar data (feeds, meeting files, invitations) goes through
`publication()`, so they all agree on UID and SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..programme.model import Meeting, Programme, Status
from ..programme.resolved import resolve
from ..records.published import Published, State, fingerprint


@dataclass(frozen=True)
class Entry:
    """A meeting as it goes out: its model (None if it was removed from the YAML) and record."""

    id: str
    meeting: Meeting | None
    record: Published

    @property
    def cancelled(self) -> bool:
        return self.meeting is None or self.meeting.cancelled

    @property
    def last_day(self) -> dt.date:
        """The meeting's last day (local), as published."""
        if self.record.all_day:
            return dt.date.fromisoformat(self.record.end) - dt.timedelta(days=1)
        return dt.datetime.fromisoformat(self.record.end).date()


def uid(programme: Programme, meeting_id: str) -> str:
    """A meeting's calendar UID, stable for ever (RFC 5545 §3.8.4.7): meeting id, programme id and
    the programme's domain."""
    domain = programme.calendar.domain or "cohort.invalid"
    return f"{meeting_id}.{programme.id}@{domain}"


def location(programme: Programme, meeting: Meeting) -> str:
    """Where, on one line, as published: the venue's name and full address, or the join link
    (the public site and feed show a meeting's view without it: `documents.context`)."""
    venue = programme.venue_of(meeting)
    if venue is None:
        return programme.join_url(meeting) or ""
    if venue.online:
        return programme.join_url(meeting) or venue.name
    return ", ".join(part for part in (venue.name, venue.full_address) if part)


def public_location(location: str) -> str:
    """A location as published, fit for a public feed: '' when it is a link (to join)."""
    return "" if "://" in location else location


def _times(programme: Programme, meeting: Meeting) -> tuple[str, str]:
    if meeting.all_day:
        return meeting.date.isoformat(), (meeting.last_date + dt.timedelta(days=1)).isoformat()
    return programme.starts_at(meeting).isoformat(), programme.ends_at(meeting).isoformat()


def _content(programme: Programme, meeting: Meeting) -> str:
    """A fingerprint of everything an event shows, so DTSTAMP moves when any of it changes: the
    meeting with what it names by id (its venue, themes, speakers and panel: `resolve`, which
    the view of a meeting is built from too), and the programme's parts every event carries."""
    shown: dict[str, object] = {
        **resolve(programme, meeting).dump(),
        "programme": programme.model_dump(
            mode="json", include={"title", "language", "organiser", "links", "calendar"}
        ),
    }
    if programme.calendar.list_attendees:
        shown["invitees"] = [(p.id, p.name, p.email) for p in programme.invitees(meeting)]
    return fingerprint(shown)


def publication(programme: Programme, state: State, moment: dt.datetime) -> list[Entry]:
    """Every meeting ever published or now in the programme, with its record brought up to date:
    SEQUENCE rises when time, venue or status change (RFC 5546 §2.1.4) and when the invitees
    change; DTSTAMP moves on any change; a meeting gone from the YAML is cancelled, not dropped.
    Marks the state changed when it is.

    Someone taken off the invitees gets a CANCEL, which must carry a higher SEQUENCE than the
    invitation they hold or their calendar ignores it (RFC 5546 §3.2.5); someone added back
    gets a REQUEST that must be higher than that CANCEL. So the meeting's SEQUENCE rises then
    too, and the calendars carry it as well. The record's `revision` marks the SEQUENCE of the
    last change the other invitees must hear about: a new invitee is no news to them."""
    stamp = moment.isoformat()
    entries: list[Entry] = []
    for meeting in programme.chronological():
        start, end = _times(programme, meeting)
        where = location(programme, meeting)
        significant = fingerprint([start, end, meeting.all_day, where, meeting.status.value])
        content = _content(programme, meeting)
        invitees = [p.id for p in programme.invitees(meeting)]
        record = state.meetings.get(meeting.id)
        if record is None:
            record = Published(
                uid=uid(programme, meeting.id),
                sequence=0,
                created=stamp,
                modified=stamp,
                significant=significant,
                content=content,
                title=meeting.title,
                start=start,
                end=end,
                all_day=meeting.all_day,
                location=where,
                status=meeting.status.value,
                invitees=invitees,
            )
            state.meetings[meeting.id] = record
            state.changed = True
        else:
            if record.removed or record.significant != significant:
                record.keep_version()
                record.sequence += 1
                record.revision = record.sequence
            elif set(record.invitees) != set(invitees):
                record.sequence += 1
            if (
                record.removed
                or record.significant != significant
                or record.content != content
                or record.invitees != invitees
            ):
                record.modified = stamp
                state.changed = True
            record.removed = False
            record.significant, record.content, record.invitees = significant, content, invitees
            record.title, record.start, record.end, record.all_day = (
                meeting.title,
                start,
                end,
                meeting.all_day,
            )
            record.location, record.status = where, meeting.status.value
        if record.private != meeting.private:
            record.private, state.changed = meeting.private, True
        entries.append(Entry(meeting.id, meeting, record))
    for meeting_id, record in sorted(state.meetings.items()):
        if meeting_id in programme.meetings:
            continue
        if not record.removed:
            record.removed = True
            record.status = Status.cancelled.value
            record.sequence += 1
            record.revision = record.sequence
            record.modified = stamp
            state.changed = True
        entries.append(Entry(meeting_id, None, record))
    return entries
