"""Strict, safe reading of one YAML file into plain values, remembering where each value stood.

PyYAML only *parses* the file (with the C parser where available); `yamlvalues` turns its
events into values. Here: what is refused before that (a file too large, not UTF-8, empty,
holding a merge conflict or a control character, nested too deeply) and PyYAML's errors, each
at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import CohortError, Diagnostic, Location
from ..files import read_regular
from .values import CONTROL, control_character
from .yamlvalues import MAX_DEPTH, Positions, convert


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, used only for its parser's events."""


#: Files larger than this are refused: a programme of thousands of participants is far smaller.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: The records cohort writes itself (a registration list of tens of thousands) may be larger:
#: cohort refuses to write one beyond this, so every record it writes it can read back.
MAX_RECORD_BYTES = 128 * 1024 * 1024
#: Values a file may expand to: generous for any hand-written file (a few values a line), far
#: below what nested aliases ("billion laughs") would build.
BASE_NODES = 100_000
NODES_PER_LINE = 20


class YamlProblem(Exception):
    """A file that cannot be read as YAML at all; carries its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass
class Document:
    """One YAML file read into plain values, with the problems found while reading it."""

    path: Path
    data: Any
    positions: Positions
    problems: list[Diagnostic]
    text: str = ""


def _loc(path: Path, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


def read_text(path: Path, record: bool = False) -> str:
    """The file's text, refusing what is too large, not UTF-8, not there, or not a plain file
    (a pipe would make every command wait for ever: see `files.read_regular`); `record`: a file
    cohort writes itself (up to MAX_RECORD_BYTES, which cohort never writes beyond)."""
    limit = MAX_RECORD_BYTES if record else MAX_FILE_BYTES
    try:
        raw = read_regular(path, limit, what="YAML file")
    except CohortError as err:
        message, hint = err.message, ""
        if err.code == "file-too-large":
            what = "the files it keeps" if record else "programme files"
            message = f"cohort reads {what} up to {limit // (1024 * 1024)} MB"
            hint = "" if record else "split it over several files with 'include:'"
        raise YamlProblem(
            Diagnostic(Location(path), "error", message, hint, code=err.code)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise YamlProblem(
            Diagnostic(
                Location(path, line, column),
                "error",
                f"this file is not UTF-8 text (byte 0x{raw[err.start]:02x})",
                "save it as UTF-8 in your editor",
                code="encoding",
            )
        ) from err
    return text.removeprefix("\ufeff")


def _diag(
    path: Path, mark: yaml.Mark | None, message: str, hint: str = "", code: str = "yaml"
) -> Diagnostic:
    return Diagnostic(_loc(path, mark), "error", message, hint, code=code)


def _tab_problem(path: Path, text: str) -> Diagnostic | None:
    """PyYAML's message for a tab in indentation is cryptic; find it ourselves."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            column = len(line) - len(stripped) + 1
            return Diagnostic(
                Location(path, number, column),
                "error",
                "a tab is used for indentation; YAML allows only spaces there",
                "replace the tab with spaces",
                code="yaml",
            )
    return None


def _control_problem(path: Path, text: str) -> Diagnostic | None:
    """A control character in the file itself (YAML refuses it, without saying where)."""
    found = CONTROL.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return Diagnostic(
        Location(path, line, column),
        "error",
        f"{control_character(found.group())} stands here; no value may hold one",
        "remove it (it often comes with a copy from a word processor)",
        code="control-character",
    )


def _merge_conflict(path: Path, text: str) -> Diagnostic | None:
    """A merge conflict left in a file (git's `<<<<<<<`, `=======`, `>>>>>>>` lines): said as
    such, at its first marker, rather than as whatever YAML makes of the markers."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines, start=1) if _MARKER_START.match(line)]
    if not starts or not any(_MARKER_END.match(line) for line in lines):
        return None
    return Diagnostic(
        Location(path, starts[0], 1),
        "error",
        "a merge conflict is left in this file (the lines between '<<<<<<<' and '>>>>>>>')",
        "keep the side you want and delete the lines '<<<<<<< ...', '=======' and '>>>>>>> ...'",
        code="merge-conflict",
    )


_MARKER_START = re.compile(r"<{7}(?: |$)")
_MARKER_END = re.compile(r">{7}(?: |$)")


def read(path: Path, record: bool = False) -> Document:
    """Read one YAML file strictly (`record`: a file cohort writes, see `read_text`); raises
    YamlProblem when it is not YAML at all (a merge conflict left in it, said as such)."""
    text = read_text(path, record)
    conflict = _merge_conflict(path, text)
    if conflict is not None:
        raise YamlProblem(conflict)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise YamlProblem(
            _diag(
                path,
                None,
                "this file is empty",
                "run 'cohort init' for a commented example",
                code="empty-file",
            )
        )
    control = _control_problem(path, text)
    if control is not None:
        raise YamlProblem(control)
    loader = _Loader(text)
    try:
        try:
            if _may_nest_deeply(text):
                _check_depth(path, text)
            converted = convert(path, loader, BASE_NODES + NODES_PER_LINE * text.count("\n"))
        except yaml.MarkedYAMLError as err:
            tab = _tab_problem(path, text)
            if tab is not None:
                raise YamlProblem(tab) from err
            mark = err.problem_mark or err.context_mark
            what = err.problem or err.context or "this is not valid YAML"
            raise YamlProblem(_diag(path, mark, f"YAML syntax: {what}")) from err
        except yaml.YAMLError as err:
            raise YamlProblem(_diag(path, None, f"YAML syntax: {err}")) from err
    finally:
        loader.dispose()
    if converted is None:
        raise YamlProblem(_diag(path, None, "this file is empty"))
    return Document(path, converted.data, converted.positions, converted.problems, text)


def _may_nest_deeply(text: str) -> bool:
    """Whether `text` might nest deeper than MAX_DEPTH: a quick upper bound from its brackets
    and its deepest indentation (each level of a block needs at least half a column more, a
    sequence item's `- ` included), so that the common file is not parsed twice."""
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_DEPTH:
        return True
    indent = max((len(line) - len(line.lstrip(" -?")) for line in text.splitlines()), default=0)
    return brackets + 2 * indent + 2 > MAX_DEPTH


def _check_depth(path: Path, text: str) -> None:
    """Raise YamlProblem where `text` nests deeper than MAX_DEPTH collections, found from the
    parser's events one by one, before converting them (which recurses: a file nested tens of
    thousands deep would overflow the stack)."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(
                        _diag(
                            path,
                            event.start_mark,  # type: ignore[arg-type]
                            f"nested too deeply (more than {MAX_DEPTH} levels)",
                            "no programme needs this many lists or mappings inside each other: "
                            "flatten it",
                            code="yaml",
                        )
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
