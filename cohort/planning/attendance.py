"""`cohort attendance record` as one function: the marks the facilitator gives (ids on the
command line, or a filled-in sign-in sheet), and who their own answer excuses (they declined
before the meeting, where the programme counts that as excused: `replies.excused`), recorded
in the meeting's attendance file (`records.attendance.record`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..programme.model import Meeting, Programme
from ..records import attendance
from ..records.replies import all_replies
from . import replies


def record(
    folder: Path,
    programme: Programme,
    meeting: Meeting,
    *,
    present: list[str],
    excused: list[str],
    absent: list[str],
    visitors: list[str],
    sheet: Path | None,
    force: bool = False,
    today: dt.date | None = None,
) -> attendance.Recorded:
    """Record who came to `meeting`: the ids given per status and the visitors ("Name,
    Organisation"), or the marks of a filled-in `sheet` (never both); the invitees who declined
    in time are excused unless marked as having come.

    Raises UsageError when neither or both are given, CohortError as `attendance.record`
    (recording nothing)."""
    marks = attendance.marks_given(
        programme,
        meeting,
        present=present,
        excused=excused,
        absent=absent,
        visitors=visitors,
        sheet=sheet,
    )
    answers = all_replies(folder).get(meeting.id, {})
    return attendance.record(
        folder,
        programme,
        meeting,
        marks,
        force=force,
        today=today,
        excused_by_reply=replies.excused(programme, meeting, answers),
    )
