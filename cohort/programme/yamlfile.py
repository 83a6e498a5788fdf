"""Strict, safe reading of one YAML file into plain values, remembering where each value stood.

PyYAML is used only to *compose* a node tree (with the C parser where available); turning nodes
into values is done here, so that:

- no tag can build a Python object (`!!python/...` and unknown tags are errors);
- a key given twice in one mapping is an error (PyYAML silently keeps the last one);
- aliases are allowed but their expansion is bounded ("billion laughs" stops early);
- scalars stay text: `19:00` is never 1140, `NO` is never False, `2024-02-30` is text for the model
  to reject at its line, and `Null` is a name (people are called Null). Only an empty value and
  YAML's own sign for nothing, `~`, become None: that is how a facilitator leaves a field out.
  The model converts text to numbers, dates and booleans where a field asks for them, with an
  error at the right place if it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CohortError, Diagnostic, Location
from ..files import read_regular
from .values import CONTROL, control_character


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, used only to compose nodes; without implicit resolvers, since every
    scalar is typed by the model, not by YAML 1.1's guesses (and resolving costs time)."""

    yaml_implicit_resolvers: dict[str, list[object]] = {}

    def resolve(self, kind: type[yaml.Node], _value: object, _implicit: object) -> str:
        """The default tag of the kind of node (what the resolver gives without implicit or
        path resolvers), without the resolver's walk for each of 100,000 scalars."""
        return _DEFAULT_TAGS[kind]


_DEFAULT_TAGS = {
    yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}


#: Files larger than this are refused: a programme of thousands of participants is far smaller.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: The records cohort writes itself (a registration list of tens of thousands) may be larger:
#: cohort refuses to write one beyond this, so every record it writes it can read back.
MAX_RECORD_BYTES = 128 * 1024 * 1024
#: Values a file may expand to: generous for any hand-written file (a few values a line), far
#: below what nested aliases ("billion laughs") would build.
BASE_NODES = 100_000
NODES_PER_LINE = 20
MAX_DEPTH = 64

#: Plain scalars that mean "no value"; the words null, Null and NULL are text like any other.
_NULLS = {"", "~"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
}

Path_ = tuple[str | int, ...]

#: The files positions point into, numbered: a place read from a file is one int (file, line,
#: column) rather than a Location, since a programme of ten thousand people has hundreds of
#: thousands of them and every command keeps them while it runs (issue 17).
_FILES: list[Path] = []
_FILE_NUMBERS: dict[Path, int] = {}


def _file_bits(path: Path) -> int:
    """The file's number, shifted to its place in a packed position (see `_location`)."""
    number = _FILE_NUMBERS.get(path)
    if number is None:
        number = _FILE_NUMBERS[path] = len(_FILES)
        _FILES.append(path)
    return number << 64


def _location(place: Location | int) -> Location:
    """A packed position (file << 64 | line << 32 | column) as a Location; a Location as is."""
    if isinstance(place, Location):
        return place
    return Location(_FILES[place >> 64], (place >> 32) & 0xFFFFFFFF, place & 0xFFFFFFFF)


@dataclass
class Positions:
    """Where each value of a document stood: path -> location of the value (and of its key).
    A place is a Location, or, for what was read from a file, the same packed into an int
    (read it through `at`)."""

    values: dict[Path_, Location | int] = field(default_factory=dict)
    keys: dict[Path_, Location | int] = field(default_factory=dict)

    def at(self, path: Path_, *, key: bool = False) -> Location:
        """The location of `path`, or of its nearest ancestor that we know."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path:
            if path in table:
                return _location(table[path])
            if key and path in self.values:
                return _location(self.values[path])
            path = path[:-1]
        return _location(self.values.get((), Location(Path("?"))))

    def update(self, other: Positions) -> None:
        self.values.update(other.values)
        self.keys.update(other.keys)


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
            node = loader.get_single_node()
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
    if node is None:
        raise YamlProblem(_diag(path, None, "this file is empty"))
    converter = _Converter(path, BASE_NODES + NODES_PER_LINE * text.count("\n"))
    data = converter.convert(node, ())
    return Document(path, data, converter.positions, converter.problems, text)


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
    parser's events one by one (composing the node tree recurses, and a file nested tens of
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


class _TooMuch(Exception):
    pass


class _Converter:
    def __init__(self, path: Path, budget: int) -> None:
        self.path = path
        self.file = _file_bits(path)
        self.budget = budget
        self.positions = Positions()
        self.problems: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()

    def problem(self, node: yaml.Node, message: str, hint: str = "", code: str = "yaml") -> None:
        self.problems.append(_diag(self.path, node.start_mark, message, hint, code))

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        try:
            return self._convert(node, path)
        except _TooMuch:
            return None

    def _convert(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > self.budget:
            self.problem(
                node,
                "this file expands to too many values (aliases nested too deeply?)",
                "repeat the values instead of using nested aliases",
            )
            raise _TooMuch
        if len(path) > MAX_DEPTH or id(node) in self.active:
            self.problem(node, "an alias refers to itself or nests too deeply")
            raise _TooMuch
        mark = node.start_mark
        self.positions.values.setdefault(path, self.file | (mark.line + 1) << 32 | mark.column + 1)
        tag = node.tag
        if tag not in _STANDARD_TAGS:
            if tag.startswith("tag:yaml.org,2002:python/"):
                self.problem(node, f"the tag '{_short(tag)}' is not allowed in a programme file")
                return None
            if tag.startswith(("!", "tag:")):
                self.problem(node, f"unknown tag '{_short(tag)}'", "remove the tag")
                return None
        if isinstance(node, yaml.ScalarNode):
            if _plain(node) and node.value in _NULLS:
                return None
            return node.value
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self._convert(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.value == "<<"
                and _plain(key_node)
            ):
                merged.update(self._merge(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "a key must be plain text, not a list or mapping")
                continue
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark
                self.problem(
                    key_node,
                    f"duplicate key '{key}' (first given at line {first.line + 1})",
                    "keep one of the two; YAML would silently drop the first",
                    code="duplicate-key",
                )
                continue
            seen[key] = key_node
            child = (*path, key)
            mark = key_node.start_mark
            self.positions.keys[child] = self.file | (mark.line + 1) << 32 | mark.column + 1
            result[key] = self._convert(value_node, child)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge(self, node: yaml.Node, path: Path_) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.problem(source, "'<<' merges only mappings")
                continue
            value = self._convert(source, path)
            for key, item in value.items():
                merged.setdefault(key, item)
        return merged


def _plain(node: yaml.ScalarNode) -> bool:
    """Unquoted (the C parser says '' where the Python one says None)."""
    return not node.style


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag
