"""How the programme went, computed: per meeting, per participant, per organisation, against
the attendance rule; themes covered, venues and hosts, who met whom in groups, what is still to
come.

`summarise` computes everything once from the programme and the attendance records, as of a
day (so a programme under way counts only its meetings held); the report's formats (`report`)
only lay it out. A held meeting without an attendance file is "not recorded": it counts neither
way yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Report
from ..planning import rule as attendance_rule
from ..planning.replies import declined
from ..programme.model import Meeting, Organisation, Participant, Programme, Theme
from ..records.attendance import Record, load_all
from ..records.replies import all_replies
from .view import Rotation, rotation_of, texts_for


@dataclass
class MeetingRow:
    """A meeting in the report: held or not, its attendance record (if any), its invitees."""

    meeting: Meeting
    held: bool
    record: Record | None
    invited: list[Participant]
    #: the invitees who sent regrets: their latest answer declined the meeting
    regrets: list[Participant] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.invited_ids = frozenset(p.id for p in self.invited)
        self.came = frozenset(self.record.attended) if self.record else frozenset()
        self.apologised = frozenset(self.record.excused) if self.record else frozenset()

    @property
    def recorded(self) -> bool:
        return self.record is not None

    def ids(self, status: str) -> list[str]:
        if self.record is None:
            return []
        if status == "absent":
            return sorted(self.invited_ids - self.came - self.apologised)
        return sorted(getattr(self.record, status))

    @property
    def attended(self) -> int:
        return len(self.ids("attended"))

    @property
    def excused(self) -> int:
        return len(self.ids("excused"))

    @property
    def absent(self) -> int:
        return len(self.ids("absent"))

    @property
    def visitors(self) -> int:
        return len(self.record.visitors) if self.record else 0

    @property
    def rate(self) -> float | None:
        """Attended invitees over invitees (visitors do not count)."""
        if self.record is None or not self.invited:
            return None
        return len(self.invited_ids & self.came) / len(self.invited_ids)


@dataclass
class PersonRow:
    """A participant in the report: meetings held and recorded, and where they stand on the rule."""

    participant: Participant
    organisation: str
    invited: int  # meetings held and recorded that they were invited to
    attended: int
    excused: int
    missed: int
    #: met, not-met, can (still can), unrecorded (could have met it: the meetings left are held
    #: but not recorded), or "" when the rule does not bind them
    rule: str
    staff: bool = False  # facilitator, organiser or expert: never held to the rule, never missed


@dataclass
class OrganisationRow:
    """An organisation in the report: its people and how often they came."""

    organisation: Organisation
    people: int
    attended: int  # attendances of its people, summed
    present_at: int  # meetings held where at least one of its people came
    meetings: int  # meetings held where at least one of its people was invited


@dataclass
class Pairs:
    """Who met whom how often in the groups of the meetings held (only who attended, where
    attendance is recorded): a matrix over the people placed, and the pairs that met more
    than once."""

    ids: list[str]
    names: list[str]
    counts: list[list[int]]  # [i][j]: how often i and j shared a group (0 on the diagonal)
    repeated: list[tuple[str, str, int]]  # two names and how often, for pairs met 2+ times
    rounds: int  # meetings with groups counted

    #: above this many people the matrix is left out (the repeated pairs remain)
    LARGEST = 40

    @property
    def matrix(self) -> bool:
        return len(self.ids) <= self.LARGEST


def pairs_of(programme: Programme, rows: list[MeetingRow]) -> Pairs | None:
    """The pairs that met in groups (None when no meeting held had groups)."""
    from ..planning.groups import pairs

    groupings = []
    for r in rows:
        formed = r.meeting.groups.formed if r.meeting.groups else ()
        if not r.held or not formed:
            continue
        came = r.came if r.recorded else None
        groupings.append([[p for p in g.members if came is None or p in came] for g in formed])
    if not groupings:
        return None
    counts = pairs(groupings)
    ids = sorted(
        {p for grouping in groupings for g in grouping for p in g},
        key=lambda i: (
            (programme.participants[i].name.casefold(), i)
            if i in programme.participants
            else (i, i)
        ),
    )
    names = [programme.participants[i].name if i in programme.participants else i for i in ids]
    matrix = [[counts.get(frozenset((a, b)), 0) if a != b else 0 for b in ids] for a in ids]
    repeated = sorted(
        (
            (names[i], names[j], matrix[i][j])
            for i in range(len(ids))
            for j in range(i + 1, len(ids))
            if matrix[i][j] > 1
        ),
        key=lambda t: (-t[2], t[0], t[1]),
    )
    return Pairs(ids, names, matrix, repeated, len(groupings))


@dataclass
class Summary:
    """Everything the report says, computed once (as of a day); the formats only lay it out."""

    programme: Programme
    as_of: dt.date
    meetings: list[MeetingRow]
    people: list[PersonRow]
    organisations: list[OrganisationRow]
    themes: list[tuple[Theme, int, int]]  # meetings held, meetings to come
    venues: list[Rotation]
    rule: dict[str, int] = field(default_factory=dict)
    pairs: Pairs | None = None

    @property
    def held(self) -> list[MeetingRow]:
        return [m for m in self.meetings if m.held]

    @property
    def to_come(self) -> list[MeetingRow]:
        return [m for m in self.meetings if not m.held and not m.meeting.cancelled]

    @property
    def unrecorded(self) -> bool:
        """Whether attendance is simply not recorded: meetings were held, none to come, and
        not one has an attendance record (so no one 'can still meet' the rule)."""
        return bool(self.held) and not self.to_come and not any(m.recorded for m in self.held)

    @property
    def average_rate(self) -> float | None:
        rates = [m.rate for m in self.held if m.rate is not None]
        return sum(rates) / len(rates) if rates else None

    def lines(self) -> list[str]:
        """A few lines for the terminal, the programme first: how it went so far."""
        recorded = [r for r in self.held if r.recorded]
        out = [
            f"{self.programme.title} (as of {self.as_of})",
            f"  meetings: {len(self.held)} held ({len(recorded)} recorded), "
            f"{len(self.to_come)} to come",
        ]
        if self.average_rate is not None:
            out.append(f"  average attendance: {self.average_rate:.0%}")
        if self.rule and self.unrecorded:
            out.append(
                "  attendance rule: attendance is not recorded "
                "(cohort attendance record --meeting ID)"
            )
        elif self.rule:
            unrecorded = (
                f", {self.rule['unrecorded']} undecided (meetings held without a record)"
                if self.rule["unrecorded"]
                else ""
            )
            out.append(
                f"  attendance rule: {self.rule['met']} met, "
                f"{self.rule['can']} can still meet it, {self.rule['not-met']} not{unrecorded}"
            )
        return out


def summarise(folder: Path, programme: Programme, today: dt.date, regrets: bool = True) -> Summary:
    """Compute the report as of `today`: only meetings held (over by then) and recorded count.
    `regrets`: name who declined each meeting (the invitees' replies); False for a report that
    may be published (`cohort build`), since replies are personal data."""
    report = Report()
    records = {mid: item.record for mid, item in load_all(folder, report).items() if item.record}
    answers = all_replies(folder) if regrets else {}
    rows = [
        MeetingRow(
            m,
            attendance_rule.held(m, today),
            records.get(m.id),
            list(programme.invitees(m)),
            [p for p in programme.invitees(m) if p.id in declined(answers.get(m.id, {}))],
        )
        for m in programme.chronological()
    ]
    counted = [r for r in rows if r.held and r.recorded]
    rule = programme.attendance
    invited_to: dict[str, list[MeetingRow]] = {}
    for r in rows:
        for pid in r.invited_ids:
            invited_to.setdefault(pid, []).append(r)
    standing = attendance_rule.standings(programme, records, today)
    people = []
    tally = {"met": 0, "not-met": 0, "can": 0, "unrecorded": 0}
    for person in sorted(programme.participants.values(), key=lambda p: (p.name.casefold(), p.id)):
        theirs = invited_to.get(person.id, [])
        mine = [r for r in theirs if r.held and r.recorded]
        attended = sum(person.id in r.came for r in mine)
        excused = sum(person.id in r.apologised for r in mine)
        status = standing[person.id].status
        if status == attendance_rule.CAN and not standing[person.id].to_come:
            status = "unrecorded"  # nothing to come: only the missing records keep it open
        if status:
            tally[status] += 1
        people.append(
            PersonRow(
                person,
                programme.organisation_name(person),
                len(mine),
                attended,
                excused,
                len(mine) - attended - excused,
                status,
                person.role.staff,
            )
        )
    organisations = []
    for org in programme.organisations.values():
        members = {p.id for p in programme.people_of(org.id)}
        if not members:
            continue
        theirs_held = [r for r in counted if members & r.invited_ids]
        counts = [len(members & r.came) for r in theirs_held]
        organisations.append(
            OrganisationRow(
                org, len(members), sum(counts), sum(1 for n in counts if n), len(theirs_held)
            )
        )
    organisations.sort(key=lambda o: (-o.present_at, -o.attended, o.organisation.name))
    themes = []
    for theme in programme.themes.values():
        held = sum(theme.id in r.meeting.themes for r in rows if r.held)
        coming = sum(
            theme.id in r.meeting.themes for r in rows if not r.held and not r.meeting.cancelled
        )
        themes.append((theme, held, coming))
    texts = texts_for(programme)
    return Summary(
        programme,
        today,
        rows,
        people,
        organisations,
        themes,
        rotation_of(programme, texts),
        tally if rule is not None else {},
        pairs_of(programme, rows),
    )
