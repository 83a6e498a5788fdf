"""A YAML parser's events turned into plain values, remembering where each value stood.

- no tag can build a Python object (`!!python/...` and unknown tags are errors);
- a key given twice in one mapping is an error (PyYAML silently keeps the last one);
- aliases are allowed but their expansion is bounded ("billion laughs" stops early);
- scalars stay text: `19:00` is never 1140, `NO` is never False, `2024-02-30` is text for the model
  to reject at its line, and `Null` is a name (people are called Null). Only an empty value and
  YAML's own sign for nothing, `~`, become None: that is how a facilitator leaves a field out.
  The model converts text to numbers, dates and booleans where a field asks for them, with an
  error at the right place if it cannot;
- no tree of nodes is built: PyYAML's composer keeps every value with two marks until the whole
  file is read (32 MB for 10,000 participants, which the process keeps while it runs, issue
  17); only the events of an anchored value are kept, to be replayed where an alias names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import Diagnostic, Location

#: How deep lists and mappings may nest in a file.
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


_SCALAR = yaml.ScalarEvent
_SEQUENCE = yaml.SequenceStartEvent
_MAPPING = yaml.MappingStartEvent
_ALIAS = yaml.AliasEvent
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class Parser(Protocol):
    """What reads a file into events: PyYAML's loader."""

    def get_event(self) -> Any: ...


class _TooMuch(Exception):
    pass


#: A parser's event (PyYAML's stubs give its base class none of the fields its kinds have).
Event = Any
#: The next event of the value being converted: from the parser, or replayed for an alias.
Events = Callable[[], Event]


@dataclass
class _Recording:
    """An anchored value: its first event, and where the rest of its events lie in the
    stream's log (`end` is None while the value is still being read)."""

    first: Event
    start: int
    end: int | None


class _Stream:
    """The parser's events, one at a time, with the checks PyYAML's composer makes (an alias
    names an anchor given before it, an anchor is given once), keeping the events of every
    anchored value to replay where an alias names it. The events read while any anchored list
    or mapping is open are kept once, in `log`, whatever the number of anchors around them."""

    def __init__(self, parser: Parser) -> None:
        self.parser = parser
        #: anchor -> its value's recording
        self.anchors: dict[str, _Recording] = {}
        #: the events read while an anchored list or mapping was open, in order
        self.log: list[Event] = []
        #: how deep the parser is in lists and mappings
        self.depth = 0
        #: the anchored lists and mappings still being read, with the depth each starts at
        self.open: list[tuple[int, _Recording]] = []

    def __call__(self) -> Event:
        event = self.parser.get_event()
        kind = type(event)
        if self.open:
            self.log.append(event)
        if kind is _ALIAS:
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(
                    None, None, "found undefined alias", event.start_mark
                )
        elif kind is _SCALAR or kind is _SEQUENCE or kind is _MAPPING:
            if event.anchor is not None:
                self._anchored(event)
            if kind is not _SCALAR:
                self.depth += 1
        elif kind in _ENDS:
            self.depth -= 1
            while self.open and self.open[-1][0] == self.depth:
                self.open.pop()[1].end = len(self.log)
        return event

    def _anchored(self, event: Event) -> None:
        first = self.anchors.get(event.anchor)
        if first is not None:
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence",
                first.first.start_mark,
                "second occurrence",
                event.start_mark,
            )
        start = len(self.log)
        scalar = type(event) is _SCALAR
        recording = self.anchors[event.anchor] = _Recording(event, start, start if scalar else None)
        if not scalar:
            self.open.append((self.depth, recording))

    def replay(self, recording: _Recording) -> Events:
        """The events of a finished anchored value after its first, one at a time."""
        assert recording.end is not None
        return map(self.log.__getitem__, range(recording.start, recording.end)).__next__

    def drain(self) -> None:
        """Read on to the end of the document's value (PyYAML's errors in it still count);
        nothing is recorded any more, since nothing will be replayed."""
        self.open.clear()
        while self.depth > 0:
            self()


@dataclass
class Converted:
    """A document's values, where each stood, and the problems found on the way."""

    data: Any
    positions: Positions
    problems: list[Diagnostic]


def convert(path: Path, parser: Parser, budget: int) -> Converted | None:
    """The one document of the file as values (None when there is none); raises PyYAML's
    errors as its composer would (a second document, an alias to nothing)."""
    stream = _Stream(parser)
    stream()  # the stream's start
    if isinstance(stream(), yaml.StreamEndEvent):
        return None
    converter = _Converter(path, budget, stream)
    root = stream()
    data = converter.convert(root)
    stream()  # the document's end
    after = stream()
    if not isinstance(after, yaml.StreamEndEvent):
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            root.start_mark,
            "but found another document",
            after.start_mark,
        )
    return Converted(data, converter.positions, converter.problems)


class _Converter:
    def __init__(self, path: Path, budget: int, stream: _Stream) -> None:
        self.path = path
        self.file = _file_bits(path)
        self.budget = budget
        self.stream = stream
        self.positions = Positions()
        self.problems: list[Diagnostic] = []
        self.count = 0
        #: the lists and mappings being converted, by their first event (an alias replays the
        #: same events): one met again inside itself is a loop
        self.active: set[int] = set()

    def problem(self, event: Event, message: str, hint: str = "", code: str = "yaml") -> None:
        mark = event.start_mark
        where = Location(self.path, mark.line + 1, mark.column + 1)
        self.problems.append(Diagnostic(where, "error", message, hint, code=code))

    def _place(self, event: Event) -> int:
        """Where a value starts, packed (see `_location`)."""
        mark: yaml.Mark = event.start_mark
        return self.file | (mark.line + 1) << 32 | mark.column + 1

    def convert(self, event: Event) -> Any:
        """The document's value, from its first event; None when it expands too far (the
        file is still read to its end, for PyYAML's errors)."""
        try:
            return self._convert(event, self.stream, ())
        except _TooMuch:
            self.stream.drain()
            return None

    def _resolved(self, event: Event, events: Events) -> tuple[Event, Events]:
        """An alias as the first event of the value it names, with that value's events."""
        if type(event) is not _ALIAS:
            return event, events
        assert event.anchor is not None  # an alias names its anchor
        recorded = self.stream.anchors[event.anchor]
        if recorded.end is None:  # inside the value it names: through a merge or a key
            self.problem(event, "an alias refers to itself or nests too deeply")
            raise _TooMuch
        return recorded.first, self.stream.replay(recorded)

    @staticmethod
    def _skip(event: Event, events: Events) -> None:
        """Pass over a value that is not converted."""
        depth = int(type(event) is _SEQUENCE or type(event) is _MAPPING)
        while depth:
            kind = type(events())
            if kind is _SEQUENCE or kind is _MAPPING:
                depth += 1
            elif kind in _ENDS:
                depth -= 1

    def _convert(self, event: Event, events: Events, path: Path_) -> Any:
        event, events = self._resolved(event, events)
        self.count += 1
        if self.count > self.budget:
            self.problem(
                event,
                "this file expands to too many values (aliases nested too deeply?)",
                "repeat the values instead of using nested aliases",
            )
            raise _TooMuch
        kind = type(event)
        if len(path) > MAX_DEPTH or id(event) in self.active:
            self.problem(event, "an alias refers to itself or nests too deeply")
            raise _TooMuch
        self.positions.values.setdefault(path, self._place(event))
        if event.tag is not None and event.tag != "!" and self._refused(event.tag, event):
            self._skip(event, events)
            return None
        if kind is _SCALAR:
            return None if _plain(event) and event.value in _NULLS else event.value
        self.active.add(id(event))
        try:
            if kind is _SEQUENCE:
                items: list[Any] = []
                item = events()
                while type(item) not in _ENDS:
                    items.append(self._convert(item, events, (*path, len(items))))
                    item = events()
                return items
            return self._mapping(events, path)
        finally:
            self.active.discard(id(event))

    def _refused(self, tag: str, event: Event) -> bool:
        """Whether a value's explicit tag is refused (said as a problem): only YAML's own
        tags are allowed, which change nothing (every value is text to the model)."""
        if tag in _STANDARD_TAGS:
            return False
        if tag.startswith("tag:yaml.org,2002:python/"):
            self.problem(event, f"the tag '{_short(tag)}' is not allowed in a programme file")
            return True
        if tag.startswith(("!", "tag:")):
            self.problem(event, f"unknown tag '{_short(tag)}'", "remove the tag")
            return True
        return False

    def _mapping(self, events: Events, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, Any] = {}
        key_event = events()
        while type(key_event) not in _ENDS:
            self._skip(key_event, events)  # a list or mapping as a key: refused below
            key, _ = self._resolved(key_event, events)
            value = events()
            if type(key) is _SCALAR and key.value == "<<" and _plain(key):
                merged.update(self._merge(value, events, path))
            elif type(key) is not _SCALAR:
                self.problem(key, "a key must be plain text, not a list or mapping")
                self._skip(value, events)
            elif key.value in seen:
                self.problem(
                    key,
                    f"duplicate key '{key.value}' (first given at line {seen[key.value].line + 1})",
                    "keep one of the two; YAML would silently drop the first",
                    code="duplicate-key",
                )
                self._skip(value, events)
            else:
                seen[key.value] = key.start_mark
                child = (*path, key.value)
                self.positions.keys[child] = self._place(key)
                result[key.value] = self._convert(value, events, child)
            key_event = events()
        for name, item in merged.items():
            result.setdefault(name, item)
        return result

    def _merge(self, event: Event, events: Events, path: Path_) -> dict[str, Any]:
        """What a merge key (`<<`) gives: the mapping it names, or the mappings of the list
        it names (the first of them gives a key its value)."""
        merged: dict[str, Any] = {}
        listed, items = self._resolved(event, events)
        if type(listed) is not _SEQUENCE:
            self._merge_one(event, events, path, merged)
            return merged
        item = items()
        while type(item) not in _ENDS:
            self._merge_one(item, items, path, merged)
            item = items()
        return merged

    def _merge_one(self, event: Event, events: Events, path: Path_, merged: dict[str, Any]) -> None:
        source, _ = self._resolved(event, events)
        if type(source) is not _MAPPING:
            self.problem(source, "'<<' merges only mappings")
            self._skip(event, events)
            return
        for key, value in (self._convert(event, events, path) or {}).items():
            merged.setdefault(key, value)


def _plain(event: Event) -> bool:
    """Unquoted (the C parser says '' where the Python one says None)."""
    return not event.style


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag
