"""The Jinja environment of everything cohort renders for people: e-mails, agendas, reports.

Templates are looked up first in the programme's own `templates/` folder, then in cohort's
built-in ones, so a facilitator overrides one file by copying it. A programme's templates are
not trusted code, so every template renders in a sandbox that allows only what a template
needs: the fields of the views it is given (plain frozen dataclasses, see `view`), items of
mappings and lists, and a few methods of text and dates without side effects. Everything else,
such as a method a model object would offer (pydantic's `parse_file`, `parse_raw`, which
unpickles), is a template error naming the file and line. Templates are read only from inside
the programme folder (a link out of it is refused) and only from plain files (a pipe would make
cohort wait for ever). Always with StrictUndefined (a typo in a template is an error naming the
file and line, never a blank), gettext from the i18n catalogs and filters for dates and times in
the reader's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import do_center, do_format, do_indent, do_join, do_replace, do_wordwrap
from jinja2.nodes import Concat
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup, escape

from ..errors import CohortError, Location
from ..files import leads_outside, read_regular
from ..i18n import Texts, fill
from ..templates import builtin_dir

USER_TEMPLATES = "templates"
#: A template larger than this is refused: cohort's own are a few KB.
MAX_TEMPLATE_BYTES = 1024 * 1024

#: Methods a template may call, by the type of what it calls them on: none has a side effect.
_TEXT_METHODS = frozenset(
    {
        "capitalize", "casefold", "center", "count", "endswith", "find", "format", "isdigit",
        "join", "ljust", "lower", "lstrip", "replace", "rjust", "rsplit", "rstrip", "split",
        "splitlines", "startswith", "strip", "title", "upper", "zfill",
    }
)  # fmt: skip
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})
_DATE_ATTRIBUTES = frozenset(
    {
        "year", "month", "day", "hour", "minute", "second", "weekday", "isoweekday",
        "isoformat", "strftime", "date", "time",
    }
)  # fmt: skip
#: Jinja's own objects in a template (loop, namespace(), macros, cycler(), joiner()).
_JINJA_TYPES = (LoopContext, Namespace, Macro, Cycler, Joiner)


@functools.cache
def _fields(kind: type) -> frozenset[str]:
    """The fields of a dataclass (its data; not its methods or properties)."""
    return frozenset(f.name for f in dataclasses.fields(kind))


def allowed(obj: Any, attribute: str) -> bool:
    """Whether a template may read `attribute` of `obj` (see the module's docstring)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return attribute in _fields(type(obj))
    if isinstance(obj, _JINJA_TYPES):
        return True
    if isinstance(obj, str):
        return attribute in _TEXT_METHODS
    if isinstance(obj, Mapping):
        return attribute in _MAPPING_METHODS
    if isinstance(obj, list | tuple):
        return attribute in _SEQUENCE_METHODS
    if isinstance(obj, dt.date | dt.time):
        return attribute in _DATE_ATTRIBUTES
    return False


#: The largest text or list a template may make by multiplying, the widest a value may be
#: padded to, and the largest number (in bits) a power may make.
_MAX_PRODUCT = 1_000_000
_MAX_BITS = 4096
#: The most text one template may make: a page, an e-mail, a Typst source with its images.
MAX_OUTPUT = 20 * 1024 * 1024
#: Templates that include, import or call each other deeper than this are refused.
MAX_DEPTH = 50

#: A %-format's flags, width and precision; a str.format field and its format spec.
_PERCENT = re.compile(r"%[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")
_FIELD = re.compile(r"\{[^{}]*:([^{}]*)\}")
_NESTED = re.compile(r"\{[^{}]*:[^{}]*\{")
_NUMBER = re.compile(r"\d+")


def _too_long(size: int, what: str = "text") -> None:
    if size > MAX_OUTPUT:
        raise SecurityError(
            f"a template may make at most {MAX_OUTPUT // (1024 * 1024)} MB of {what}"
        )


def _wide(width: Any) -> None:
    if isinstance(width, int) and width > _MAX_PRODUCT:
        raise SecurityError(f"a template may not pad text to more than {_MAX_PRODUCT} characters")


def _check_format(text: Any) -> None:
    """Refuse a format (`%` or `str.format`) whose width or precision would make text longer
    than `_MAX_PRODUCT` characters, or is given by a value (`*`, `{:{width}}`)."""
    if not isinstance(text, str):
        return
    numbers = []
    for match in _PERCENT.finditer(text):
        if "*" in match.group():
            raise SecurityError("a template may not give a format's width as a value ('*')")
        numbers += [n for n in match.groups() if n]
    if _NESTED.search(text):
        raise SecurityError("a template may not give a format's width as a value ('{:{...}}')")
    for spec in _FIELD.findall(text):
        numbers += _NUMBER.findall(spec)
    for number in numbers:
        _wide(int(number))


def _joined(parts: Any, separator: Any = "") -> list[Any]:
    """`parts` as a list, refused (as soon as it is clear) if joined with `separator` they
    would be too long."""
    items, size, between = [], 0, len(str(separator))
    for item in parts:
        size += len(str(item)) + between
        _too_long(size - between)
        items.append(item)
    return items


def _replaced(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        times = (text.count(old) if old else len(text) + 1) if count == -1 else count
        _too_long(len(text) + max(int(times), 0) * len(new))


def _center(value: Any, width: Any = 80) -> str:
    _wide(width)
    return do_center(value, width)


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_format(value)
    return do_format(value, *args, **kwargs)


def _indent(text: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    _wide(width if isinstance(width, int) else len(str(width)))
    lines = str(text).count("\n") + 1
    _too_long(len(str(text)) + lines * (width if isinstance(width, int) else len(str(width))))
    return do_indent(text, width, first, blank)


@jinja2.pass_environment
def _wordwrap(environment: Any, text: Any, width: int = 79, *args: Any, **kwargs: Any) -> str:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
    _too_long(len(str(text)) * (1 + len(str(wrapstring))))
    return do_wordwrap(environment, text, width, *args, **kwargs)


@jinja2.pass_eval_context
def _join(context: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    joined: str = do_join(context, _joined(value, d), d, attribute)
    return joined


@jinja2.pass_eval_context
def _replace(context: Any, text: Any, old: Any, new: Any, count: Any = None) -> str:
    _replaced(text, old, new, -1 if count is None else count)
    return do_replace(context, text, old, new, count)


#: Filters whose result could be far larger than what they are given, bounded.
_BOUNDED_FILTERS = {
    "center": _center,
    "format": _format,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "join": _join,
    "replace": _replace,
}
#: str methods that pad to a width given as their first argument.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill"})


class _BoundedCode(CodeGenerator):
    """Jinja's code generator, with `a ~ b` bounded in length like `a + b`."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class _AllowList(SandboxedEnvironment):
    """Jinja's sandbox, narrowed from "everything but what is known to be unsafe" to "only
    what is known to be safe" (`allowed`); what would take all memory or time is refused as
    well (Jinja's sandbox leaves operators and filters to its user): `'x' * 10**9`, `9**9**9`,
    `'%1000000000s' % x`, `'a'|center(10**9)`, a template's output over MAX_OUTPUT, and
    templates that include or call each other more than MAX_DEPTH deep."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCode

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.depth = 0
        self.filters.update(_BOUNDED_FILTERS)
        # tojson and lipsum serve no document, and each could fail on what it is given
        self.filters.pop("tojson", None)
        self.globals.pop("lipsum", None)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return super().is_safe_attribute(obj, attr, value) and allowed(obj, attr)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        power = operator == "**" and isinstance(left, int) and isinstance(right, int)
        if power and max(left.bit_length(), 1) * right > _MAX_BITS:
            raise SecurityError("a template may not make a number that large")
        if operator == "*":
            sized, times = (left, right) if isinstance(right, int) else (right, left)
            sequence = isinstance(sized, str | list | tuple) and isinstance(times, int)
            if sequence and len(sized) * times > _MAX_PRODUCT:
                raise SecurityError("a template may not make text or a list that long")
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        if operator == "+" and isinstance(left, str | list | tuple) and hasattr(right, "__len__"):
            _too_long(len(left) + len(right))
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _PADDING and args:
                _wide(args[0])
            elif name == "join" and args:
                args = (_joined(args[0], owner), *args[1:])
            elif name == "replace" and len(args) >= 2:
                _replaced(owner, *args[:3])
        if isinstance(__obj, Macro):
            if __self.depth >= MAX_DEPTH:
                raise SecurityError(f"macros call each other more than {MAX_DEPTH} deep")
            __self.depth += 1
            try:
                return super().call(__context, __obj, *args, **kwargs)
            finally:
                __self.depth -= 1
        return super().call(__context, __obj, *args, **kwargs)

    @staticmethod
    def concat(parts: Any) -> str:
        """What a template, a block or a macro made, refused beyond MAX_OUTPUT (raised inside
        the template's own code, when it is a generator, so the error names its line)."""
        try:
            return "".join(_joined(parts))
        except SecurityError as err:
            if hasattr(parts, "throw"):
                parts.throw(err)
            raise

    @staticmethod
    def bounded_concat(text: str) -> str:
        _too_long(len(text))
        return text


class _Loader(jinja2.BaseLoader):
    """Templates from the programme's own folder (confined to the programme folder, plain files
    only), then cohort's built-in ones."""

    def __init__(self, programme_folder: Path | None) -> None:
        self.root = programme_folder
        self.dirs = template_dirs(programme_folder)

    def get_source(
        self, _environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.dirs:
            path = folder.joinpath(*pieces)
            if not path.exists() and not path.is_symlink():
                continue
            own = folder != builtin_dir() and self.root is not None
            if own and (real := leads_outside(path, self.root)) is not None:  # type: ignore[arg-type]
                raise CohortError(
                    f"this template leads outside the programme folder (to '{real}'); cohort "
                    "reads templates only from inside it: copy the file in instead of linking "
                    "to it",
                    location=path,
                    code="outside-programme",
                )
            data = read_regular(path, MAX_TEMPLATE_BYTES, what="template")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise CohortError(
                    "this template is not UTF-8 text; save it as UTF-8",
                    location=path,
                    code="encoding",
                ) from None
            return text, str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


def template_dirs(programme_folder: Path | None) -> list[Path]:
    """Where templates are looked up: the programme's own `templates/` (if any), then cohort's."""
    dirs = []
    if programme_folder is not None and (programme_folder / USER_TEMPLATES).is_dir():
        dirs.append(programme_folder / USER_TEMPLATES)
    dirs.append(builtin_dir())
    return dirs


class Renderer:
    """Renders templates in one language; one Renderer per language, reused for every message."""

    def __init__(
        self,
        programme_folder: Path | None,
        texts: Texts,
        autoescape: Callable[[str | None], bool] | bool = False,
        finalize: Callable[[Any], Any] | None = None,
    ) -> None:
        self.texts = texts
        # every template renders in the allow-list sandbox, cohort's own too: so what a
        # built-in template does, a facilitator's copy of it may do as well
        self.env = _AllowList(
            loader=_Loader(programme_folder),
            undefined=jinja2.StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            finalize=finalize,
        )
        self.env.install_gettext_translations(texts.translations, newstyle=True)  # type: ignore[attr-defined]
        # as Jinja's newstyle gettext, with French elision where a value follows a word
        self.env.globals.update(
            gettext=self._gettext, ngettext=self._ngettext, pgettext=self._pgettext
        )
        self.env.filters.update(
            date=self._date,
            time=self._time,
            datetime=self._datetime,
            kind=texts.kind,
            status=texts.status,
            sentence=texts.sentence,
            role=texts.role,
            number=texts.number,
            names=texts.names,
        )
        self._cache: dict[str, jinja2.Template] = {}
        self._reads: dict[str, frozenset[str]] = {}

    @jinja2.pass_context
    def _gettext(self, context: Any, message: str, **values: Any) -> str:
        """`_("...%(title)s", title=...)` in a template: the translation filled by `i18n.fill`
        (HTML-escaped values where the template escapes)."""
        return self._fill(context, self.texts.gettext(message), values)

    @jinja2.pass_context
    def _pgettext(self, context: Any, where: str, message: str, **values: Any) -> str:
        """`pgettext("report: people at a meeting", "Excused")`: a word whose translation
        depends on where it stands (msgctxt), filled as `_()`."""
        return self._fill(context, self.texts.pgettext(where, message), values)

    @jinja2.pass_context
    def _ngettext(self, context: Any, singular: str, plural: str, count: int, **values: Any) -> str:
        """`ngettext("%(num)s meeting", "%(num)s meetings", n)`: `num` is the count."""
        values.setdefault("num", count)
        return self._fill(context, self.texts.ngettext(singular, plural, count), values)

    def _fill(self, context: Any, message: str, values: dict[str, Any]) -> str:
        if context.eval_ctx.autoescape:
            return Markup(fill(message, values, self.texts.language, escape=escape))
        return fill(message, values, self.texts.language)

    def _date(self, value: dt.date | dt.datetime, format: str = "full") -> str:
        return self.texts.date(value.date() if isinstance(value, dt.datetime) else value, format)

    def _time(self, value: dt.time | dt.datetime) -> str:
        return self.texts.time(value)

    def _datetime(self, value: dt.datetime) -> str:
        """'dinsdag 9 april 2024 om 19:00', 'mardi 9 avril 2024 à 19:00'."""
        return self.texts.format(
            self.texts.gettext("%(date)s at %(time)s"),
            date=self.texts.date(value.date()),
            time=self.texts.time(value),
        )

    def template(self, name: str) -> jinja2.Template:
        if name not in self._cache:
            try:
                self._cache[name] = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as err:
                raise CohortError(
                    f"template syntax: {err.message}",
                    location=Location(Path(err.filename or name), err.lineno or 0, 1),
                ) from None
            except jinja2.TemplateNotFound:
                raise CohortError(f"template '{name}' not found") from None
        return self._cache[name]

    def reads(self, name: str) -> frozenset[str]:
        """The names of the context a template reads (jinja2.meta); a template that includes,
        imports or extends another could read anything, so it reads `{"*"}`."""
        if name not in self._reads:
            template = self.template(name)
            assert self.env.loader is not None
            source = self.env.loader.get_source(self.env, name)[0]
            tree = self.env.parse(source, name, template.filename)
            if any(True for _ in jinja2.meta.find_referenced_templates(tree)):
                self._reads[name] = frozenset({"*"})
            else:
                self._reads[name] = frozenset(jinja2.meta.find_undeclared_variables(tree))
        return self._reads[name]

    def render(self, name: str, **context: Any) -> str:
        """The template `name` rendered with `context`. Raises CohortError naming the template's
        file and line for whatever goes wrong in it (a programme's templates are not trusted:
        no exception of theirs may end in a traceback)."""
        template = self.template(name)
        try:
            return template.render(**context)
        except CohortError:
            raise
        except jinja2.TemplateNotFound as err:
            raise CohortError(
                f"in template: the template '{err.name}' it includes or imports is not found "
                f"(name a file under {' or '.join(str(d) for d in self.env.loader.dirs)}, "  # type: ignore[union-attr]
                "by a path inside that folder, without '..')",
                location=_where(err, template),
            ) from None
        except jinja2.TemplateError as err:
            raise CohortError(
                f"in template: {err.message or err}", location=_where(err, template)
            ) from None
        except RecursionError as err:
            raise CohortError(
                "in template: templates include, import or call each other without end (a "
                "template that includes itself, or a macro that calls itself every time)",
                location=_where(err, template),
            ) from None
        except MemoryError as err:
            raise CohortError(
                "in template: the template makes more than memory holds (make it smaller)",
                location=_where(err, template),
            ) from None
        except Exception as err:  # a template is not trusted code: whatever it raises
            raise CohortError(
                f"in template: {err} (a value a filter or method cannot take; check the "
                "arguments at this line)",
                location=_where(err, template),
            ) from None


def _where(err: BaseException, template: jinja2.Template) -> Location:
    """The template file and line where rendering failed (Jinja rewrites the traceback so that
    frames of template code carry the template's file name and line)."""
    filename = template.filename or template.name or "?"
    line = 0
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith((".txt", ".html", ".typ", ".md", ".ics", ".j2")) or (
            code.co_filename == template.filename
        ):
            filename, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return Location(Path(filename), line, 1)
