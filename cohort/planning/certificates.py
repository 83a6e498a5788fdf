"""Who gets which certificate, what it lists, how many hours it counts, and its code: the
decision behind `cohort certificates`, kept apart from typesetting.

A certificate of attendance goes to everyone who met the attendance rule as recorded (see
`rule`): only meetings held (over) and recorded count. A certificate of participation (with
`--partial`, when the programme allows it) goes to those the rule binds who did not meet it but
came to at least one such meeting (without a rule: to those of the role `participant`). Staff,
the roles the rule does not bind (facilitators, experts, hosts, guests), get neither: they are
listed with the reason. Either kind lists every meeting held and recorded that the person
attended, whatever its kind.

Hours are counted from the meetings' times (`minutes`):

- a meeting on one day: from its start to its end (or for its duration), in real time, so an
  evening over a change to or from summer time counts the hour it really lasted;
- a meeting over midnight, written with `end_date` the next day and an end time not after the
  start time (20:00 to 03:30): one session, from its start to its end in real time (6.5 hours
  the night the clocks go forward, 8.5 the night they go back; a wall time that occurs twice
  that night is the first);
- a meeting over several days with times (`end_date`): its hours on each day, from the start
  time to the end time (or for the duration), times the days; when the end time is not after
  the start time over more than two days (Friday evening to Sunday noon), each day counts
  `hours_per_day` instead;
- an all-day meeting: `hours_per_day` (the `certificates:` block; 7 unless it says otherwise)
  for each of its days;
- an online meeting counts like any other, by its times.

The verification code is a keyed digest (HMAC-SHA256, RFC 2104) of everything the certificate
says that matters: the programme, the person with their name and organisation, the kind of
certificate and each meeting it lists with its title, dates and counted minutes. The key is the
programme's `certificate-secret.txt`, kept out of git, so nobody without it can make a code
that verifies; and correcting anything the certificate says (a name, a meeting, the hours) gives
it a new code, so a new e-mail. 60 bits of it are printed, as 12 letters and digits in three
groups.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..programme.model import AttendanceRule, Meeting, Participant, Programme
from ..records.attendance import Record
from .rule import MET, Standing, held, standings

ATTENDANCE, PARTICIPATION = "attendance", "participation"
KINDS = (ATTENDANCE, PARTICIPATION)


def minutes(programme: Programme, meeting: Meeting, hours_per_day: float) -> int:
    """The minutes a meeting counts on a certificate (the rules are in the module's docstring)."""
    days = (meeting.last_date - meeting.date).days + 1
    per_day = round(hours_per_day * 60)
    if meeting.all_day:
        return days * per_day
    if days == 1 or over_midnight(meeting):
        return _elapsed(programme.starts_at(meeting), programme.ends_at(meeting))
    total = 0
    for n in range(days):
        day = meeting.date + dt.timedelta(days=n)
        start = dt.datetime.combine(day, meeting.start or dt.time(0), programme.zone)
        if meeting.end is not None:
            end = dt.datetime.combine(day, meeting.end, programme.zone)
        else:
            assert meeting.duration is not None
            end = (start.astimezone(dt.UTC) + meeting.duration).astimezone(programme.zone)
        total += _elapsed(start, end) if end > start else per_day
    return total


def over_midnight(meeting: Meeting) -> bool:
    """Whether a meeting is one session over midnight: `end_date` the day after `date`, and an
    end time not after the start time (20:00 to 03:30)."""
    return (
        meeting.end_date == meeting.date + dt.timedelta(days=1)
        and meeting.start is not None
        and meeting.end is not None
        and meeting.end <= meeting.start
    )


def _elapsed(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from `start` to `end` in real time (aware datetimes in one zone subtract
    by the wall clock in Python, so both go to UTC first)."""
    seconds = (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds()
    return max(0, round(seconds / 60))


@dataclass(frozen=True)
class Attended:
    """A meeting on a certificate, with the minutes it counts."""

    meeting: Meeting
    minutes: int


@dataclass(frozen=True)
class Certificate:
    """One certificate: to whom, of which kind (attendance or participation), listing which
    meetings, and where its holder stands on the rule."""

    person: Participant
    kind: str
    meetings: tuple[Attended, ...]
    standing: Standing
    organisation: str = ""  # the name of the person's organisation, as printed

    @property
    def minutes(self) -> int:
        return sum(a.minutes for a in self.meetings)

    def statement(self, programme_id: str) -> bytes:
        """What the verification code digests (canonical JSON): the programme; the person's
        id, name and organisation; the kind; each meeting with its id, title, first and last
        day, and minutes: everything printed that says what the holder did."""
        meetings = [
            [
                a.meeting.id,
                a.meeting.title,
                a.meeting.date.isoformat(),
                a.meeting.last_date.isoformat(),
                a.minutes,
            ]
            for a in self.meetings
        ]
        person = [self.person.id, self.person.name, self.organisation]
        data = ["cohort certificate 2", programme_id, person, self.kind, meetings]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Refusal:
    """Someone who gets no certificate, and why ('attended 2 of 3; rule: all')."""

    person: Participant
    reason: str


@dataclass
class Plan:
    """The certificates to issue, who gets none and why, and the place and day of issue."""

    certificates: list[Certificate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    issued_on: dt.date | None = None
    place: str | None = None


def attended_by(
    programme: Programme, records: Mapping[str, Record], today: dt.date
) -> dict[str, list[Meeting]]:
    """Each participant's meetings held by `today` and recorded that they came to, in order."""
    found: dict[str, list[Meeting]] = {}
    for meeting in programme.chronological():
        record = records.get(meeting.id)
        if record is None or not held(meeting, today):
            continue
        for pid in record.attended:
            found.setdefault(pid, []).append(meeting)
    return found


def plan(
    programme: Programme,
    records: Mapping[str, Record],
    today: dt.date,
    *,
    partial: bool = False,
    only: str | None = None,
) -> Plan:
    """Decide the certificates as of `today` from the attendance `records` (meeting id ->
    Record): of attendance for who met the rule, of participation (with `partial`) for who the
    rule binds and came to a meeting without meeting it; everyone else (staff too) refused with
    the reason. `only` limits it to one participant id."""
    standing = standings(programme, records, today)
    attended = attended_by(programme, records, today)
    per_day = programme.certificates.hours_per_day
    issued_on, place = _issue(programme, records, today)
    result = Plan(issued_on=issued_on, place=place)
    people = sorted(programme.participants.values(), key=lambda p: (p.name.casefold(), p.id))
    for person in people:
        if only is not None and person.id != only:
            continue
        theirs = tuple(
            Attended(m, minutes(programme, m, per_day)) for m in attended.get(person.id, [])
        )
        mine = standing[person.id]
        organisation = programme.organisation_name(person)
        if mine.status == MET:
            result.certificates.append(Certificate(person, ATTENDANCE, theirs, mine, organisation))
        elif partial and theirs and bound(programme, person):
            result.certificates.append(
                Certificate(person, PARTICIPATION, theirs, mine, organisation)
            )
        else:
            reason = mine.reason if mine.status else _unbound(programme, person)
            result.refused.append(Refusal(person, reason))
    return result


def bound(programme: Programme, person: Participant) -> bool:
    """Whether certificates are for `person`: the rule binds their role (without a rule, the
    role `participant`, which a rule binds unless it says otherwise)."""
    rule = programme.attendance or AttendanceRule()
    return person.role in rule.roles


def _unbound(programme: Programme, person: Participant) -> str:
    role = person.role.value
    if bound(programme, person):  # no rule (so --partial): a participant who came to nothing
        return "came to none of the meetings held and recorded"
    if programme.attendance is None:
        return f"certificates of participation are for participants (role: {role})"
    return f"not bound by the attendance rule (role: {role})"


def _issue(
    programme: Programme, records: Mapping[str, Record], today: dt.date
) -> tuple[dt.date | None, str | None]:
    """The day of issue (the last day of the last meeting held and recorded: the records speak
    as of then, and re-runs give the same certificate) and the place (the `certificates:`
    block's, else the city of the last such meeting held at an address)."""
    done = [m for m in programme.chronological() if held(m, today) and m.id in records]
    issued_on = max((m.last_date for m in done), default=None)
    place = programme.certificates.place
    if place is None:
        cities = [v.city for m in done if (v := programme.venue_of(m)) and not v.online and v.city]
        place = cities[-1] if cities else None
    return issued_on, place


def code(secret: str, programme_id: str, certificate: Certificate) -> str:
    """The verification code of a certificate: 'K7QF-3MZD-R2XA' (see the module's docstring)."""
    digest = hmac.new(secret.encode(), certificate.statement(programme_id), hashlib.sha256)
    letters = base64.b32encode(digest.digest()[:10]).decode()[:12]
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def normalise(text: str) -> str:
    """A code as someone typed or scanned it: case, spaces and dashes do not matter, and the
    digits 0, 1 and 8 (which codes never hold) are read as the letters O, I and B."""
    plain = "".join(c for c in text.upper() if c.isalnum()).translate(str.maketrans("018", "OIB"))
    if len(plain) != 12:
        return plain
    return "-".join(plain[i : i + 4] for i in range(0, 12, 4))


def issuable(
    programme: Programme, records: Mapping[str, Record], today: dt.date
) -> Iterator[Certificate]:
    """Every certificate the records as they stand could have given, at any moment so far: for
    each participant, each kind, listing the meetings they attended up to each one (a
    certificate issued while the programme was under way lists the first ones). `verify` looks
    among these for a code."""
    standing = standings(programme, records, today)
    per_day = programme.certificates.hours_per_day
    for pid, meetings in attended_by(programme, records, today).items():
        person = programme.participants.get(pid)
        if person is None:
            continue
        organisation = programme.organisation_name(person)
        listed = [Attended(m, minutes(programme, m, per_day)) for m in meetings]
        for end in range(len(listed), 0, -1):
            for kind in KINDS:
                yield Certificate(person, kind, tuple(listed[:end]), standing[pid], organisation)
