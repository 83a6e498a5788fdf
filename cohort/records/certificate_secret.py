"""The key of the certificates' verification codes: `certificate-secret.txt` in the programme
folder, kept out of git.

A verification code is a keyed digest (HMAC) of what a certificate says; without the key nobody
can make a code that `cohort certificates verify` accepts, even knowing how codes are made and
holding the programme's files from a shared repository. So the key must not go where the YAML
goes: `cohort init` git-ignores it, and `keys` keeps it out of git and readable by its owner
alone in any other programme. It is made by the first run of `cohort certificates`; when it is
lost, no certificate issued with it can be verified again, so `verify` stops and says so, and
`cohort certificates` makes no new one where certificates were issued before (unless told to
start over: `--new-key`).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ..errors import CohortError
from ..files import read_regular
from . import keys

SECRET_FILE = "certificate-secret.txt"
#: a key is a line of text; anything larger is not one
_MAX_BYTES = 4096


def path_of(folder: Path) -> Path:
    """Where a programme keeps the key."""
    return folder / SECRET_FILE


def read(folder: Path) -> str | None:
    """The key, or None when there is none yet. Raises CohortError when the file is there but
    cannot be used (empty, not text, not a regular file)."""
    path = path_of(folder)
    if not path.exists() and not path.is_symlink():
        return None
    data = read_regular(path, _MAX_BYTES, what="certificate secret")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        text = ""
    if not text:
        raise CohortError(
            f"{SECRET_FILE} holds no key; copy it back from where you keep it",
            location=path,
            code="damaged-record",
        )
    return text


def existing(folder: Path) -> str:
    """The key, to check a code with. Raises CohortError when it is missing: without it no
    code can be checked (a fresh clone of the programme, where the key stayed out of git)."""
    key = read(folder)
    if key is None:
        raise CohortError(
            f"{SECRET_FILE} is missing: the verification codes were made with the key it holds, "
            f"and no code can be checked without it. Copy it back into {folder} from where you "
            "keep it (it stays out of git)",
            location=path_of(folder),
            code="missing-record",
        )
    return key


def new() -> str:
    """A new key (256 random bits, as hex), not yet written: see `save`."""
    return secrets.token_hex(32)


def save(folder: Path, key: str) -> list[str]:
    """Write a new key (durably, for the owner alone, out of git: `keys.write`); returns what
    the facilitator should hear."""
    return keys.write(path_of(folder), key)
