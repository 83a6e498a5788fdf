"""The programme model: what a programme folder means, typed and frozen.

The YAML layout mirrors these classes one to one, so that a validation error maps back to the
line it came from. Collections (organisations, participants, venues, themes, meetings) are
mappings keyed by id: the id is the key, each entry is short, and a diff shows who changed.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from .values import (
    CoordinatesField,
    Count,
    Date,
    Duration,
    Flag,
    Id,
    NonEmptyText,
    Text,
    Time,
    Url,
    one_or_many,
)

COLLECTIONS = ("organisations", "participants", "venues", "themes", "meetings")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Language(StrEnum):
    nl = "nl"
    en = "en"
    fr = "fr"


class Role(StrEnum):
    participant = "participant"
    facilitator = "facilitator"
    expert = "expert"
    host = "host"
    guest = "guest"


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
    planned = "planned"
    confirmed = "confirmed"
    cancelled = "cancelled"


_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _email(value: Any) -> str:
    """An e-mail address. Plain ASCII addresses are checked here; anything else (and every
    mistake) goes through email-validator, which knows the RFCs and explains what is wrong."""
    text = str(value).strip()
    if len(text) <= 254 and _PLAIN_EMAIL.fullmatch(text):
        local, domain = text.rsplit("@", 1)
        if len(local) <= 64:
            return f"{local}@{domain.lower()}"
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"'{text}' is not an e-mail address: {err}") from None


Email = Annotated[
    str, BeforeValidator(_email), WithJsonSchema({"type": "string", "format": "email"})
]


def _timezone(value: Any) -> str:
    text = str(value).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        close = difflib.get_close_matches(text, sorted(available_timezones()), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(
            f"'{text}' is not an IANA time zone such as Europe/Brussels{hint}"
        ) from None
    if "/" not in text and text != "UTC":
        raise ValueError(
            f"'{text}' is an abbreviation; use a full IANA name such as Europe/Brussels"
        )
    return text


TimeZoneName = Annotated[
    str,
    BeforeValidator(_timezone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Brussels", "Europe/Amsterdam"]}),
]

Country = Annotated[
    str,
    BeforeValidator(lambda v: str(v).strip().upper()),
    Field(pattern=r"^[A-Z]{2}$"),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "examples": ["BE", "NL"]}),
]

# Lists where a single item may be written without brackets (`themes: intro`).
Ids = Annotated[
    tuple[Id, ...], BeforeValidator(one_or_many, json_schema_input_type=Id | list[Id])
]
Kinds = Annotated[
    tuple[Kind, ...], BeforeValidator(one_or_many, json_schema_input_type=Kind | list[Kind])
]
Roles = Annotated[
    tuple[Role, ...], BeforeValidator(one_or_many, json_schema_input_type=Role | list[Role])
]
Durations = Annotated[
    tuple[Duration, ...],
    BeforeValidator(one_or_many, json_schema_input_type=Duration | list[Duration]),
]
FileNames = Annotated[
    tuple[Text, ...], BeforeValidator(one_or_many, json_schema_input_type=Text | list[Text])
]


class Person(Frozen):
    name: NonEmptyText
    email: Email | None = None
    phone: Text | None = None


def _required(value: Any) -> Any:
    if str(value).strip().lower() == "all":
        return "all"
    if not str(value).strip().isdigit() or int(str(value)) < 1:
        raise ValueError(f"'{value}' is not 'all' or a number of meetings, e.g. 'required: 3'")
    return int(str(value))


Required = Annotated[
    Literal["all"] | int,
    BeforeValidator(_required),
    WithJsonSchema({"anyOf": [{"const": "all"}, {"type": "integer", "minimum": 1}]}),
]


class AttendanceRule(Frozen):
    """Who must attend how much: `required: all` or a number of meetings."""

    required: Required = "all"
    kinds: Kinds = ()
    roles: Roles = (Role.participant,)


class Links(Frozen):
    website: Url | None = None
    registration: Url | None = None
    contact: Url | None = None


class Calendar(Frozen):
    """Settings for the calendars cohort publishes (used from the calendar command on)."""

    domain: Text | None = None
    reminders: Durations = ()
    list_attendees: Flag = False
    base_url: Url | None = None


class Organisation(Frozen):
    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyText
    kind: Text | None = None
    city: Text | None = None
    website: Url | None = None
    members: Ids = ()
    description: Text | None = None


class Participant(Frozen):
    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyText
    email: Email | None = None
    organisation: Id | None = None
    role: Role = Role.participant
    language: Language | None = None


class Venue(Frozen):
    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyText
    address: Text | None = None
    postcode: Text | None = None
    city: Text | None = None
    country: Country | None = None
    coordinates: CoordinatesField | None = None
    capacity: Count | None = None
    accessibility: Text | None = None
    directions: Text | None = None
    host: Id | None = None
    join_url: Url | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Venue:
        if not self.join_url and not (self.address and self.city):
            raise ValueError(
                "a venue needs a street address and city, or a join_url for an online venue"
            )
        return self

    @property
    def online(self) -> bool:
        return bool(self.join_url) and not self.address

    @property
    def full_address(self) -> str:
        """Street, postcode and city on one line, as a calendar LOCATION or an envelope wants."""
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.address, place) if p)


class Theme(Frozen):
    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    title: NonEmptyText
    description: Text | None = None


class AgendaItem(Frozen):
    time: Time | None = None
    title: NonEmptyText
    speaker: Text | None = None
    description: Text | None = None


class Invited(Frozen):
    """Who is invited: everyone, or the union of roles, organisations and people, less `except`."""

    everyone: Flag = False
    roles: Roles = ()
    organisations: Ids = ()
    participants: Ids = ()
    except_: Ids = Field(default=(), alias="except")

    model_config = ConfigDict(populate_by_name=True)


def _invited(value: Any) -> Any:
    if value is None or value == "everyone":
        return {"everyone": True}
    if isinstance(value, str):
        raise ValueError(
            f"'{value}' is not who is invited; write 'everyone', a list of participant ids, "
            "or a mapping with roles/organisations/participants"
        )
    if isinstance(value, list):
        return {"participants": value}
    return value


InvitedField = Annotated[
    Invited,
    BeforeValidator(_invited, json_schema_input_type=Literal["everyone"] | list[str] | Invited),
]

class Meeting(Frozen):
    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    title: NonEmptyText
    kind: Kind = Kind.meeting
    themes: Ids = ()
    venue: Id | None = None
    date: Date
    end_date: Date | None = None
    start: Time | None = None
    end: Time | None = None
    duration: Duration | None = None
    all_day: Flag = False
    status: Status = Status.planned
    description: Text | None = None
    agenda: tuple[AgendaItem, ...] = ()
    invited: InvitedField = Invited(everyone=True)
    capacity: Count | None = None
    registration_deadline: Date | None = None
    join_url: Url | None = None

    _zone: ZoneInfo = PrivateAttr(default=ZoneInfo("UTC"))

    @model_validator(mode="after")
    def _times(self) -> Meeting:
        if self.all_day:
            if self.start or self.end or self.duration:
                raise ValueError("an all-day meeting has no start, end or duration; remove them")
        elif self.start is None:
            raise ValueError(
                "a meeting needs a start time (start: '19:00'), or 'all_day: true'"
            )
        elif self.end is None and self.duration is None:
            raise ValueError("a meeting needs an end time (end: '20:30') or a duration (1h30)")
        elif self.end is not None and self.duration is not None:
            raise ValueError("give either an end time or a duration, not both")
        return self

    @property
    def cancelled(self) -> bool:
        return self.status is Status.cancelled

    @property
    def starts_at(self) -> dt.datetime:
        """The start as an aware datetime in the programme's time zone (midnight if all day)."""
        return dt.datetime.combine(self.date, self.start or dt.time(0), self._zone)

    @property
    def ends_at(self) -> dt.datetime:
        """The end as an aware datetime; for all-day meetings the (exclusive) next midnight."""
        last = self.end_date or self.date
        if self.all_day:
            return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), self._zone)
        if self.end is not None:
            return dt.datetime.combine(last, self.end, self._zone)
        assert self.duration is not None
        # wall-clock arithmetic through UTC, so a duration over a DST change stays exact
        utc = self.starts_at.astimezone(dt.UTC) + self.duration
        return utc.astimezone(self._zone)

    @property
    def last_date(self) -> dt.date:
        return self.end_date or self.date


class Programme(Frozen):
    """A whole programme: its description and the five collections, all keyed by id."""

    include: FileNames = ()
    id: Id
    title: NonEmptyText
    description: Text | None = None
    language: Language = Language.nl
    timezone: TimeZoneName = "Europe/Brussels"
    country: Country | None = None
    organiser: Person
    attendance: AttendanceRule | None = None
    links: Links = Links()
    calendar: Calendar = Calendar()
    organisations: dict[Id, Organisation] = {}
    participants: dict[Id, Participant] = {}
    venues: dict[Id, Venue] = {}
    themes: dict[Id, Theme] = {}
    meetings: dict[Id, Meeting] = {}

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        """Each collection entry learns its id from its key."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in COLLECTIONS:
            entries = data.get(name)
            if isinstance(entries, dict):
                data[name] = {
                    key: ({**entry, "id": key} if isinstance(entry, dict) else entry)
                    for key, entry in entries.items()
                }
        return data

    @model_validator(mode="after")
    def _place_meetings_in_time(self) -> Programme:
        for meeting in self.meetings.values():
            meeting._zone = self.zone
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def home_country(self) -> str | None:
        """The country for public holidays and locale when a venue does not name one."""
        if self.country:
            return self.country
        return {"Europe/Brussels": "BE", "Europe/Amsterdam": "NL", "Europe/Paris": "FR"}.get(
            self.timezone
        )

    def chronological(self) -> list[Meeting]:
        """Meetings in the order they happen (ties by id, so the order is stable)."""
        return sorted(self.meetings.values(), key=lambda m: (m.starts_at, m.id))

    def venue_of(self, meeting: Meeting) -> Venue | None:
        return self.venues.get(meeting.venue) if meeting.venue else None

    def join_url(self, meeting: Meeting) -> str | None:
        venue = self.venue_of(meeting)
        return meeting.join_url or (venue.join_url if venue else None)

    def country_of(self, meeting: Meeting) -> str | None:
        venue = self.venue_of(meeting)
        return (venue.country if venue else None) or self.home_country

    @cached_property
    def _members(self) -> dict[str, set[str]]:
        """Each organisation with every organisation inside it (partnerships, transitively)."""
        closure: dict[str, set[str]] = {}
        for org_id in self.organisations:
            seen, todo = {org_id}, [org_id]
            while todo:
                current = self.organisations.get(todo.pop())
                for member in current.members if current else ():
                    if member not in seen:
                        seen.add(member)
                        todo.append(member)
            closure[org_id] = seen
        return closure

    @cached_property
    def _people_by_organisation(self) -> dict[str, list[Participant]]:
        index: dict[str, list[Participant]] = {}
        for person in self.participants.values():
            index.setdefault(person.organisation or "", []).append(person)
        return index

    def people_of(self, organisation_id: str) -> list[Participant]:
        """Everyone of an organisation, or of any organisation in a partnership."""
        orgs = self._members.get(organisation_id, {organisation_id})
        return [p for org in sorted(orgs) for p in self._people_by_organisation.get(org, [])]

    @cached_property
    def _invitees(self) -> dict[str, tuple[Participant, ...]]:
        result = {}
        for meeting in self.meetings.values():
            rule = meeting.invited
            chosen: dict[str, Participant] = {}
            if rule.everyone:
                chosen.update(self.participants)
            for person in self.participants.values():
                if person.role in rule.roles:
                    chosen[person.id] = person
            for org in rule.organisations:
                chosen.update((p.id, p) for p in self.people_of(org))
            for pid in rule.participants:
                if pid in self.participants:
                    chosen[pid] = self.participants[pid]
            for pid in rule.except_:
                chosen.pop(pid, None)
            result[meeting.id] = tuple(sorted(chosen.values(), key=lambda p: p.id))
        return result

    def invitees(self, meeting: Meeting) -> tuple[Participant, ...]:
        """Everyone invited to a meeting, in id order."""
        return self._invitees[meeting.id]

    def organisation_name(self, participant: Participant) -> str:
        org = self.organisations.get(participant.organisation or "")
        return org.name if org else ""
