"""`cohort replies import` and `cohort replies set`: the invitees' answers into the replies
records (`records.replies`), from a mailbox or by hand.

Each calendar reply (see `planning.itip`) is matched to a meeting by its UID (the one cohort
gave the meeting in published.json; a UID of anything else, another organiser's event for one,
is refused) and to a participant by the ATTENDEE's address, else by the From address; an address
no participant has is reported, never guessed. An ATTENDEE of a participant in a message from
another address (neither From nor Sender) is listed to read, never recorded: anyone can write
someone else's address in a reply. A DTSTAMP ahead of the clock is refused. The latest answer
per person wins (DTSTAMP); an answer to an outdated version of the meeting is kept and said to
be outdated. Plain-text answers to cohort's invitations ("ik kan helaas niet") and proposals of
another time are listed for the facilitator, never read as answers. A decline frees the
person's place: a confirmed registration for the meeting is declined and the waiting list moves
on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, UsageError, did_you_mean
from ..planning.itip import Answer, Read, clean, read_message, too_large
from ..planning.publication import uid as uid_of
from ..planning.registering import moment, replied
from ..planning.replies import newer, outdated, stamp_of, tally
from ..programme.model import Programme
from ..records.published import load_state
from ..records.published import now as clock
from ..records.replies import Reply, all_replies, save
from ..records.workspace import Checked, load_checked
from .mailbox import is_imap, messages

#: the kinds of message cohort writes (see `documents.invitations`): a plain-text answer
#: refers to one of them
_KINDS = ("invitation", "update", "reminder", "cancellation")
#: how far a reply's DTSTAMP may lie ahead of this computer's clock (clocks differ a little)
SKEW = dt.timedelta(minutes=15)


@dataclass
class Imported:
    """What an import or a `set` did: lines for standard output; notes for the facilitator
    (refused messages, unknown addresses, outdated answers, texts to read), for standard
    error; the programme's warnings."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


class _Matcher:
    """The programme's meetings by UID and participants by address, and the replies as they
    stand while messages are read."""

    def __init__(self, checked: Checked) -> None:
        programme = checked.programme
        self.programme = programme
        state = load_state(checked.folder)
        self.meetings: dict[str, str] = {uid_of(programme, mid): mid for mid in programme.meetings}
        self.revision: dict[str, int] = {}
        for mid, record in state.meetings.items():
            if mid in programme.meetings:
                self.meetings[record.uid] = mid
                self.revision[mid] = record.revision
        self.people: dict[str, str] = {}
        for pid, person in sorted(programme.participants.items()):
            if person.email:
                self.people.setdefault(person.email.lower(), pid)
        self.organiser = (programme.organiser.email or "").lower()
        self.domain = uid_of(programme, "x").rsplit("@", 1)[-1].lower()
        self.titles = {" ".join(m.title.split()).casefold() for m in programme.meetings.values()}
        self.replies = all_replies(checked.folder)
        self.changed: set[str] = set()
        self.declined: dict[str, set[str]] = {}
        self.counts: Counter[str] = Counter()
        self._invited: dict[str, frozenset[str]] = {}
        self.latest = stamp_of(clock()) + SKEW
        self.folder = checked.folder

    def invited(self, mid: str) -> frozenset[str]:
        """The ids of a meeting's invitees."""
        if mid not in self._invited:
            meeting = self.programme.meetings[mid]
            self._invited[mid] = frozenset(p.id for p in self.programme.invitees(meeting))
        return self._invited[mid]

    def about_us(self, read: Read) -> bool:
        """Whether a message without a calendar answer answers something cohort sent: it refers
        to one of cohort's messages, or names a meeting in its subject."""
        if any(
            ref.lower().endswith(f".{kind}@{self.domain}")
            for ref in read.references
            for kind in _KINDS
        ):
            return True
        subject = read.subject.casefold()
        return any(title in subject for title in self.titles)


def import_replies(folder: Path, source: str, today: dt.date | None) -> Imported:
    """Read every message of `source` (see `delivery.mailbox`) into the replies records of
    the programme in `folder`. Raises CohortError when the programme has errors, UsageError
    for a source that is not a mailbox; refused messages are notes, not errors."""
    checked = load_checked(folder, today)
    match = _Matcher(checked)
    done = Imported(warnings=checked.warnings)
    read = 0
    for item in messages(source):
        read += 1
        if item.skipped:
            match.counts["skipped"] += 1
            done.notes.append(f"skipped {item.name}: {item.skipped}")
            continue
        message = read_message(item.name, item.data) if item.data is not None else None
        if message is None:
            message = too_large(item.name, item.size)
        _one(match, message, done)
    for mid in sorted(match.changed):
        save(checked.folder, mid, match.replies[mid], "replies import")
    c = match.counts
    answers = ", ".join(f"{c[a]} {a}" for a in ("accepted", "declined", "tentative") if c[a])
    where = source if is_imap(source) else Path(source).name
    done.lines.insert(
        0,
        f"read {read} message(s) from {where}: {c['new']} answer(s) recorded"
        + (f" ({answers})" if answers else "")
        + f", {c['same']} already known, {c['older']} older than the answer kept"
        + (f"; {c['refused']} refused" if c["refused"] else "")
        + (f"; {c['skipped']} skipped (not a file)" if c["skipped"] else "")
        + (f"; {c['unknown']} from an unknown address" if c["unknown"] else "")
        + (f"; {c['text']} to read yourself" if c["text"] else "")
        + (f"; {c['other']} not about this programme" if c["other"] else ""),
    )
    done.lines += _tallies(match, sorted(match.changed))
    if match.declined:
        freed = replied(checked, match.declined, moment(checked.programme, today))
        done.lines += freed.lines
    return done


def _one(match: _Matcher, message: Read, done: Imported) -> None:
    """Take one message's answers in, or say why not."""
    name = message.name
    if message.kind == "refused":
        match.counts["refused"] += 1
        done.notes.append(f"refused {name}: {message.reason}")
        return
    if message.kind == "counter":
        mid = match.meetings.get(message.uid)
        if mid is None:
            match.counts["other"] += 1
            return
        match.counts["text"] += 1
        done.notes.append(
            f"to read: {name}: {message.sender} proposes another time for '{mid}' "
            f"({_when(match.programme, message) or 'no time given'}); answer them yourself"
        )
        return
    if message.kind in ("text", "other"):
        if message.kind == "text" and match.about_us(message):
            match.counts["text"] += 1
            said = f": “{message.excerpt}”" if message.excerpt else ""
            done.notes.append(
                f"to read: {name}: {message.sender}, '{message.subject}'{said} (not a calendar "
                "answer; record it with 'cohort replies set' if it is one)"
            )
        else:
            match.counts["other"] += 1
        return
    done.notes += (f"note: {name}: {note}" for note in message.notes)
    answers = message.answers
    if len({a.attendee for a in answers}) > 1:
        answers = [a for a in answers if a.attendee == message.sender]
        if not answers:
            match.counts["refused"] += 1
            done.notes.append(
                f"refused {name}: it answers for several attendees, none of them its sender "
                f"({message.sender})"
            )
            return
    for answer in answers:
        _answer(match, message, answer, done)


def _when(programme: Programme, message: Read) -> str:
    """A proposed start in the programme's language and time zone ('donderdag 22 februari
    2024 19:00'), else as the message wrote it."""
    from ..i18n import Texts

    moment = message.proposed_at
    if moment is None:
        return message.proposed
    texts = Texts(programme.language.value, programme.home_country)
    if not isinstance(moment, dt.datetime):
        return texts.date(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(programme.zone)
    return f"{texts.date(moment.date())} {texts.time(moment)}"


def _answer(match: _Matcher, message: Read, answer: Answer, done: Imported) -> None:
    name = message.name
    mid = match.meetings.get(answer.uid)
    if mid is None:
        match.counts["refused"] += 1
        done.notes.append(
            f"refused {name}: it answers an event that is not a meeting of this programme "
            f"(UID {answer.uid}: another organiser's, or another programme's)"
        )
        return
    if answer.organiser and match.organiser and answer.organiser != match.organiser:
        match.counts["refused"] += 1
        done.notes.append(
            f"refused {name}: its organiser is {answer.organiser}, not this programme's "
            f"({match.organiser})"
        )
        return
    if answer.stamp > match.latest:
        match.counts["refused"] += 1
        done.notes.append(
            f"refused {name}: its DTSTAMP {answer.stamp.isoformat()} lies in the future (now "
            f"is {(match.latest - SKEW).isoformat()}): a wrong clock would keep this answer "
            f"above every later one; record it with 'cohort replies set' if it is right"
        )
        return
    pid = match.people.get(answer.attendee)
    if pid is not None and answer.attendee not in message.senders:
        _unverified(match, message, answer, mid, pid, done)
        return
    if pid is None:
        pid = next((match.people[s] for s in message.senders if s in match.people), None)
    if pid is None:
        match.counts["unknown"] += 1
        done.notes.append(
            f"unknown address: {name}: {answer.attendee or message.sender} answered "
            f"'{answer.answer}' to '{mid}', and no participant has that address (nor "
            f"{message.sender}); give it to the participant ('email:'), or record the answer "
            "with 'cohort replies set'"
        )
        return
    reply = Reply(
        answer=answer.answer,
        stamp=answer.stamp,
        sequence=answer.sequence,
        via="calendar",
        comment=answer.comment,
    )
    _take(match, mid, pid, reply, name, done)


def _unverified(
    match: _Matcher, message: Read, answer: Answer, mid: str, pid: str, done: Imported
) -> None:
    """An answer for a participant sent from another address: anyone can write their address
    in a calendar reply, so it is listed for the facilitator, never recorded (nor does it free
    a place)."""
    match.counts["text"] += 1
    done.notes.append(
        f"to read: {message.name}: {message.sender or 'a message without a sender'} answered "
        f"'{answer.answer}' to '{mid}' for {pid} ({answer.attendee}), from another address than "
        f"theirs; if it is their answer, record it with 'cohort replies set {match.folder} "
        f"{answer.answer} --meeting {mid} --participant {pid}'"
    )


def _take(match: _Matcher, mid: str, pid: str, reply: Reply, name: str, done: Imported) -> bool:
    """Keep `reply` when it is the latest answer of `pid` to `mid`; counts and notes."""
    kept = match.replies.setdefault(mid, {}).get(pid)
    if reply.via != "hand" and not newer(kept, reply):
        match.counts["same" if kept is not None and kept == reply else "older"] += 1
        if kept is not None and kept.stamp == reply.stamp and kept.answer != reply.answer:
            done.notes.append(
                f"conflict: {name}: {pid} answered '{reply.answer}' to '{mid}' at the same "
                f"moment as the '{kept.answer}' kept ({kept.stamp.isoformat()}); the more "
                "cautious answer stands: ask them, and record it with 'cohort replies set'"
            )
        return False
    if kept is not None and kept.stamp == reply.stamp and kept.answer != reply.answer:
        done.notes.append(
            f"conflict: {name}: {pid} answered '{reply.answer}' to '{mid}' at the same moment "
            f"as the '{kept.answer}' it replaces ({kept.stamp.isoformat()}); the more cautious "
            "answer stands: ask them, and record it with 'cohort replies set'"
        )
    match.replies[mid][pid] = reply
    match.changed.add(mid)
    match.counts["new"] += 1
    match.counts[reply.answer] += 1
    if reply.answer == "declined":
        match.declined.setdefault(mid, set()).add(pid)
    else:
        match.declined.get(mid, set()).discard(pid)
    revision = match.revision.get(mid, 0)
    if reply.sequence > revision and reply.via == "calendar":
        done.notes.append(
            f"note: {name}: {pid} answered version {reply.sequence} of '{mid}', which cohort "
            f"never sent (it is at {revision}): their calendar may hold another event than "
            "yours"
        )
    if outdated(reply, revision):
        done.notes.append(
            f"outdated: {name}: {pid} answered '{reply.answer}' to an older version of "
            f"'{mid}' (SEQUENCE {reply.sequence}; it changed since, now {revision}): it is "
            "kept, but counts as no answer until they answer again"
        )
    if pid not in match.invited(mid):
        done.notes.append(f"note: {name}: {pid} answered '{mid}', to which they are not invited")
    return True


def _tallies(match: _Matcher, meetings: list[str]) -> list[str]:
    programme = match.programme
    lines = []
    for mid in meetings:
        meeting = programme.meetings[mid]
        t = tally(programme, meeting, match.replies.get(mid, {}), match.revision.get(mid, 0))
        lines.append(
            f"{mid} ({meeting.title}): {t.accepted} accepted, {t.declined} declined, "
            f"{t.tentative} tentative, {t.unanswered} no answer"
            + (f" ({t.outdated} to an older version)" if t.outdated else "")
        )
    return lines


def set_reply(
    folder: Path,
    meeting: str,
    participant: str,
    answer: str,
    comment: str | None,
    today: dt.date | None,
) -> Imported:
    """`cohort replies set`: record an answer given another way (a phone call), as of now.
    Raises UsageError for an unknown meeting, participant or answer."""
    checked = load_checked(folder, today)
    programme = checked.programme
    _known(programme, meeting, participant, answer)
    match = _Matcher(checked)
    # the moment it is recorded, and never before an answer it replaces: what the facilitator
    # records by hand stands over what came in before (even a stamp from a wrong clock)
    now = stamp_of(max(clock(), moment(programme, today)))
    kept = match.replies.get(meeting, {}).get(participant)
    said, _ = clean(comment or "")
    reply = Reply(
        answer=answer,
        stamp=max(now, kept.stamp) if kept is not None else now,
        sequence=match.revision.get(meeting, 0),
        via="hand",
        comment=said or None,
    )
    done = Imported(warnings=checked.warnings)
    _take(match, meeting, participant, reply, "by hand", done)
    save(checked.folder, meeting, match.replies[meeting], "replies set")
    done.lines.append(f"recorded: {participant} {answer} '{meeting}'")
    done.lines += _tallies(match, [meeting])
    if match.declined:
        done.lines += replied(checked, match.declined, moment(programme, today)).lines
    return done


def _known(programme: Programme, meeting: str, participant: str, answer: str) -> None:
    if meeting not in programme.meetings:
        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(
            f"--meeting '{meeting}' is not a meeting of this programme"
            + (f" ({hint})" if hint else "")
        )
    if participant not in programme.participants:
        hint = did_you_mean(participant, programme.participants)
        raise UsageError(
            f"--participant '{participant}' is not a participant" + (f" ({hint})" if hint else "")
        )
    if answer not in ("accepted", "declined", "tentative"):
        raise UsageError(f"'{answer}' is not an answer: write accepted, declined or tentative")
