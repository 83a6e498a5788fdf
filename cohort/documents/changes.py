"""What changed in a meeting since someone's last invitation, in their language, for an update
e-mail: 'Verplaatst van dinsdag 9 april naar donderdag 11 april.', 'Nouveau lieu : ...'.

The version they hold comes from the meeting's publication record (`records.published`: the
earlier versions of time, venue and status), so this is a pure function of that record.
"""

from __future__ import annotations

import datetime as dt

from ..i18n import Texts
from ..records.published import Published, Version


def bounds(start: str, end: str, all_day: bool) -> tuple[dt.datetime, dt.datetime]:
    """A published start and end (ISO text) as datetimes; days at midnight when all day."""
    if all_day:
        return (
            dt.datetime.combine(dt.date.fromisoformat(start), dt.time(0)),
            dt.datetime.combine(dt.date.fromisoformat(end), dt.time(0)),
        )
    return dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)


def changes(record: Published, held: int, where: str, texts: Texts) -> tuple[str, ...]:
    """Sentences that say what changed since the version someone holds (SEQUENCE `held`):
    the day, the time, the venue (`where`: the meeting's place now, in their language), the
    status. Empty when their version is unknown (see `Published.version_at`)."""
    before = record.version_at(held)
    if before is None:
        return ()
    return (
        *_moved(before, record, texts),
        *_new_venue(before, record, where, texts),
        *_confirmed(before, record, texts),
    )


def _moved(before: Version, now: Published, texts: Texts) -> list[str]:
    _ = texts.gettext
    old_start, old_end = bounds(before.start, before.end, before.all_day)
    new_start, new_end = bounds(now.start, now.end, now.all_day)
    out: list[str] = []
    if old_start.date() != new_start.date():
        same_year = old_start.year == new_start.year
        date = texts.day if same_year else texts.date
        out.append(
            texts.format(
                # Translators: a meeting moved to another day: 'Verplaatst van dinsdag 9 april
                # naar donderdag 11 april.'
                _("Moved from %(before)s to %(after)s."),
                before=date(old_start.date()),
                after=date(new_start.date()),
            )
        )
    old_times = (old_start.time(), old_end.time(), before.all_day)
    if not now.all_day and old_times != (new_start.time(), new_end.time(), now.all_day):
        out.append(
            texts.format(
                # Translators: the new start and end of a meeting: 'Nieuw tijdstip: van 19:00
                # tot 21:00.'
                _("New time: from %(start)s to %(end)s."),
                start=texts.time(new_start),
                end=texts.time(new_end),
            )
        )
    return out


def _new_venue(before: Version, now: Published, where: str, texts: Texts) -> list[str]:
    if before.location == now.location or not where:
        return []
    return [texts.format(texts.gettext("New venue: %(venue)s."), venue=where)]


def _confirmed(before: Version, now: Published, texts: Texts) -> list[str]:
    if before.status == now.status or now.status != "confirmed":
        return []
    return [texts.gettext("The meeting is now confirmed.")]
