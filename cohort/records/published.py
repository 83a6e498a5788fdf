"""What cohort last published of each meeting, kept in `published.json` in the programme folder.

Calendar clients need three things to stay stable: a meeting's UID never changes; SEQUENCE rises
whenever its time, venue or status changes; DTSTAMP reflects the last change of the data. So
cohort remembers, per meeting, the UID it gave it, its SEQUENCE, fingerprints of what it
published, when it first and last changed, and enough of the event to cancel it properly if the
meeting disappears from the YAML. The file belongs to cohort (written atomically; commit it next
to the YAML); regenerating without changes leaves it byte-identical.

The secret that makes personal feed names unguessable is kept apart, in `feed-secret.txt`: it
must not go where published.json goes (a shared repository): `cohort init` git-ignores it, and
it is written like the certificates' key (`keys`: for its owner alone, and kept out of git in
any programme). It is made with the first published.json, and taken out of a published.json
written before cohort kept it apart, unchanged, so that no feed changes its name; either
is said (`State.notices`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from ..errors import CohortError, Location
from ..files import read_regular, write_atomic
from . import keys

STATE_FILE = "published.json"
SECRET_FILE = "feed-secret.txt"
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


def today() -> dt.date:
    """Today: the day of COHORT_NOW as it is written, when it freezes the clock (so a frozen
    clock and the day agree), else the computer's."""
    frozen = os.environ.get("COHORT_NOW")
    if frozen:
        return dt.datetime.fromisoformat(frozen).date()
    return dt.date.today()


@dataclass
class Version:
    """When and where a meeting was, as published from SEQUENCE `since` until its next change
    of time, venue or status: what an update e-mail compares with to say what changed."""

    since: int
    start: str
    end: str
    all_day: bool
    location: str
    status: str


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
    #: the SEQUENCE of the last change invitees must hear about (time, venue or status); -1 in
    #: records written before cohort kept it, when every SEQUENCE was such a change
    revision: int = -1
    #: only its invitees may see it (kept so a removed private meeting stays off public feeds);
    #: written to published.json only when true
    private: bool = False
    #: the earlier versions invitees may still hold, oldest first (see `Version`); empty in
    #: records written before cohort kept them; written only when there are some
    earlier: list[Version] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.revision < 0:
            self.revision = self.sequence

    def version_at(self, sequence: int) -> Version | None:
        """What someone who holds the event at `sequence` has in their calendar, when it is an
        earlier version than the current one; None when it is the current one or unknown."""
        if sequence >= self.revision:
            return None
        held = [v for v in self.earlier if v.since <= sequence]
        return held[-1] if held else None

    def keep_version(self) -> None:
        """Remember the version now published, before a change of time, venue or status (none
        when the meeting was removed: who held it got a cancellation)."""
        if self.removed:
            return
        self.earlier.append(
            Version(self.revision, self.start, self.end, self.all_day, self.location, self.status)
        )
        del self.earlier[:-_VERSIONS_KEPT]

    @property
    def modified_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.modified)

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created)


@dataclass
class State:
    """What cohort published (published.json): per meeting its record; and the feed secret,
    from its own file (`secret`).

    fresh: there was no published.json yet. legacy_secret: the secret found in a published.json
    written before the secret had a file of its own."""

    path: Path
    meetings: dict[str, Published]
    changed: bool = False
    fresh: bool = False
    legacy_secret: str | None = None
    #: what the facilitator should hear about the secret's file (a line added to .gitignore)
    notices: list[str] = field(default_factory=list)
    _secret: str | None = field(default=None, repr=False)
    _secret_unsaved: bool = field(default=False, repr=False)

    @property
    def secret_path(self) -> Path:
        return self.path.with_name(SECRET_FILE)

    @property
    def secret(self) -> str:
        """The feed secret: from its file; else the one an older published.json held; else a
        new one when nothing was published yet. Raises CohortError when it is lost: feeds
        were named with a secret that is not there (a fresh clone of the programme)."""
        if self._secret is None:
            self._secret = self._read_secret()
        return self._secret

    def _read_secret(self) -> str:
        path = self.secret_path
        if path.exists():
            self.notices += keys.guard(path)  # for its owner alone, and out of git
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as err:
                raise CohortError(
                    f"cannot read {SECRET_FILE} ({err})", location=path, code="damaged-record"
                ) from None
            if not text:
                raise CohortError(
                    f"{SECRET_FILE} is empty; copy it back from where you keep it",
                    location=path,
                    code="damaged-record",
                )
            return text
        self._secret_unsaved = True
        if self.legacy_secret:
            return self.legacy_secret
        if self.fresh or not self.meetings:
            return secrets.token_hex(16)
        raise CohortError(
            f"{SECRET_FILE} is missing: the personal feeds were named with the secret it holds, "
            "and without it every feed would get a new name, lost to everyone subscribed. "
            f"Copy it back into {path.parent} from where you keep it (it stays out of git); "
            f"to give every personal feed a new name instead, write a long random text into "
            f"{path}",
            location=path,
            code="missing-record",
        )

    def feed_token(self, participant_id: str) -> str:
        """A stable, unguessable part of a personal feed's file name, so that knowing someone's
        id is not enough to read which meetings they are invited to."""
        digest = hmac.new(self.secret.encode(), participant_id.encode(), hashlib.sha256)
        return digest.hexdigest()[:12]

    def save(self) -> bool:
        """Write published.json (and, first, the feed secret when it is new or leaves an older
        published.json); False when it already held exactly this."""
        if self.fresh or self.legacy_secret is not None:
            _ = self.secret  # made with the first published.json, or taken out of the old one
        if self._secret_unsaved:
            self.notices += keys.write(self.secret_path, self.secret)
            if self.legacy_secret is not None:
                self.notices.append(
                    f"note: moved the feed secret out of {STATE_FILE} into {SECRET_FILE}, "
                    "unchanged, so no feed changes its name; it stays in the history of "
                    f"{STATE_FILE}, so if that history is shared, treat it as known (see "
                    "'cohort calendar' in the README)"
                )
            else:
                self.notices.append(
                    f"note: wrote {self.secret_path}, the secret of the personal feeds' names: "
                    "keep a copy somewhere safe (a password manager); it stays out of git"
                )
            self._secret_unsaved = False
        data = {
            "about": _ABOUT,
            "meetings": {mid: _stored(p) for mid, p in sorted(self.meetings.items())},
        }
        # encoded piece by piece: the whole text as json.dumps builds it (a list of every piece,
        # then four bytes a character) held 4 MB for 500 meetings of 50, at the end of `invite`
        raw = io.BytesIO()
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        json.dump(data, text, ensure_ascii=False, indent=1, sort_keys=False)
        text.write("\n")
        text.flush()
        return write_atomic(self.path, raw.getvalue())


def _stored(record: Published) -> dict[str, Any]:
    """A record as published.json keeps it (`private` only when true, `earlier` only when there
    are earlier versions, so that files written before cohort knew them stay as they were)."""
    data = asdict(record)
    if not record.private:
        del data["private"]
    if not record.earlier:
        del data["earlier"]
    return data


def load_state(folder: Path) -> State:
    """The state of a programme folder; a new, empty one if cohort never published it."""
    path = folder / STATE_FILE
    if not path.exists():
        return State(path, {}, changed=True, fresh=True)
    meetings, legacy = read_json(
        path,
        "record of what was published",
        lambda raw: (
            _MEETINGS.validate_python(raw["meetings"]),
            str(raw["secret"]) if raw.get("secret") else None,
        ),
    )
    # an older published.json held the feed secret: it moves to its own file at the next save
    return State(path, meetings, changed=legacy is not None, legacy_secret=legacy)


T = TypeVar("T")


def read_json(path: Path, what: str, build: Callable[[Any], T]) -> T:
    """Read a JSON record cohort keeps (`what` names it: "record of ...") as a regular file of
    bounded size, and `build` it (pydantic validation welcome); a damaged one, or one with a
    value of the wrong kind, is a CohortError at its place that says to restore it from git."""
    data = read_regular(path, MAX_STATE_BYTES, what=what)
    try:
        return build(json.loads(data.decode("utf-8")))
    except json.JSONDecodeError as err:
        raise CohortError(
            f"{path.name} is damaged ({err.msg}); it is cohort's {what}: restore it from git "
            "(a merge conflict?) rather than editing it",
            location=Location(path, err.lineno, err.colno),
            code="damaged-record",
        ) from None
    except ValidationError as err:
        where = ".".join(str(part) for part in err.errors()[0]["loc"])
        raise CohortError(
            f"{path.name} is not as cohort wrote it ({where}: {err.errors()[0]['msg']}); "
            "restore it from git",
            location=path,
            code="damaged-record",
        ) from None
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as err:
        raise CohortError(
            f"{path.name} is not as cohort wrote it ({err}); restore it from git",
            location=path,
            code="damaged-record",
        ) from None


#: earlier versions kept per meeting: someone who missed more changes than this hears what the
#: meeting is now, without a list of what changed
_VERSIONS_KEPT = 5

#: published.json of a programme with thousands of meetings is far smaller
MAX_STATE_BYTES = 64 * 1024 * 1024
_MEETINGS: TypeAdapter[dict[str, Published]] = TypeAdapter(dict[str, Published])


def fingerprint(value: Any) -> str:
    """A short, stable digest of a JSON-able value, to tell whether it changed."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
