"""Who can come when: the answers of an availability poll, as cohort imported them.

`cohort poll import FILE` reads a poll's export (Framadate, Rallly, Nextcloud Polls, newdle,
Doodle) and writes `planning/answers.yaml`; the solver and `cohort validate` read it back:

    # Written by cohort poll import: ...
    source: polls/framadate.csv
    tool: framadate
    options: [2026-03-05 19:00, 2026-03-12 19:00]
    answers:
      anna:
        2026-03-05 19:00: yes
        2026-03-12 19:00: if-need-be

An option is a date, a date and the start time the poll asked about, or a date and a part of
the day (`morning`, `afternoon`, `evening`: a poll that asked "Matin" and "Après-midi"). A
participant who answered the poll but not about a date has no answer for it.

A meeting takes the answers of the option that fits it best on its day (`Answers.option_for`):
the option at its start time; else the poll's whole day; else the option nearest its start (a
part of the day that holds the start is nearest of all). So answers about 19:00 count for a
meeting at 13:30 on that day, rather than being ignored; the solver says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr

from ..errors import Location, Report
from ..programme.values import Id
from ..programme.yamlvalues import Positions
from .store import Stored, header, read_record, write

ANSWERS_FILE = Path("planning") / "answers.yaml"

Answer = Literal["yes", "if-need-be", "no"]
ANSWERS: tuple[Answer, ...] = ("yes", "if-need-be", "no")


#: The parts of a day a poll may ask about instead of a time, with the hours each covers
#: (from, until; minutes after midnight): a meeting starting within one is on that part.
PARTS: dict[str, tuple[int, int]] = {
    "morning": (0, 12 * 60),
    "afternoon": (12 * 60, 18 * 60),
    "evening": (18 * 60, 24 * 60),
}

Moment = dt.time | str | None


def parse_option(text: str) -> tuple[dt.date, Moment]:
    """'2026-03-05', '2026-03-05 19:00' or '2026-03-05 afternoon' as a date and its moment
    (a start time, a part of the day from PARTS, or None for the whole day).

    Raises ValueError for anything else."""
    date, _, moment = str(text).strip().partition(" ")
    day = dt.date.fromisoformat(date)
    moment = moment.strip()
    if not moment:
        return day, None
    if moment.lower() in PARTS:
        return day, moment.lower()
    return day, dt.time.fromisoformat(moment)


def format_option(day: dt.date, moment: Moment) -> str:
    """The text of an option: ISO date, and the start time or part of the day the poll gave."""
    if isinstance(moment, str):
        return f"{day.isoformat()} {moment}"
    return day.isoformat() + (f" {moment:%H:%M}" if moment else "")


def _option(value: Any) -> str:
    try:
        day, moment = parse_option(str(value))
    except ValueError:
        raise ValueError(
            f"'{value}' is not a poll option; write a date, a date and a time, or a date and "
            "morning, afternoon or evening: 2026-03-05, 2026-03-05 19:00, 2026-03-05 evening"
        ) from None
    return format_option(day, moment)


def _distance(moment: Moment, start: dt.time) -> int:
    """Minutes between a meeting's start and an option's moment (0 within a part of the day)."""
    minute = start.hour * 60 + start.minute
    if isinstance(moment, str):
        first, last = PARTS[moment]
        return 0 if first <= minute < last else min(abs(minute - first), abs(minute - last))
    assert moment is not None
    return abs(minute - (moment.hour * 60 + moment.minute))


Option = Annotated[str, BeforeValidator(_option)]


class Answers(BaseModel):
    """The imported answers of one poll: participant id -> option -> answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    tool: str
    options: tuple[Option, ...] = ()
    answers: dict[Id, dict[Option, Answer]] = {}
    _by_day: dict[dt.date, list[Moment]] | None = PrivateAttr(default=None)

    def option_for(self, day: dt.date, start: dt.time | None) -> tuple[str | None, bool]:
        """The option whose answers count for a meeting on `day` starting at `start` (None:
        all day), and whether it fits exactly (its time, its whole day, or the part of the day
        holding the start); (None, False) when the poll asked nothing about that day."""
        moments = self._days().get(day, [])
        if not moments:
            return None, False
        if None in moments:
            return format_option(day, None), True
        if start is None:  # an all-day meeting: the day's first moment, not exact
            return format_option(day, moments[0]), False
        best = min(moments, key=lambda m: (_distance(m, start), _minutes(m)))
        return format_option(day, best), _distance(best, start) == 0

    def answer(self, participant: str, day: dt.date, start: dt.time | None) -> str | None:
        """What someone answered about a meeting on `day` starting at `start` (see
        `option_for`); 'unasked' when they answered the poll but not about this day; None when
        they did not answer the poll."""
        theirs = self.answers.get(participant)
        if theirs is None:
            return None
        option, _ = self.option_for(day, start)
        if option is None:
            return "unasked"
        return theirs.get(option, "unasked")

    def days(self) -> list[dt.date]:
        """The days the poll asked about, in order."""
        return sorted(self._days())

    def _days(self) -> dict[dt.date, list[Moment]]:
        cached = self._by_day
        if cached is None:
            cached = {}
            texts = dict.fromkeys(self.options)
            for theirs in self.answers.values():
                texts.update(dict.fromkeys(theirs))
            for text in texts:
                day, moment = parse_option(text)
                cached.setdefault(day, []).append(moment)
            for moments in cached.values():
                moments.sort(key=_minutes)
            self._by_day = cached
        return cached


def _minutes(moment: Moment) -> int:
    if moment is None:
        return -1
    if isinstance(moment, str):
        return PARTS[moment][0]
    return moment.hour * 60 + moment.minute


def path_in(folder: Path) -> Path:
    """Where a programme keeps its answers."""
    return folder / ANSWERS_FILE


def read(folder: Path, report: Report) -> Stored[Answers] | None:
    """The programme's answers (None when no poll was imported); problems go to `report`."""
    path = path_in(folder)
    if not path.exists():
        return None
    return read_record(path, Answers, report)


def store(folder: Path, answers: Answers) -> bool:
    """Write the answers file (False when it held exactly this already)."""
    data = answers.model_dump()
    data["options"] = list(data["options"])
    head = header("poll import", f"the answers of {answers.source} ({answers.tool})")
    return write(path_in(folder), data, head)


def where(stored: Stored[Answers], participant: str, option: str) -> Location:
    """The line of one answer in the answers file (for warnings about it)."""
    positions: Positions = stored.positions
    return positions.at(("answers", participant, option))
