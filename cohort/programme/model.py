"""The programme model: what a programme folder means, typed and frozen.

The YAML layout mirrors these classes one to one, so that a validation error maps back to the
line it came from. Collections (organisations, participants, venues, themes, meetings) are
mappings keyed by id: the id is the key, each entry is short, and a diff shows who changed.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from ..languages import Language
from .certificates import Certificates
from .choices import Kind as Kind
from .choices import Role as Role
from .choices import Status as Status
from .choices import Visibility as Visibility
from .groups import GroupRules, MeetingGroupsField
from .planning import Planning
from .registration import Registration
from .values import (
    CoordinatesField,
    Count,
    Country,
    Date,
    Duration,
    Email,
    Flag,
    Id,
    LocalText,
    LocalTextField,
    NonEmptyLocalText,
    NonEmptyText,
    Text,
    Time,
    TimeZoneName,
    Url,
    one_or_many,
)

COLLECTIONS = ("organisations", "participants", "venues", "themes", "meetings")


class Frozen(BaseModel):
    """The base of every model: frozen, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


# Lists where a single item may be written without brackets (`themes: intro`).
Ids = Annotated[tuple[Id, ...], BeforeValidator(one_or_many, json_schema_input_type=Id | list[Id])]
Kinds = Annotated[
    tuple[Kind, ...], BeforeValidator(one_or_many, json_schema_input_type=Kind | list[Kind])
]
Roles = Annotated[
    tuple[Role, ...], BeforeValidator(one_or_many, json_schema_input_type=Role | list[Role])
]
Languages = Annotated[
    tuple[Language, ...],
    BeforeValidator(one_or_many, json_schema_input_type=Language | list[Language]),
]
Durations = Annotated[
    tuple[Duration, ...],
    BeforeValidator(one_or_many, json_schema_input_type=Duration | list[Duration]),
]
FileNames = Annotated[
    tuple[Text, ...], BeforeValidator(one_or_many, json_schema_input_type=Text | list[Text])
]


class Person(Frozen):
    """Someone to write to, such as the organiser."""

    name: NonEmptyLocalText
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

    def binds(self, role: Role) -> bool:
        """Whether the rule holds someone of `role` to it: a role it names that is not staff
        (facilitators, organisers and experts run the programme: they are never held)."""
        return role in self.roles and not role.staff


class RepliesRule(Frozen):
    """What the invitees' calendar replies mean for the programme (`replies:`): `declined:
    excused` records someone who declined a meeting before it began as excused, not absent,
    when their attendance is recorded (unless they came after all)."""

    declined: Literal["excused", "absent"] = "absent"


class Links(Frozen):
    """The programme's links: website, registration form, contact page."""

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
    """An organisation taking part; a partnership lists its partners as members."""

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyLocalText
    kind: LocalTextField | None = None
    city: LocalTextField | None = None
    website: Url | None = None
    members: Ids = ()
    description: LocalTextField | None = None


class Participant(Frozen):
    """Someone taking part: name (and the first name a letter greets them by, when the first
    word of their name is not it), e-mail, organisation, role and language."""

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyText
    first_name: NonEmptyText | None = None
    email: Email | None = None
    organisation: Id | None = None
    role: Role = Role.participant
    expertise: LocalTextField | None = None  # what an expert on a panel knows about, for the agenda
    language: Language | None = None
    profile: dict[Id, Text] = {}  # values the programme's groups balance: {experience: starter}


class Venue(Frozen):
    """A place to meet: a street address and city, or a join link for an online venue."""

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    name: NonEmptyLocalText
    address: LocalTextField | None = None
    postcode: Text | None = None
    city: LocalTextField | None = None
    country: Country | None = None
    coordinates: CoordinatesField | None = None
    capacity: Count | None = None
    accessibility: LocalTextField | None = None
    directions: LocalTextField | None = None
    parking: LocalTextField | None = None
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
    """A theme that meetings are about."""

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    title: NonEmptyLocalText
    description: LocalTextField | None = None


class AgendaItem(Frozen):
    """An item of a meeting's agenda: when, what, who speaks (or which panel of participants),
    and the room or track when items run in parallel."""

    time: Time | None = None
    title: NonEmptyLocalText
    speaker: LocalTextField | None = None
    panel: Ids = ()  # participant ids: a panel of experts, each shown with their expertise
    room: LocalTextField | None = (
        None  # a room or track: items at one time with a room run in parallel
    )
    description: LocalTextField | None = None


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
    """A meeting of the programme: what, when, where, who is invited."""

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    title: NonEmptyLocalText
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
    description: LocalTextField | None = None
    preparation: LocalTextField | None = None
    phone: Text | None = None
    visibility: Visibility | None = None
    agenda: tuple[AgendaItem, ...] = ()
    invited: InvitedField = Invited(everyone=True)
    capacity: Count | None = None
    registration_deadline: Date | None = None
    join_url: Url | None = None
    groups: MeetingGroupsField | None = None

    @model_validator(mode="after")
    def _times(self) -> Meeting:
        if self.all_day:
            if self.start or self.end or self.duration:
                raise ValueError("an all-day meeting has no start, end or duration; remove them")
        elif self.start is None:
            raise ValueError("a meeting needs a start time (start: '19:00'), or 'all_day: true'")
        elif self.end is None and self.duration is None:
            raise ValueError("a meeting needs an end time (end: '20:30') or a duration (1h30)")
        elif self.end is not None and self.duration is not None:
            raise ValueError("give either an end time or a duration, not both")
        return self

    @property
    def cancelled(self) -> bool:
        return self.status is Status.cancelled

    @property
    def private(self) -> bool:
        """Whether only its invitees may see the meeting: `visibility: private`, or a coaching
        session that does not say `visibility: public` (a one-to-one conversation is nobody
        else's business). Private meetings stay off the public site and the programme feed."""
        if self.visibility is not None:
            return self.visibility is Visibility.private
        return self.kind is Kind.coaching

    def starts_in(self, zone: ZoneInfo) -> dt.datetime:
        """The start as an aware datetime in `zone`, the programme's time zone (midnight if
        all day). A meeting has no time zone of its own: `Programme.starts_at` gives it one."""
        return dt.datetime.combine(self.date, self.start or dt.time(0), zone)

    def ends_in(self, zone: ZoneInfo) -> dt.datetime:
        """The end as an aware datetime in `zone`; for all-day meetings the (exclusive) next
        midnight. A duration is counted in real time, so one over a DST change stays exact."""
        last = self.end_date or self.date
        if self.all_day:
            return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
        if self.end is not None:
            return dt.datetime.combine(last, self.end, zone)
        assert self.duration is not None
        utc = self.starts_in(zone).astimezone(dt.UTC) + self.duration
        return utc.astimezone(zone)

    @property
    def last_date(self) -> dt.date:
        return self.end_date or self.date


class Programme(Frozen):
    """A whole programme: its description and the five collections, all keyed by id."""

    include: FileNames = ()
    id: Id
    title: NonEmptyLocalText
    description: LocalTextField | None = None
    language: Language = Language.nl
    languages: Languages = ()  # of the site and agendas, besides `language`: `published_in`
    timezone: TimeZoneName = "Europe/Brussels"
    country: Country | None = None
    organiser: Person
    attendance: AttendanceRule | None = None
    links: Links = Links()
    calendar: Calendar = Calendar()
    planning: Planning | None = None
    groups: GroupRules = GroupRules()
    certificates: Certificates = Certificates()
    registration: Registration = Registration()
    replies: RepliesRule = RepliesRule()
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

    @cached_property
    def published_in(self) -> tuple[str, ...]:
        """The languages of the site, its feeds and the agendas: `language`, then those of
        `languages:`; without it, those participants read that the `title` is given in."""
        titled = self.title.by_language if isinstance(self.title, LocalText) else {}
        read = {p.language for p in self.participants.values() if p.language} & set(titled)
        chosen = set(self.languages or read) - {self.language}
        return (self.language.value, *(x.value for x in Language if x in chosen))

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

    def starts_at(self, meeting: Meeting) -> dt.datetime:
        """When a meeting starts, as an aware datetime in the programme's time zone."""
        return meeting.starts_in(self.zone)

    def ends_at(self, meeting: Meeting) -> dt.datetime:
        """When a meeting ends (for all-day meetings: the next midnight, exclusive)."""
        return meeting.ends_in(self.zone)

    def chronological(self) -> list[Meeting]:
        """Meetings in the order they happen (ties by id, so the order is stable)."""
        return sorted(self.meetings.values(), key=lambda m: (self.starts_at(m), m.id))

    def themes_of(self, meeting: Meeting) -> tuple[Theme, ...]:
        """The themes of a meeting, in the order it lists them (unknown ids left out: the
        checks report them)."""
        return tuple(self.themes[t] for t in meeting.themes if t in self.themes)

    def speaker_of(self, item: AgendaItem) -> str | None:
        """Who speaks at an agenda item: a participant's name when `speaker` is a participant
        id, else the text as written ('Expertenpanel')."""
        if item.speaker is None:
            return None
        person = self.participants.get(item.speaker)
        return person.name if person is not None else item.speaker

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
        # every meeting of 'everyone' shares one tuple: 500 meetings of 10,000 people each
        # would otherwise cost 5 million sorted entries (issue 17)
        everyone = tuple(sorted(self.participants.values(), key=lambda p: p.id))
        by_role: dict[Role, list[Participant]] = {}
        for person in everyone:
            by_role.setdefault(person.role, []).append(person)
        result = {}
        for meeting in self.meetings.values():
            rule = meeting.invited
            if rule.everyone:
                excluded = set(rule.except_)
                result[meeting.id] = (
                    tuple(p for p in everyone if p.id not in excluded) if excluded else everyone
                )
                continue
            chosen: dict[str, Participant] = {}
            for role in rule.roles:
                chosen.update((p.id, p) for p in by_role.get(role, ()))
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
