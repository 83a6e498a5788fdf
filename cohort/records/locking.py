"""Locks on the folders cohort works in: an outbox while `send`, `invite` or `certificates`
write in it, and a programme folder while its record of what was delivered is written.

The lock is the operating system's, on the folder itself (`flock` on a file descriptor of the
directory), so it ends with the process however it ends, and no file can be deleted to break
it. A file `lock` inside only says who holds it (pid, command, host, since): written without
following a link, and removed when the command is done. A `lock` file found while the folder
is free was left by a holder that ended without cleaning up (killed): it is stale, and taken
over. On Windows, where a folder cannot be locked, a region of the `lock` file itself is (an
open file cannot be deleted there).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import CohortError

LOCK = "lock"


@dataclass(frozen=True)
class Holder:
    """Who has (or had) a folder's lock: a process of a cohort command."""

    pid: int
    command: str
    host: str
    since: str

    def __str__(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"'cohort {self.command}', process {self.pid}{where}, since {self.since}"


class Busy(CohortError):
    """Another cohort command holds the folder's lock."""


#: says who holds a folder (None: unknown) in an error message
Refusal = Callable[[Holder | None], str]


@contextmanager
def hold(
    folder: Path,
    command: str,
    refusal: Refusal,
    *,
    note: bool = True,
    busy: type[Busy] = Busy,
) -> Iterator[Holder | None]:
    """Hold `folder` for one command; yields the holder of a stale lock file (or None).

    `note`: write the `lock` file saying who holds it. Raises `busy` (a Busy, with
    `refusal(holder)`) when another process holds the folder, CohortError when it cannot be
    locked (a `lock` that is a link, a folder that cannot be opened)."""
    fd = _lock_folder(folder, refusal, busy)
    try:
        stale = _read_holder(folder / LOCK) if note else None
        written = _write_holder(folder / LOCK, command) if note else None
        try:
            yield stale
        finally:
            if written is not None:
                _remove_holder(folder / LOCK, written)
    finally:
        _unlock_folder(fd)


def peek(folder: Path) -> tuple[bool, Holder | None]:
    """Whether another process holds `folder` now, and who (when its `lock` file says); the
    folder is not kept locked. For a dry run, which must not stand in a real run's way."""
    try:
        fd = _lock_folder(folder, lambda _holder: "", Busy)
    except Busy:
        return True, _read_holder(folder / LOCK)
    except CohortError:
        return False, None
    _unlock_folder(fd)
    return False, None


def _read_holder(path: Path) -> Holder | None:
    """Who a `lock` file says holds the folder (None when it is missing, empty, a link or not
    one cohort wrote)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = json.loads(os.read(fd, 4096).decode("utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), str(data["host"]), str(data["since"]))
    except (ValueError, KeyError, TypeError, OSError):
        return None
    finally:
        os.close(fd)


def _write_holder(path: Path, command: str) -> os.stat_result:
    """Write who holds the folder into `lock`, never through a link; returns the file's
    identity, to remove only this file at the end."""
    since = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    data = {"pid": os.getpid(), "command": command, "host": socket.gethostname(), "since": since}
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):
            raise CohortError(
                f"'{path}' is a link; cohort never writes through one: remove it and run the "
                "command again"
            ) from None
        raise CohortError(f"cannot write the lock file '{path}': {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CohortError(
                f"'{path}' is not a plain file (a pipe or a device?); cohort keeps its lock file "
                "there: remove it and run the command again"
            )
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(data) + "\n").encode("utf-8"))
        return info
    except OSError as err:
        raise CohortError(f"cannot write the lock file '{path}': {err.strerror}") from None
    finally:
        os.close(fd)


def _remove_holder(path: Path, written: os.stat_result) -> None:
    """Remove the `lock` file this process wrote (not another one put there since)."""
    try:
        now = os.lstat(path)
        if (now.st_dev, now.st_ino) == (written.st_dev, written.st_ino):
            path.unlink()
    except OSError:
        pass


if sys.platform == "win32":
    import msvcrt

    # the lock file lies beyond this offset, as Windows' locks forbid reading what they cover
    _REGION = 1 << 20

    def _lock_folder(folder: Path, refusal: Refusal, busy: type[Busy]) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(folder / f".{LOCK}", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise CohortError(f"cannot lock '{folder}': {err.strerror}") from None
        os.lseek(fd, _REGION, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            raise busy(refusal(_read_holder(folder / LOCK))) from None
        return fd

    def _unlock_folder(fd: int) -> None:
        try:
            os.lseek(fd, _REGION, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

else:
    import fcntl

    def _lock_folder(folder: Path, refusal: Refusal, busy: type[Busy]) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as err:
            raise CohortError(f"cannot lock '{folder}': {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise busy(refusal(_read_holder(folder / LOCK))) from None
        except OSError as err:
            os.close(fd)
            raise CohortError(f"cannot lock '{folder}' ({err.strerror})") from None
        return fd

    def _unlock_folder(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
