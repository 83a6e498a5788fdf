"""An append-only record of JSON lines that survives a crash, a full disk and a damaged line:
the outbox's journal of sending, and the programme's record of what was delivered.

Each entry is one line, a JSON object with at least `file` and `event`, appended in one write
and, when it must be, on disk (fsync) before the caller's next step. A crash or a full disk can
cut the last line off (no line end); a reader leaves such a torn tail out, so the step before it
stands. Nothing is ever appended after a torn tail: before the first append of a process, and
after any write that failed, the tail is cut off (one `ftruncate`, atomic) and its text kept in
a `torn` entry, so the file stays a list of whole lines.

A damaged line elsewhere (an edit, a merge conflict) stops every reader, with the way out:
`repair` keeps a copy of the file, drops the lines it cannot read, and says which.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CohortError, Location

#: a journal line is a few hundred bytes; a torn tail longer than this is not one of cohort's
_TAIL = 1 << 16
#: the names of messages in a line of text, to find in what a repair drops
_MESSAGE = re.compile(r"[^\s\"'/\\]+\.eml")


@dataclass
class Repaired:
    """What `Journal.repair` did: the copy it kept, the lines it dropped (number, text), and
    the names of the messages those lines spoke of."""

    copy: Path | None
    dropped: list[tuple[int, str]] = field(default_factory=list)
    messages: set[str] = field(default_factory=set)


class Journal:
    """One journal file. `remedy` is what to tell a user whose journal is damaged (the command
    that repairs it); `what` names the file for people."""

    def __init__(self, path: Path, what: str, remedy: str) -> None:
        self.path = path
        self.what = what
        self.remedy = remedy
        self._whole = False  # the file is known to end with a line end (or not to exist)

    # -- writing ------------------------------------------------------------------------------

    def append(self, entry: dict[str, Any], durable: bool = True) -> None:
        """Append one entry as one line; on disk before returning when `durable`.

        Raises OSError when it cannot be written (the caller must not go on as if it were)."""
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, flags, 0o644)
        try:
            if not self._whole:
                self._cut_torn_tail(fd)
            self._whole = False  # until this line is known to be whole
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(28, "No space left on device (a line was cut off)")
            if durable:
                os.fsync(fd)
            self._whole = True
        finally:
            os.close(fd)

    def sync(self) -> None:
        """Wait until what was appended without `durable` is on disk."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _cut_torn_tail(self, fd: int) -> None:
        """Cut off a last line without a line end (left by a crash or a full disk), keeping its
        text in a `torn` entry."""
        size = os.fstat(fd).st_size
        if size == 0:
            self._whole = True
            return
        start = max(0, size - _TAIL)
        tail = os.pread(fd, size - start, start)
        if tail.endswith(b"\n"):
            self._whole = True
            return
        cut = tail.rfind(b"\n")
        if cut < 0 and start > 0:  # no line end for 64 KB: not a line cohort wrote
            raise CohortError(
                f"{self.what} is damaged at its end: cohort cannot tell from it what was sent. "
                f"{self.remedy}",
                location=self.path,
                code="damaged-record",
            )
        keep = start + cut + 1
        torn = tail[cut + 1 :]
        os.ftruncate(fd, keep)
        note = {
            "event": "torn",
            "file": "",
            "text": torn.decode("utf-8", "replace"),
            "note": "a line cut off by a crash or a full disk, taken out before writing on",
        }
        os.write(fd, (json.dumps(note, ensure_ascii=False, sort_keys=True) + "\n").encode())
        os.fsync(fd)
        self._whole = True

    # -- reading ------------------------------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first. A torn last line is left out (the step before it stands,
        which never makes a message look delivered that was not). Raises CohortError for any
        other damage, naming the line and the way out."""
        good, bad = self._read()
        if bad:
            number, _ = bad[0]
            more = f" (and {len(bad) - 1} more line(s))" if len(bad) > 1 else ""
            raise CohortError(
                f"{self.what} is damaged{more}: cohort cannot tell from it what was sent. "
                f"{self.remedy}",
                location=Location(self.path, number, 1),
                code="damaged-record",
            )
        return good

    def _read(self) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
        """The entries that can be read, and the damaged lines (number, text); a torn tail is
        neither."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        except IsADirectoryError:
            raise CohortError(f"{self.what} '{self.path}' is a folder, not a file") from None
        except OSError as err:
            raise CohortError(f"cannot read {self.what} '{self.path}': {err.strerror}") from None
        lines = data.decode("utf-8", errors="replace").split("\n")
        torn = lines.pop()  # "" when the file ends with a line end
        good: list[dict[str, Any]] = []
        bad: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            entry = _entry(line)
            if entry is None:
                bad.append((number, line))
            else:
                good.append(entry)
        if torn.strip() and (entry := _entry(torn)) is not None:
            good.append(entry)
        return good, bad

    # -- repairing ----------------------------------------------------------------------------

    def repair(self, stamp: str) -> Repaired:
        """Keep a copy of the file (`<name>.damaged-<stamp>`), then rewrite it with only the
        lines that can be read (a torn tail goes too). Returns what was dropped; the caller
        decides what the messages named there now are. Raises CohortError when the file cannot
        be read or written."""
        from ..files import write_atomic

        good, bad = self._read()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Repaired(None)
        except OSError as err:
            raise CohortError(f"cannot read {self.what} '{self.path}': {err.strerror}") from None
        text = data.decode("utf-8", errors="replace")
        tail = text.split("\n")[-1]
        if tail.strip() and _entry(tail) is None:  # a torn tail: dropped, and said so
            bad.append((text.count("\n") + 1, tail))
        if not bad:
            if not text.endswith("\n") and text:
                write_atomic(self.path, _lines(good))
            return Repaired(None)
        copy = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        write_atomic(copy, data)
        write_atomic(self.path, _lines(good))
        self._whole = True
        found = {name for _, line in bad for name in _MESSAGE.findall(line)}
        return Repaired(copy, bad, found)


def _lines(entries: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries)


def _entry(line: str) -> dict[str, Any] | None:
    """A journal line as an entry; None when it is not one cohort wrote."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        return None
    if not isinstance(entry.get("event"), str):
        return None
    return entry
