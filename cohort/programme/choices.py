"""The choices a field of the programme offers: roles, kinds of meeting, statuses, visibility.

Kept apart from the model so each stays small; `programme.model` imports them, and code may
import them from either.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What part someone plays in the programme."""

    participant = "participant"
    facilitator = "facilitator"
    expert = "expert"
    host = "host"
    guest = "guest"
    organiser = "organiser"

    @property
    def staff(self) -> bool:
        """Whether the role runs the programme rather than takes part in it (facilitator,
        organiser, expert): never held to the attendance rule, listed apart on sign-in sheets."""
        return self in STAFF


#: The roles that run the programme: not held to the attendance rule, apart on sheets.
STAFF = frozenset({Role.facilitator, Role.organiser, Role.expert})


class Visibility(StrEnum):
    """Who may see a meeting: everyone (the public site and feed) or its invitees alone."""

    public = "public"
    private = "private"


class Kind(StrEnum):
    """What sort of meeting; templates and schedules name each kind in the programme's language."""

    work_session = "work-session"
    intervision = "intervision"
    webinar = "webinar"
    coaching = "coaching"
    study_day = "study-day"
    network_day = "network-day"
    inspiration_day = "inspiration-day"
    workshop = "workshop"
    expert_group = "expert-group"
    closing_event = "closing-event"
    meeting = "meeting"
    excursion = "excursion"
    other = "other"


class Status(StrEnum):
    """Whether a meeting is planned, confirmed or cancelled."""

    planned = "planned"
    confirmed = "confirmed"
    cancelled = "cancelled"
