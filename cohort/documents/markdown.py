"""Text from the programme inside Markdown (report.md, schedule --format markdown): shown as
the letters it is, never read as HTML or as Markdown syntax.

A name typed into a public registration form (`<img src=x onerror=...>`) or a title holding
a link (`[x](javascript:...)`) would otherwise run in every wiki or newsletter the Markdown is
pasted into. CommonMark (https://spec.commonmark.org/0.31.2/, sections 2.4 and 6.6) lets any
ASCII punctuation be escaped with a backslash, and reads entities as their letters.
"""

from __future__ import annotations

import re
from typing import Any

#: Line breaks of every kind, each run one space (a thin or no-break space stays as it is).
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
#: HTML-significant characters, as entities (CommonMark reads them as the letters).
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: Markdown syntax inside a line: emphasis, code, links and images, table cells, strikethrough
#: (a value never starts a line, so list and heading markers need no escape).
_SYNTAX = re.compile(r"([\\`*_\[\]!|~])")


def text(value: Any) -> str:
    """`value` as one line of Markdown that shows it literally: HTML-significant characters as
    entities, Markdown's punctuation escaped with a backslash, line breaks as spaces (a cell of
    a table, a heading and a list item are one line)."""
    line = _BREAKS.sub(" ", str(value))
    line = "".join(_ENTITIES.get(c, c) for c in line)
    return _SYNTAX.sub(r"\\\1", line)
