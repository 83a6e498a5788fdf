"""One error root for everything cohort refuses, and the diagnostics it reports.

Every problem with the user's files becomes a `Diagnostic` that knows its file, line and column;
the CLI turns a `CohortError` into a message and an exit code in one place (`cli.CohortGroup`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

#: Every diagnostic's code, stable across versions, with what it means; `validate --format json`
#: gives it so tools can filter, and docs/format.md lists them all (a test holds the two alike).
CODES: dict[str, str] = {
    # reading files
    "unreadable": "a file cannot be read (permissions, a pipe, a folder)",
    "file-too-large": "a file is larger than cohort reads",
    "encoding": "a file is not UTF-8 text",
    "empty-file": "a file holds nothing but comments",
    "yaml": (
        "a file is not valid YAML, or uses a tag, an alias loop, tabs or nesting deeper than "
        "64 levels that cohort refuses"
    ),
    "merge-conflict": "a merge conflict left in a file (git's '<<<<<<<' ... '>>>>>>>' lines)",
    "not-a-folder": "the programme's folder given does not exist, or is a file",
    "no-programme": "the folder has no programme.yaml",
    "cannot-continue": "a problem that stops the command before anything else can be said",
    "outside-programme": "a file of the programme that is a link to somewhere outside its folder",
    "control-character": "a control character (from a copy and paste) in a value",
    # the shape of the programme
    "not-a-mapping": "a mapping of 'key: value' lines was expected",
    "not-a-list": "a list was expected",
    "not-text": "text was expected",
    "bad-include": "an include: entry that names no YAML file inside the programme folder",
    "duplicate-id": "the same id is defined twice",
    "duplicate-key": "the same key twice in one mapping (YAML would keep only the last)",
    "id-in-entry": "an entry repeats its id inside (the key is the id)",
    "missing-field": "a field that must be given is missing",
    "unknown-field": "a field cohort does not know (a typo?)",
    "invalid-value": "a value that cannot be read as what the field wants",
    "not-a-choice": "a value that is not one of the field's choices",
    "empty-value": "a field that must not be empty is",
    # cross-checks
    "unknown-id": "a reference to an id that does not exist",
    "organisation-cycle": "an organisation that is, through its members, a member of itself",
    "end-before-start": "a meeting that ends before it starts",
    "deadline-after-meeting": "a registration deadline after the meeting",
    "dst-gap": "a time that does not exist on that day (the clocks skip it)",
    "dst-ambiguous": "a time that happens twice on that day (the clocks go back)",
    "agenda-outside": "an agenda item outside the meeting's time",
    "agenda-order": "agenda items out of order",
    "unknown-speaker": "a speaker that looks like a mistyped participant id",
    "double-booked": "two meetings at one venue at the same time",
    "overlap": "people invited to two meetings at the same time",
    "capacity": "more people invited than a meeting or venue holds",
    "nobody-invited": "a meeting nobody is invited to",
    "no-venue": "a meeting without a venue yet",
    "holiday": "a meeting on a public holiday",
    "no-email": "someone who should get e-mail has no address",
    "shared-email": "two people share one e-mail address",
    "file-name": "an id that cannot be a file name everywhere: it differs from another only in "
    "case, or is a name Windows keeps for a device (CON, NUL, COM1, ...)",
    "non-ascii-sender": "an organiser's address only a server that offers SMTPUTF8 can send from",
    "no-translation": "texts an invitee receives that have no version in the language they read "
    "(they go out in the programme's language)",
    "rule-impossible": "an attendance rule that cannot be met",
    "past": "a meeting in the past that is still planned",
    "bad-image": "a certificate's logo or signature image that cohort cannot use",
    # files cohort keeps
    "damaged-record": "a file cohort keeps is damaged (a merge conflict?)",
    "missing-record": "a file cohort keeps is missing (feed-secret.txt, kept out of git)",
    "duplicate-record": "two files record the same thing",
    "misnamed-record": "a record in a file named for something else",
    "attendance-cancelled": "attendance recorded for a cancelled meeting",
    "attendance-in-future": "attendance recorded for a meeting still to come",
    "marked-twice": "someone recorded or marked with two statuses",
    "not-invited": "attendance recorded for someone not invited",
    "unknown-name": "a name on a sheet that matches no one, though one is close",
    "not-a-mark": "a Present or Excused cell on a sheet that says neither yes nor no",
    "wrong-meeting": "a sign-in sheet of another meeting, or one that does not say which",
    # planning (schedule --solve, poll import)
    "unscheduled": "a meeting whose date is still to be chosen (`cohort schedule --solve --write`)",
    "unschedulable": "no schedule fits the planning's rules: the smallest set that conflict",
    "planning-window": "a planning window (or a period to avoid) that ends before it starts, or "
    "spans more than five years",
    "planning-spacing": "a planning spacing whose `max` is less than its `min`",
    "planning-order": "a planning order (or hosting venues) naming one id twice",
    "holidays-unknown": "school holidays cohort does not know for part of the planning window",
    "solution-stale": "a solved schedule that no longer fits the planning's rules or meetings",
    "solution-unavailable": 'someone answers "no" now for a solved date',
    "poll-layout": "a poll export laid out as no tool cohort reads writes it",
    "poll-option": "a poll option that is not a date, or the same option twice",
    "poll-answer": "a poll cell that is not an answer the tool writes",
    "poll-name": "a poll answer without a name",
    "poll-respondent": "a respondent who matches no participant, or two, or who answered twice",
    "poll-match": "a respondent matched to a participant only loosely (case, spaces, accents), "
    "or by an e-mail address while the name is someone else's",
    "poll-empty": "a poll export without any answers",
    "poll-window": "poll options outside the planning window, or none on a day open meetings "
    "may take",
    "poll-times": "poll options at other times than the meetings: answers count by day",
    # groups
    "groups-changed": "groups as formed that no longer fit who comes (someone new, excused)",
    "groups-impossible": "groups whose hard rules cannot all hold (colleagues, roles, apart)",
    "groups-rules": "groups as formed (or a rule) that break a hard rule: colleagues together, "
    "people kept apart in one group",
    "groups-stale": "a groups file for a meeting that no longer asks for groups",
    "groups-names": "fewer `names:` than the groups a meeting makes",
    "unknown-value": "a profile value that the programme's groups: balance: does not list",
    # registrations (registrations import)
    "registration-layout": "a registration export laid out as no tool cohort reads writes it",
    "registration-row": (
        "a registration without a name, an e-mail address or a date cohort reads, or dated "
        "after today"
    ),
    "registration-column": "a column named under registration: columns: that an export lacks",
    "registration-consent": "a consent answer neither a yes cohort knows nor a plain no",
    "registration-twice": "a second registration of someone on the list, or a form sent again",
    "registration-late": "a registration made after the meeting's registration deadline",
}

#: Characters shown escaped in a message: C0 and C1 controls (a newline too: a diagnostic is one
#: line, `file:line:col: ...`), and the invisible ones that reorder or hide text (bidi
#: embeddings, overrides and isolates, zero-width characters, line and paragraph separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str) -> str:
    """A message safe for a terminal and for one line: a control character quoted from a
    user's file (an ESC would start a terminal command, a newline would break the line, a
    right-to-left override would reverse the rest) is shown as its escape, such as '\\x1b',
    '\\n' or '\\u202e'."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


#: Exit codes: 0 all is well, 1 the user's data or templates are wrong, 2 the command line is wrong.
EXIT_DATA = 1
EXIT_USAGE = 2


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a user's file; line and column count from 1, as editors do. Slotted: a
    programme of ten thousand people has hundreds of thousands of them while it is read."""

    file: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return str(self.file)
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem, with where it is and, when we can tell, how to fix it."""

    location: Location
    severity: Severity
    message: str
    hint: str = ""
    code: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a bug in cohort: every code is listed (and documented)
            raise ValueError(f"diagnostic code '{self.code}' is not in errors.CODES")

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)

    def as_json(self) -> dict[str, object]:
        return {
            "file": str(self.location.file),
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.file), loc.line, loc.column, self.message)


class CohortError(Exception):
    """The root of every error cohort reports to the user; never shown as a traceback."""

    exit_code = EXIT_DATA

    def __init__(
        self,
        message: str = "",
        diagnostics: Iterable[Diagnostic] = (),
        location: Location | Path | None = None,
        code: str = "cannot-continue",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code
        self.diagnostics: list[Diagnostic] = sorted(diagnostics, key=lambda d: d.sort_key)

    def all_diagnostics(self) -> list[Diagnostic]:
        """The diagnostics, with the message (if any) as one more."""
        out = list(self.diagnostics)
        if self.message:
            where = (
                self.location
                if isinstance(self.location, Location)
                else Location(self.location or Path())
            )
            out.append(Diagnostic(where, "error", self.message, code=self.code))
        return out

    def lines(self) -> list[str]:
        out = [str(d) for d in self.diagnostics]
        if self.message:
            where = f"{self.location}: " if self.location is not None else ""
            out.append(printable(f"{where}error: {self.message}"))
        return out


class UsageError(CohortError):
    """The command line asks for something that cannot be done (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass
class Report:
    """Collects diagnostics during one run, so that all problems are reported together."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str = "", *, code: str) -> None:
        """An error at `location`; `code` is one of CODES."""
        self.diagnostics.append(Diagnostic(location, "error", message, hint, code=code))

    def warning(self, location: Location, message: str, hint: str = "", *, code: str) -> None:
        """A warning at `location`; `code` is one of CODES."""
        self.diagnostics.append(Diagnostic(location, "warning", message, hint, code=code))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        unique = dict.fromkeys(self.diagnostics)  # drops repeats, keeps the first
        return sorted(unique, key=lambda d: d.sort_key)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CohortError(diagnostics=self.sorted())


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known choice, or '' when nothing is close."""
    import difflib  # here, not at start-up: `cohort --help` stays fast

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
