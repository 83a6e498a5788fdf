"""The words poll tools write: answers and headers in their languages, and dates and times as
people read them ("jeudi 5 mars 2026", "Thu 5 Mar", "05/03/2026", "7:00 PM – 9:00 PM", "Matin").

Answers and headers per tool come from the tools' own catalogues, in the languages cohort works
in (nl, fr, en) and German:
- Framadate `locale/{en,nl,fr,de}.json`: Generic.Yes, Ifneedbe, No, Unknown;
- Rallly `apps/web/public/locales/{en,nl,fr,de}/app.json`: yes, ifNeedBe, no (the Dutch
  ifNeedBe was "Indien nodig", then "Optioneel"), name, email, respondedOn, participantCount;
- Nextcloud Polls `l10n/{nl,fr,de}.json`: Participants, Email address (the CSV export writes
  the raw answers yes, maybe, no);
- newdle and Doodle write English only.
None means "no answer given".
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

YES, MAYBE, NO = "yes", "if-need-be", "no"

_FRAMADATE = {
    **dict.fromkeys(("yes", "ja", "oui"), YES),
    **dict.fromkeys(
        ("under reserve", "ifneedbe", "indien nodig", "si nécessaire", "unter vorbehalt"), MAYBE
    ),
    **dict.fromkeys(("no", "nee", "non", "nein"), NO),
    **dict.fromkeys(("", "unknown", "onbekend", "inconnu", "unbekannt"), None),
}
_RALLLY = {
    **dict.fromkeys(("yes", "ja", "oui"), YES),
    **dict.fromkeys(
        ("if need be", "indien nodig", "optioneel", "en cas de besoin", "falls erforderlich"),
        MAYBE,
    ),
    **dict.fromkeys(("no", "nee", "non", "nein"), NO),
    "": None,
}
TOOLS_VALUES: dict[str, dict[str, str | None]] = {
    "framadate": _FRAMADATE,
    "rallly": _RALLLY,
    "nextcloud": {"yes": YES, "maybe": MAYBE, "no": NO, "": None},
    "newdle": {"available": YES, "ifneedbe": MAYBE, "unavailable": NO, "": None},
    "doodle": {"ok": YES, "(ok)": MAYBE, "": NO},
}

#: Rallly's first header cell: its word for the name (since 2023), or the participant count
#: before ("3 participants", "3 deelnemers", "3 Teilnehmer").
RALLLY_NAME = {"name", "naam", "nom"}
RALLLY_COUNT = re.compile(
    r"\d+ (participants?|participant\(s\)|deelnemers?|deelnemer\(s\)|teilnehmer(innen)?)",
    re.IGNORECASE,
)
#: The column Rallly adds after the e-mail address (since 2026): "Responded on (Europe/Brussels)".
RALLLY_RESPONDED = ("responded on", "gereageerd op", "répondu le", "antwort gegeben am")
#: The e-mail column's header: Rallly's `email`, Nextcloud Polls' "Email address".
EMAIL_HEADERS = {
    "email",
    "e-mail",
    "email address",
    "e-mailadres",
    "adresse e-mail",
    "e-mail-adresse",
    "courriel",
}
#: Parts of the day a poll asks about by name (Framadate's free "moments"), in the languages
#: cohort reads, mapped to records.answers.PARTS.
PART_WORDS = {
    **dict.fromkeys(
        ("morning", "matin", "matinée", "ochtend", "voormiddag", "'s ochtends", "vormittag"),
        "morning",
    ),
    **dict.fromkeys(
        (
            "afternoon",
            "après-midi",
            "apres-midi",
            "namiddag",
            "middag",
            "'s middags",
            "nachmittag",
        ),
        "afternoon",
    ),
    **dict.fromkeys(("evening", "soir", "soirée", "avond", "'s avonds", "abend"), "evening"),
}


def part_of_day(text: str) -> str | None:
    """'Matin' -> 'morning', 'Après-midi' -> 'afternoon', 'Avond' -> 'evening'; None when the
    text names no part of the day."""
    return PART_WORDS.get(" ".join(text.strip().lower().split()).rstrip("."))


_LOCALES = ("en", "nl", "fr", "de")


@cache
def _names() -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names (wide and abbreviated, without dots) -> number (month 1-12,
    weekday 0 = Monday), from the CLDR data in babel."""
    from babel.dates import get_day_names, get_month_names

    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for locale in _LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                months.setdefault(_word(name), number)
            for number, name in get_day_names(width, locale=locale).items():
                days.setdefault(_word(name), number)
    for name, number in list(months.items()):
        months.setdefault(name[:3], number)
    return months, days


def _word(text: str) -> str:
    return text.strip().lower().rstrip(".")


_NUMERIC = re.compile(r"(\d{1,4})([/.-])(\d{1,2})\2(\d{2,4})")


def parse_day(label: str, near: dt.date) -> dt.date | None:
    """The day a label names; a label without a year takes the year in which its weekday
    matches, nearest to `near`. None when the label names no day."""
    text = label.strip()
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        return _date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC.search(text)
    if numeric:
        return _numeric(numeric)
    months, weekdays = _names()
    words = [_word(w) for w in re.split(r"[\s,]+", re.sub(r"\d{1,2}[:h]\d{2}.*$", "", text))]
    month = next((months[w] for w in words if w in months), None)
    weekday = next((weekdays[w] for w in words if w in weekdays), None)
    numbers = [int(w) for w in words if w.isdigit()]
    day = next((n for n in numbers if 1 <= n <= 31), None)
    year = next((n for n in numbers if n > 1900), None)
    if month is None or day is None:
        return None
    if year is not None:
        return _date(year, month, day)
    return _nearest(month, day, weekday, near)


def _numeric(match: re.Match[str]) -> dt.date | None:
    first, separator, second, last = match[1], match[2], int(match[3]), match[4]
    if len(first) == 4:
        return _date(int(first), second, int(last))
    year = int(last) + (2000 if len(last) == 2 else 0)
    if separator == "/" and len(last) == 2:  # en-US short: M/d/yy
        return _date(year, int(first), second)
    return _date(year, second, int(first))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _nearest(month: int, day: int, weekday: int | None, near: dt.date) -> dt.date | None:
    candidates = [
        d
        for year in range(near.year - 1, near.year + 3)
        if (d := _date(year, month, day)) is not None
        and (weekday is None or d.weekday() == weekday)
    ]
    return min(candidates, key=lambda d: abs((d - near).days), default=None)


_TIME = re.compile(r"(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|h|uur)?\b", re.IGNORECASE)


def parse_time(text: str) -> dt.time | None:
    """The first time of day in a moment ('19:00', '19h30', '7:00 PM – 9:00 PM', '20 uur');
    None when there is none ('soir', '')."""
    for match in _TIME.finditer(text or ""):
        hour, minute, suffix = int(match[1]), match[2], (match[3] or "").lower()
        if minute is None and not suffix:
            continue
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour < 24 and int(minute or 0) < 60:
            return dt.time(hour, int(minute or 0))
    return None
