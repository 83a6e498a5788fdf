"""The Jinja environment of everything cohort renders for people: e-mails, agendas, reports.

Templates are looked up first in the programme's own `templates/` folder, then in cohort's
built-in ones, so a facilitator overrides one file by copying it. When a programme has templates
of its own, everything renders in Jinja's sandbox (they are not trusted code); always with
StrictUndefined (a typo in
a template is an error naming the file and line, never a blank), gettext from the i18n catalogs
and filters for dates and times in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import CohortError, Location
from ..i18n import Texts
from ..templates import builtin_dir

USER_TEMPLATES = "templates"


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
        dirs = template_dirs(programme_folder)
        # a programme's own templates are not trusted code: they render in the sandbox
        own = programme_folder is not None and dirs[0] != builtin_dir()
        environment = SandboxedEnvironment if own else jinja2.Environment
        self.env = environment(
            loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            finalize=finalize,
        )
        self.env.install_gettext_translations(texts.translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(
            date=self._date,
            time=self._time,
            datetime=self._datetime,
            kind=texts.kind,
            status=texts.status,
            role=texts.role,
            number=texts.number,
        )
        self._cache: dict[str, jinja2.Template] = {}

    def _date(self, value: dt.date | dt.datetime, format: str = "full") -> str:
        return self.texts.date(value.date() if isinstance(value, dt.datetime) else value, format)

    def _time(self, value: dt.time | dt.datetime) -> str:
        return self.texts.time(value)

    def _datetime(self, value: dt.datetime) -> str:
        """'dinsdag 9 april 2024 om 19:00', 'mardi 9 avril 2024 à 19:00'."""
        return self.texts.gettext("{date} at {time}").format(
            date=self.texts.date(value.date()), time=self.texts.time(value)
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

    def render(self, name: str, **context: Any) -> str:
        template = self.template(name)
        try:
            return template.render(**context)
        except jinja2.TemplateError as err:
            raise CohortError(
                f"in template: {err.message or err}", location=_where(err, template)
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
