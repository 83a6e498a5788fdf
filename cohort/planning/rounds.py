"""`cohort groups` as a whole: the rounds of a programme from its files, groups formed for the
open ones (`groups.form`), named, shown and, with --write, kept in `groups/<meeting>.yaml`.

Which rounds are open: every meeting with `groups:` that has no groups file yet; with
`--meeting`, only that one; with `--force`, also those whose file cohort wrote (never one the
facilitator changed or wrote), as long as the meeting is still to come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CohortError, Diagnostic, Report
from ..programme.load import Loaded
from ..programme.model import Programme
from ..records import attendance
from ..records import groups as records
from . import groups


@dataclass
class Shown:
    """One round as `cohort groups` shows it: named groups of names, and what happened."""

    meeting: str
    date: dt.date
    people: int
    groups: list[tuple[str, list[str]]]  # name, the members' names
    state: str  # formed, kept (cohort's file), yours (the facilitator's file), none
    written: Path | None = None


@dataclass
class Grouped:
    """What `cohort groups` did: each round, and the repeats over all of them."""

    rounds: list[Shown] = field(default_factory=list)
    formed: groups.Formed = field(default_factory=groups.Formed)
    seed: int = 0

    def lines(self, written: bool) -> list[str]:
        """For the terminal: each round's groups, then the repeats and the bound."""
        out = []
        for r in self.rounds:
            state = {
                "formed": "formed now",
                "kept": "as written before",
                "yours": "as you made them",
                "none": "too few people for groups",
            }[r.state]
            out.append(
                f"{r.meeting} ({r.date}): {r.people} {'person' if r.people == 1 else 'people'}, "
                f"{len(r.groups)} groups, {state}"
            )
            out += [f"  {name}: {', '.join(members)}" for name, members in r.groups]
        f = self.formed
        if f.repeated_pairs == 0:
            out.append(f"no pair meets twice over {len(self.rounds)} round(s)")
        else:
            out.append(f"{f.repeated_pairs} pair(s) meet more than once ({f.repeats} repeat(s))")
        if f.bound is not None and len(self.rounds) > f.bound:
            out.append(
                f"{len(self.rounds)} rounds are more than the {f.bound} in which everyone can "
                f"meet only new people (floor((N - 1) / (K - 1))): cohort keeps the repeats to "
                f"a minimum (at least {f.least_repeats} cannot be avoided)"
            )
        elif f.repeats:
            out.append(
                "zero repeats may be possible: try another --seed, or move people by hand "
                "in the groups files"
            )
        if any(r.state == "formed" for r in self.rounds):
            if written:
                out += [f"wrote {r.written}" for r in self.rounds if r.written]
            else:
                out.append("add --write to keep these groups (documents show written groups)")
        return out


def group(
    loaded: Loaded,
    programme: Programme,
    *,
    meeting: str | None = None,
    seed: int = 0,
    write: bool = False,
    force: bool = False,
    today: dt.date | None = None,
    iterations: int = groups.ITERATIONS,
) -> Grouped:
    """Form the groups of the open rounds (see the module's docstring); write them with
    `write`. Raises CohortError naming each hard rule that cannot hold, at the meeting's
    `groups:`."""
    folder = loaded.folder
    report = Report()
    recorded = {m: s.record for m, s in attendance.load_all(folder, report).items() if s.record}
    files = records.load_all(folder, report)
    day = today or dt.date.today()
    excused = {m: set(r.excused) for m, r in recorded.items()}
    attended = {m: set(r.attended) for m, r in recorded.items() if _held(programme, m, day)}
    open_ = _open(programme, files, meeting, force, day)
    rounds = groups.rounds_of(programme, excused, attended, open_ if meeting else None)
    rounds = [
        groups.Round(r.meeting, r.people, r.size, r.count) if r.meeting in open_ else r
        for r in rounds
    ]
    formed = groups.form(rounds, groups.rules_of(programme), seed, iterations)
    if formed.problems:
        hint = "change the rules under the programme's groups:, or the meeting's groups:"
        raise CohortError(
            diagnostics=[
                Diagnostic(
                    loaded.at("meetings", mid, "groups"),
                    "error",
                    text,
                    hint,
                    code="groups-impossible",
                )
                for mid, text in formed.problems
            ]
        )
    result = Grouped(formed=formed, seed=seed)
    for r in rounds:
        shown = _shown(programme, r, formed, files)
        if write and shown.state == "formed":
            named = [
                (name, formed.groups[r.meeting][i]) for i, (name, _) in enumerate(shown.groups)
            ]
            shown.written = records.write(folder, r.meeting, named, seed)
        result.rounds.append(shown)
    return result


def _held(programme: Programme, meeting_id: str, day: dt.date) -> bool:
    meeting = programme.meetings.get(meeting_id)
    return meeting is not None and meeting.date <= day


def _open(
    programme: Programme,
    files: dict[str, records.Stored],
    meeting: str | None,
    force: bool,
    day: dt.date,
) -> set[str]:
    """The meetings whose groups are formed now (see the module's docstring)."""
    asked = [m for m in programme.chronological() if m.groups is not None and not m.cancelled]
    if meeting is not None and meeting not in {m.id for m in asked}:
        raise CohortError(f"'{meeting}' does not ask for groups (add 'groups: {{size: 4}}')")
    found = set()
    for m in asked:
        stored = files.get(m.id)
        if meeting is not None and m.id != meeting:
            continue
        if stored is None or (force and stored.by_cohort and m.date >= day):
            found.add(m.id)
    return found


def _shown(
    programme: Programme,
    r: groups.Round,
    formed: groups.Formed,
    files: dict[str, records.Stored],
) -> Shown:
    m = programme.meetings[r.meeting]
    if r.meeting in formed.groups:
        members, state = formed.groups[r.meeting], "formed"
        names = _names(programme, m.id, len(members))
    elif not r.decided:  # one person, or nobody: no groups to form
        members, state, names = (), "none", []
    else:
        members = r.groups or ()
        state = "kept" if files.get(r.meeting) and files[r.meeting].by_cohort else "yours"
        names = [g.name for g in m.groups.formed] if m.groups else []
    return Shown(
        m.id,
        m.date,
        len(r.people),
        [
            (name, [_name(programme, p) for p in group])
            for name, group in zip(names, members, strict=True)
        ],
        state,
    )


def _name(programme: Programme, pid: str) -> str:
    person = programme.participants.get(pid)
    return person.name if person else pid


def _names(programme: Programme, meeting_id: str, count: int) -> list[str]:
    """The groups' names: the meeting's `names:`, else its `name:` (or 'Group' in the
    programme's language) with a number."""
    from ..i18n import Texts

    spec = programme.meetings[meeting_id].groups
    assert spec is not None
    word = spec.name or Texts(programme.language.value).gettext("Group")
    return [spec.names[i] if i < len(spec.names) else f"{word} {i + 1}" for i in range(count)]
