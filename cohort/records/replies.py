"""Who answered the invitation to a meeting: one file per meeting, `replies/<meeting>.yaml`.

    # Written by cohort replies import: the replies to 'bijeenkomst-1'
    # Change it with that command, not by hand: cohort never rewrites a file you wrote.
    {
      "meeting": "bijeenkomst-1",
      "replies": {
        "anna": {"answer": "declined", "stamp": "2024-02-10T09:12:00+00:00", "sequence": 1,
          "via": "calendar", "comment": "Ik ben die week op reis"},
        "bert": {"answer": "accepted", "stamp": "2024-02-11T14:00:00+00:00", "sequence": 1,
          "via": "hand"}
      }
    }

(each reply on one line in the file: YAML's flow style, which is also JSON, so thousands read
in milliseconds and a diff shows exactly whose answer changed).

`cohort replies import` writes the answers of calendar replies (iTIP REPLY, RFC 5546 §3.2.3)
here, `cohort replies set` an answer given by phone or in the corridor. Per person the latest
answer is kept: the one with the latest `stamp` (a reply's DTSTAMP, or the moment `replies set`
ran). `sequence` is the SEQUENCE of the version of the meeting they answered: an answer to a
version older than the meeting's last change of time, venue or status is outdated. These are
personal data: no page, feed or calendar cohort publishes shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from ..errors import Report, did_you_mean
from ..programme.model import Frozen, Programme
from ..programme.values import Id, Text
from . import store

FOLDER = "replies"

Answer = Literal["accepted", "declined", "tentative"]
ANSWERS: tuple[Answer, ...] = ("accepted", "declined", "tentative")


class Reply(Frozen):
    """One person's answer to the invitation to one meeting."""

    answer: Answer
    #: when they answered: the reply's DTSTAMP, or the moment it was set by hand
    stamp: AwareDatetime
    #: the SEQUENCE of the version of the meeting they answered
    sequence: int = Field(default=0, ge=0)
    via: Literal["calendar", "hand"] = "calendar"
    comment: Text | None = None


class Record(Frozen):
    """The replies to one meeting, by participant id."""

    meeting: Text
    replies: dict[Id, Reply] = {}


#: A replies file as read: its record, where its values stand, whether cohort wrote it.
Stored = store.Stored[Record]


def path_of(folder: Path, meeting_id: str) -> Path:
    """The replies file of a meeting."""
    return folder / FOLDER / f"{meeting_id}.yaml"


def load_all(folder: Path, report: Report) -> dict[str, Stored]:
    """Every replies file of a programme, by meeting id; problems go to `report`."""

    def read(path: Path, model: type[Record], report: Report) -> Stored:
        return store.read_flow(path, model, report, "replies")

    return store.per_meeting(folder / FOLDER, Record, report, "the replies", read)


def check(programme: Programme, found: dict[str, Stored], report: Report) -> None:
    """Replies files that do not fit the programme: an unknown meeting is an error; a reply of
    someone no longer in the programme is a warning (it counts for nobody)."""
    for meeting_id, item in found.items():
        assert item.record is not None
        if meeting_id not in programme.meetings:
            report.error(
                item.positions.at(("meeting",)),
                f"unknown meeting '{meeting_id}'",
                did_you_mean(meeting_id, programme.meetings) or "",
                code="unknown-id",
            )
            continue
        if item.path.stem != meeting_id:
            report.warning(
                item.positions.at(("meeting",)),
                f"the replies to '{meeting_id}' are in {item.path.name}",
                f"rename it to {meeting_id}.yaml",
                code="misnamed-record",
            )
        for pid in item.record.replies:
            if pid not in programme.participants:
                report.warning(
                    item.positions.at(("replies", pid), key=True),
                    f"a reply of '{pid}', who is not a participant (any more); it counts for "
                    "nobody",
                    did_you_mean(pid, programme.participants) or "",
                    code="unknown-id",
                )


def all_replies(folder: Path) -> dict[str, dict[str, Reply]]:
    """The replies of every meeting (meeting id -> participant id -> reply), as a command that
    already checked the programme reads them (damaged files are left out: `validate` names
    them)."""
    return {
        mid: dict(item.record.replies)
        for mid, item in load_all(folder, Report()).items()
        if item.record is not None
    }


def save(folder: Path, meeting_id: str, replies: dict[str, Reply], command: str) -> bool:
    """Write the replies of a meeting, one person a line in id order (YAML's flow style, which
    JSON reads at once; see `store.flow`); False when the file held exactly this already.
    Raises CohortError rather than rewrite a file cohort did not write."""
    head = store.header(command, f"the replies to '{meeting_id}'")
    entries = {pid: _dump(replies[pid]) for pid in sorted(replies)}
    text = store.flow(head, {"meeting": meeting_id}, "replies", entries)
    return store.write_text(path_of(folder, meeting_id), text, programme_folder=folder)


def _dump(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {
        "answer": reply.answer,
        "stamp": reply.stamp.isoformat(),
        "sequence": reply.sequence,
        "via": reply.via,
    }
    if reply.comment:
        out["comment"] = reply.comment
    return out
