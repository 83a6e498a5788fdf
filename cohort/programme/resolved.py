"""A meeting with what it names by id looked up: its venue, its themes, and the people its
agenda names (each item's speaker and panel).

The view of a meeting (`documents.view`) looks these up here, and the publication fingerprint
(`planning.publication`) covers the same (`ResolvedMeeting.dump`), so the two cannot drift:
whatever a calendar shows of them moves the event's DTSTAMP when it changes (a panel member
renamed, a theme retitled, a venue's directions rewritten). What only printed agendas show
(the name of a panel member's organisation, a venue's host) is not covered: it is in no
calendar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import AgendaItem, Meeting, Participant, Programme, Theme, Venue

#: what documents show of a person an agenda names (`documents.view`): a speaker by name, a
#: panel member by name, organisation and expertise; not their address, role or language
PERSON_SHOWN = frozenset({"name", "organisation", "expertise"})


@dataclass(frozen=True)
class ResolvedItem:
    """An agenda item with its people: `speaker` when the item names a participant (else
    the item's `speaker` is a text, as written), `panel` the participants on its panel, in its
    order (unknown ids left out: the checks report them)."""

    item: AgendaItem
    speaker: Participant | None
    panel: tuple[Participant, ...]


@dataclass(frozen=True)
class ResolvedMeeting:
    """A meeting, its venue (None when it has none, or an unknown one), its themes in its
    order (unknown ids left out) and its agenda's items with their people."""

    meeting: Meeting
    venue: Venue | None
    themes: tuple[Theme, ...]
    items: tuple[ResolvedItem, ...]

    def dump(self) -> dict[str, Any]:
        """Everything here as JSON-able data, for a fingerprint (`records.published`); of the
        people, what documents show of them (`PERSON_SHOWN`)."""
        people = {
            person.id: person.model_dump(mode="json", include=PERSON_SHOWN)
            for item in self.items
            for person in (*((item.speaker,) if item.speaker else ()), *item.panel)
        }
        return {
            "meeting": self.meeting.model_dump(mode="json"),
            "venue": self.venue.model_dump(mode="json") if self.venue else None,
            "themes": {theme.id: theme.model_dump(mode="json") for theme in self.themes},
            "people": people,
        }


def resolve(programme: Programme, meeting: Meeting) -> ResolvedMeeting:
    """`meeting` with its venue, themes and agenda's people looked up in `programme`."""
    people = programme.participants
    return ResolvedMeeting(
        meeting=meeting,
        venue=programme.venue_of(meeting),
        themes=programme.themes_of(meeting),
        items=tuple(
            ResolvedItem(
                item,
                people.get(item.speaker) if item.speaker else None,
                tuple(people[i] for i in item.panel if i in people),
            )
            for item in meeting.agenda
        ),
    )
