"""Writing the files cohort owns: atomically, and never over a file the user wrote."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CohortError


def write_atomic(path: Path, content: str | bytes, durable: bool = True) -> bool:
    """Write `content` to `path` through a temporary file and `os.replace`, so a reader never
    sees half a file. Returns False (and leaves the file alone) when it already holds exactly
    this content, so unchanged outputs keep their modification time. `durable` also waits for
    the disk (fsync): needed for records such as published.json, not for outputs that the next
    run regenerates anyway."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # a hidden name of this process's own; never matched by an outbox's *.eml
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)  # left over by a run of this pid that was killed
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise CohortError(f"cannot write '{path}': {err.strerror}") from err
    return True


def create_new(path: Path, content: str) -> None:
    """Create a file that will belong to the user; refuse if anything is already there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        raise CohortError(
            f"'{path}' already exists; cohort never overwrites it",
            location=path,
        ) from None
    except OSError as err:
        raise CohortError(f"cannot create '{path}': {err.strerror}") from err
