"""What a command says: text for standard output and for standard error, in the order it is
said, and the exit code the command ends with.

A command's module decides all of it and returns a `Said`; the CLI only prints it
(`cli.common.tell`). So what a command says, and on which stream, is tested by calling the
function, without running the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

#: standard output: what the command gives (a schedule, a verdict, a summary), for a pipe or a
#: file; standard error: what the facilitator should know on the way (warnings, what was
#: written), never mixed into that
Stream = Literal["out", "err"]


@dataclass
class Said:
    """What a command says, piece by piece in order, each for its stream, and its exit code
    (0 all is well, 1 the user's data is wrong, 2 the command line is, 128 + a signal's number
    when one stopped it)."""

    pieces: list[tuple[Stream, str | bytes]] = field(default_factory=list)
    exit_code: int = 0

    def out(self, lines: str | Iterable[str]) -> Said:
        """Add lines (each ends with a newline) for standard output."""
        return self._lines("out", lines)

    def err(self, lines: str | Iterable[str]) -> Said:
        """Add lines (each ends with a newline) for standard error."""
        return self._lines("err", lines)

    def text(self, text: str | bytes) -> Said:
        """Add text for standard output as it is: no newline added, bytes (a CSV with its byte
        order mark and CRLF) kept as they are."""
        self.pieces.append(("out", text))
        return self

    def _lines(self, stream: Stream, lines: str | Iterable[str]) -> Said:
        for line in [lines] if isinstance(lines, str) else lines:
            self.pieces.append((stream, line + "\n"))
        return self

    @property
    def stdout(self) -> str:
        """Everything said on standard output, as one text."""
        return self._joined("out")

    @property
    def stderr(self) -> str:
        """Everything said on standard error, as one text."""
        return self._joined("err")

    def _joined(self, stream: Stream) -> str:
        return "".join(
            text.decode("utf-8") if isinstance(text, bytes) else text
            for where, text in self.pieces
            if where == stream
        )
