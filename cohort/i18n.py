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
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list
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
    hour = str(locale.datetime_skeletons.get("H", "HH"))
    if "'h'" in hour:
        # French typography, on CLDR's own pattern of the hour alone ("HH 'h'": '17 h'): the
        # minutes follow it, as CLDR's fr_CA writes them ('13 h 30'), and the hour has no
        # leading zero ('9 h 30', as the Imprimerie nationale's Lexique writes it)
        pattern = hour.replace("HH", "H") + (" mm" if moment.minute else "")
        # one time is one word: narrow no-break spaces keep '19 h 15' on one line, as the
        # narrow spaces CLDR puts in French times and ranges
        return format_time(moment, format=pattern, locale=locale).replace(" ", "\u202f")
    return format_time(moment, format="HH:mm", locale=locale)


@cache
def _range_separator(locale: Locale) -> str:
    """What CLDR puts between two times of a range: '–' in Dutch and English, ' – ' (thin
    spaces) in French."""
    try:
        first = str(locale.interval_formats["Hm"]["H"][0])
    except (KeyError, IndexError, TypeError):
        return "–"
    return re.sub(r"^[Hhm:']+", "", first) or "–"


# -- French: elision and contraction at the seam between a translation and a value ---------

_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")
#: words whose h is aspirated: no elision before them ('de Hasselt', 'le hall')
_ASPIRATED = """hache haie haine hall halle halte hamac hameau hamburger hanche handicap hangar
    hanter harcèlement hardi hareng haricot harpe hasard hâte hausse haut haute hauteur havre
    hérisson
    hernie héron héros hêtre hibou hiérarchie hip-hop hobby hockey holding hollande homard
    hongrie honte hors hotte houblon housse huit huitième hutte hainaut hasselt halloween
    hamme hal"""
_H_ASPIRATED = frozenset(_ASPIRATED.split())
#: words whose h is mute: elided before even when written with a capital ('d'Histoire')
_MUTE = """habitant habitants habitat habitude harmonie hébergement herbe héritage heure heures
    histoire histoires hiver homme hommes hôpital horaire horizon hôtel humain humanité humour
    hygiène hélène henri hector hugo hermès"""
_H_MUTE = frozenset(_MUTE.split())
#: a word of the translation that is elided before a vowel or mute h ('de' -> 'd’': the
#: typographic apostrophe, as the French catalogue writes every one)
_ELIDED = {"de": "d’", "que": "qu’", "le": "l’", "la": "l’", "jusque": "jusqu’"}
#: a preposition and an article that contract ('à' + 'Le Forum' -> 'au Forum')
_CONTRACTED = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
_BEFORE = re.compile(r"(?:(?<=[\s(«\u00a0])|^)(de|que|le|la|jusque|à) $", re.IGNORECASE)


def _elides_before(word: str) -> bool:
    """Whether a French word starts with a vowel sound that elides 'de', 'le', 'que': a vowel
    (a y before a vowel is a consonant: 'de yoga', "d'Yves"), or an h that is mute. A lower-case
    h-word is mute unless it is one of the common aspirated ones; a capitalised one (a name,
    often Dutch or English here: 'de Hogeschool') only when it is a known mute one."""
    if not word:
        return False
    first, rest = word[0].lower(), word[1:].lower()
    if first == "y":
        return bool(rest) and rest[0] not in _VOWELS
    if first in _VOWELS:
        return True
    if first != "h":
        return False
    bare = re.split(r"[\s,.;:!?'’)]", word.lower(), maxsplit=1)[0]
    if word[0].isupper():
        return bare in _H_MUTE
    return bare not in _H_ASPIRATED


def french_join(before: str, value: str) -> tuple[str, str]:
    """The text of a French translation up to a value and the value, joined as French writes
    them: 'une rencontre de ' + 'Intervisiesessies' -> 'une rencontre d’' + 'Intervisiesessies';
    'à ' + 'Le Forum' -> 'au ' + 'Forum'; anything else as it was. Only the last word before the
    value changes, and only when it is 'de', 'que', 'le', 'la', 'jusque' or 'à'.
    Source: Grevisse, Le bon usage, §§ 44-49 (elision) and 580 (contraction)."""
    match = _BEFORE.search(before)
    if match is None or not value:
        return before, value
    word = match.group(1)
    head = before[: match.start(1)]
    article, _, rest = value.partition(" ")
    contracted = _CONTRACTED.get((word.lower(), article.lower()))
    if contracted and rest:
        return head + _same_case(word, contracted) + " ", rest
    if word.lower() in _ELIDED and _elides_before(value):
        return head + _same_case(word, _ELIDED[word.lower()]), value
    return before, value


def _same_case(model: str, word: str) -> str:
    return word[0].upper() + word[1:] if model[0].isupper() else word


_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")

# -- quotes inside quotes -------------------------------------------------------------------

#: a translation that opens a quote right before a value: ‘%(title)s’, « %(title)s »
_OPENED = re.compile(r"([‘“«])[\s\u00a0\u202f]*$")
#: a quoted part of a value, in any of the marks people type: ‘…’, “…”, « … », '…', "…"
#: (a straight ' opens only after a space or at the start, and closes only before one, so an
#: apostrophe, "l'espace", "'t Hof", is no quote; a ’ followed by a letter is an apostrophe)
_QUOTED = re.compile(
    r"‘(?P<a>[^‘]+?)’(?!\w)|“(?P<b>[^“”]+)”|«[\s\u00a0\u202f]*(?P<c>[^«»]+?)[\s\u00a0\u202f]*»"
    r"|(?<![\w'])'(?=\S)(?P<d>[^']*?\S)'(?!\w)|\"(?P<e>[^\"]+)\""
)


def nested_quotes(value: str, outer: str) -> str:
    """`value` as it reads inside a quote opened by `outer` (‘, “ or «): its own quotes
    become the other kind, as a quote inside a quote is written: ‘Lerend netwerk “ons
    buurtpunt”’, « Réseau apprenant “ons buurtpunt” », “… ‘…’ …”. The words are as the user
    wrote them. Sources: Taalunie, Aanhalingstekens (enkele, dan dubbele); New Hart's Rules
    4.1 (single, then double); Imprimerie nationale, Lexique (« », then “ ”)."""
    start, end = ("‘", "’") if outer == "“" else ("“", "”")

    def inner(match: re.Match[str]) -> str:
        return start + next(g for g in match.groups() if g is not None) + end

    return _QUOTED.sub(inner, value)


def fill(
    message: str,
    values: Mapping[str, object],
    language: str,
    escape: Callable[[object], str] = str,
) -> str:
    """`message % values`, with French elision and contraction where a value follows a word
    of the translation (see `french_join`): "une rencontre de %(title)s" with the title
    'Intervisiesessies' reads 'une rencontre d’Intervisiesessies'; a value the translation
    quotes has its own quotes turned into the other kind (see `nested_quotes`). `escape` makes
    each value safe (HTML), after it is joined, unless it is HTML already (has `__html__`, as
    Markup).
    Raises KeyError for a value the message names but lacks."""
    out: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(message):
        out.append(message[last : match.start()])
        last = match.end()
        if match.group(0) == "%%":
            out.append("%")
            continue
        value = values[match.group(1)]
        text = str(int(value)) if match.group(2) == "d" else str(value)  # type: ignore[call-overload]
        if language == "fr" and out:
            out[-1], text = french_join(out[-1], text)
        opened = _OPENED.search(out[-1]) if out else None
        if opened and not hasattr(value, "__html__"):
            text = nested_quotes(text, opened.group(1))
        # a value that is HTML already (a link the template made) stays as it is
        out.append(text if hasattr(value, "__html__") else escape(text))
    out.append(message[last:])
    return "".join(out)


def language_name(language: str) -> str:
    """A language by its own name, as a language switch offers it: 'Nederlands', 'Français',
    'English' (CLDR's, through Babel; in sentence case, as a label standing alone): the
    language alone, never the region of the locale its formats come from ('English', not
    'English (United Kingdom)')."""
    name = Locale.parse(language).get_language_name(language) or language
    return Texts(language).sentence(name)


#: English dates, as British English writes them in running text and tables: the weekday
#: without a comma, the day without a leading zero (whatever CLDR's en_BE or en_NL say)
_ENGLISH_DATES = {"full": "EEEE d MMMM y", "long": "d MMMM y", "medium": "d MMM y"}
#: the day of the month in a date pattern (not 'dd', nor inside a quoted literal)
_FRENCH_DAY = re.compile(r"(?<![d'])d(?![d'])")


class Texts:
    """Words and formats in one language (and the country's conventions, e.g. nl_BE)."""

    def __init__(self, language: str, country: str | None = None) -> None:
        self.language = language if language in LANGUAGES else "en"
        self.locale = _locale(self.language, country)
        self.number_locale = _locale("en", None) if self.language == "en" else self.locale
        self.translations = _catalog(self.language)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """A word whose translation depends on where it stands (gettext's msgctxt)."""
        return self.translations.pgettext(context, message)

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
        """'donderdag 22 februari 2024', 'jeudi 22 février 2024', 'Thursday 22 February 2024';
        `format` is CLDR's name of a length ('full', 'long', 'medium', 'short') or a pattern.
        English is British English wherever the programme is, with no comma after the weekday
        ('1 Mar 2020' where CLDR's en_BE writes '01 Mar 2020'); French writes the first of a
        month as an ordinal, '1er mars' (Imprimerie nationale, Lexique des règles
        typographiques)."""
        pattern = self._pattern(format)
        if self.language == "fr" and day.day == 1 and "MMM" in pattern:
            pattern = _FRENCH_DAY.sub("d'er'", pattern)
        return _format_date(day, pattern, self.locale)

    def _pattern(self, format: str) -> str:
        if self.language == "en" and format in _ENGLISH_DATES:
            return _ENGLISH_DATES[format]
        if format in ("full", "long", "medium", "short"):
            return str(self.locale.date_formats[format].pattern)
        return format

    def day(self, day: dt.date) -> str:
        """A date without its year, for a sentence where the year goes without saying:
        'dinsdag 9 april', 'mardi 9 avril', 'Tuesday 9 April' (the full date, its year left
        out)."""
        return self.date(day, re.sub(r"[,\s]*\by+\b", "", self._pattern("full")).strip())

    def time(self, moment: dt.time | dt.datetime) -> str:
        """'19:00'; in French as French typography writes it: '19 h', '13 h 30' (with narrow
        no-break spaces: a time never splits across lines)."""
        return _format_time(moment, self.locale)

    def format(self, message: str, /, **values: object) -> str:
        """A translated `message` filled with `values` (`%(name)s`), French elision and
        contraction included: see `fill`."""
        return fill(message, values, self.language)

    def time_range(self, start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
        """'19:00–20:30' for a table; '13 h 30 – 17 h' in French (CLDR's separator)."""
        if all_day:
            return self.gettext("all day")
        return f"{self.time(start)}{_range_separator(self.locale)}{self.time(end)}"

    def period(self, start: dt.datetime, end: dt.datetime, all_day: bool, at: bool = False) -> str:
        """When a meeting takes place, in words: for a table 'donderdag 22 februari 2024,
        19:00–20:30'; with `at`, for a sentence, 'donderdag 22 februari 2024 van 19:00 tot
        20:30', 'jeudi 22 février 2024 de 19 h à 20 h 30', 'Thursday 22 February 2024 from
        19:00 to 20:30'. A range of days for meetings over several days ('van maandag 2 juni
        2031 om 10:00 tot woensdag 4 juni 2031 om 16:00'), and the last day of an all-day
        meeting (whose end is the next midnight)."""
        _ = self.gettext
        if all_day:
            first, last = start.date(), (end - dt.timedelta(days=1)).date()
            return self.date(first) if last <= first else f"{self.date(first)} – {self.date(last)}"
        if not at:
            if start.date() == end.date():
                return f"{self.date(start.date())}, {self.time_range(start, end, False)}"
            return (
                f"{self.date(start.date())}, {self.time(start)} – "
                f"{self.date(end.date())}, {self.time(end)}"
            )
        if start.date() == end.date():
            return self.format(
                # Translators: a meeting's day and times in a sentence: 'dinsdag 9 april 2024
                # van 19:00 tot 20:30'
                _("%(date)s from %(start)s to %(end)s"),
                date=self.date(start.date()),
                start=self.time(start),
                end=self.time(end),
            )

        def moment(value: dt.datetime) -> str:
            return self.format(
                _("%(date)s at %(time)s"), date=self.date(value.date()), time=self.time(value)
            )

        return self.format(
            # Translators: a meeting over several days, each end a day and a time ('lundi 2
            # juin 2031 à 10 h'): 'du %(start)s au %(end)s' in French
            _("from %(start)s to %(end)s"),
            start=moment(start),
            end=moment(end),
        )

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.number_locale)

    def names(self, values: Iterable[object]) -> str:
        """A list in words, as CLDR joins one: 'An, Bert en Chris', 'An, Bert et Chris',
        'An, Bert and Chris' (Babel's `format_list`)."""
        return format_list([str(v) for v in values], locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.number_locale)

    def kind(self, kind: str) -> str:
        """The name of a kind of meeting ('work-session' -> 'werksessie'); `kind` is the
        model's Kind (a str enum) or its value."""
        _ = self.gettext
        return {
            # Translators: the kind of a meeting, lower case like the others (used in sentences)
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

    def sentence(self, text: str) -> str:
        """A word or phrase standing alone as a label or a badge ('Geannuleerd', 'Annulée',
        'Took place'): sentence case, as Dutch, French and English write a label, its first
        letter a capital and the rest as it is; a Dutch 'ij' at the start is a capital 'IJ',
        one letter ('IJsland', as the Taalunie writes it)."""
        if self.language == "nl" and text[:2] == "ij":
            return "IJ" + text[2:]
        return text[:1].upper() + text[1:]

    def status(self, status: str) -> str:
        """The name of a meeting's status ('cancelled' -> 'geannuleerd')."""
        _ = self.gettext
        return {
            # Translators: the status of a meeting (French 'rencontre': 'prévue')
            "planned": _("planned"),
            # Translators: the status of a meeting (French 'rencontre': 'confirmée')
            "confirmed": _("confirmed"),
            # Translators: the status of a meeting (French 'rencontre': 'annulée')
            "cancelled": _("cancelled"),
        }[str(status)]

    def role(self, role: str) -> str:
        """The name of a participant's role ('expert' -> 'expert', 'facilitator' -> ...)."""
        _ = self.gettext
        return {
            "participant": _("participant"),
            "facilitator": _("facilitator"),
            "expert": _("expert"),
            # Translators: a person's role: who receives the group at their place
            "host": _("host"),
            "guest": _("guest"),
            "organiser": _("organiser"),
        }[str(role)]
