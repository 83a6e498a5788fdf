"""`cohort init`: a new programme folder with commented files that validate as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import UsageError
from ..files import create_new
from ..templates import builtin_dir

_DEFAULTS = {
    "nl": {"timezone": "Europe/Brussels", "city": "Gent", "postcode": "9000"},
    "fr": {"timezone": "Europe/Brussels", "city": "Bruxelles", "postcode": "1000"},
    "en": {"timezone": "Europe/Brussels", "city": "Brussels", "postcode": "1000"},
}


def create(folder: Path, language: str, today: dt.date | None = None) -> list[Path]:
    """Write programme.yaml, participants.yaml (sample content in `language`, pointing to
    docs/format.md), the schema and a .gitignore (which keeps the feed secret out of git; one
    already there is left as it is); refuses to overwrite anything, and a file as `folder`
    (UsageError)."""
    if language not in _DEFAULTS:
        raise UsageError(f"--language '{language}' is not one of nl, en, fr")
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"'{folder}' is a file; give the folder to start the programme in, e.g. "
            f"'cohort init {folder.parent / 'new-programme'}'"
        )
    from .schema import json_schema

    today = today or dt.date.today()
    # two Tuesdays some weeks ahead, so the example is in the future and on a working day
    first = today + dt.timedelta(days=42 + (1 - today.weekday()) % 7)
    values = {
        "language": language,
        **_DEFAULTS[language],
        "date1": first.isoformat(),
        "date2": (first + dt.timedelta(days=28)).isoformat(),
    }
    planned = {}
    for name in ("programme.yaml", "participants.yaml"):
        # sample content and comments in the programme's language
        text = (builtin_dir() / "init" / language / name).read_text(encoding="utf-8")
        planned[folder / name] = text.format(**values) if name == "programme.yaml" else text
    planned[folder / "programme.schema.json"] = json_schema()
    if not (folder / ".gitignore").exists():  # a folder made by `git init` keeps its own
        planned[folder / ".gitignore"] = (builtin_dir() / "init" / "gitignore").read_text("utf-8")
    existing = [path for path in planned if path.exists()]
    if existing:
        from ..errors import CohortError

        raise CohortError(
            f"'{existing[0]}' already exists; cohort init never overwrites files "
            "(choose a new folder)",
        )
    for path, text in planned.items():
        create_new(path, text)
    return list(planned)
