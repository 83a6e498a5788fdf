"""Where templates come from: the programme's own `templates/` first, then cohort's built-in."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent


def builtin_dir() -> Path:
    """Built-in templates: inside the installed wheel, or at the top of a source checkout."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("cohort's templates are missing from this installation")
