"""What the invitees' answers mean: which answer stands, who has not answered, who counts as
excused. Pure functions over the programme and the replies records, so a table of cases tests
them.

- The latest answer wins (RFC 5546 §3.2.3: the organiser keeps the reply with the latest
  DTSTAMP); at the same stamp the more cautious answer stands (`order`), so the order messages
  are read in never matters, and importing the same mailbox twice changes nothing.
- An answer is *outdated* when it answered a version of the meeting older than its last change
  of time, venue or status (its SEQUENCE is below the meeting's revision, RFC 5546 §2.1.4): it
  is kept and shown, but the person counts as not having answered the meeting as it is now.
- Counts are over the meeting's current invitees only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..programme.model import Meeting, Programme
from ..records.replies import Reply

#: of two answers with the same stamp, the more cautious one stands (a regret is never lost)
_CAUTION = {"accepted": 0, "tentative": 1, "declined": 2}


def order(reply: Reply) -> tuple[dt.datetime, int, int, str]:
    """Where an answer stands among a person's answers to a meeting: by stamp; at the same
    stamp, an answer to a later version of the meeting, then the more cautious answer (declined
    over tentative over accepted), then its comment, so the answer kept never depends on the
    order messages are read in."""
    return (reply.stamp, reply.sequence, _CAUTION[reply.answer], reply.comment or "")


def newer(kept: Reply | None, incoming: Reply) -> bool:
    """Whether `incoming` replaces the answer `kept`: it comes later in `order` (an answer the
    same as the one kept changes nothing)."""
    return kept is None or order(incoming) > order(kept)


def outdated(reply: Reply, revision: int) -> bool:
    """Whether an answer is to a version older than the meeting's last significant change."""
    return reply.sequence < revision


@dataclass(frozen=True)
class Tally:
    """How the invitees of a meeting answered: counts of each answer, and of no (current)
    answer, among the invitees."""

    accepted: int = 0
    declined: int = 0
    tentative: int = 0
    unanswered: int = 0
    outdated: int = 0  # of the unanswered: who answered an older version

    def as_json(self) -> dict[str, int]:
        return {
            "accepted": self.accepted,
            "declined": self.declined,
            "tentative": self.tentative,
            "unanswered": self.unanswered,
        }


def current(
    programme: Programme, meeting: Meeting, replies: Mapping[str, Reply], revision: int
) -> dict[str, Reply]:
    """The answers that stand for a meeting: of its invitees, not outdated."""
    return {
        p.id: replies[p.id]
        for p in programme.invitees(meeting)
        if p.id in replies and not outdated(replies[p.id], revision)
    }


def tally(
    programme: Programme, meeting: Meeting, replies: Mapping[str, Reply], revision: int
) -> Tally:
    """Count a meeting's answers (see `Tally`); `revision` is the meeting's SEQUENCE at its last
    significant change (published.json), 0 before it was published."""
    standing = current(programme, meeting, replies, revision)
    invitees = [p.id for p in programme.invitees(meeting)]
    return Tally(
        accepted=sum(1 for r in standing.values() if r.answer == "accepted"),
        declined=sum(1 for r in standing.values() if r.answer == "declined"),
        tentative=sum(1 for r in standing.values() if r.answer == "tentative"),
        unanswered=len(invitees) - len(standing),
        outdated=sum(1 for pid in invitees if pid in replies and pid not in standing),
    )


def answered(
    programme: Programme, meeting: Meeting, replies: Mapping[str, Reply], revision: int
) -> frozenset[str]:
    """The invitees whose answer stands (a reminder with --unanswered skips them)."""
    return frozenset(current(programme, meeting, replies, revision))


def declined(replies: Mapping[str, Reply]) -> frozenset[str]:
    """Who declined (their latest answer), whatever the version: for places on a list."""
    return frozenset(pid for pid, r in replies.items() if r.answer == "declined")


def declined_before(
    programme: Programme, meeting: Meeting, replies: Mapping[str, Reply]
) -> frozenset[str]:
    """The invitees who declined before the meeting began (their latest answer)."""
    start = programme.starts_at(meeting)
    invited = {p.id for p in programme.invitees(meeting)}
    return frozenset(
        pid
        for pid, r in replies.items()
        if pid in invited and r.answer == "declined" and r.stamp < start
    )


def excused(programme: Programme, meeting: Meeting, replies: Mapping[str, Reply]) -> frozenset[str]:
    """Who counts as excused by their answer when attendance is recorded: those who declined
    before the meeting, when the programme says so (`replies: declined: excused`)."""
    if programme.replies.declined != "excused":
        return frozenset()
    return declined_before(programme, meeting, replies)


def stamp_of(moment: dt.datetime) -> dt.datetime:
    """A moment as answers keep it: in UTC, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def revisions(folder: Path) -> dict[str, int]:
    """Each published meeting's revision (published.json): the SEQUENCE of its last change of
    time, venue or status; a meeting not published yet is at 0."""
    from ..records.published import load_state

    return {mid: record.revision for mid, record in load_state(folder).meetings.items()}


def tallies(folder: Path, programme: Programme) -> dict[str, Tally] | None:
    """How each meeting's invitees answered (meeting id -> Tally); None when nobody answered
    anything yet (no replies records), so outputs without replies stay as they were."""
    from ..records.replies import all_replies

    found = all_replies(folder)
    if not found:
        return None
    revision = revisions(folder)
    return {
        m.id: tally(programme, m, found.get(m.id, {}), revision.get(m.id, 0))
        for m in programme.chronological()
    }


def standing(folder: Path, programme: Programme, meeting: Meeting) -> dict[str, Reply]:
    """The answers that stand for one meeting, read from the programme folder (see
    `current`)."""
    from ..records.replies import all_replies

    found = all_replies(folder).get(meeting.id, {})
    return current(programme, meeting, found, revisions(folder).get(meeting.id, 0))
