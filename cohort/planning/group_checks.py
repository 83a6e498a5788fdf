"""What `cohort validate` (and every command's check) says about groups, from the rules:
groups as formed that break a hard rule (colleagues together, people kept apart in one group,
people kept together in two), and meetings whose groups cannot be formed at all (counting
shows it cheaply: `groups.explain`), or whose `names:` are fewer than its groups.
"""

from __future__ import annotations

from ..errors import Report
from ..programme.load import Loaded
from ..programme.model import Programme
from ..records import attendance
from . import groups


def check(loaded: Loaded) -> None:
    """Add the groups' warnings to the loaded programme's report (see the module's
    docstring)."""
    programme = loaded.programme
    if programme is None or not any(m.groups for m in programme.meetings.values()):
        return
    report = loaded.report
    records = attendance.load_all(loaded.folder, Report())  # reported by check_records
    excused = {m: set(s.record.excused) for m, s in records.items() if s.record}
    rules = groups.rules_of(programme)
    name = person_namer(programme)
    for r in groups.rounds_of(programme, excused, {}):
        where = loaded.at("meetings", r.meeting, "groups")
        if r.decided:
            for i, group in enumerate(r.groups or ()):
                for text in groups.broken([group], rules, name):
                    report.warning(
                        loaded.at("meetings", r.meeting, "groups", "formed", i),
                        f"in '{r.meeting}', {text}",
                        "move someone into another group in this file",
                        code="groups-rules",
                    )
            for text in groups.broken(r.groups or (), _together_only(rules), name):
                report.warning(
                    loaded.at("meetings", r.meeting, "groups", "formed"),
                    f"in '{r.meeting}', {text}",
                    "move them into one group in this file",
                    code="groups-rules",
                )
            continue
        for text in groups.explain(r, rules, name):
            report.warning(
                where,
                text,
                "change the rules under the programme's groups:, or the meeting's groups:",
                code="groups-impossible",
            )
        problem = groups.too_few_names(programme, r)
        if problem:
            report.warning(
                loaded.at("meetings", r.meeting, "groups", "names"),
                problem,
                "give a name for every group, or leave names: out",
                code="groups-names",
            )


def _together_only(rules: groups.Rules) -> groups.Rules:
    """Only the `together:` of the rules (the circles are checked group by group)."""
    return groups.Rules(together=rules.together)


def person_namer(programme: Programme) -> groups.Namer:
    """'Anna Peeters (anna)' for an id (the id alone when nobody has it)."""

    def name(pid: str) -> str:
        person = programme.participants.get(pid)
        return f"{person.name} ({pid})" if person else pid

    return name
