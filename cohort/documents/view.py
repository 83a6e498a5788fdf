"""One view of a meeting, built in one place, that every document uses.

Calendars, e-mails, agendas, sign-in sheets, the site, the schedule and the report all show the
same things about a meeting: its times in words, its venue and address, its themes, agenda and
speakers, how to join. `Views` builds each meeting's `MeetingView` once per language, so a new
field is added here and every output agrees. Views are plain frozen data (strings, dates,
tuples of further views): templates get these, never the programme's model, so a template can
read what a meeting shows and nothing else.

This is also the one place where a text given per language (`title: {nl: .., fr: ..}`, see
`values.LocalText`) becomes the reader's: every text a view holds is in the language of its
`Views`, else the programme's, else any given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import quote_plus

from ..i18n import Texts
from ..programme.model import Meeting, Participant, Programme, Theme, Venue
from ..programme.resolved import ResolvedItem, resolve
from ..programme.values import in_language
from .names import first_name


def texts_for(programme: Programme, language: str | None = None) -> Texts:
    """The words and formats for a programme's outputs: its language (or `language`, a
    participant's own) with the conventions of its country (nl_BE, fr_BE, ...)."""
    return Texts(language or programme.language.value, programme.home_country)


def language_of(programme: Programme, person: Participant | None) -> str:
    """The language someone reads: their own, else the programme's (a code: nl, en, fr)."""
    if person is not None and person.language is not None:
        return person.language.value
    return programme.language.value


@dataclass(frozen=True)
class Contact:
    """Someone to write to: the organiser."""

    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Links:
    """The programme's links: website, registration form, contact page."""

    website: str | None
    registration: str | None
    contact: str | None


@dataclass(frozen=True)
class ProgrammeView:
    """What a document says about the programme itself."""

    id: str
    title: str
    description: str | None
    language: str
    timezone: str
    organiser: Contact
    links: Links


@dataclass(frozen=True)
class PersonView:
    """A participant as a document names them (no e-mail address: a document that needs one
    takes it from the model, where it must). `first_name` is what a letter greets them by:
    their own `first_name`, else the first name read from their name where that is safe (see
    `first_name`), else None (greet by `name`)."""

    id: str
    name: str
    organisation: str
    role: str
    role_label: str
    language: str
    first_name: str | None = None


@dataclass(frozen=True)
class VenueView:
    """A venue as documents show it, with its full address and a map link."""

    id: str
    name: str
    address: str | None  # the street
    postcode: str | None
    city: str | None
    country: str | None
    full_address: str  # street, postcode and city on one line ('' for an online venue)
    accessibility: str | None
    directions: str | None
    parking: str | None
    online: bool
    capacity: int | None
    host: str  # the host organisation's name, or ''
    coordinates: tuple[float, float] | None
    map_url: str | None  # OpenStreetMap at the venue


@dataclass(frozen=True)
class ThemeView:
    """A theme of a meeting; as text, its title (so `themes|join(", ")` in a template reads as
    it did when themes were titles)."""

    id: str
    title: str
    description: str | None

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class PanelistView:
    """Someone on a panel: their name, organisation and what they know about; as text, their
    name."""

    name: str
    organisation: str
    expertise: str | None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class AgendaItemView:
    """An item of a meeting's agenda, with its speaker's name, its panel and its room. A list
    of names comes as the list and as one text, joined as the reader's language joins a list
    ('An, Bert en Chris': `Texts.names`), so every document writes it alike."""

    time: dt.time | None
    title: str
    speaker: str | None  # a participant's name, or the text as written, or `panel_text`
    description: str | None
    room: str | None = None  # the room or track of an item in parallel
    panel: tuple[PanelistView, ...] = ()
    speaker_ids: tuple[str, ...] = ()  # the participants who speak (their own invitation says so)
    panel_ids: tuple[str, ...] = ()  # the participants on its panel, in the order of `panel`
    panel_text: str = ""  # the panel's names in one text ('' without a panel)


@dataclass(frozen=True)
class AgendaSlot:
    """A time on the agenda: one item, or items in parallel (each with its room or track),
    which a printed agenda sets side by side."""

    time: dt.time | None
    items: tuple[AgendaItemView, ...]
    parallel: bool = False  # more than one item


def slots_of(agenda: tuple[AgendaItemView, ...]) -> tuple[AgendaSlot, ...]:
    """The agenda by time: items with a room at the time of the item with a room just before
    them run in parallel with it; every other item is a slot of its own."""
    slots: list[AgendaSlot] = []
    for item in agenda:
        last = slots[-1] if slots else None
        if last is not None and item.room and last.items[-1].room and item.time == last.time:
            slots[-1] = AgendaSlot(last.time, (*last.items, item), parallel=True)
        else:
            slots.append(AgendaSlot(item.time, (item,)))
    return tuple(slots)


@dataclass(frozen=True)
class GroupView:
    """A group of a meeting as formed: its name ('Tafel 2') and its members (names only:
    no e-mail address, so any document may show it)."""

    name: str
    number: int  # from 1
    members: tuple[str, ...]  # names, in the order of the groups file
    ids: tuple[str, ...]  # the members' ids, for finding someone's group


@dataclass(frozen=True)
class MeetingView:
    """A meeting as every document shows it, in one language.

    Times are aware datetimes in the programme's time zone; `when` is the date and time in
    words ('donderdag 22 februari 2024, 19:00–20:30'), `when_at` the same for a sentence
    ('... van 19:00 tot 20:30'), `dates` the day (or days) alone, `time` the times alone.
    Themes and speakers come as lists and as one text each, joined as the reader's language
    joins a list ('Publieksbereik en Innovatie': `Texts.names`): every document, calendar and
    e-mail writes `themes_text`, never a join of its own.
    """

    id: str
    title: str
    kind: str  # the model's value, e.g. 'work-session'
    kind_label: str  # in the reader's language
    status: str
    status_label: str
    cancelled: bool
    description: str | None
    preparation: str | None  # what to read, bring or think about beforehand
    phone: str | None  # a number to call on the day: the meeting's, else the organiser's
    private: bool  # only its invitees may see it: never on the site or the programme feed
    day: dt.date
    last_day: dt.date
    all_day: bool
    starts_at: dt.datetime
    ends_at: dt.datetime
    when: str
    when_at: str
    dates: str
    time: str
    venue: VenueView | None
    location: str  # one line: the venue's name and address, or the join link
    place: str  # short: 'De Zaal, Gent', 'Meet (online)', 'online', 'venue to be announced'
    join_url: str | None
    themes: tuple[ThemeView, ...]
    themes_text: str  # the themes' titles in one text ('' without themes)
    agenda: tuple[AgendaItemView, ...]
    slots: tuple[AgendaSlot, ...]  # the agenda by time, items in parallel together
    speakers: tuple[str, ...]  # everyone the agenda names (speakers, panels), once, in order
    speakers_text: str  # `speakers` in one text ('' when the agenda names no one)
    registration_deadline: dt.date | None
    capacity: int | None
    link: str | None  # for a QR code: the join link, else the programme's website
    groups: tuple[GroupView, ...] = ()  # as formed (groups/<meeting>.yaml), else none

    def group_of(self, person_id: str) -> GroupView | None:
        """The group someone sits in at this meeting, if any."""
        return next((g for g in self.groups if person_id in g.ids), None)


def map_url(venue: Venue, full_address: str | None = None) -> str | None:
    """OpenStreetMap at a venue: by its coordinates, or a search for its address (as the
    reader reads it, `full_address`, else as written)."""
    if venue.online:
        return None
    if venue.coordinates is not None:
        lat, lon = venue.coordinates
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    shown = venue.full_address if full_address is None else full_address
    address = ", ".join(p for p in (shown, venue.country) if p)
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


class Views:
    """The views of one programme in one language, each built once and reused."""

    def __init__(self, programme: Programme, texts: Texts) -> None:
        self.programme = programme
        self.texts = texts
        self._meetings: dict[str, MeetingView] = {}
        self._venues: dict[str, VenueView] = {}

    def text(self, value: str) -> str:
        """A text of the programme in this language (see `values.LocalText`)."""
        return in_language(value, self.texts.language)

    def maybe(self, value: str | None) -> str | None:
        """An optional text of the programme in this language."""
        return None if value is None else in_language(value, self.texts.language)

    @cached_property
    def programme_view(self) -> ProgrammeView:
        p = self.programme
        return ProgrammeView(
            id=p.id,
            title=self.text(p.title),
            description=self.maybe(p.description),
            language=self.texts.language,
            timezone=p.timezone,
            organiser=Contact(self.text(p.organiser.name), p.organiser.email, p.organiser.phone),
            links=Links(p.links.website, p.links.registration, p.links.contact),
        )

    def organisation(self, person: Participant) -> str:
        """The name of someone's organisation in this language ('' when none)."""
        return self.text(self.programme.organisation_name(person))

    def person(self, person: Participant) -> PersonView:
        return PersonView(
            id=person.id,
            name=person.name,
            organisation=self.organisation(person),
            role=person.role.value,
            role_label=self.texts.role(person.role),
            language=language_of(self.programme, person),
            first_name=person.first_name or first_name(person.name),
        )

    def venue(self, venue: Venue) -> VenueView:
        if venue.id not in self._venues:
            host = self.programme.organisations.get(venue.host or "")
            address, city = self.maybe(venue.address), self.maybe(venue.city)
            place = " ".join(p for p in (venue.postcode, city) if p)
            # as Venue.full_address, in this language
            full_address = "" if venue.online else ", ".join(p for p in (address, place) if p)
            self._venues[venue.id] = VenueView(
                id=venue.id,
                name=self.text(venue.name),
                address=address,
                postcode=venue.postcode,
                city=city,
                country=venue.country,
                full_address=full_address,
                accessibility=self.maybe(venue.accessibility),
                directions=self.maybe(venue.directions),
                parking=self.maybe(venue.parking),
                online=venue.online,
                capacity=venue.capacity,
                host=self.text(host.name) if host else "",
                coordinates=(venue.coordinates.lat, venue.coordinates.lon)
                if venue.coordinates
                else None,
                map_url=map_url(venue, full_address),
            )
        return self._venues[venue.id]

    def theme(self, theme: Theme) -> ThemeView:
        """A theme in this language."""
        return ThemeView(theme.id, self.text(theme.title), self.maybe(theme.description))

    def meeting(self, meeting: Meeting) -> MeetingView:
        if meeting.id not in self._meetings:
            self._meetings[meeting.id] = self._build(meeting)
        return self._meetings[meeting.id]

    def _build(self, meeting: Meeting) -> MeetingView:
        p, texts = self.programme, self.texts
        starts, ends = p.starts_at(meeting), p.ends_at(meeting)
        # what the meeting names by id: the publication fingerprint covers the same
        resolved = resolve(p, meeting)
        shown = self.venue(resolved.venue) if resolved.venue is not None else None
        join_url = p.join_url(meeting)
        agenda = tuple(self._item(item) for item in resolved.items)
        themes = tuple(self.theme(t) for t in resolved.themes)
        speakers = tuple(dict.fromkeys(name for r in resolved.items for name in self._names(r)))
        place = _place(shown, bool(meeting.join_url), texts)
        dates = texts.date(meeting.date)
        if meeting.end_date and meeting.end_date != meeting.date:
            dates = f"{dates} – {texts.date(meeting.end_date)}"
        return MeetingView(
            id=meeting.id,
            title=self.text(meeting.title),
            kind=meeting.kind.value,
            kind_label=texts.kind(meeting.kind),
            status=meeting.status.value,
            status_label=texts.status(meeting.status),
            cancelled=meeting.cancelled,
            description=self.maybe(meeting.description),
            preparation=self.maybe(meeting.preparation),
            phone=meeting.phone or p.organiser.phone,
            private=meeting.private,
            day=meeting.date,
            last_day=meeting.last_date,
            all_day=meeting.all_day,
            starts_at=starts,
            ends_at=ends,
            when=texts.period(starts, ends, meeting.all_day),
            when_at=texts.period(starts, ends, meeting.all_day, at=True),
            dates=dates,
            time=texts.time_range(starts, ends, meeting.all_day),
            venue=shown,
            location=_location(shown, join_url),
            place=place,
            join_url=join_url,
            themes=themes,
            themes_text=texts.names(themes),
            agenda=agenda,
            slots=slots_of(agenda),
            speakers=speakers,
            speakers_text=texts.names(speakers),
            registration_deadline=meeting.registration_deadline,
            capacity=meeting.capacity,
            link=join_url or p.links.website,
            groups=self._groups(meeting),
        )

    def _item(self, resolved: ResolvedItem) -> AgendaItemView:
        item = resolved.item
        panel = tuple(
            PanelistView(x.name, self.organisation(x), self.maybe(x.expertise))
            for x in resolved.panel
        )
        panel_text = self.texts.names(panel)
        named = self._speaker(resolved)
        speakers = (resolved.speaker.id,) if resolved.speaker else ()
        panel_ids = tuple(x.id for x in resolved.panel)
        return AgendaItemView(
            time=item.time,
            title=self.text(item.title),
            speaker=named or panel_text or None,
            description=self.maybe(item.description),
            room=self.maybe(item.room),
            panel=panel,
            speaker_ids=(*speakers, *panel_ids),
            panel_ids=panel_ids,
            panel_text=panel_text,
        )

    def _speaker(self, resolved: ResolvedItem) -> str | None:
        """Who speaks at an item, by name: the participant it names, else its text as written."""
        if resolved.speaker is not None:
            return resolved.speaker.name
        return self.maybe(resolved.item.speaker)

    def _names(self, resolved: ResolvedItem) -> list[str]:
        """Everyone an item names: its speaker, then its panel, one by one."""
        speaker = self._speaker(resolved)
        return [*([speaker] if speaker else []), *(x.name for x in resolved.panel)]

    def _groups(self, meeting: Meeting) -> tuple[GroupView, ...]:
        """The groups as formed, each named in this language: a group that bears the name
        cohort gives it (`MeetingGroups.name_of`, in the programme's language, as the groups
        file keeps it) is named so in this language ('Tafel 2' -> 'Table 2', 'Groep 2' ->
        'Groupe 2'); a name the facilitator gave it in the file stands (per language, when
        given so)."""
        spec = meeting.groups
        if spec is None:
            return ()
        people = self.programme.participants
        own, language = self.programme.language.value, self.texts.language
        return tuple(
            GroupView(
                spec.name_of(n, language)
                if str(g.name) == spec.name_of(n, own)
                else in_language(g.name, language),
                n,
                tuple(people[i].name if i in people else i for i in g.members),
                g.members,
            )
            for n, g in enumerate(spec.formed, start=1)
        )


def _location(venue: VenueView | None, join_url: str | None) -> str:
    """Where, on one line (as `publication.location`, in the view's language): the venue's
    name and full address, or the join link."""
    if venue is None:
        return join_url or ""
    if venue.online:
        return join_url or venue.name
    return ", ".join(part for part in (venue.name, venue.full_address) if part)


def _place(venue: VenueView | None, join_url: bool, texts: Texts) -> str:
    """Where a meeting is, in a few words, for a table."""
    _ = texts.gettext
    if venue is None:
        return _("online") if join_url else _("venue to be announced")
    if venue.online:
        online = _("online")
        # a name that says it already ('Online via Teams') is not told twice
        return (
            venue.name if online.casefold() in venue.name.casefold() else f"{venue.name} ({online})"
        )
    return ", ".join(x for x in (venue.name, venue.city) if x)


def rotation_of(programme: Programme, texts: Texts) -> list[Rotation]:
    """Venues in order of first use, with their host and the dates they receive the group
    (cancelled meetings left out)."""
    views = Views(programme, texts)
    seen: dict[str, Rotation] = {}
    for m in programme.chronological():
        venue = programme.venue_of(m)
        if venue is None or m.cancelled:
            continue
        if venue.id not in seen:
            shown = views.venue(venue)
            seen[venue.id] = Rotation(
                id=venue.id,
                venue=shown.name,
                city=shown.city or (texts.gettext("online") if venue.online else ""),
                host=shown.host,
                dates=(),
            )
        rotation = seen[venue.id]
        seen[venue.id] = replace(rotation, dates=(*rotation.dates, texts.date(m.date, "medium")))
    return list(seen.values())


@dataclass(frozen=True)
class Rotation:
    """A venue in the rotation: who hosts it and the dates it receives the group."""

    id: str
    venue: str
    city: str
    host: str
    dates: tuple[str, ...]
