"""Writing the files cohort owns: atomically, and never over a file the user wrote."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import CohortError, UsageError

#: The suffixes of a programme's own files (the facilitator's YAML, and the records cohort keeps
#: beside it): no output is ever written over one, `--force` or not.
PROGRAMME_SUFFIXES = (".yaml", ".yml")
#: The file that makes a folder a programme folder.
PROGRAMME_ENTRY = "programme.yaml"
#: The folders of a programme folder that hold its own files (templates, included YAML) and the
#: records cohort keeps for it: no output is ever written into one, `--force` or not.
PROGRAMME_OWN_FOLDERS = frozenset(
    {"attendance", "registrations", "replies", "groups", "polls", "templates", "meetings"}
)
#: The one file an output may be inside a programme folder (`cohort schema -o`).
SCHEMA_FILE = "programme.schema.json"


def write_atomic(
    path: Path, content: str | bytes, durable: bool = True, *, mode: int = 0o644
) -> bool:
    """Write `content` to `path` through a temporary file and `os.replace`, so a reader never
    sees half a file. Returns False (and leaves the file alone) when it already holds exactly
    this content, so unchanged outputs keep their modification time. `durable` also waits for
    the disk (fsync): needed for records such as published.json, not for outputs that the next
    run regenerates anyway. `mode`: the permissions of a file written (0o600 for a key)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # a hidden name of this process's own; never matched by an outbox's *.eml
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)  # left over by a run of this pid that was killed
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
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


#: What `existing` gives for what is not a plain file: no digest, marker or content matches it.
NOT_PLAIN = b"\0not a plain file\0"


def existing(path: Path, max_bytes: int) -> bytes | None:
    """What is at `path` now, without following a link: the bytes of a plain file; NOT_PLAIN
    for anything else (a link, a pipe, a folder, a file larger than `max_bytes`: none of them
    cohort's to replace); None when nothing is there. Raises CohortError when it cannot be
    read."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise CohortError(f"cannot read '{path}': {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return NOT_PLAIN
    return read_regular(path, max_bytes)


def replace_output(
    path: Path, content: str | bytes, *, ours: Callable[[bytes], bool], force: bool = False
) -> bool:
    """Write an output file the user named (`cohort schema -o FILE`): a new file, or one that
    `ours` recognises as cohort's own output. Anything else there is replaced only with
    `force`, and a programme's YAML never is. Returns False when the file already held exactly
    this. Raises UsageError for a file in the way, CohortError when it cannot be written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.suffix.lower() in PROGRAMME_SUFFIXES:
        raise UsageError(
            f"'{path}' is a YAML file, and YAML files are the programme's own; cohort never "
            "writes an output over one (not even with --force): choose another name"
        )
    if path.is_dir():
        raise UsageError(f"'{path}' is a folder; give the name of a file to write")
    home = programme_around(path.parent)
    if home is not None and path.name != SCHEMA_FILE:
        raise UsageError(
            f"'{path}' is inside the programme folder '{home}', whose files are the "
            f"programme's own; cohort writes only '{SCHEMA_FILE}' there (not even with "
            "--force): choose another name or folder"
        )
    current = existing(path, 4 * len(data) + 1024 * 1024)
    if current is None:
        return write_atomic(path, data)
    if current == data:
        return False
    if not (current != NOT_PLAIN and ours(current)) and not force:
        raise UsageError(
            f"'{path}' already exists and cohort did not write it; choose another name, or add "
            "--force to replace it"
        )
    return write_atomic(path, data)


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


def programme_around(path: Path) -> Path | None:
    """The programme folder `path` is in (or is): the nearest folder at or above it, links
    resolved, that holds a programme.yaml; None when there is none."""
    real = path.resolve()
    for folder in (real, *real.parents):
        if (folder / PROGRAMME_ENTRY).is_file():
            return folder
    return None


def programme_conflict(folder: Path) -> str | None:
    """Why an output folder may not be `folder`, even with --force: it is a programme folder,
    lies among a programme folder's own files and records (a folder of PROGRAMME_OWN_FOLDERS,
    or a folder holding YAML files), or contains a programme folder within two levels. None
    when it may be written (a new folder of its own inside a programme folder is fine)."""
    real = folder.resolve()
    home = programme_around(real)
    if home == real:
        return f"'{folder}' is a programme folder"
    if home is not None:
        inside = real.relative_to(home).parts
        if inside[0] in PROGRAMME_OWN_FOLDERS:
            return f"'{folder}' is in '{home / inside[0]}', a folder of the programme's own files"
        for depth in range(1, len(inside) + 1):
            step = home.joinpath(*inside[:depth])
            if step.is_dir() and any(_is_yaml(child) for child in step.iterdir()):
                return f"'{folder}' is in '{step}', which holds the programme's YAML files"
    nested = _programme_below(real) if real.is_dir() else None
    return f"'{folder}' contains the programme folder '{nested}'" if nested else None


def _programme_below(folder: Path) -> Path | None:
    """A programme folder among the folders in `folder`, or in theirs."""
    for child in _folders(folder):
        for candidate in (child, *_folders(child)):
            if (candidate / PROGRAMME_ENTRY).is_file():
                return candidate
    return None


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in PROGRAMME_SUFFIXES and path.is_file()


def _folders(folder: Path) -> list[Path]:
    try:
        return [child for child in folder.iterdir() if child.is_dir() and not child.is_symlink()]
    except OSError:
        return []


def leads_outside(path: Path, root: Path) -> Path | None:
    """Where `path` really is, when a link (of the file or of a folder on the way) takes it out
    of `root`; None when it stays inside. A programme's files, templates and records must stay
    inside the programme folder: a link out of it would put any file of the machine into
    e-mails and print."""
    real = path.resolve()
    return None if real.is_relative_to(root.resolve()) else real


def read_regular(path: Path, max_bytes: int, *, what: str = "file") -> bytes:
    """The bytes of a regular file, read without blocking: a FIFO, a device or a folder where a
    file is expected is refused at once (reading a FIFO would wait for ever), and so is a file
    larger than `max_bytes`. Raises CohortError saying which."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise CohortError(f"there is no {what} '{path}'", code="unreadable") from None
    except IsADirectoryError:
        raise CohortError(
            f"this is a folder; give the {what} itself", location=path, code="unreadable"
        ) from None
    except OSError as err:
        raise CohortError(f"cannot read '{path}': {err.strerror}", code="unreadable") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise CohortError(
                f"this is a folder; give the {what} itself", location=path, code="unreadable"
            )
        raise CohortError(
            f"this is not a plain file (a pipe or a device?); cohort reads a {what} only from a "
            "plain file, and would wait for ever on a pipe",
            location=path,
            code="unreadable",
        )
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise CohortError(
                f"this file is {info.st_size // (1024 * 1024)} MB; a {what} of more than "
                f"{max_bytes // (1024 * 1024)} MB is refused",
                location=path,
                code="file-too-large",
            )
        try:
            data = handle.read(max_bytes + 1)
        except OSError as err:
            raise CohortError(f"cannot read '{path}': {err.strerror}", code="unreadable") from None
    if len(data) > max_bytes:
        raise CohortError(
            f"this file grew beyond {max_bytes // (1024 * 1024)} MB while it was read",
            location=path,
            code="file-too-large",
        )
    return data
