"""Which files of an output folder are certificates, and of which programme: the list that
`cohort certificates` keeps beside them (`.cohort-certificates`), so that a run removes only
certificates it wrote for this programme, never anything else in the folder (a scanned signed
copy, the agendas when `-o` points at their folder, another programme's certificates).

    # Written by cohort certificates: the certificates in this folder ...
    twente-cop-2024  sanne-visser.pdf

The list is an output of cohort's like the PDFs (the output folder's marker holds its digest);
it also tells `cohort certificates` that certificates were issued before, so it makes no new
key where one was lost (see `documents.certificates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..files import existing
from ..output import OutputFolder

INDEX = ".cohort-certificates"
#: Files written together: the output folder's marker is rewritten once per batch, not per file,
#: while a batch of certificates (some 25 KB each) stays small in memory.
BATCH = 100
_HEADER = (
    "# Written by cohort certificates: the certificates in this folder, by programme. "
    "cohort removes only these, and only while they hold what it wrote.\n"
)
_MAX_BYTES = 16 * 1024 * 1024


@dataclass
class Index:
    """The certificates an output folder holds: file name -> programme id."""

    folder: Path
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Index:
        """The list of `folder` (empty when there is none, or it is not cohort's text)."""
        data = existing(folder / INDEX, _MAX_BYTES)
        files: dict[str, str] = {}
        if data:
            for line in data.decode("utf-8", errors="replace").splitlines():
                programme, sep, name = line.partition("  ")
                if sep and not line.startswith("#") and name.endswith(".pdf"):
                    files[name] = programme
        return cls(folder, files)

    def of(self, programme: str) -> set[str]:
        """The certificates of `programme` in the folder, by file name."""
        return {name for name, owner in self.files.items() if owner == programme}

    def claim(self, programme: str, names: set[str], force: bool = False) -> None:
        """Check, before anything is written, that none of `names` is another programme's
        certificate, nor (unless `force`) a file there that cohort did not write as one of
        this programme's. Raises UsageError naming them."""
        taken = sorted(n for n in names if self.files.get(n, programme) != programme)
        if taken:
            others = sorted({self.files[n] for n in taken})
            what = "is a certificate" if len(taken) == 1 else "are certificates"
            raise UsageError(
                f"{_listed(self.folder, taken)} {what} of {', '.join(repr(o) for o in others)}; "
                "write the certificates of each programme into a folder of their own"
            )
        strange = sorted(
            n
            for n in names
            if n not in self.files and ((path := self.folder / n).exists() or path.is_symlink())
        )
        if strange and not force:
            one = len(strange) == 1
            raise UsageError(
                f"{_listed(self.folder, strange)} {'is' if one else 'are'} in the way: cohort did "
                f"not write {'it' if one else 'them'} as a certificate of this programme, and "
                f"nothing was written. Move {'it' if one else 'them'} away, or add --force to "
                f"replace {'it' if one else 'them'}"
            )

    def text(self, programme: str, names: set[str]) -> str:
        """The list with `programme`'s certificates being `names`."""
        files = {n: p for n, p in self.files.items() if p != programme}
        files.update(dict.fromkeys(names, programme))
        return _HEADER + "".join(f"{files[n]}  {n}\n" for n in sorted(files))

    def write(self, target: OutputFolder, programme: str, names: set[str]) -> None:
        """Keep `names` as `programme`'s certificates in the list."""
        target.write_all({INDEX: self.text(programme, names)}, owned=())
        self.files = {n: p for n, p in self.files.items() if p != programme}
        self.files.update(dict.fromkeys(names, programme))


def _listed(folder: Path, names: list[str]) -> str:
    shown = ", ".join(repr(str(folder / n)) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


class Batches:
    """Files into an output folder a batch at a time (`add`, then `flush` at the end): the
    files whose content changed are counted in `changed`."""

    def __init__(self, target: OutputFolder) -> None:
        self.target = target
        self.waiting: dict[str, bytes] = {}
        self.changed = 0

    def add(self, name: str, data: bytes) -> None:
        self.waiting[name] = data
        if len(self.waiting) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            self.changed += len(self.target.write_all(self.waiting, owned=()))
            self.waiting = {}
