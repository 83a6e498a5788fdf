"""Text in a column of a terminal table that wraps as a reader expects.

rich wraps a cell at spaces only, and cuts a word longer than its column wherever the column
ends, without a sign ('Sociaal-ruimteli' / 'jke'). A `Cell` wraps at spaces, then after a
hyphen the word has ('Sint-Jans-' / 'Molenbeek'), and only a word longer than its column is
broken between syllables with a visible hyphen ('Broedplekkentra-' / 'ject'; the hyphenation
patterns of the table's language, through pyphen, the library LibreOffice's patterns come
with), or, with no syllable to break at, where the column ends with a hyphen: never cut
silently. A no-break space (U+00A0) keeps words together ('14 feb 2023') and prints as a
space.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.measure import Measurement

#: pyphen's patterns for each language cohort writes in
_PATTERNS = {"nl": "nl_NL", "fr": "fr", "en": "en_GB"}
_KEEP = "\u00a0"  # a no-break space: words that stay on one line


@lru_cache(maxsize=4)
def _hyphenator(language: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=_PATTERNS.get(language, "en_GB"))


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _fitting(text: str, room: int) -> int:
    """How many characters of `text` fit in `room` columns (a wide character takes two)."""
    used = 0
    for n, char in enumerate(text):
        used += _width(char)
        if used > room:
            return n
    return len(text)


def _at_hyphen(word: str, room: int) -> tuple[str, str] | None:
    """`word` split after the last of its own hyphens that leaves a head of `room` columns."""
    cuts = [n + 1 for n, char in enumerate(word[:-1]) if char == "-"]
    fits = [n for n in cuts if _width(word[:n]) <= room]
    return (word[: fits[-1]], word[fits[-1] :]) if fits else None


def _at_syllable(word: str, room: int, language: str) -> tuple[str, str] | None:
    """`word` split between syllables, with a hyphen added, at the last place that leaves a
    head of `room` columns."""
    places = [n for n in _hyphenator(language).positions(word) if 1 < n < len(word)]
    fits = [n for n in places if _width(word[:n]) + 1 <= room and word[n - 1].isalpha()]
    return (word[: fits[-1]] + "-", word[fits[-1] :]) if fits else None


def _cut(word: str, room: int) -> tuple[str, str]:
    """`word` split where `room` columns end, with a hyphen (the last resort; Chinese and
    Japanese, whose lines break between any two characters, take none)."""
    take = max(1, _fitting(word, room))
    if room < 2 or _width(word[take - 1]) > 1:
        return word[:take], word[take:]
    take = max(1, _fitting(word, room - 1))
    return word[:take] + "-", word[take:]


def _longest_piece(word: str) -> int:
    """The width of the longest part of `word` between its own hyphens."""
    return max(_width(piece) for piece in word.split("-"))


def wrap(text: str, width: int, language: str) -> list[str]:
    """`text` as lines of at most `width` columns (see the module's docstring): a word that
    does not fit on the line begun goes to the next, or its part up to one of its own hyphens
    stays; a piece no line can hold is broken between syllables where it stands."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            while word:
                gap = " " if line else ""
                room = width - _width(line + gap)
                if _width(word) <= room:
                    line, word = line + gap + word, ""
                    continue
                split = _at_hyphen(word, room)
                if split is None and (not line or _longest_piece(word) > width):
                    split = _at_syllable(word, room, language)
                if split is None and not line:
                    split = _cut(word, room)
                if split is not None:
                    line, word = line + gap + split[0], split[1]
                lines.append(line)
                line = ""
        lines.append(line)
    return [line.replace(_KEEP, " ") for line in lines]


class Cell:
    """A cell of a rich Table whose text wraps as `wrap` does, in the table's `language`."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        lines = self.text.split("\n")
        pieces = [p for line in lines for w in line.split() for p in w.split("-")] or [""]
        longest = max(_width(line.replace(_KEEP, " ")) for line in lines)
        shortest = min(longest, max(_width(p) for p in pieces) + 1)
        return Measurement(shortest, longest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        lines = wrap(self.text, options.max_width, self.language)
        yield Text("\n".join(lines), justify=options.justify, no_wrap=True, overflow="crop")
