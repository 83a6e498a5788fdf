"""What cohort last published of each meeting, kept in `published.json` in the programme folder.

Calendar clients need three things to stay stable: a meeting's UID never changes; SEQUENCE rises
whenever its time, venue or status changes; DTSTAMP reflects the last change of the data. So
cohort remembers, per meeting, the UID it gave it, its SEQUENCE, fingerprints of what it
published, when it first and last changed, and enough of the event to cancel it properly if the
meeting disappears from the YAML. The file belongs to cohort (written atomically; commit it next
to the YAML); regenerating without changes leaves it byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CohortError, Location
from ..files import write_atomic

STATE_FILE = "published.json"
_ABOUT = (
    "Written by cohort: what was last published of each meeting (calendar UIDs and SEQUENCE). "
    "Commit it next to the YAML; do not edit it."
)


def now() -> dt.datetime:
    """The current time in UTC, to the second; COHORT_NOW (ISO 8601) freezes it for tests."""
    frozen = os.environ.get("COHORT_NOW")
    if frozen:
        moment = dt.datetime.fromisoformat(frozen)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).replace(microsecond=0)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Published:
    """One meeting as last published."""

    uid: str
    sequence: int
    created: str  # ISO 8601, UTC
    modified: str  # ISO 8601, UTC: the last change of the data (DTSTAMP, LAST-MODIFIED)
    significant: str  # fingerprint of time, venue and status
    content: str  # fingerprint of everything shown
    title: str
    start: str  # ISO 8601 with offset, or a date for all-day meetings
    end: str
    all_day: bool
    location: str
    status: str
    invitees: list[str] = field(default_factory=list)
    removed: bool = False

    @property
    def modified_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.modified)

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created)


@dataclass
class State:
    """What cohort published (published.json): per meeting its record, and the feed secret."""

    path: Path
    secret: str
    meetings: dict[str, Published]
    changed: bool = False

    def feed_token(self, participant_id: str) -> str:
        """A stable, unguessable part of a personal feed's file name, so that knowing someone's
        id is not enough to read which meetings they are invited to."""
        digest = hmac.new(self.secret.encode(), participant_id.encode(), hashlib.sha256)
        return digest.hexdigest()[:12]

    def save(self) -> bool:
        data = {
            "about": _ABOUT,
            "secret": self.secret,
            "meetings": {mid: asdict(p) for mid, p in sorted(self.meetings.items())},
        }
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
        return write_atomic(self.path, text)


def load_state(folder: Path) -> State:
    """The state of a programme folder; a new, empty one if cohort never published it."""
    path = folder / STATE_FILE
    if not path.exists():
        return State(path, secrets.token_hex(16), {}, changed=True)
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        meetings = {mid: Published(**entry) for mid, entry in raw["meetings"].items()}
        secret = str(raw["secret"])
    except json.JSONDecodeError as err:
        raise CohortError(
            f"{STATE_FILE} is damaged ({err.msg}); it is cohort's record of what was "
            "published: restore it from git (a merge conflict?) rather than editing it",
            location=Location(path, err.lineno, err.colno),
            code="damaged-record",
        ) from None
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as err:
        raise CohortError(
            f"{STATE_FILE} is not as cohort wrote it ({err}); restore it from git",
            location=path,
            code="damaged-record",
        ) from None
    return State(path, secret, meetings)


def fingerprint(value: Any) -> str:
    """A short, stable digest of a JSON-able value, to tell whether it changed."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
