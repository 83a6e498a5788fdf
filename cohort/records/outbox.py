"""The outbox: messages waiting to be sent, messages sent, and the journal of sending.

    OUTBOX/
      <meeting>.<participant>.<kind>.<sequence>.eml   waiting (written by `cohort invite`)
      sent/<same name>.eml                            delivered (moved there by `cohort send`)
      journal.jsonl                                   one line per attempt and per delivery

Ids hold no dots, so a file name says which meeting, person, kind and SEQUENCE it carries.
`cohort invite` reads what was delivered to decide between an invitation and an update, and
never sends what was already delivered again; `cohort send` moves each message to `sent/` the
moment the server accepts it, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CohortError

SENT = "sent"
JOURNAL = "journal.jsonl"
KINDS = ("invitation", "update", "cancellation", "reminder")


@dataclass(frozen=True, order=True)
class Name:
    """The file name of a message: meeting, participant, kind and SEQUENCE."""

    meeting: str
    participant: str
    kind: str
    sequence: int

    @property
    def file(self) -> str:
        return f"{self.meeting}.{self.participant}.{self.kind}.{self.sequence}.eml"

    @classmethod
    def parse(cls, file: str) -> Name | None:
        parts = file.split(".")
        if len(parts) != 5 or parts[4] != "eml" or parts[2] not in KINDS:
            return None
        if not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2], int(parts[3]))


class Outbox:
    """An outbox folder: messages waiting, sent, and the journal of sending."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def sent_dir(self) -> Path:
        return self.path / SENT

    def pending(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.glob("*.eml") if Name.parse(p.name))

    def delivered(self) -> list[Name]:
        if not self.sent_dir.is_dir():
            return []
        names = (Name.parse(p.name) for p in self.sent_dir.glob("*.eml"))
        return sorted(n for n in names if n is not None)

    def log(self, **entry: Any) -> None:
        """Append one line to the journal, flushed to disk before the next step."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / JOURNAL).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def journal(self) -> list[dict[str, Any]]:
        path = self.path / JOURNAL
        if not path.exists():
            return []
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                raise CohortError(
                    f"{path}:{number}: the sending journal is damaged; it is cohort's record of "
                    "what was sent: restore it rather than editing it"
                ) from None
        return entries

    def uncertain(self) -> set[str]:
        """Messages whose sending began but was never recorded as done or failed: the process
        stopped while the server had them. They may have arrived; they are not sent again
        unless the facilitator says so."""
        state: dict[str, str] = {}
        for entry in self.journal():
            state[entry["file"]] = entry["event"]
        return {file for file, event in state.items() if event == "sending"}

    def mark_sent(self, file: Path) -> None:
        self.sent_dir.mkdir(parents=True, exist_ok=True)
        file.replace(self.sent_dir / file.name)
