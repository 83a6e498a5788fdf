"""Typst, for printable PDFs: escaping, QR codes, fonts, compiling.

Templates for print are Jinja templates that produce Typst source. Every value a template
outputs goes through `escape` in the environment's `finalize` hook, so no template has to
remember it: a participant called `#set page(width: 1cm) *bold*` prints literally, and a word
too long for its column (an 88-letter name without a space) may break anywhere instead of
running over the next column. The few pieces of Typst code cohort writes itself (a QR code, a
string literal) are marked `Code` and pass unchanged. When Typst refuses what a template made,
the error names the template's file and the line that made it (`typst_error`).

Fonts: the templates name the fonts bundled with the typst package (Libertinus Serif); for a
character those lack (Chinese, emoji, ...) Typst falls back to the fonts installed on the machine
(on Debian: fonts-noto-cjk, fonts-noto-color-emoji). The same source gives the same bytes on a
given machine. A character no font on the machine has would print as an empty box: Typst itself
is asked which ones (see `Typesetter.missing`), and the facilitator is told.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import re
import resource
import tempfile
import types
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from ..errors import CohortError, Location
from ..i18n import Texts
from .templating import Renderer

# Characters with a meaning in Typst markup; a backslash before each makes it literal.
# (`.` matters after a number at the start of a line, where "1." would begin a list; `'` and
# `"` would become the language's smart quotes, 'ons buurtpunt' a French “ons buurtpunt”,
# while every other output shows the text as its writer typed it.)
_SPECIAL = "\\#*_`$<>@[]~-+/=.'\""
_ESCAPES = str.maketrans({c: "\\" + c for c in _SPECIAL})


class Code(str):
    """Typst code that cohort wrote itself: not escaped again."""


#: A run of this many characters without a space may break anywhere (a column is narrower).
LONG_WORD = 24
_LONG_WORD = re.compile(rf"[^\s/]{{{LONG_WORD},}}")
#: A run of letters up to this long is a word (Dutch compounds run to 40 and more) that Typst
#: hyphenates; a longer one is no word, and may break anywhere.
LONGEST_WORD = 60
#: Between characters of a long word: a place where a line may break, invisible otherwise.
_MAY_BREAK = "\u200b"


#: What may stand before or after a word and leaves it a word ('vrijwilligersorganisaties:').
_PUNCTUATION = ".,:;!?'\"()[]«»“”‘’…"


def _breakable(match: re.Match[str]) -> str:
    """A long run that is no word (an address, a code) with a break opportunity after every
    character (Typst breaks such a line only between words, and would let it run over the next
    column). A link breaks after its slashes already, so a run stops at one. A word of letters
    (and hyphens, up to LONGEST_WORD, with punctuation before or after it) is left whole:
    Typst hyphenates it by the document's language, where a break anywhere would cut a
    syllable without a hyphen ('gemeensc / hapsinfrastructuur')."""
    run = match.group()
    word = run.strip(_PUNCTUATION).replace("-", "")
    if len(run) <= LONGEST_WORD and word.isalpha():
        return run
    return _MAY_BREAK.join(run)


#: A web address inside a text: Typst breaks what follows '://' (or starts with 'www.') as a
#: link, never hyphenated, and cohort adds nothing to it (a character added would be copied
#: with the address).
_WEB_IN_TEXT = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)\S+")


def _long_words(text: str) -> str:
    """`text` with a break opportunity inside each long run that is neither a word nor part of a
    web address (see `_breakable`)."""
    out, last = [], 0
    for found in _WEB_IN_TEXT.finditer(text):
        out += [_LONG_WORD.sub(_breakable, text[last : found.start()]), found.group()]
        last = found.end()
    out.append(_LONG_WORD.sub(_breakable, text[last:]))
    return "".join(out)


def escape(value: Any) -> str:
    """Any value as literal Typst markup."""
    if isinstance(value, Code):
        return value
    text = "" if value is None else str(value)
    return _long_words(text).translate(_ESCAPES).replace("\r\n", "\n").replace("\r", "\n")


#: A piece of an address longer than this (a meeting code, a hash) breaks between chunks of
#: CHUNK characters; a shorter piece is kept whole.
LONG_PIECE = 40
CHUNK = 8
#: Addresses are set in the monospaced font that comes with Typst: a hyphen of theirs is then
#: never the glyph of a word hyphenated elsewhere on the page, which a PDF maps to a soft
#: hyphen (U+00AD), so a copied address keeps its '-'.
ADDRESS_FONT = "DejaVu Sans Mono"
_WEB = re.compile(r"(?:https?|ftp)://\S+|mailto:\S+", re.IGNORECASE)
_MAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def link(value: Any, longest: int = LONG_PIECE) -> Code:
    """A web or e-mail address as a Typst link: clicking it opens the whole address; its text
    is never hyphenated and holds no character of cohort's, so it is copied from the PDF as it
    is. It breaks only after a '/' (or the '@' of an e-mail address): each piece between is
    kept whole in a box, and only a piece longer than `longest` (a meeting code in a join
    link; less in a narrow column) breaks inside, between chunks. Any other text is escaped
    as `escape` does, so a template may pass a value that is sometimes an address (the
    agenda's QR label)."""
    text = "" if value is None else str(value).strip()
    if _WEB.fullmatch(text):
        target, shown = text, text.removeprefix("mailto:")
    elif _MAIL.fullmatch(text):
        target, shown = f"mailto:{text}", text
    else:
        return Code(escape(value))
    pieces = re.split(r"(?<=@)" if "://" not in shown else r"(?<=/)(?!/)", shown)
    if len(pieces) > 1 and pieces[0].endswith("://"):  # 'https://' stays with its host
        pieces[:2] = [pieces[0] + pieces[1]]
    chunks = [
        chunk
        for piece in pieces
        for chunk in (
            [piece]
            if len(piece) <= longest
            else [piece[i : i + CHUNK] for i in range(0, len(piece), CHUNK)]
        )
        if chunk
    ]
    body = "".join(f"#box[{chunk.translate(_ESCAPES)}]" for chunk in chunks)
    style = f"font: {string(ADDRESS_FONT)}, size: 0.88em, hyphenate: false"
    # code ended by ';', so that what follows in the template cannot run into the call
    return Code(f"#link({string(target)}, text({style})[{body}]);")


def name(value: Any) -> Code:
    """A name (of a person, an organisation, a venue) or a title as Typst markup that is never
    hyphenated: it breaks between its words only ('Architecture Workroom Brussels', never
    'Wor-kroom'), while the text around it may hyphenate. Escaped as `escape` does (a run too
    long to be a word still breaks anywhere)."""
    text = escape(value)
    # code ended by ';', so that what follows in the template cannot run into the call
    return Code(f"#text(hyphenate: false)[{text}];" if text else "")


def string(value: Any) -> Code:
    """A value as a Typst string literal, for code such as `lang: {{ language|string }}`."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return Code(f'"{text}"')


@lru_cache(maxsize=256)
def qr_svg(text: str) -> str:
    """A QR code for `text` as inline SVG, without its quiet zone (the layout leaves the space):
    always a full QR code (ISO/IEC 18004), never a Micro QR code, which segno picks for short
    texts and which most phone cameras and readers (zbar) cannot read."""
    import segno

    return str(segno.make(text, error="m", micro=False).svg_inline(scale=4, border=0))


def qr_code(url: str, width: str = "3cm") -> Code:
    """An image of a QR code for `url`, `width` wide (see `qr_svg`; Typst embeds it)."""
    return Code(f'image(bytes({string(qr_svg(url))}), format: "svg", width: {width})')


def renderer(folder: Path | None, texts: Texts) -> Renderer:
    """A template renderer whose every output is escaped for Typst markup."""
    render = Renderer(folder, texts, finalize=escape)
    render.env.filters["string"] = string
    render.env.filters["link"] = link
    render.env.filters["name"] = name
    return render


def template_file(render: Renderer, name: str) -> Path | None:
    """The file the template `name` is read from (the programme's own, or cohort's), to name
    in an error."""
    filename = render.template(name).filename
    return Path(filename) if filename else None


#: A character no font has (in the Supplementary Private Use Area): what Typst draws for it is
#: the empty box every missing character gets.
_NOWHERE = "\U0010fffd"
_GLYPH = re.compile(rb'xlink:href="#(g[0-9A-Fa-f]+)"')
_BEYOND_ASCII = re.compile(r"[^\x00-\x7e]")
#: Characters that are drawn with others or not at all (accents, joiners, spaces, controls).
_NOT_DRAWN = {"Mn", "Me", "Cf", "Cc", "Co", "Cs", "Zs", "Zl", "Zp"}


#: What one Typst compilation may take: seconds of wall time, and bytes of memory beyond what
#: the compiler holds once its fonts are loaded. A template is not trusted code, and Typst is a
#: programming language (`#for i in range(1000000000) {}` runs for ever).
TIMEOUT = 60.0
MEMORY = 2 * 1024**3
#: A Typst package (`#import "@preview/cetz:0.2.2"`): Typst would download it.
_PACKAGE = re.compile(r"""["']@[A-Za-z][\w-]*/""")
#: Where a proxy would be: nothing listens there, so a download Typst tries fails at once.
_NO_NETWORK = "http://127.0.0.1:9"


def _compile_loop(connection: Any, root: str, main: str, memory: int) -> None:
    """The child process that compiles: fonts loaded once, then each request (a timestamp)
    answered with ("pdf", bytes) or ("typst", message, hints, diagnostic); its memory is bounded
    by RLIMIT_AS, no package is found or downloaded (empty package folders, no network)."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        os.environ[name] = _NO_NETWORK
    import typst

    fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)
    empty = Path(root) / "packages"
    empty.mkdir(exist_ok=True)
    compiler = typst.Compiler(
        main, root=root, font_paths=fonts, package_path=str(empty), package_cache_path=str(empty)
    )
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    limit = pages * resource.getpagesize() + memory
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    while (stamp := connection.recv()) is not None:
        try:
            data = cast(bytes, compiler.compile(format="pdf", timestamp=stamp))
            connection.send(("pdf", bytes(data)))
        except typst.TypstError as err:
            hints = [str(h) for h in getattr(err, "hints", []) or []]
            diagnostic = str(getattr(err, "diagnostic", "") or "")
            connection.send(("typst", str(getattr(err, "message", "") or err), hints, diagnostic))
        except MemoryError:
            connection.send(("memory",))


class Typesetter:
    """One Typst compiler for every document of a run, so its fonts load once. Typst sees only
    a private temporary folder as its root: a template cannot read the programme's files. It
    compiles in a child process of its own, bounded in memory (MEMORY) and time (TIMEOUT),
    without packages or network."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cohort-typst-")
        self._main = Path(self._folder.name) / "main.typ"
        self._worker: Any = None
        self._connection: Any = None
        self._fonts: Any = None
        self._drawn: dict[str, bool] = {}

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._worker = context.Process(
            target=_compile_loop,
            args=(child, self._folder.name, str(self._main), MEMORY),
            daemon=True,
        )
        self._worker.start()
        child.close()

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.join()
        self._worker = self._connection = None

    def _compile(self, stamp: int, name: str, template: Path | None) -> tuple[Any, ...]:
        """The worker's answer for the source in main.typ; CohortError when it ran out of
        time or memory (the worker is stopped, and a new one starts for the next document)."""
        if self._worker is None or not self._worker.is_alive():
            self._start()
        where = template or Path(name)
        fix = "make the template simpler: Typst code that loops or builds text without end"
        try:
            self._connection.send(stamp)
            if not self._connection.poll(TIMEOUT):
                self._stop()
                raise CohortError(
                    f"{name}: Typst did not finish within {TIMEOUT:g} seconds ({fix})",
                    location=where,
                )
            answer = cast(tuple[Any, ...], self._connection.recv())
        except (EOFError, OSError):  # the worker died: Rust aborts when memory runs out
            answer = ("memory",)
        if answer[0] == "memory":
            self._stop()
            raise CohortError(
                f"{name}: Typst needed more than {MEMORY // 1024**2} MB of memory ({fix})",
                location=where,
            )
        return answer

    def __del__(self) -> None:
        # at the interpreter's exit multiprocessing stops its daemon workers itself
        with contextlib.suppress(Exception):
            self._stop()

    def fonts(self) -> Any:
        """The fonts Typst uses: those bundled with it, then those installed on the machine
        (searched once; `typst.Fonts`)."""
        import typst

        if self._fonts is None:
            self._fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)
        return self._fonts

    def pdf(
        self,
        source: str,
        name: str,
        day: dt.date,
        warnings: list[str] | None = None,
        template: Path | None = None,
    ) -> bytes:
        """Typeset `source` as PDF, dated `day` (not the clock): the same source gives the same
        bytes on the same machine. Characters no font has are named in `warnings` (once: one
        named there already is not named again). Raises CohortError when the source is not
        valid Typst, at the line of the Jinja `template` that made it when it can be told (see
        `located`)."""
        package = _PACKAGE.search(source)
        if package is not None:
            made = source[source.rfind("\n", 0, package.start()) + 1 :].split("\n", 1)[0]
            line = located(template, made) if template is not None else None
            raise CohortError(
                f"{name}: the template uses a Typst package ({made.strip()[:80]}); cohort "
                "typesets without packages, which Typst would download: write what you need "
                "in the template itself",
                location=Location(template, line, 1) if template and line else template,
            )
        self._main.write_text(source, encoding="utf-8")
        stamp = int(dt.datetime.combine(day, dt.time(0), dt.UTC).timestamp())
        answer = self._compile(stamp, name, template)
        if answer[0] == "typst":  # a template (the facilitator's own?) wrote bad Typst
            _, message, hints, diagnostic = answer
            err = types.SimpleNamespace(message=message, hints=hints, diagnostic=diagnostic)
            raise typst_error(err, source, name, template)
        data = cast(bytes, answer[1])
        named = " ".join(warnings or ())
        missing = [c for c in self.missing(source) if f"(U+{ord(c):04X})" not in named]
        if missing and warnings is not None:  # each character once, where it is first met
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing)
            warnings.append(
                f"warning: {name}: no font on this machine has {shown}; "
                f"{'it prints' if len(missing) == 1 else 'they print'} as an empty box (install "
                "a font that has them, e.g. Debian's fonts-noto-cjk or fonts-noto-color-emoji)"
            )
        return data

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that no font Typst can use has, in order of code point.
        Typst is asked: each character is typeset on a page of its own, and one that comes out
        as the same glyph as a character no font has is missing."""
        import typst

        beyond = set(_BEYOND_ASCII.findall(text))  # at C speed: a source holds images' base64
        new = sorted(
            {c for c in beyond if unicodedata.category(c) not in _NOT_DRAWN} - self._drawn.keys()
        )
        if new:
            probe = (
                '#set page(width: auto, height: auto, margin: 0pt)\n#set text(font: "Libertinus '
                'Serif")\n' + "\n#pagebreak()\n".join([_NOWHERE, *new])
            )
            compiler = typst.Compiler(probe.encode(), font_paths=self.fonts())
            pages = cast(list[bytes], compiler.compile(format="svg"))
            glyphs = [set(_GLYPH.findall(page)) for page in pages]
            box = glyphs[0]
            for char, drawn in zip(new, glyphs[1:], strict=True):
                self._drawn[char] = not drawn or not drawn <= box
        return sorted({c for c in beyond if self._drawn.get(c) is False})


_SPAN = re.compile(r"\.typ:(\d+):(\d+)")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


def typst_error(err: Any, source: str, name: str, template: Path | None) -> CohortError:
    """A CohortError for Typst's `err` about `source`, made from `template`: Typst's message and
    hints, at the template's file and line that made the line Typst points at (`located`), or
    with that line of the source when no line of the template can be told."""
    message = str(getattr(err, "message", "") or err)
    hints = [str(h) for h in getattr(err, "hints", []) or []]
    text = f"{name}: Typst could not typeset it: {message}"
    if hints:
        text += f" (hint: {'; '.join(hints)})"
    span = _SPAN.search(str(getattr(err, "diagnostic", "") or ""))
    lines = source.splitlines()
    if span is None or not 0 < int(span.group(1)) <= len(lines):
        return CohortError(text, location=template)
    made = lines[int(span.group(1)) - 1]
    line = located(template, made) if template is not None else None
    if line is not None:
        assert template is not None
        return CohortError(text, location=Location(template, line, 1))
    shown = made.strip() if len(made.strip()) <= 80 else made.strip()[:77] + "..."
    return CohortError(
        f"{text}; in the Typst the template made, line {span.group(1)}: {shown}",
        location=template,
    )


def located(template: Path, made: str) -> int | None:
    """The line of the Jinja template file `template` that made the line `made` of its output:
    the first whose words outside `{{ }}`, `{% %}` and `{# #}` match it (a line that is all
    Jinja could have made anything, and is left out); None when none does."""
    try:
        text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    target = made.strip()
    for number, line in enumerate(text.splitlines(), start=1):
        pieces = _JINJA.split(line.strip())
        if not "".join(pieces).strip():
            continue
        pattern = ".*?".join(re.escape(piece) for piece in pieces)
        if re.fullmatch(pattern, target, re.DOTALL):
            return number
    return None


@lru_cache(maxsize=1)
def _typesetter() -> Typesetter:
    return Typesetter()


def pdf(
    source: str,
    name: str,
    day: dt.date,
    warnings: list[str] | None = None,
    template: Path | None = None,
) -> bytes:
    """Compile Typst source to PDF (see Typesetter)."""
    return _typesetter().pdf(source, name, day, warnings, template)
