"""A programme folder as every command sees it: the user's YAML, checked, with the files cohort
keeps in it read back and checked against it.

    programme.yaml (+ includes)   the facilitator's: read and checked by `programme`
    published.json                cohort's record of what it published (UID, SEQUENCE)
    delivered.jsonl               what each person received, from any outbox (`deliveries`)
    feed-secret.txt               the secret of personal feed names (kept out of git)
    certificate-secret.txt        the key of the certificates' verification codes (out of git)
    attendance/<meeting>.yaml     who came
    planning/solution.yaml        the dates and venues `schedule --solve --write` chose
    planning/answers.yaml         who can come when (`poll import`)
    groups/<meeting>.yaml         the groups of a meeting (an overlay: the meeting's groups)
    registrations/<meeting>.yaml  who registered, and where each stands on the waiting list
                                  (an overlay: confirmed people are participants and invitees)
    replies/<meeting>.yaml        who answered the invitation: accepted, declined, tentative

`load_checked` is what a command that produces something calls: every problem of every file in
one list, and nothing produced while one is an error. `validate` is `cohort validate`: the same
diagnostics, and the verdict.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CohortError, Diagnostic, Location, Report, UsageError, did_you_mean
from ..programme import certificates
from ..programme.check import check
from ..programme.load import Loaded, Overlay, load
from ..programme.model import Meeting, Programme
from ..said import Said
from . import attendance
from .published import SECRET_FILE, STATE_FILE, load_state

if TYPE_CHECKING:
    from .solution import SolvedMeeting


def overlays(proposal: Mapping[str, SolvedMeeting] | None = None) -> tuple[Overlay, ...]:
    """What the files cohort owns add to the programme before it is validated (see
    `programme.load.Overlay`), in the order they apply. `proposal` replaces the stored solved
    schedule (an empty one leaves every open meeting open, as the solver needs). Imported
    here, when a programme is read, so that `cohort --help` stays fast."""
    from . import groups, registrations
    from .solution import Planned

    return (Planned(proposal), registrations.overlay, groups.overlay)


#: A check from a later stage (planning) that a command hands in: it adds its diagnostics to
#: the loaded programme's report (e.g. whether a solved schedule still fits its rules).
Check = Callable[[Loaded], None]


def _unplanned(loaded: Loaded) -> list[Diagnostic]:
    """One notice per meeting whose date is still to be chosen."""
    return [
        Diagnostic(
            loaded.at("meetings", mid, key=True),
            "warning",
            f"meeting '{mid}' has no date yet",
            "run 'cohort schedule --solve --write' to choose one, or give it 'date:'",
            code="unscheduled",
        )
        for mid in sorted(loaded.unplanned)
    ]


def check_records(loaded: Loaded, today: dt.date | None) -> None:
    """Check the files cohort keeps in the folder against the programme, and the files the
    programme names (a certificate's images); problems go to the loaded programme's report, at
    their own file and line."""
    report = loaded.report
    certificates.check(loaded)
    if loaded.programme is not None:
        records = attendance.load_all(loaded.folder, report)
        attendance.check(loaded.programme, records, report, today)
        from . import groups

        excused = {m: set(r.record.excused) for m, r in records.items() if r.record}
        groups.check(loaded.programme, excused, loaded.at, report)
        from . import replies

        replies.check(loaded.programme, replies.load_all(loaded.folder, report), report)
    _state_file(loaded.folder, report)


def _state_file(folder: Path, report: Report) -> None:
    """cohort's record of what it published must be readable (a merge conflict breaks it), and
    the feed secret there once feeds were named with it (`keys` keeps it out of git)."""
    if (folder / STATE_FILE).exists():
        try:
            state = load_state(folder)
        except CohortError as err:
            report.extend(err.all_diagnostics())
        else:
            feed = folder / SECRET_FILE
            if state.meetings and state.legacy_secret is None and not feed.exists():
                report.warning(
                    Location(feed),
                    f"{feed.name} is missing: the personal feeds were named with the secret it "
                    "held, so the next 'cohort calendar' stops until it is back",
                    "copy it back from where you keep it (it stays out of git)",
                    code="missing-record",
                )
    _deliveries(folder, report)


def _deliveries(folder: Path, report: Report) -> None:
    """The record of what was delivered must be readable: `invite` and `send` stop at a damaged
    one (a merge conflict), so say it before."""
    from .deliveries import RECORD, History

    if (folder / RECORD).exists() and not (folder / RECORD).is_file():
        report.warning(
            Location(folder / RECORD),
            f"{RECORD} is not a file: cohort keeps there what each person was sent ('cohort "
            "invite' and 'cohort send' stop until then)",
            f"move it away; cohort makes {RECORD} anew at the next 'cohort send'",
            code="damaged-record",
        )
    elif (folder / RECORD).is_file():
        try:
            History(folder).last()
        except CohortError as err:
            where = (
                err.location if isinstance(err.location, Location) else Location(folder / RECORD)
            )
            report.warning(
                where,
                err.message + " ('cohort invite' and 'cohort send' stop until then)",
                code="damaged-record",
            )


class Checked:
    """A programme that loaded and passed the checks, with the warnings that remain; and, for a
    command that goes on to report problems at their lines (`keep_loaded`), the programme as
    loaded: where each value stood, what is unplanned."""

    def __init__(self, loaded: Loaded, warnings: list[Diagnostic], keep_loaded: bool) -> None:
        assert loaded.programme is not None
        self.programme: Programme = loaded.programme
        self.folder = loaded.folder
        self.warnings = warnings
        self._loaded = loaded if keep_loaded else None

    @property
    def loaded(self) -> Loaded:
        """The programme as loaded; only when `load_checked` was asked to keep it."""
        if self._loaded is None:
            raise RuntimeError("load_checked(keep_loaded=True) keeps the programme as loaded")
        return self._loaded

    def meetings(self, meeting_id: str | None) -> list[Meeting]:
        """The meeting asked for (`--meeting`), or all of them in order.

        Raises UsageError for an id that is not a meeting of this programme."""
        programme = self.programme
        if meeting_id is None:
            return list(programme.chronological())
        if meeting_id not in programme.meetings:
            hint = did_you_mean(meeting_id, programme.meetings)
            raise UsageError(
                f"--meeting '{meeting_id}' is not a meeting of this programme"
                + (f" ({hint})" if hint else "")
            )
        return [programme.meetings[meeting_id]]


def load_checked(
    folder: Path,
    today: dt.date | None = None,
    checks: Sequence[Check] = (),
    proposal: Mapping[str, SolvedMeeting] | None = None,
    keep_loaded: bool = False,
) -> Checked:
    """Load and check a programme for a command that produces something from it; `proposal`
    as in `overlays` (an empty one: the programme as the solver sees it, open meetings open).
    Where each value stood is let go once the checks are done (hundreds of thousands of places
    for a programme of 10,000 people: 14 MB that a command producing tens of thousands of
    e-mails would otherwise hold to its end, issue 17), unless `keep_loaded`: for a command
    that reports problems at their lines after the checks.

    Raises CohortError with every problem (of the YAML and of cohort's own files) when any is
    an error, or while a meeting still has no date (unless a proposal is given); otherwise the
    warnings travel along."""
    loaded = load(folder, overlays(proposal))
    report = check(loaded, today)
    check_records(loaded, today)
    for run in checks:
        run(loaded)
    if proposal is None:
        report.extend(
            Diagnostic(d.location, "error", d.message, d.hint, code=d.code)
            for d in _unplanned(loaded)
        )
    if report.errors or loaded.programme is None:
        raise CohortError(diagnostics=report.sorted())
    return Checked(loaded, report.sorted(), keep_loaded)


def plural(n: int, word: str) -> str:
    """'1 error', '2 errors' (cohort's own messages are English)."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class Validation:
    """What `cohort validate` found: every diagnostic, sorted, and the verdict."""

    folder: Path
    programme: Programme | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    strict: bool = False
    #: the reading stopped at one problem (no programme.yaml, ...): nothing to count
    stopped: bool = False
    #: the folder given is none (missing, or a file): a wrong command line, exit 2
    usage: UsageError | None = None

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    @property
    def failed(self) -> bool:
        """Errors fail; warnings fail too with --strict."""
        return self.errors > 0 or (self.strict and bool(self.diagnostics))

    def counts(self) -> str:
        return f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"

    def verdict(self) -> str | None:
        """The last line for people: what is there, or how many problems (None when the
        reading stopped at its one problem)."""
        if self.stopped:
            return None
        if not self.failed and self.programme is not None:
            p = self.programme
            return (
                f'{self.folder}: ok: "{p.title}", {len(p.meetings)} meetings, '
                f"{len(p.participants)} participants ({self.counts()})"
            )
        return self.counts()

    @property
    def exit_code(self) -> int:
        """2 when the folder given is none, 1 when the validation `failed`, else 0."""
        if self.usage is not None:
            return self.usage.exit_code
        return 1 if self.failed else 0

    def said(self, json: bool = False) -> Said:
        """What `cohort validate` says, with its exit code. For machines (`json`): the JSON of
        `as_json` on standard output, whatever the outcome. For people: the diagnostics on
        standard error, then the verdict: on standard output when the programme is fine, else
        on standard error with the problems."""
        said = Said(exit_code=self.exit_code)
        if json:
            return said.out(self.as_json())
        if self.usage is not None:
            return said.err(self.usage.lines())
        said.err(str(d) for d in self.diagnostics)
        verdict = self.verdict()
        if verdict is None:
            return said
        if self.failed or self.programme is None:
            return said.err(verdict)
        return said.out(verdict)

    def as_json(self) -> str:
        """For machines: {ok, errors, warnings, diagnostics: [{file, line, column, severity,
        code, message, hint}]}."""
        return json.dumps(
            {
                "ok": not self.failed,
                "errors": self.errors,
                "warnings": self.warnings,
                "diagnostics": [d.as_json() for d in self.diagnostics],
            },
            ensure_ascii=False,
            indent=2,
        )


def validate(
    folder: Path, today: dt.date | None, strict: bool = False, checks: Sequence[Check] = ()
) -> Validation:
    """Check a programme folder and everything cohort keeps in it. A problem that stops the
    reading early (no programme.yaml, a file that is not YAML) is one more diagnostic; so is
    a folder that is none (missing, or a file), kept as `usage` too (a wrong command line).
    A meeting still to be planned is a warning."""
    try:
        loaded = load(folder, overlays())
        check(loaded, today)
        check_records(loaded, today)
        for run in checks:
            run(loaded)
        loaded.report.extend(_unplanned(loaded))
    except UsageError as err:
        where = Location(folder)
        stop = Diagnostic(where, "error", err.message, code=err.code)
        return Validation(folder, None, [stop], strict, stopped=True, usage=err)
    except CohortError as err:
        return Validation(
            folder,
            None,
            err.all_diagnostics(),
            strict,
            stopped=bool(err.message) and not err.diagnostics,
        )
    return Validation(folder, loaded.programme, loaded.report.sorted(), strict)
