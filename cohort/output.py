"""Output folders: cohort writes only into folders it owns, and never over the user's files.

A folder becomes cohort's when cohort creates it (or finds it empty): a marker file says so.
An existing folder with other files and no marker is refused, so `-o` pointed at the wrong place
(the programme folder, a home directory) cannot destroy anything. Inside its own folders cohort
writes atomically, rewrites only what changed, and removes only stale files of its own kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import CohortError, UsageError
from .files import write_atomic

MARKER = ".cohort-output"
_MARKER_TEXT = "This folder is written by cohort; its files are replaced on every run.\n"


@dataclass
class Written:
    """What a command wrote into its output folder, for the summary line."""

    folder: Path
    files: int = 0
    changed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def line(self, what: str) -> str:
        """'wrote 6 agenda file(s) to agendas (2 changed)', for the terminal."""
        return f"wrote {self.files} {what} file(s) to {self.folder} ({len(self.changed)} changed)"


class OutputFolder:
    """A folder cohort writes outputs into (see the module's docstring for the rules)."""

    def __init__(self, path: Path, programme_folder: Path | None = None) -> None:
        self.path = path
        self.removed: list[Path] = []
        if path.exists() and not path.is_dir():
            raise UsageError(f"'{path}' is a file; give a folder for the output")
        if programme_folder is not None and path.resolve() == programme_folder.resolve():
            raise UsageError(
                f"'{path}' is the programme folder; write the output to a folder of its own, "
                f"e.g. '-o {path / 'out'}'"
            )
        if path.is_dir() and not (path / MARKER).exists() and any(path.iterdir()):
            raise UsageError(
                f"'{path}' already holds files that cohort did not write; choose a new or empty "
                "folder (cohort never overwrites your files)"
            )

    def write_all(self, files: Mapping[str, bytes | str], owned: Iterable[str]) -> list[Path]:
        """Write every file (relative path -> content); return those whose content changed.
        Files under `owned` prefixes that are not in `files` are removed."""
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path / MARKER, _MARKER_TEXT)
        changed = []
        for name, content in files.items():
            target = self._inside(name)
            if write_atomic(target, content, durable=False):
                changed.append(target)
        self._remove_stale(set(files), tuple(owned))
        return changed

    def _inside(self, name: str) -> Path:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise CohortError(f"refusing to write '{name}' outside the output folder")
        return self.path.joinpath(*pure.parts)

    def _remove_stale(self, keep: set[str], owned: tuple[str, ...]) -> None:
        for prefix in owned:
            base = self.path / prefix
            candidates = base.rglob("*") if prefix.endswith("/") else [base]
            for path in sorted(candidates):
                if not path.is_file():
                    continue
                name = path.relative_to(self.path).as_posix()
                if name not in keep:
                    path.unlink()
                    self.removed.append(path)
