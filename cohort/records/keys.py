"""The secrets cohort keeps in a programme folder and never in git: the key of the certificates'
verification codes (`certificate-secret.txt`) and the secret of personal feed names
(`feed-secret.txt`). One way for both:

- written for the owner alone (mode 0600; a key found readable by others is made so again);
- kept out of git: when the programme folder lies in a git work tree and git would not ignore
  the file, cohort appends one line, `/<file>`, to the `.gitignore` of the programme folder
  (making it when there is none) and says so; it never changes anything else in that file.
  A key that git already tracks cannot be helped by `.gitignore`: cohort warns, and says how to
  take it out of git and make a new one (everyone with the repository holds the old).

`cohort init` writes a `.gitignore` that names both; a programme made otherwise (copied, an
example, a folder of its own) gets the line the first time cohort writes or reads its key.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from ..errors import CohortError
from ..files import write_atomic

GITIGNORE = ".gitignore"
_OWNER_ONLY = 0o600


def write(path: Path, key: str) -> list[str]:
    """Write a new key into `path` (durably, for the owner alone) and keep it out of git;
    returns what the facilitator should hear (see `keep_out_of_git`)."""
    write_atomic(path, key + "\n", mode=_OWNER_ONLY)
    return keep_out_of_git(path)


def guard(path: Path) -> list[str]:
    """For a key that exists: readable by the owner alone, and out of git; returns what the
    facilitator should hear."""
    try:
        info = path.lstat()
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
            path.chmod(_OWNER_ONLY)
    except OSError:
        pass  # read_regular has said, or will say, what is wrong with it
    return keep_out_of_git(path)


def keep_out_of_git(path: Path) -> list[str]:
    """When `path` lies in a git work tree and git would add it: a line `/<name>` appended to
    the `.gitignore` beside it, or a warning when it is tracked already or git cannot be
    asked. Returns the lines to print (none when all is well or there is no git)."""
    folder, name = path.parent, path.name
    if not _in_work_tree(folder):
        return []
    git = shutil.which("git")
    if git is None:
        return [
            f"warning: {folder} is in a git repository and git is not installed to check that "
            f"it ignores {name}; make sure its .gitignore has the line /{name}"
        ]
    if _git(git, folder, "ls-files", "--error-unmatch", "--", name) == 0:
        return [
            f"warning: {path} is in git, so everyone with the repository holds this secret. "
            f"Take it out (git rm --cached {name}: it stays on disk) and make a new one (see "
            "the README)"
        ]
    ignored = _git(git, folder, "check-ignore", "-q", "--", name)
    if ignored == 0:
        return []
    if ignored != 1:
        return [f"warning: git could not say whether it ignores {path}; make sure it does"]
    ignore = folder / GITIGNORE
    if ignore.is_symlink() or (ignore.exists() and not ignore.is_file()):
        return [f"warning: git does not ignore {path}; add the line /{name} to {ignore}"]
    try:
        before = ignore.read_bytes() if ignore.exists() else b""
        with ignore.open("ab") as handle:
            handle.write((b"" if not before or before.endswith(b"\n") else b"\n") + b"/")
            handle.write(name.encode() + b"\n")
    except OSError as err:
        raise CohortError(
            f"cannot add /{name} to {ignore}: {err.strerror}; add it yourself: it keeps the "
            "secret out of git",
            location=ignore,
        ) from None
    return [f"added the line /{name} to {ignore}: the secret in it stays out of git"]


def _in_work_tree(folder: Path) -> bool:
    """Whether `folder` is inside a git work tree (a `.git` folder or file above it)."""
    here = folder.resolve()
    return any((parent / ".git").exists() for parent in (here, *here.parents))


def _git(git: str, folder: Path, *args: str) -> int:
    """The exit code of a git command run in `folder` (128 and above: git could not tell)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        return subprocess.run(
            [git, "-C", str(folder), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=30,
            check=False,
        ).returncode
    except (OSError, subprocess.TimeoutExpired):
        return 128
