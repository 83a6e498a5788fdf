"""The i18n base for everything the facilitator hands to people: words, dates, times, numbers.

Words come from gettext catalogs in `cohort/locale/<lang>/LC_MESSAGES/cohort.po`, kept with
Babel (`pybabel extract -F babel.cfg -o cohort/locale/cohort.pot .`, then `pybabel update`).
The `.po` files are compiled in memory on first use, so no binary `.mo` is kept in git.
Dates and times are formatted by Babel with the CLDR data of the language and country; numbers
too, except in English, which follows English conventions (en_GB: "1.5 hours") in whatever
country the programme is: English written in the Netherlands (CLDR's en_NL) would print
"1,5 hours", which no English reader expects.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from .languages import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "cohort"


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _locale(language: str, country: str | None) -> Locale:
    if country:
        try:
            return Locale.parse(f"{language}_{country}")
        except (ValueError, LookupError, UnknownLocaleError):  # e.g. fr_NL: no such locale
            pass
    return Locale.parse({"en": "en_GB"}.get(language, language))


@lru_cache(maxsize=4096)
def _format_date(day: dt.date, format: str, locale: Locale) -> str:
    # the same dates recur in every invitation of a meeting: format each once
    return format_date(day, format=format, locale=locale)


@lru_cache(maxsize=4096)
def _format_time(moment: dt.time | dt.datetime, locale: Locale) -> str:
    return format_time(moment, format="HH:mm", locale=locale)


class Texts:
    """Words and formats in one language (and the country's conventions, e.g. nl_BE)."""

    def __init__(self, language: str, country: str | None = None) -> None:
        self.language = language if language in LANGUAGES else "en"
        self.locale = _locale(self.language, country)
        self.number_locale = _locale("en", None) if self.language == "en" else self.locale
        self.translations = _catalog(self.language)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def plural(self, value: float) -> int:
        """A count for `ngettext` that picks the form CLDR's plural rules give `value`, which
        may be a fraction: 1 for the 'one' form, else 2 (in French 0.75 and 1.5 are 'one':
        "1,5 heure"; in English and Dutch only 1 is). The catalogs of nl, en and fr have
        these two forms."""
        number = int(value) if float(value).is_integer() else value
        return 1 if self.locale.plural_form(number) == "one" else 2

    def date(self, day: dt.date, format: str = "full") -> str:
        """'donderdag 22 februari 2024', 'jeudi 22 février 2024', 'Thursday, 22 February 2024'."""
        return _format_date(day, format, self.locale)

    def time(self, moment: dt.time | dt.datetime) -> str:
        return _format_time(moment, self.locale)

    def time_range(self, start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
        if all_day:
            return self.gettext("all day")
        return f"{self.time(start)}–{self.time(end)}"

    def period(self, start: dt.datetime, end: dt.datetime, all_day: bool, at: bool = False) -> str:
        """When a meeting takes place, in words: 'donderdag 22 februari 2024, 19:00–20:30'
        (with `at`: 'donderdag 22 februari 2024 om 19:00–20:30'), a range of days for
        meetings over several days, and the last day of an all-day meeting (whose end is the
        next midnight)."""
        if all_day:
            first, last = start.date(), (end - dt.timedelta(days=1)).date()
            return self.date(first) if last <= first else f"{self.date(first)} – {self.date(last)}"

        def moment(value: dt.datetime) -> str:
            if at:
                return self.gettext("{date} at {time}").format(
                    date=self.date(value.date()), time=self.time(value)
                )
            return f"{self.date(value.date())}, {self.time(value)}"

        if start.date() == end.date():
            return f"{moment(start)}–{self.time(end)}"
        return f"{moment(start)} – {moment(end)}"

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.number_locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.number_locale)

    def kind(self, kind: str) -> str:
        """The name of a kind of meeting ('work-session' -> 'werksessie'); `kind` is the
        model's Kind (a str enum) or its value."""
        _ = self.gettext
        return {
            "work-session": _("work session"),
            "intervision": _("intervision"),
            "webinar": _("webinar"),
            "coaching": _("coaching"),
            "study-day": _("study day"),
            "network-day": _("network day"),
            "inspiration-day": _("inspiration day"),
            "workshop": _("workshop"),
            "expert-group": _("expert group"),
            "closing-event": _("closing event"),
            "meeting": _("meeting"),
            "excursion": _("excursion"),
            "other": _("other"),
        }[str(kind)]

    def status(self, status: str) -> str:
        """The name of a meeting's status ('cancelled' -> 'geannuleerd')."""
        _ = self.gettext
        return {
            "planned": _("planned"),
            "confirmed": _("confirmed"),
            "cancelled": _("cancelled"),
        }[str(status)]

    def role(self, role: str) -> str:
        """The name of a participant's role ('expert' -> 'expert', 'facilitator' -> ...)."""
        _ = self.gettext
        return {
            "participant": _("participant"),
            "facilitator": _("facilitator"),
            "expert": _("expert"),
            "host": _("host"),
            "guest": _("guest"),
            "organiser": _("organiser"),
        }[str(role)]
