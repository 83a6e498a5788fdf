"""One error root for everything cohort refuses, and the diagnostics it reports.

Every problem with the user's files becomes a `Diagnostic` that knows its file, line and column;
the CLI turns a `CohortError` into a message and an exit code in one place (`cli.CohortGroup`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

#: Exit codes: 0 all is well, 1 the user's data or templates are wrong, 2 the command line is wrong.
EXIT_DATA = 1
EXIT_USAGE = 2


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file; line and column count from 1, as editors do."""

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
    code: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
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
            out.append(Diagnostic(where, "error", self.message))
        return out

    def lines(self) -> list[str]:
        out = [str(d) for d in self.diagnostics]
        if self.message:
            where = f"{self.location}: " if self.location is not None else ""
            out.append(f"{where}error: {self.message}")
        return out


class UsageError(CohortError):
    """The command line asks for something that cannot be done (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass
class Report:
    """Collects diagnostics during one run, so that all problems are reported together."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str = "", code: str = "") -> None:
        self.diagnostics.append(Diagnostic(location, "error", message, hint, code))

    def warning(self, location: Location, message: str, hint: str = "", code: str = "") -> None:
        self.diagnostics.append(Diagnostic(location, "warning", message, hint, code))

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
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
