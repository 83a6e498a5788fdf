"""`cohort groups` as a whole: the rounds of a programme from its files, groups formed for the
open ones (`groups.form`), named, shown and, with --write, kept in `groups/<meeting>.yaml`.

Which rounds are open: every meeting with `groups:` that has no groups file yet; with
`--meeting`, only that one; with `--force`, also those whose file cohort wrote (never one the
facilitator changed or wrote), as long as the meeting is still to come.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CohortError, Diagnostic, Report, UsageError, did_you_mean
from ..programme.load import Loaded
from ..programme.model import Programme
from ..records import attendance
from ..records import groups as records
from ..records.workspace import Checked
from ..said import Said
from . import group_checks, groups

#: the checks' warnings `cohort groups` says itself, as errors: rules that cannot hold, fewer
#: names than groups
SAID_AS_ERRORS = ("groups-impossible", "groups-names")


@dataclass
class Shown:
    """One round as `cohort groups` shows it: named groups of names, and what happened."""

    meeting: str
    date: dt.date
    people: int
    groups: list[tuple[str, list[str]]]  # name, the members' names
    state: str  # formed, kept (cohort's file), yours (the facilitator's file), none
    written: Path | None = None
    file: Path | None = None  # its groups file, when there is one
    #: people whose e-mail about this meeting named a group they are no longer in (names),
    #: and the days until it (for the reminder that tells them)
    told: list[str] = field(default_factory=list)
    days: int = 0
    asked: int | None = None  # the count of groups asked for (`count:`), when formed now
    came: int | None = None  # how many of them came, once attendance is recorded
    #: per group, the balanced values it holds ('experience: 2 starter, 2 ervaren'), when the
    #: programme balances any
    balance: list[str] = field(default_factory=list)


@dataclass
class Grouped:
    """What `cohort groups` did: each round, and the repeats over all of them."""

    rounds: list[Shown] = field(default_factory=list)
    formed: groups.Formed = field(default_factory=groups.Formed)
    seed: int = 0
    force: bool = False

    def lines(self, written: bool) -> list[str]:
        """For the terminal: each round's groups, then the repeats and what counting proves."""
        out = []
        for r in self.rounds:
            state = {
                "formed": "formed now",
                "kept": "as written before",
                "yours": "as you made them",
                "none": "too few people for groups",
            }[r.state]
            if r.state == "yours" and not r.groups:
                out.append(
                    f"{r.meeting} ({r.date}): {plural(r.people, 'person', 'people')}, no groups: "
                    f"{r.file} is yours and lists none; fill in its groups (cohort never "
                    "rewrites it), or move it out of groups/ to let cohort form them"
                )
                continue
            came = f" ({r.came} came)" if r.came is not None else ""
            out.append(
                f"{r.meeting} ({r.date}): {plural(r.people, 'person', 'people')}{came}, "
                f"{plural(len(r.groups), 'group')}, {state}"
            )
            if r.asked and len(r.groups) < r.asked:
                out.append(
                    f"  {plural(len(r.groups), 'group')}, not the {r.asked} asked: "
                    f"{r.people} people make at most {r.people // 2} groups of two or more"
                )
            balance = r.balance or [""] * len(r.groups)
            out += [
                f"  {name}: {', '.join(members)}" + (f" ({held})" if held else "")
                for (name, members), held in zip(r.groups, balance, strict=True)
            ]
            if r.state == "yours" and self.force:
                out.append(
                    f"  kept {r.file}: you wrote or changed it, so --force does not form these "
                    "groups anew; move it out of groups/ to let cohort form them"
                )
        if not self.rounds:
            out.append("no meeting asks for groups: give one 'groups: {size: 4}' to form them")
        out += self._repeats()
        for r in self.rounds:
            if r.told:
                out.append(
                    f"{r.meeting}: {plural(len(r.told), 'person', 'people')} had an e-mail "
                    f"naming the old groups ({', '.join(r.told)}): tell them their new group "
                    f"with a reminder, which shows it: cohort invite --meeting {r.meeting} "
                    f"--reminder --days {r.days}"
                )
        if any(r.state == "formed" for r in self.rounds):
            if written:
                out += [f"wrote {r.written}" for r in self.rounds if r.written]
            else:
                out.append("add --write to keep these groups (documents show written groups)")
        return out

    def _repeats(self) -> list[str]:
        f = self.formed
        counted = [r for r in self.rounds if r.groups]
        if not counted:
            return []
        if f.repeats == 0:
            return [f"no pair meets twice over {plural(len(counted), 'round')}"]
        out = [
            f"{plural(f.repeated_pairs, 'pair')} {'meets' if f.repeated_pairs == 1 else 'meet'} "
            f"more than once ({plural(f.repeats, 'repeat')}: a pair's meetings after its "
            "first)"
        ]
        if f.least_repeats == 0:
            out.append(
                "zero repeats may be possible (no count cohort knows rules them out): try "
                "another --seed, or move people by hand in the groups files"
            )
            return out
        first = f.rounds[f.bound] if f.bound < len(f.rounds) else f.rounds[-1]
        proof = (
            f"counting proves at least {plural(f.least_repeats, 'repeat')} over these rounds "
            f"(from '{first}' on, not everyone can meet only new people)"
        )
        if f.repeats <= f.least_repeats:
            out.append(f"{proof}: this is the fewest possible")
        else:
            out.append(
                f"{proof}; cohort keeps them low, a pair's third meeting weighing more than two "
                "pairs' second (another --seed may find fewer)"
            )
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
    if write:
        records.writable(folder)
    open_ = _open(programme, files, meeting, force, day)
    empty = {m for m, s in files.items() if s.record is not None and not s.record.groups}
    rounds = groups.rounds_of(
        programme, excused, attended, open_ if meeting else None, empty - open_
    )
    rounds = [
        groups.Round(r.meeting, r.people, r.size, r.count) if r.meeting in open_ else r
        for r in rounds
    ]
    short = [
        (r.meeting, text)
        for r in rounds
        if r.meeting in open_ and (text := groups.too_few_names(programme, r))
    ]
    if short:
        raise CohortError(
            diagnostics=[
                Diagnostic(
                    loaded.at("meetings", mid, "groups", "names"),
                    "error",
                    text,
                    "give a name for every group, or leave names: out",
                    code="groups-names",
                )
                for mid, text in short
            ]
        )
    name = group_checks.person_namer(programme)
    rules = groups.rules_of(programme)
    formed = groups.form(rounds, rules, seed, iterations, name)
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
    result = Grouped(formed=formed, seed=seed, force=force)
    for r in rounds:
        shown = _shown(programme, r, formed, files)
        shown.balance = _balance(programme, r, formed, rules)
        if write and shown.state == "formed":
            named = [
                (name, formed.groups[r.meeting][i]) for i, (name, _) in enumerate(shown.groups)
            ]
            before = files.get(r.meeting)
            shown.written = records.write(folder, r.meeting, named, seed)
            if before is not None and before.record is not None:
                old = [g.members for g in before.record.groups]
                moved = _moved(old, formed.groups[r.meeting])
                told = _told(folder, r.meeting, moved)
                shown.told = [_name(programme, pid) for pid in told]
                shown.days = max(0, (programme.meetings[r.meeting].date - day).days)
        result.rounds.append(shown)
    return result


def said(
    checked: Checked,
    *,
    meeting: str | None = None,
    seed: int = 0,
    write: bool = False,
    force: bool = False,
    today: dt.date | None = None,
) -> Said:
    """`cohort groups` as it is said: the programme's warnings on standard error (but those it
    says itself as errors, and those about a groups file it has just formed anew), then the
    groups (`Grouped.lines`) on standard output. `checked` keeps the programme as loaded
    (`load_checked(keep_loaded=True)`): a rule that cannot hold is said at its line.

    Raises CohortError as `group` does, with those warnings said first."""
    warnings = [w for w in checked.warnings if w.code not in SAID_AS_ERRORS]
    try:
        result = group(
            checked.loaded,
            checked.programme,
            meeting=meeting,
            seed=seed,
            write=write,
            force=force,
            today=today,
        )
    except CohortError as err:  # the warnings came before it: they are said first
        err.diagnostics[:0] = warnings
        raise
    replaced = {r.written for r in result.rounds if r.written}
    said = Said().err(str(w) for w in warnings if w.location.file not in replaced)
    return said.out(result.lines(write))


def _moved(old: Sequence[Sequence[str]], new: Sequence[Sequence[str]]) -> list[str]:
    """Who sits with other people now than in the `old` groups (or was not in them)."""

    def mates(grouping: Sequence[Sequence[str]]) -> dict[str, frozenset[str]]:
        return {p: frozenset(g) for g in grouping for p in g}

    before, after = mates(old), mates(new)
    return sorted(p for p, group in after.items() if before.get(p) != group)


def _told(folder: Path, meeting_id: str, people: Sequence[str]) -> list[str]:
    """Of `people`, those who received an e-mail about the meeting (it named their group)."""
    from ..records.deliveries import History
    from ..records.outbox import Name

    try:
        received = History(folder).received()
    except CohortError:  # a damaged record: invite and send say so themselves
        return []
    wanted = set(people)
    told = set()
    for file in received:
        name = Name.parse(file)
        if name and name.meeting == meeting_id and name.kind != "cancellation":
            told |= {name.participant} & wanted
    return sorted(told)


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 group', '3 groups'; '1 person', '2 people' (cohort's own messages are English)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
    if meeting is not None and meeting not in programme.meetings:
        hint = did_you_mean(meeting, [m.id for m in asked] or programme.meetings)
        raise UsageError(f"no meeting '{meeting}'" + (f" ({hint})" if hint else ""))
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
    listed = {p for group in members for p in group}
    return Shown(
        m.id,
        m.date,
        len(listed) if r.decided else len(r.people),  # as many as the groups list
        [
            (name, [_name(programme, p) for p in group])
            for name, group in zip(names, members, strict=True)
        ],
        state,
        file=files[r.meeting].path if r.meeting in files else None,
        asked=r.count if state == "formed" and m.groups and m.groups.count else None,
        came=len({p for group in r.met for p in group}) if r.met is not None else None,
    )


def _balance(
    programme: Programme, r: groups.Round, formed: groups.Formed, rules: groups.Rules
) -> list[str]:
    """Per group of a round, the balanced values it holds, field by field ('experience: 2
    starter, 1 ervaren'; none when the programme balances nothing)."""
    fields = list(programme.groups.balance)
    if not fields:
        return []
    members = formed.groups.get(r.meeting, r.groups or ())
    out = []
    for group in members:
        held = Counter(v for p in group for v in rules.values.get(p, ()))
        parts = []
        for key in fields:
            counts = sorted(
                ((n, v.partition("=")[2]) for v, n in held.items() if v.startswith(key + "=")),
                key=lambda t: (-t[0], t[1]),
            )
            if counts:
                parts.append(f"{key}: " + ", ".join(f"{n} {value}" for n, value in counts))
        out.append("; ".join(parts))
    return out


def _name(programme: Programme, pid: str) -> str:
    person = programme.participants.get(pid)
    return person.name if person else pid


def _names(programme: Programme, meeting_id: str, count: int) -> list[str]:
    """The groups' names in the programme's language (as the groups file keeps them; each
    reader's documents name them in their own: `MeetingGroups.name_of`)."""
    spec = programme.meetings[meeting_id].groups
    assert spec is not None
    return [spec.name_of(i + 1, programme.language.value) for i in range(count)]
