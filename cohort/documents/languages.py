"""The languages a programme's public documents are made in (`Programme.published_in`): the
site's page, its feeds and the agendas, one of each per language, named apart, each page
linking to the others (a language switch, and `hreflang` alternates).

    site/index.html, site/fr/index.html         the page (`page_name`)
    agendas/<id>.pdf, agendas/<id>.fr.pdf        an agenda (`language_file`)
    calendar/programme.ics, programme.fr.ics     the feed
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import language_name
from ..programme.model import Programme


def language_file(programme: Programme, name: str, language: str) -> str:
    """The name of a file cohort publishes in several languages (`Programme.published_in`),
    for `language`: as it is in the programme's language, else with the language before its
    extension ('programme.ics' -> 'programme.fr.ics', 'intervisie-1.pdf' ->
    'intervisie-1.fr.pdf')."""
    if language == programme.language.value:
        return name
    stem, dot, extension = name.rpartition(".")
    return f"{stem}.{language}{dot}{extension}" if dot else f"{name}.{language}"


def page_name(programme: Programme, language: str) -> str:
    """The path of the public page in `language`, from the site's root: 'index.html' in the
    programme's language, '<language>/index.html' in another ('fr/index.html')."""
    return "index.html" if language == programme.language.value else f"{language}/index.html"


@dataclass(frozen=True)
class Language:
    """A language a page is also in, for a language switch: its code, its own name
    ('Français') and the link to the page in it (relative); `current` for the page's own."""

    code: str
    name: str
    href: str
    current: bool


def switch(programme: Programme, current: str, href: Callable[[str], str]) -> tuple[Language, ...]:
    """The languages a page is in (`Programme.published_in`), each with its link (`href` of
    the language); none when the programme is published in one language only."""
    languages = programme.published_in
    if len(languages) < 2:
        return ()
    return tuple(Language(x, language_name(x), href(x), x == current) for x in languages)
