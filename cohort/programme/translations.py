"""Texts a participant reads in another language than they asked for: a participant who reads
French, in a Dutch programme, gets a French e-mail and agenda around the programme's own texts
(preparation, agenda, route) wherever no French version is given. That fallback is by design
(a text written once is in the programme's language); the facilitator is told once, per
language, which texts fall back, so they can give them per language (`{nl: …, fr: …}`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from ..errors import Location, Report
from ..languages import ENGLISH_NAMES
from .model import Meeting, Participant, Programme
from .values import LocalText

At = Callable[..., Location]


def check(programme: Programme, active: list[Meeting], at: At, report: Report) -> None:
    """For each language some invitee reads other than the programme's, one warning (at the
    first such reader's `language:`) naming the texts they receive without a version in it:
    each meeting's description, preparation and agenda, its themes, and its venue's
    accessibility, directions and parking."""
    own = programme.language.value
    readers: dict[str, dict[str, Participant]] = defaultdict(dict)
    meetings: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in active:
        languages = set()
        for person in programme.invitees(meeting):
            if person.language is not None and person.language.value != own:
                readers[person.language.value][person.id] = person
                languages.add(person.language.value)
        for language in languages:
            meetings[language].append(meeting)
    for language, people in sorted(readers.items()):
        missing = _missing(programme, meetings[language], language)
        if missing:
            _warn(programme, language, list(people.values()), missing, at, report)


def _lacks(text: str | None, language: str) -> bool:
    """Whether a text given has no version in `language` (a plain text is the programme's)."""
    if not text:
        return False
    return not isinstance(text, LocalText) or not text.by_language.get(language)


def _missing(programme: Programme, meetings: list[Meeting], language: str) -> dict[str, list[str]]:
    """What has no version in `language`, as {what: [ids]} in the order first met."""
    found: dict[str, list[str]] = {}
    for meeting in meetings:
        for what, ident, text in _texts(programme, meeting):
            ids = found.setdefault(what, []) if _lacks(text, language) else None
            if ids is not None and ident not in ids:
                ids.append(ident)
    return {what: ids for what, ids in found.items() if ids}


def _texts(programme: Programme, meeting: Meeting) -> Iterator[tuple[str, str, str | None]]:
    """The texts an invitee of `meeting` receives, as (what, whose id, text): its description,
    preparation and agenda (not its speakers: names, as people write them), its themes, its
    venue's accessibility, directions and parking."""
    yield "the description of", meeting.id, meeting.description
    yield "the preparation of", meeting.id, meeting.preparation
    for item in meeting.agenda:
        for text in (item.title, item.description, item.room):
            yield "the agenda of", meeting.id, text
    for tid in meeting.themes:
        theme = programme.themes.get(tid)
        if theme is not None:
            yield "the themes", tid, theme.title
    venue = programme.venues.get(meeting.venue or "")
    if venue is not None:
        yield "the accessibility of", venue.id, venue.accessibility
        yield "the directions to", venue.id, venue.directions
        yield "the parking at", venue.id, venue.parking


def _warn(
    programme: Programme,
    language: str,
    people: list[Participant],
    missing: dict[str, list[str]],
    at: At,
    report: Report,
) -> None:
    name = _english(language)
    first = people[0]
    who = (
        f"{first.name} ('{first.id}') reads {name}"
        if len(people) == 1
        else f"{len(people)} invitees read {name} ({_listed(p.id for p in people)})"
    )
    count = sum(len(ids) for ids in missing.values())
    parts = "; ".join(
        f"{'the theme' if what == 'the themes' and len(ids) == 1 else what} {_listed(ids)}"
        for what, ids in missing.items()
    )
    report.warning(
        at("participants", first.id, "language"),
        f"{who}, but {count} text(s) they receive have no {name} version and go out in "
        f"{_english(programme.language.value)}: {parts}",
        f"give them per language ({{{programme.language.value}: …, {language}: …}}), or leave "
        "them as they are",
        code="no-translation",
    )


def _listed(ids: Iterable[str], most: int = 6) -> str:
    """Ids quoted and joined; beyond `most`, how many more."""
    ids = list(ids)
    shown = ", ".join(f"'{i}'" for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _english(language: str) -> str:
    """A language's English name ('French'): cohort's own messages are English. From cohort's
    own three names: babel's English locale data, loaded for them, held 3 MB while the
    programme was checked (issue 17)."""
    return ENGLISH_NAMES.get(language, language)
