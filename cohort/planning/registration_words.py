"""The words of registration exports: column headers in the languages the tools write them,
the statuses that mean a registration is cancelled, and dates as each tool writes them.

pretix writes its headers and statuses in the organiser's language (its exporter in
`pretix/base/exporters/orderlist.py`, translated in pretix's own catalogs; English, German,
Dutch and French are here). Eventbrite's attendee report is in English, with US dates. Google
Forms and Microsoft Forms name their own columns in the form owner's language; the questions
are the form's, recognised by a few common words (a programme names any other in
`registration: columns:`).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

#: pretix's order position headers (sheet "Order positions"), per field, in en, de, nl and fr
PRETIX = {
    "order": ("Order code", "Bestellnummer", "Bestelcode", "Code de commande"),
    "position": ("Position ID", "Position", "Positie-ID", "ID de la position"),
    "status": ("Status", "Statut"),
    "order_email": ("Email", "E-Mail", "E-mail"),
    "date": ("Order date", "Bestelldatum", "Besteldatum", "Date de commande"),
    "time": ("Order time", "Bestelluhrzeit", "Besteltijd", "Heure de commande"),
    "name": ("Attendee name", "Name Teilnehmer*in", "Naam deelnemer", "Nom du participant"),
    "email": (
        "Attendee email",
        "E-Mail Teilnehmer*in",
        "E-mailadres van deelnemer",
        "E-mail du participant",
    ),
    "organisation": (
        "Attendee company",
        "Teilnehmer*innen-Firma",
        "Bedrijf deelnemer",
        "Entreprise du participant",
        "Company",
        "Firma",
        "Bedrijf",
        "Entreprise",
    ),
    "invoice_organisation": (
        "Invoice address company",
        "Rechnungsadresse: Firma",
        "Factuuradres: bedrijf",
        "Adresse de facturation de l'entreprise",
    ),
    "invoice_name": (
        "Invoice address name",
        "Rechnungsadresse: Name",
        "Factuuradres: naam",
        "Nom de l'adresse de facturation",
    ),
    "language": ("Order locale", "Bestellsprache", "Taal van bestelling", "Langue de la commande"),
}
#: the sheet of a pretix workbook that holds one row per person
PRETIX_SHEETS = ("Order positions", "Bestellzeilen", "Bestelde producten (posities)")

#: statuses (pretix's in four languages, Eventbrite's, and plain words) that cancel a row
CANCELLED = frozenset(
    {
        # pretix: canceled, expired, canceled (paid fee)
        "canceled",
        "cancelled",
        "storniert",
        "geannuleerd",
        "annulé",
        "expired",
        "abgelaufen",
        "verlopen",
        "expiré",
        "canceled (paid fee)",
        "storniert (bezahlte gebühr)",
        "geannuleerd (betaalde kosten)",
        "annulé (frais payés)",
        # Eventbrite's attendee statuses other than Attending and Checked In
        "not attending",
        "deleted",
        "refunded",
        "transferred",
        # a status column of another form
        "afgemeld",
        "uitgeschreven",
        "désinscrit",
        "withdrawn",
    }
)

EVENTBRITE = {
    "order": ("Order #", "Order No.", "Order Number"),
    "date": ("Order Date",),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "email": ("Email",),
    "quantity": ("Quantity",),
    "attendee": ("Attendee #",),
    "status": ("Attendee Status",),
    "organisation": ("Company",),
}

#: Google Forms' own columns (in the form owner's language)
GOOGLE_TIMESTAMP = ("Timestamp", "Tijdstempel", "Horodateur", "Zeitstempel", "Marca temporal")
GOOGLE_EMAIL = ("Email Address", "Email address", "E-mailadres", "Adresse e-mail", "E-Mail-Adresse")

#: Microsoft Forms' first columns, matched by position: ID, start time, completion time,
#: e-mail, name (then, in newer exports, the last modified time), then the questions
MICROSOFT_ID = ("ID", "Id", "Identifiant", "Kennung")

#: questions of a form, by a few common words (a header equal to one, or starting with one)
QUESTIONS = {
    "name": (
        "name",
        "naam",
        "nom",
        "full name",
        "volledige naam",
        "nom complet",
        "naam en voornaam",
        "voor- en achternaam",
        "nom et prénom",
        "prénom et nom",
        "vor- und nachname",
    ),
    "first_name": ("first name", "given name", "voornaam", "prénom", "vorname"),
    "last_name": (
        "last name",
        "family name",
        "surname",
        "achternaam",
        "familienaam",
        "nom de famille",
        "nachname",
    ),
    "email": ("email", "e-mail", "e-mailadres", "email address", "adresse e-mail", "courriel"),
    "organisation": (
        "organisation",
        "organization",
        "organisatie",
        "organisme",
        "bedrijf",
        "company",
        "entreprise",
        "société",
        "instelling",
        "werkgever",
        "firma",
    ),
    "language": ("language", "taal", "langue", "sprache", "voorkeurstaal", "preferred language"),
    "consent": ("consent", "toestemming", "consentement", "einwilligung"),
}

#: answers that refuse: a consent cell holding one of these (or nothing) is no consent
NO = frozenset({"", "no", "nee", "non", "nein", "n", "false", "onwaar", "faux", "0", "-"})

#: a language as people name it in a form (or a locale such as 'nl-informal', 'fr_BE')
LANGUAGE_NAMES = {
    "nederlands": "nl",
    "dutch": "nl",
    "néerlandais": "nl",
    "vlaams": "nl",
    "english": "en",
    "engels": "en",
    "anglais": "en",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "frans": "fr",
}


def plain(header: str) -> str:
    """A header or answer as compared: spaces folded, case ignored, trailing ':?*' gone."""
    return " ".join(header.split()).casefold().rstrip(":?* ").strip()


def find(headers: list[str], names: tuple[str, ...]) -> int | None:
    """The index of the first header that is one of `names` (as `plain` compares them)."""
    wanted = {plain(n) for n in names}
    for index, header in enumerate(headers):
        if plain(header) in wanted:
            return index
    return None


def find_question(headers: list[str], words: tuple[str, ...], start: int = 0) -> int | None:
    """The index of a question (from `start` on) that is one of `words`, or starts with one
    followed by a space or a bracket ('Naam (voor- en achternaam)')."""
    for index in range(start, len(headers)):
        text = plain(headers[index])
        for word in words:
            if text == word or (text.startswith(word) and text[len(word) : len(word) + 1] in " ("):
                return index
    return None


def language(text: str) -> str | None:
    """A language code cohort writes in (nl, en, fr) from a locale or a language's name."""
    value = plain(text)
    if value in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[value]
    code = re.split(r"[-_ ]", value)[0] if value else ""
    return code if code in ("nl", "en", "fr") else None


_NUMERIC = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp]\.?[Mm]\.?)?)?"
)
_ZONE = re.compile(r"\s*(?:(GMT|UTC)\s*([+-]\d{1,2})(?::?(\d{2}))?|(GMT|UTC|CET|CEST|Z))$")
_ZONES = {"GMT": 0, "UTC": 0, "Z": 0, "CET": 60, "CEST": 120}
_NAMED = (
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
)


def day_first(texts: list[str], default: bool) -> bool:
    """Whether the numeric dates of a column are written day first: a date such as 13/03/2026
    in the column settles it; else `default` (the tool's country: Eventbrite writes US dates,
    month first)."""
    for text in texts:
        match = _NUMERIC.match(text.strip())
        if match and len(match.group(1)) <= 2:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12:
                return True
            if second > 12:
                return False
    return default


def moment(text: str, zone: ZoneInfo, day_first: bool) -> dt.datetime | None:
    """A date and time as a tool writes it (ISO 8601; Y/M/D or D/M/Y or M/D/Y with a 12- or
    24-hour time; 'Feb 14, 2026 10:15 AM'; a trailing 'GMT+1', 'UTC' or 'CET'), as an aware
    datetime: in the zone it names, else in `zone` (the programme's). None if it is none."""
    value = text.strip()
    offset: int | None = None
    found = _ZONE.search(value)
    if found and found.group(0).strip():
        if found.group(1):
            hours = int(found.group(2))
            minutes = int(found.group(3) or 0)
            offset = hours * 60 + (minutes if hours >= 0 else -minutes)
        else:
            offset = _ZONES[found.group(4)]
        value = value[: found.start()].strip()
    when = _parse(value, day_first)
    if when is None:
        return None
    if when.tzinfo is not None:
        return when
    if offset is not None:
        return when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    return when.replace(tzinfo=zone)


def _parse(value: str, day_first: bool) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    match = _NUMERIC.fullmatch(value)
    if match:
        return _numeric(match, day_first)
    for pattern in _NAMED:
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _numeric(match: re.Match[str], day_first: bool) -> dt.datetime | None:
    a, b, c, hour, minute, second, half = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        year = int(c) + (2000 if len(c) <= 2 else 0)
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
    hours = int(hour or 0)
    if half:
        pm = half[0] in "Pp"
        if hours == 12:
            hours = 0
        hours += 12 if pm else 0
    try:
        return dt.datetime(year, month, day, hours, int(minute or 0), int(second or 0))
    except ValueError:
        return None
