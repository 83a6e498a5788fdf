"""Output folders: cohort writes only into folders it owns, and never over the user's files.

A folder becomes cohort's when cohort creates it (or finds it empty): a marker file says so, and
lists every file cohort wrote there with a digest of what it wrote (`sha256  name`, the format
of `sha256sum`). cohort replaces or removes a file only while it is listed and still holds what
cohort wrote; anything else (a file the user put there, a sheet filled in and saved under the
same name, a link) is left alone, and the command stops and names it, unless `--force` says to
replace it. An existing folder with other files and no marker is refused, so `-o` pointed at the
wrong place (the programme folder, a home directory) cannot destroy anything; the programme
folder itself is refused even with `--force`. Inside its own folders cohort writes atomically,
rewrites only what changed, and never follows a link out of the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import CohortError, UsageError
from .files import NOT_PLAIN, PROGRAMME_ENTRY, existing, programme_conflict, write_atomic

MARKER = ".cohort-output"
_MARKER_TEXT = (
    "This folder is written by cohort; its files are replaced on every run.\n"
    "cohort replaces or removes only the files listed below, and only while they hold what "
    "cohort wrote.\n"
)
#: What the marker of an earlier cohort held: no list, so every file counts as cohort's once.
_LEGACY = "This folder is written by cohort"
#: An output file larger than this is not one cohort wrote (its largest are PDFs of a few MB).
MAX_OUTPUT_BYTES = 256 * 1024 * 1024
#: Conflicts named one by one before the rest are only counted.
_SHOWN = 5


@dataclass
class Written:
    """What a command wrote into its output folder, for the summary line; `warnings` are for
    the facilitator (such as characters no font on this machine can print)."""

    folder: Path
    files: int = 0
    names: list[str] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def line(self, what: str) -> str:
        """'wrote 6 agenda file(s) to agendas (2 changed)', for the terminal."""
        return f"wrote {self.files} {what} file(s) to {self.folder} ({len(self.changed)} changed)"


#: What cohort wrote into a folder: file name -> the digests of what it wrote there (see
#: `digest`); a tuple, not a set, since an outbox lists tens of thousands of files (issue 17).
Listing = dict[str, tuple[str, ...]]


def digest(data: bytes) -> str:
    """The SHA-256 of `data` in hex, as the marker lists it."""
    return hashlib.sha256(data).hexdigest()


class OutputFolder:
    """A folder cohort writes outputs into (see the module's docstring for the rules).

    `force` replaces files cohort did not write (or that changed since) and adopts a folder
    without a marker; it never makes cohort write into the programme folder itself."""

    def __init__(
        self, path: Path, programme_folder: Path | None = None, *, force: bool = False
    ) -> None:
        self.path = path
        self.force = force
        self.removed: list[Path] = []
        if path.is_symlink() and not path.exists():
            raise UsageError(f"'{path}' is a link to nothing; give a folder for the output")
        if path.exists() and not path.is_dir():
            raise UsageError(f"'{path}' is a file; give a folder for the output")
        if programme_folder is not None and path.resolve() == programme_folder.resolve():
            raise UsageError(
                f"'{path}' is the programme folder; write the output to a folder of its own, "
                f"e.g. '-o {path / 'out'}'"
            )
        if programme_folder is not None and programme_folder.resolve().is_relative_to(
            path.resolve()
        ):
            raise UsageError(
                f"'{path}' contains the programme folder '{programme_folder}'; write the "
                "output to a folder of its own (not even --force writes over a programme)"
            )
        conflict = programme_conflict(path)
        if conflict is not None:
            raise UsageError(
                f"{conflict}; cohort never writes an output there (not even with --force): "
                "write it to a folder of its own"
            )
        marker = path / MARKER
        #: what cohort wrote here: name -> the digests of what it wrote (see the docstring)
        self.listed: Listing = {}
        #: how many lines of digests the marker holds (it is rewritten when far more than
        #: the files it lists)
        self.lines = 0
        if marker.is_file() and not marker.is_symlink():
            listed = _read_marker(marker)
            if listed is None:  # an earlier cohort kept no list: what is here was its own
                self.listed = {name: (digest(data),) for name, data in _files_in(path)}
                self.lines = -1  # rewritten at the first write
            else:
                self.listed = listed
                self.lines = sum(len(sums) for sums in listed.values())
        elif path.is_dir() and any(path.iterdir()) and not force:
            raise UsageError(
                f"'{path}' already holds files that cohort did not write; choose a new or empty "
                "folder (cohort never overwrites your files), or add --force to write into it "
                "anyway"
            )

    def write_all(self, files: Mapping[str, bytes | str], owned: Iterable[str]) -> list[Path]:
        """Write every file (relative path -> content); return those whose content changed.
        Files cohort wrote earlier under `owned` prefixes that are not in `files` are removed.
        Raises UsageError, before anything is written, naming every file in the way that
        cohort did not write (unless `force`). Called once per file, it costs no more than once
        for all (the marker grows by a line, and is rewritten only now and then)."""
        data = {name: _bytes(content) for name, content in files.items()}
        targets = {name: self._inside(name) for name in data}
        current = {name: _current(target) for name, target in targets.items()}
        conflicts = [
            name
            for name, now in current.items()
            if now is not None and now != data[name] and not self._ours(name, now)
        ]
        if conflicts and not self.force:
            raise UsageError(self._refusal(conflicts))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CohortError(
                f"cannot make the folder '{self.path}': {err.strerror or err}; choose another "
                "with -o"
            ) from err
        sums = {name: digest(content) for name, content in data.items()}
        # listed before they are written: a run cut short leaves every file recognised
        self._append([(name, sum_) for name, sum_ in sums.items() if not self._listed(name, sum_)])
        changed = []
        for name, content in data.items():
            if current[name] != content and write_atomic(targets[name], content, durable=False):
                changed.append(targets[name])
        removed = self._remove_stale(set(data), tuple(owned))
        self.listed.update({name: (sum_,) for name, sum_ in sums.items()})
        for name in removed:
            self.listed.pop(name, None)
        if removed or self.lines < 0 or self.lines > 2 * len(self.listed) + 64:
            self._rewrite()
        return changed

    def refuse_foreign(self, names: Iterable[str], content: Callable[[str], bytes]) -> None:
        """Raise UsageError (unless `force`) naming every file among `names` that is in the
        way, as `write_all` would, before the files are made: for a command that writes many
        files a few at a time, and must write none when one is in the way. `content(name)`
        makes a file's content; it is called only for a file that exists and that cohort did
        not write (it is no conflict when it holds exactly that)."""
        if self.force:
            return
        conflicts = []
        for name in names:
            now = _current(self._inside(name))
            if now is not None and not self._ours(name, now) and _bytes(content(name)) != now:
                conflicts.append(name)
        if conflicts:
            raise UsageError(self._refusal(conflicts))

    def _listed(self, name: str, sum_: str) -> bool:
        return sum_ in self.listed.get(name, ())

    def _ours(self, name: str, content: bytes) -> bool:
        """Whether the file `name` holds what cohort wrote there."""
        return self._listed(name, digest(content))

    def _refusal(self, conflicts: list[str]) -> str:
        shown = ", ".join(f"'{self.path / name}'" for name in conflicts[:_SHOWN])
        more = f" and {len(conflicts) - _SHOWN} more" if len(conflicts) > _SHOWN else ""
        return (
            f"{shown}{more} {'is' if len(conflicts) == 1 else 'are'} not as cohort wrote "
            f"{'it' if len(conflicts) == 1 else 'them'} (changed or filled in since, or put there "
            "by someone else); nothing was written. Move them away, or add --force to replace "
            "them"
        )

    def _inside(self, name: str) -> Path:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or name == MARKER:
            raise CohortError(f"refusing to write '{name}' outside the output folder")
        target = self.path.joinpath(*pure.parts)
        # a folder inside that is a link would take the files somewhere else
        for parent in list(target.relative_to(self.path).parents)[:-1]:
            if (self.path / parent).is_symlink():
                raise UsageError(
                    f"'{self.path / parent}' is a link; cohort writes only into folders of its "
                    "own, so remove the link"
                )
            if (self.path / parent / PROGRAMME_ENTRY).is_file():
                raise UsageError(
                    f"'{self.path / parent}' is a programme folder; cohort never writes an "
                    "output into one (not even with --force): move it out of the output folder"
                )
        return target

    def _remove_stale(self, keep: set[str], owned: tuple[str, ...]) -> list[str]:
        """Remove what cohort wrote earlier under `owned` and not this time, while it still
        holds what cohort wrote; returns the names no longer listed (removed, gone, or changed
        by someone since: theirs from now on)."""
        if not owned:
            return []
        dropped = []
        for name in sorted(self.listed):
            if name in keep or not any(
                name == p or (p.endswith("/") and name.startswith(p)) for p in owned
            ):
                continue
            path = self.path.joinpath(*PurePosixPath(name).parts)
            now = _current(path)
            if now is not None and self._ours(name, now):
                path.unlink()
                self.removed.append(path)
            dropped.append(name)
        return dropped

    def _append(self, lines: list[tuple[str, str]]) -> None:
        """Add lines to the marker (made when missing), flushed before any file is written."""
        marker = self.path / MARKER
        if not marker.is_file() or self.lines < 0:
            self._rewrite(extra=lines)
            return
        if lines:
            try:
                with marker.open("a", encoding="utf-8") as handle:
                    handle.write("".join(f"{sum_}  {name}\n" for name, sum_ in lines))
            except OSError as err:
                raise CohortError(f"cannot write '{marker}': {err.strerror or err}") from err
            self.lines += len(lines)

    def _rewrite(self, extra: Iterable[tuple[str, str]] = ()) -> None:
        """The marker anew: every listed file with its digests (and `extra` lines)."""
        pairs = sorted({(name, s) for name, sums in self.listed.items() for s in sums} | set(extra))
        write_atomic(
            self.path / MARKER,
            _MARKER_TEXT + "".join(f"{s}  {name}\n" for name, s in pairs),
            durable=False,
        )
        self.lines = len(pairs)


def listed(folder: Path) -> Listing | None:
    """What cohort wrote into an output folder, as its marker lists it: name -> the digests of
    what cohort wrote there (see `digest`); None when the marker is an earlier cohort's, which
    kept no list (everything in the folder counts as cohort's then); empty when there is no
    marker (nothing here is cohort's). `cohort send` sends only what is listed, as it was
    written."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return {}
    return _read_marker(marker)


def _bytes(content: bytes | str) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _current(path: Path) -> bytes | None:
    """What a file holds now (None: nothing; anything but a plain file: bytes no digest
    matches)."""
    return existing(path, MAX_OUTPUT_BYTES)


def _files_in(folder: Path) -> list[tuple[str, bytes]]:
    """The plain files of an earlier cohort's output folder, by their names in it."""
    found = []
    for path in sorted(folder.rglob("*")):
        inside = path.relative_to(folder)
        if path.name == MARKER or any((folder / p).is_symlink() for p in (inside, *inside.parents)):
            continue
        data = _current(path)
        if path.is_file() and data is not None and data != NOT_PLAIN:
            found.append((path.relative_to(folder).as_posix(), data))
    return found


def _read_marker(marker: Path) -> Listing | None:
    """The files a marker lists with their digests; None for an earlier cohort's marker."""
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if text.startswith(_LEGACY) and text.count("\n") <= 1:
        return None
    listed: Listing = {}
    for line in text.splitlines():
        sum_, sep, name = line.partition("  ")
        if sep and len(sum_) == 64 and all(c in "0123456789abcdef" for c in sum_):
            sums = listed.get(name, ())
            if sum_ not in sums:
                listed[name] = (*sums, sum_)
    return listed
