"""Typst, for printable PDFs: escaping, QR codes, compiling.

Templates for print are Jinja templates that produce Typst source. Every value a template
outputs goes through `escape` in the environment's `finalize` hook, so no template has to
remember it: a participant called `#set page(width: 1cm) *bold*` prints literally. The few
pieces of Typst code cohort writes itself (a QR code, a string literal) are marked `Code` and
pass unchanged.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import CohortError
from ..i18n import Texts
from .templating import Renderer

# Characters with a meaning in Typst markup; a backslash before each makes it literal.
# (`.` matters after a number at the start of a line, where "1." would begin a list.)
_SPECIAL = "\\#*_`$<>@[]~-+/=."
_ESCAPES = str.maketrans({c: "\\" + c for c in _SPECIAL})


class Code(str):
    """Typst code that cohort wrote itself: not escaped again."""


def escape(value: Any) -> str:
    """Any value as literal Typst markup."""
    if isinstance(value, Code):
        return value
    text = "" if value is None else str(value)
    return text.translate(_ESCAPES).replace("\r\n", "\n").replace("\r", "\n")


def string(value: Any) -> Code:
    """A value as a Typst string literal, for code such as `lang: {{ language|string }}`."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return Code(f'"{text}"')


@lru_cache(maxsize=256)
def qr_code(url: str, width: str = "3cm") -> Code:
    """An image of a QR code for `url` (segno draws it as SVG; Typst embeds it)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=4, border=0)
    return Code(f'image(bytes({string(svg)}), format: "svg", width: {width})')


def renderer(folder: Path | None, texts: Texts) -> Renderer:
    """A template renderer whose every output is escaped for Typst markup."""
    render = Renderer(folder, texts, finalize=escape)
    render.env.filters["string"] = string
    return render


class Typesetter:
    """One Typst compiler for every document of a run, so its fonts load once. Typst sees only
    a private temporary folder as its root: a template cannot read the programme's files."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cohort-typst-")
        self._main = Path(self._folder.name) / "main.typ"
        self._compiler: Any = None

    def pdf(self, source: str, name: str, day: dt.date) -> bytes:
        """Typeset `source` as PDF, dated `day` (not the clock), with the fonts bundled in the
        typst package only: the same source gives the same bytes on every machine."""
        import typst

        self._main.write_text(source, encoding="utf-8")
        if self._compiler is None:
            self._compiler = typst.Compiler(
                str(self._main), root=self._folder.name, ignore_system_fonts=True
            )
        stamp = int(dt.datetime.combine(day, dt.time(0), dt.UTC).timestamp())
        try:
            return bytes(self._compiler.compile(format="pdf", timestamp=stamp))
        except typst.TypstError as err:  # a template (the facilitator's own?) wrote bad Typst
            raise CohortError(f"{name}: Typst could not typeset it: {err}") from None


@lru_cache(maxsize=1)
def _typesetter() -> Typesetter:
    return Typesetter()


def pdf(source: str, name: str, day: dt.date) -> bytes:
    """Compile Typst source to PDF (see Typesetter)."""
    return _typesetter().pdf(source, name, day)
