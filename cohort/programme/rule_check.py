"""What `cohort validate` says about the attendance rule: staff it names (never held to it),
more meetings asked than there are, and people who cannot meet it as they are invited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from ..errors import Location, Report
from .model import Meeting, Participant, Programme

#: How many names a diagnostic lists before it says 'and N more'.
MAX_NAMES = 5


def names(people: Iterable[Participant]) -> str:
    """The first names of a list, for a diagnostic: 'Anna, Bert and 3 more'."""
    people = list(people)
    shown = ", ".join(p.name for p in people[:MAX_NAMES])
    more = len(people) - MAX_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def check_rule(
    programme: Programme, active: list[Meeting], at: Callable[..., Location], report: Report
) -> None:
    """Check the programme's attendance rule against the meetings that take place (`active`,
    in order); `at` gives the location of a value by its path."""
    rule = programme.attendance
    if rule is None:
        return
    staff = [r.value for r in rule.roles if r.staff]
    if staff:
        report.warning(
            at("attendance", "roles"),
            f"the attendance rule names {', '.join(staff)}: facilitators, organisers and "
            "experts run the programme and are never held to it",
            "take them out of 'roles:'",
            code="rule-impossible",
        )
    counted = [m for m in active if not rule.kinds or m.kind in rule.kinds]
    if rule.required != "all" and rule.required > len(counted):
        report.error(
            at("attendance", "required"),
            f"the attendance rule asks for {rule.required} meetings, but the programme has "
            f"only {len(counted)} that count",
            "lower 'required:' or add meetings",
            code="rule-impossible",
        )
        return
    bound = [x for x in programme.participants.values() if rule.binds(x.role)]
    if not counted or not bound:
        return
    if rule.required == "all":
        _attend_all(programme, counted, bound, at, report)
        return
    reachable: dict[str, int] = defaultdict(int)
    for m in counted:
        for x in programme.invitees(m):
            reachable[x.id] += 1
    for x in bound:
        if reachable[x.id] < rule.required:
            report.warning(
                at("participants", x.id, key=True),
                f"participant '{x.id}' is invited to {reachable[x.id]} meeting(s) that count, "
                f"fewer than the {rule.required} the attendance rule asks",
                code="rule-impossible",
            )


def _attend_all(
    programme: Programme,
    counted: list[Meeting],
    bound: list[Participant],
    at: Callable[..., Location],
    report: Report,
) -> None:
    """With `required: all`, a meeting that leaves out someone bound makes the rule
    impossible for them."""
    for m in counted:
        invited = {x.id for x in programme.invitees(m)}
        left_out = [x for x in bound if x.id not in invited]
        if left_out:
            report.warning(
                at("meetings", m.id, "invited"),
                f"'{m.id}' does not invite {len(left_out)} of the people bound by the "
                f"attend-all rule, so they cannot meet it: {names(left_out)}",
                "invite them, or leave this kind of meeting out with 'attendance: kinds:'",
                code="rule-impossible",
            )
