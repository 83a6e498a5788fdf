"""What every template about one meeting gets, by name: made in one place, so a name means the
same in the agenda, the sign-in sheet, the invitation e-mail and the site.

`meeting_context` gives the names; each document adds its own (the e-mail its reader and the
kind of message, `message_kind`; the agenda its QR code; the site its links). A name means one
thing everywhere: `kind` is the meeting's kind in words ('werksessie'), `themes` the meeting's
themes (`ThemeView`s, which print as their titles) and `themes_text` their titles in one text
as the reader's language joins a list, `when` the date and time for a line of their own and
`when_at` for a sentence. README ("Your own templates") lists them for the facilitator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..records.published import Published
from .changes import bounds
from .view import MeetingView, Views


def message_kind_moved() -> Any:
    """What `kind` is in an e-mail template: it named the kind of message before it named the
    meeting's kind, so a template written then (`kind == "invitation"`) stops at its line with
    the fix instead of silently writing the wrong words."""
    from jinja2 import StrictUndefined

    return StrictUndefined(
        hint="in an e-mail template the kind of message (invitation, update, cancellation, "
        "reminder) is 'message_kind' (it was 'kind'); the meeting's kind in words is "
        "'meeting.kind_label'",
        name="kind",
    )


def public_view(view: MeetingView, website: str | None) -> MeetingView:
    """A meeting as everyone may see it (the public site and its agendas): no join link (the
    QR code's `link` goes to the programme's website), no groups (names of people) and a
    `location` without the link (an online venue by its name)."""
    venue = view.venue
    location = "" if venue is None else venue.name if venue.online else view.location
    return replace(view, join_url=None, link=website, groups=(), location=location)


def meeting_context(views: Views, meeting: MeetingView, public: bool = False) -> dict[str, Any]:
    """The names a template about `meeting` gets (in the language of `views`): the programme,
    the organiser and the language; the meeting's view and its parts by name. `public`: as
    everyone may see it (see `public_view`; `online` still says it is online)."""
    shown = public_view(meeting, views.programme_view.links.website) if public else meeting
    venue = shown.venue
    return {
        **_programme(views),
        "meeting": shown,
        "title": shown.title,
        "kind": shown.kind_label,
        "themes": shown.themes,
        "themes_text": shown.themes_text,
        "venue": venue,
        # an online meeting is where its venue's name says; the link follows on its own
        "where": shown.place if venue is not None and venue.online else shown.location,
        "join_url": shown.join_url,
        "online": meeting.join_url is not None,
        "starts_at": shown.starts_at,
        "ends_at": shown.ends_at,
        "day": shown.day,
        "all_day": shown.all_day,
        "when": shown.when,
        "when_at": shown.when_at,
        "agenda": shown.agenda,
        "groups": shown.groups,
        "link": shown.link,
    }


def removed_context(views: Views, record: Published) -> dict[str, Any]:
    """The names of `meeting_context` for a meeting known only as it was published (`record`:
    gone from the programme, its cancellation is still written): `meeting` is none, and so are
    its venue, kind, themes, agenda and groups; its title, place and times as published."""
    texts = views.texts
    starts, ends = bounds(record.start, record.end, record.all_day)
    if record.all_day:
        zone = views.programme.zone
        starts, ends = starts.replace(tzinfo=zone), ends.replace(tzinfo=zone)
    return {
        **_programme(views),
        "meeting": None,
        "title": record.title,
        "kind": "",
        "themes": (),
        "themes_text": "",
        "venue": None,
        "where": record.location,
        "join_url": None,
        "online": False,
        "starts_at": starts,
        "ends_at": ends,
        "day": starts.date(),
        "all_day": record.all_day,
        "when": texts.period(starts, ends, record.all_day),
        "when_at": texts.period(starts, ends, record.all_day, at=True),
        "agenda": (),
        "groups": (),
        "link": None,
    }


def _programme(views: Views) -> dict[str, Any]:
    shown = views.programme_view
    return {"programme": shown, "organiser": shown.organiser, "language": views.texts.language}
