"""The attendance rule: where each participant stands on it, as the records stand on a day.

The rule (`attendance:` in programme.yaml) binds the people whose role it names, never staff
(facilitators, organisers and experts: they run the programme, `Role.staff`). What counts
for someone are the meetings they are invited to that are not cancelled, of the kinds the rule
names (every kind when it names none). Such a meeting is decided once it is held (it is over:
its last day is on or before the day asked about, so day one of a three-day study day is not
yet) and its attendance is recorded; a held meeting without an attendance record counts neither
way yet, like one still to come: both are open.

    met       attended at least what the rule asks (with `required: all`: every meeting that
              counts, and none of them still open)
    not-met   even coming to every open meeting could not make it
    can       can still meet it

The report and the certificates both take their verdict from `standings`, so they never
disagree. A pure function over the programme and the attendance records: a table of cases
tests it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..programme.model import AttendanceRule, Meeting, Participant, Programme
from ..records.attendance import Record

MET, NOT_MET, CAN = "met", "not-met", "can"


def held(meeting: Meeting, today: dt.date) -> bool:
    """Whether a meeting has taken place by `today`: not cancelled, and over (its last day on
    or before `today`; a meeting under way is not held yet)."""
    return meeting.last_date <= today and not meeting.cancelled


@dataclass(frozen=True)
class Standing:
    """Where someone stands on the attendance rule.

    `status` is met, not-met or can, or "" when the rule does not bind them (their role, or no
    rule at all). `attended` are the meetings that count that they came to (held and recorded,
    in order); `counts` how many meetings count for them, of which `to_come` are still to come
    and `unrecorded` were held without an attendance record; `needed` how many the rule asks
    of them."""

    status: str
    attended: tuple[Meeting, ...] = ()
    counts: int = 0
    to_come: int = 0
    unrecorded: int = 0
    needed: int = 0
    required: str = ""  # as the rule says it: 'all' or 'at least 2'

    @property
    def reason(self) -> str:
        """Why it stands so, for the facilitator (cohort's words are English):
        'attended 2 of 3; rule: all', 'attended 2 of 3 (1 to come); rule: at least 3'."""
        if not self.required:
            return "not bound by the attendance rule"
        open_ = [
            f"{n} {what}"
            for n, what in ((self.to_come, "to come"), (self.unrecorded, "not recorded"))
            if n
        ]
        detail = f" ({', '.join(open_)})" if open_ else ""
        return f"attended {len(self.attended)} of {self.counts}{detail}; rule: {self.required}"


def _required(rule: AttendanceRule) -> str:
    return "all" if rule.required == "all" else f"at least {rule.required}"


def standing(
    rule: AttendanceRule | None,
    person: Participant,
    invited_to: list[Meeting],
    attended: Mapping[str, frozenset[str]],
    today: dt.date,
) -> Standing:
    """Where `person` stands on `rule` as of `today`, from the meetings they are invited to
    (`invited_to`, in order) and who attended each meeting recorded (`attended`: meeting id ->
    participant ids; a meeting without an entry is not recorded)."""
    if rule is None or not rule.binds(person.role):
        return Standing("")
    counting = [
        m for m in invited_to if not m.cancelled and (not rule.kinds or m.kind in rule.kinds)
    ]
    decided = [m for m in counting if held(m, today) and m.id in attended]
    came = tuple(m for m in decided if person.id in attended[m.id])
    to_come = sum(not held(m, today) for m in counting)
    open_ = len(counting) - len(decided)
    needed = len(counting) if rule.required == "all" else int(rule.required)
    if len(came) >= needed and (rule.required != "all" or open_ == 0):
        status = MET
    elif len(came) + open_ < needed:
        status = NOT_MET
    else:
        status = CAN
    return Standing(status, came, len(counting), to_come, open_ - to_come, needed, _required(rule))


def attendance_of(records: Mapping[str, Record]) -> dict[str, frozenset[str]]:
    """Who attended each recorded meeting: meeting id -> participant ids."""
    return {mid: frozenset(record.attended) for mid, record in records.items()}


def standings(
    programme: Programme, records: Mapping[str, Record], today: dt.date
) -> dict[str, Standing]:
    """Where every participant stands on the programme's rule as of `today` (participant id ->
    Standing), from the attendance records (meeting id -> Record)."""
    attended = attendance_of(records)
    invited_to: dict[str, list[Meeting]] = {}
    for meeting in programme.chronological():
        for person in programme.invitees(meeting):
            invited_to.setdefault(person.id, []).append(meeting)
    return {
        pid: standing(programme.attendance, person, invited_to.get(pid, []), attended, today)
        for pid, person in programme.participants.items()
    }
