"""The schedule cohort chose: `planning/solution.yaml`, and the overlay through which every
command sees it.

`cohort schedule --solve --write` stores the dates (and venues) it chose for the meetings that
leave them open; the facilitator's YAML is never rewritten. When a programme is read, the
overlay `Planned` completes each open meeting from this file, so calendars, invitations and
the site all show the solved schedule, and a problem in it is reported at its own line:

    # Written by cohort schedule --solve: ...
    status: optimal
    objective: 240
    meetings:
      sessie-2:
        date: 2026-03-10
        venue: de-koer
        cannot_come: [anna]
        if_need_be: [bert]

A meeting whose `date:` is given in the YAML is pinned: the file never moves it, and gives it
only the venue it left open (an entry without `date:`). A meeting that still has no date (no
solution yet) gets a provisional one, is marked `unplanned`, and nothing is produced from the
programme until it is solved. `not_asked` are invitees who answered the poll but not about the
solved date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import Location, Report
from ..programme.load import Raw
from ..programme.values import Date, Id
from .store import Stored, header, read_record, write

SOLUTION_FILE = Path("planning") / "solution.yaml"


class SolvedMeeting(BaseModel):
    """What the solver chose for one meeting, and who could not come then (at solving time)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: Date | None = None
    venue: Id | None = None
    cannot_come: tuple[Id, ...] = ()
    if_need_be: tuple[Id, ...] = ()
    not_asked: tuple[Id, ...] = ()


class Solution(BaseModel):
    """A solved schedule: how good it is, and each open meeting's date (and venue)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: str
    objective: int = 0
    meetings: dict[Id, SolvedMeeting] = {}


def path_in(folder: Path) -> Path:
    """Where a programme keeps its solved schedule."""
    return folder / SOLUTION_FILE


def read(folder: Path, report: Report) -> Stored[Solution] | None:
    """The programme's solved schedule (None when there is none); problems go to `report`."""
    path = path_in(folder)
    if not path.exists():
        return None
    return read_record(path, Solution, report)


def store(folder: Path, solution: Solution) -> bool:
    """Write the solved schedule (False when the file held exactly this already)."""
    data: dict[str, Any] = {"status": solution.status, "objective": solution.objective}
    data["meetings"] = {
        mid: {
            key: (value.isoformat() if key == "date" else list(value) if key != "venue" else value)
            for key, value in meeting.model_dump().items()
            if value not in (None, ())
        }
        for mid, meeting in solution.meetings.items()
    }
    head = header("schedule --solve --write", "the dates and venues it chose")
    return write(path_in(folder), data, head)


def _open(entry: dict[str, Any], key: str) -> bool:
    return entry.get(key) in (None, "")


def _provisional(start: Any) -> str:
    """A date for a meeting still to be planned: the window's first day, or any valid day when
    that is not one (the planning block reports it; no meeting should repeat the error)."""
    try:
        return dt.date.fromisoformat(str(start)).isoformat()
    except ValueError:
        return "2000-01-01"


@dataclass
class Planned:
    """The overlay that completes open meetings (see the module's docstring).

    `proposal` is a solution not written yet (what `schedule --solve` shows); without it the
    overlay reads `planning/solution.yaml`."""

    proposal: Mapping[str, SolvedMeeting] | None = None

    def __call__(self, raw: Raw, report: Report) -> None:
        plan = raw.top.get("planning")
        if not isinstance(plan, dict):
            return
        solved, where = self._solved(raw, report)
        meetings = raw.collections.get("meetings", {})
        for mid, entry in meetings.items():
            if not isinstance(entry, dict):
                continue
            entry = meetings[mid] = dict(entry)
            self._times(raw, plan, mid, entry)
            chosen = solved.get(mid)
            if _open(entry, "date"):
                if chosen is None or chosen.date is None:
                    entry["date"] = _provisional(plan.get("from"))
                    raw.positions.values[("meetings", mid, "date")] = raw.positions.at(
                        ("meetings", mid), key=True
                    )
                    raw.unplanned.add(mid)
                    continue
                entry["date"] = chosen.date.isoformat()
                raw.positions.values[("meetings", mid, "date")] = where(mid, "date")
            if chosen is None:
                continue
            if chosen.venue and _open(entry, "venue") and _open(entry, "join_url"):
                entry["venue"] = chosen.venue
                raw.positions.values[("meetings", mid, "venue")] = where(mid, "venue")

    def _solved(self, raw: Raw, report: Report) -> tuple[Mapping[str, SolvedMeeting], Any]:
        if self.proposal is not None:
            here = raw.positions.at(("planning",), key=True)
            return self.proposal, lambda _mid, _key: here
        stored = read(raw.folder, report)
        if stored is None or stored.record is None:
            return {}, None
        raw.files.append(stored.path)
        positions = stored.positions

        def where(mid: str, key: str) -> Location:
            return positions.at(("meetings", mid, key))

        return stored.record.meetings, where

    @staticmethod
    def _times(raw: Raw, plan: dict[str, Any], mid: str, entry: dict[str, Any]) -> None:
        """A meeting without times takes the planning's start and end."""
        if not _open(entry, "start") or entry.get("all_day") not in (None, "false", "no"):
            return
        for key in ("start", "end"):
            wanted = key == "start" or _open(entry, "duration")
            if plan.get(key) is not None and wanted and _open(entry, key):
                entry[key] = plan[key]
                raw.positions.values[("meetings", mid, key)] = raw.positions.at(("planning", key))
