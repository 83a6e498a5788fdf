"""Invitations: one e-mail per invitee per meeting, carrying a calendar invite (iMIP, RFC 6047).

Who gets what is decided in `planning.invitations`; each planned message is made by
`invitation_mail` (templates `email/subject.txt`, `message.txt`, `message.html` in the reader's
language, and its iTIP object), on every core for a large programme (`parallel`), and this
module writes them into the outbox as they are made, in the order of the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ..errors import Report
from ..output import OutputFolder
from ..planning.invitations import Plan, Planned, plan
from ..planning.invitations import moved as moved_people
from ..planning.publication import Entry, publication
from ..programme.model import Programme
from ..records import deliveries
from ..records.outbox import MAYBE_DELIVERED, Name, Outbox, address_digest
from ..records.published import load_state, now
from ..records.published import today as clock_day
from . import messages, parallel, registration_mail
from .invitation_mail import Composer


@dataclass
class Rendered:
    """What `render_invitations` did: the plan, the files written and removed."""

    outbox: Path
    plan: Plan
    #: registration e-mails due, by status (see `registration_mail`)
    registrations: dict[str, int] = field(default_factory=dict)
    #: how many files changed (not their names: there may be tens of thousands)
    written: int = 0
    removed: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the feed secret's file
    #: messages that may have arrived, taken out of the queue for a newer one (kept in sent/)
    superseded: list[Path] = field(default_factory=list)
    #: people whose address changed since they received a meeting's invitation: id -> meetings
    moved: dict[str, list[str]] = field(default_factory=dict)
    #: who asked for --new-address (and gets the current state at their address now)
    readdressed: frozenset[str] = frozenset()
    #: names of the people whose address changed, for the warnings
    names: dict[str, str] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """Invitees who get nothing, and addresses that changed, for standard error."""
        out = [
            f"warning: {person.name} ('{person.id}') has no e-mail address and gets no invitation"
            for person in self.plan.without_email
        ]
        out += [
            f"warning: the address of {self.names.get(pid, pid)} ('{pid}') changed since they "
            f"received the invitation to {', '.join(meetings)}, so their calendar at the new "
            f"address has none of it; 'cohort invite --new-address {pid}' sends them the current "
            "state there"
            for pid, meetings in sorted(self.moved.items())
            if pid not in self.readdressed
        ]
        return out

    def lines(self) -> list[str]:
        """For the terminal: how many messages of which kind are due, and what next."""
        counts: dict[str, int] = {}
        for planned in self.plan.messages:
            counts[planned.name.kind] = counts.get(planned.name.kind, 0) + 1
        what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items()))
        if self.registrations:
            what = ", ".join(
                [what] * bool(what)
                + [
                    f"{n} registration e-mail(s) ({status})"
                    for status, n in self.registrations.items()
                ]
            )
        due = len(self.plan.messages) + sum(self.registrations.values())
        out = [
            f"{self.outbox}: {due} message(s) due"
            + (f" ({what})" if what else "")
            + (
                f"; {len(self.removed)} waiting message(s) no longer due removed"
                if self.removed
                else ""
            )
        ]
        if self.superseded:
            out.append(
                f"{len(self.superseded)} message(s) that may have arrived replaced by a newer one "
                "(kept in sent/, never sent again): " + ", ".join(p.name for p in self.superseded)
            )
        if self.plan.over:
            meetings = sorted({planned.name.meeting for planned in self.plan.over})
            out.append(
                f"{len(self.plan.over)} message(s) not written: meeting(s) already over "
                f"({', '.join(meetings)}); nothing is sent about the past"
            )
        if due:
            out.append(
                f"next: cohort send {self.outbox} --server smtp+starttls://HOST:587 "
                "(a dry run until you add --confirm)"
            )
        return out + self.notices


def render_invitations(
    folder: Path,
    programme: Programme,
    outbox_path: Path,
    *,
    meeting: str | None = None,
    reminder_days: int | None = None,
    today: dt.date | None = None,
    force: bool = False,
    new_address: frozenset[str] = frozenset(),
    unanswered: bool = False,
    workers: int | None = None,
    at: dt.datetime | None = None,
    list_restarted: bool = False,
) -> Rendered:
    """Write every message due now into the outbox; take out waiting ones no longer due.

    What each person received comes from the programme's record (`records.deliveries`), so any
    outbox of the programme gets only what is new; a message that may have arrived counts as
    received. `new_address`: participants whose address changed, who get the current state of
    every meeting they hold at their address now. `force` replaces a waiting message someone
    changed since cohort wrote it (see `output.OutputFolder`). `unanswered` reminds only
    invitees whose answer to the meeting as it is now is not in (see `planning.replies`).
    `at`: the moment registration e-mails are due at (default now); `list_restarted`: a
    registration list was started over on purpose (see `registration_mail`). Raises
    CohortError, before anything is written, for a list started over without it.
    Messages are written as they are made, so memory does not grow with their number;
    `workers` processes make them (by default one per core when there are enough messages for
    it to pay), and the outbox is the same byte for byte however many."""
    from ..errors import UsageError

    if meeting is not None and meeting not in programme.meetings:
        from ..errors import did_you_mean

        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(
            f"--meeting '{meeting}' is not a meeting of this programme"
            + (f" ({hint})" if hint else "")
        )
    unknown = sorted(new_address - set(programme.participants))
    if unknown:
        raise UsageError(f"--new-address: {', '.join(unknown)} is not a participant's id")
    if not programme.organiser.email:
        from ..errors import CohortError

        raise CohortError(
            "the organiser has no e-mail address, and invitations are sent from it (replies go "
            "there too); add 'email:' under 'organiser:'",
            location=folder / "programme.yaml",
        )
    target = OutputFolder(outbox_path, programme_folder=folder, force=force)
    target.write_all({}, owned=())  # the folder is cohort's before its lock is taken
    outbox = Outbox(outbox_path)
    # locked from reading what was delivered to writing: a `send` at the same time could
    # otherwise move a message into sent/ that this run then writes back into the outbox
    with deliveries.writing(folder, outbox, "invite") as history:
        state = load_state(folder)
        entries = publication(programme, state, now())
        today = today or clock_day()
        until = today + dt.timedelta(days=reminder_days) if reminder_days is not None else None
        received, moved = _received(programme, entries, history, today, new_address)
        result = plan(
            programme,
            entries,
            received,
            meeting=meeting,
            reminder_until=until,
            today=today,
            answered=_answered(folder, programme, entries) if unanswered else None,
        )
        composer = Composer(folder, programme, entries)
        known = deliveries.received_files(folder, outbox)
        registered = registration_mail.due(folder, programme, outbox, meeting, known, at or now())
        if registered.restarted:
            _restarted(folder, registered.restarted, list_restarted)
        rendered = Rendered(outbox_path, result, registrations=registered.counts)
        rendered.moved, rendered.readdressed = moved, new_address
        people = programme.participants
        rendered.names = {pid: people[pid].name for pid in moved if pid in people}
        over = {entry.id for entry in entries if entry.last_day < today}
        # each message's file name, made once: the outbox's list keeps it
        files = [planned.name.file for planned in result.messages]
        _refuse_foreign(target, composer, result.messages, files, registered.files)
        if result.messages:  # a template that cannot render stops the run before any change
            composer.message(result.messages[0])
        rendered.removed, rendered.superseded = _withdraw(
            outbox, result.messages, files, _Scope(meeting, until, over), registered.stale
        )
        # only what is due: a file someone else put into the outbox is left alone, never
        # taken in as cohort's (and so never sent)
        batches = chain(_made(composer, result.messages, files, workers), [registered.files])
        rendered.written = sum(len(target.write_all(batch, owned=())) for batch in batches)
    if state.changed:
        state.save()
    rendered.notices = state.notices
    return rendered


def _received(
    programme: Programme,
    entries: list[Entry],
    history: deliveries.History,
    today: dt.date,
    new_address: frozenset[str],
) -> tuple[list[Name], dict[str, list[str]]]:
    """The invitations each person received (or may have), and whose address changed since
    (see `planning.invitations.moved`). For the people in `new_address`, only what reached
    their address now counts: they get the current state there."""
    received: dict[Name, str] = {}
    for file, item in history.received().items():
        name = Name.parse(file)
        if name is not None:
            received[name] = item.to
    addresses = {
        pid: address_digest([messages.transport_address(person.email)])
        for pid, person in programme.participants.items()
        if person.email
    }
    moved = moved_people(entries, received, addresses, today)
    names = [
        name
        for name, to in received.items()
        if name.participant not in new_address or to == addresses.get(name.participant)
    ]
    return sorted(names), moved


@dataclass(frozen=True)
class _Scope:
    """What a run of `invite` decides on: one meeting or all, reminders up to a day, and the
    meetings that are over."""

    meeting: str | None
    until: dt.date | None
    over: set[str]


def _answered(
    folder: Path, programme: Programme, entries: list[Entry]
) -> dict[str, frozenset[str]]:
    """Per meeting, the invitees whose answer to it as it is now stands."""
    from ..planning.replies import answered
    from ..records.replies import all_replies

    replies = all_replies(folder)
    return {
        entry.id: answered(
            programme, entry.meeting, replies.get(entry.id, {}), entry.record.revision
        )
        for entry in entries
        if entry.meeting is not None
    }


def _restarted(folder: Path, lists: dict[Path, set[str]], agreed: bool) -> None:
    """Lists started over while people received e-mails of their earlier list (the programme's
    record of deliveries says so): refused (CohortError) unless `agreed`; then kept in each
    list, so that they are not asked about again."""
    from ..errors import CohortError
    from ..records import registrations as record

    if not agreed:
        files = ", ".join(str(path.relative_to(folder)) for path in sorted(lists))
        raise CohortError(
            f"{files} started a new list, but e-mails of an earlier list of the same meeting "
            f"were delivered ({folder / deliveries.RECORD} says so): what those people were "
            "told (a place confirmed, offered or given up) is not in the new list, and e-mails "
            "from it could contradict it. Put the earlier file back (from git or a backup), "
            "or, to tell everyone where they stand on the new list, run 'cohort invite' with "
            "--list-restarted",
            location=folder / record.FOLDER,
        )
    for path, tokens in lists.items():
        stored = record.read(path, Report())
        if stored.record is None:
            continue
        earlier = tuple(sorted({*stored.record.earlier, *tokens}))
        record.store_record(folder, stored.record.model_copy(update={"earlier": earlier}), "invite")


def _refuse_foreign(
    target: OutputFolder,
    composer: Composer,
    planned: list[Planned],
    files: list[str],
    registered: dict[str, bytes],
) -> None:
    """Every file in the way named before anything is written (see `OutputFolder`)."""
    #: file name -> the message planned; made only when a file is in the way
    due: dict[str, Planned] = {}

    def content(name: str) -> bytes:
        if name in registered:
            return registered[name]
        if not due:
            due.update(zip(files, planned, strict=True))
        return composer.message(due[name])

    target.refuse_foreign(chain(files, registered), content)


def _withdraw(
    outbox: Outbox, due: list[Planned], files: list[str], scope: _Scope, superseded: list[Path]
) -> tuple[list[Path], list[Path]]:
    """Take out the waiting messages no longer due, before the invitations `due` (with their
    file names, `files`) are written: of the kinds this run decides on, and of the meetings
    it looked at, and the registration e-mails a later one `superseded`. A message the server
    already accepted (the journal says so) stays, for `send` to move into sent/. A message
    that may have arrived is never removed: it stays while it is current, and is kept in
    sent/ (`Outbox.withdraw`) once a newer message to the same person about the same meeting
    replaces it, or its meeting is over. Returns those removed and those superseded."""
    kinds = {"invitation", "update", "cancellation"} | ({"reminder"} if scope.until else set())
    states = outbox.states()
    #: (meeting, participant) -> the file of the message due to them now (one at most); made
    #: only when a message is waiting
    planned: dict[tuple[str, str], str] = {}
    stale: list[Path] = []
    for path in outbox.pending():
        n = Name.parse(path.name)
        if n is None or n.kind not in kinds or scope.meeting not in (None, n.meeting):
            continue
        if not planned and due:
            pairs = zip(due, files, strict=True)
            planned = {(p.name.meeting, p.name.participant): file for p, file in pairs}
        now = planned.get((n.meeting, n.participant))
        state = states.get(path.name)
        if state not in MAYBE_DELIVERED and state != "delivered":
            if now != path.name:  # no longer due
                stale.append(path)
        elif now == path.name or (  # replaced by a newer message, or about the past
            state != "delivered" and (now is not None or n.meeting in scope.over)
        ):
            stale.append(path)
    stale += [path for path in superseded if path not in stale]
    maybe = {p for p in stale if states.get(p.name) in MAYBE_DELIVERED}
    try:
        taken = outbox.withdraw(stale)
    except OSError as err:
        from ..errors import CohortError

        raise CohortError(
            f"cannot move a message that was (or may have been) delivered into "
            f"'{outbox.sent_dir}' ({err.strerror or err}); make it a folder cohort can write to "
            "and run the command again"
        ) from None
    return [p for p in taken if p not in maybe], sorted(maybe)


#: messages per piece of work: a meeting's, or a part of a large meeting's
_PIECE = 100
#: fewer messages than this are made in this process: starting workers would cost more
_POOL_FROM = 1000


def _made(
    composer: Composer, planned: list[Planned], files: list[str], workers: int | None
) -> Iterator[dict[str, bytes]]:
    """The messages, file name (`files`, in the order of `planned`) to bytes, a meeting's (or
    `_PIECE` of them) at a time, in the order of the plan."""
    pieces = _pieces(planned)
    if workers is None:
        workers = parallel.cores() if len(planned) >= _POOL_FROM else 1
    workers = min(workers, len(pieces))
    if workers <= 1:
        for start, stop in pieces:
            yield {files[i]: composer.message(planned[i]) for i in range(start, stop)}
        return
    made = parallel.ordered_map(
        _make,
        pieces,
        workers=workers,
        initializer=_start,
        initargs=(composer.folder, composer.programme, composer.calendars.entries, planned),
    )
    for (start, stop), messages_ in zip(pieces, made, strict=True):
        yield dict(zip(files[start:stop], messages_, strict=True))


def _pieces(planned: list[Planned]) -> list[tuple[int, int]]:
    """The plan cut into pieces of work (start, stop): each a meeting's messages, at most
    `_PIECE` of them."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(planned) + 1):
        if (
            i == len(planned)
            or i - start >= _PIECE
            or planned[i].entry.id != planned[start].entry.id
        ):
            pieces.append((start, i))
            start = i
    return pieces


#: in a worker process: the composer and the plan it makes messages of (see `_start`)
_worker: tuple[Composer, list[Planned]] | None = None


def _start(
    folder: Path, programme: Programme, entries: list[Entry], planned: list[Planned]
) -> None:
    global _worker
    _worker = (Composer(folder, programme, entries), planned)


def _make(piece: tuple[int, int]) -> list[bytes]:
    assert _worker is not None
    composer, planned = _worker
    return [composer.message(p) for p in planned[piece[0] : piece[1]]]
