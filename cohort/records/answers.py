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

An option is a date, or a date and the start time the poll asked about. A participant who
answered the poll but not about a date has no answer for it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from ..errors import Location, Report
from ..programme.values import Id
from ..programme.yamlfile import Positions
from .store import Stored, header, read_record, write

ANSWERS_FILE = Path("planning") / "answers.yaml"

Answer = Literal["yes", "if-need-be", "no"]
ANSWERS: tuple[Answer, ...] = ("yes", "if-need-be", "no")


def parse_option(text: str) -> tuple[dt.date, dt.time | None]:
    """'2026-03-05' or '2026-03-05 19:00' as a date and an optional start time.

    Raises ValueError for anything else."""
    date, _, time = str(text).strip().partition(" ")
    day = dt.date.fromisoformat(date)
    return day, (dt.time.fromisoformat(time) if time else None)


def format_option(day: dt.date, time: dt.time | None) -> str:
    """The text of an option: ISO date, and the start time when the poll gave one."""
    return day.isoformat() + (f" {time:%H:%M}" if time else "")


def _option(value: Any) -> str:
    try:
        day, time = parse_option(str(value))
    except ValueError:
        raise ValueError(
            f"'{value}' is not a poll option; write a date, or a date and a time: "
            "2026-03-05 or 2026-03-05 19:00"
        ) from None
    return format_option(day, time)


Option = Annotated[str, BeforeValidator(_option)]


class Answers(BaseModel):
    """The imported answers of one poll: participant id -> option -> answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    tool: str
    options: tuple[Option, ...] = ()
    answers: dict[Id, dict[Option, Answer]] = {}

    def answer(self, participant: str, day: dt.date, start: dt.time | None) -> str | None:
        """What someone answered about a meeting on `day` starting at `start`: the answer for
        that time, else for the whole day; 'unasked' when they answered the poll but not about
        this day; None when they did not answer the poll."""
        theirs = self.answers.get(participant)
        if theirs is None:
            return None
        if start is not None:
            exact = theirs.get(format_option(day, start))
            if exact is not None:
                return exact
        whole = theirs.get(format_option(day, None))
        return whole if whole is not None else "unasked"


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
