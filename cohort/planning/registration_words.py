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
#: (pretix's own catalogs: `pretix/locale/<language>/LC_MESSAGES/django.po`)
PRETIX = {
    "event": (
        "Event slug",
        "Kurzname der Veranstaltung",
        "Slug van evenement",
        "Titre de l'événement",
        "Slug de l'événement",
    ),
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
PRETIX_SHEETS = (
    "Order positions",
    "Bestellzeilen",
    "Bestelde producten (posities)",
    "Position de commande",
    "Positions de commande",
)

#: statuses (pretix's in four languages, Eventbrite's, and plain words) that cancel a row;
#: pretix's are its `Order.STATUS_CHOICE` and "canceled (paid fee)" as its catalogs translate
#: them (French also as an order, la commande: annulée, expirée)
CANCELLED = frozenset(
    {
        # pretix: canceled, expired, canceled (paid fee)
        "canceled",
        "cancelled",
        "storniert",
        "geannuleerd",
        "annulé",
        "annulée",
        "expired",
        "abgelaufen",
        "verlopen",
        "expiré",
        "expirée",
        "canceled (paid fee)",
        "storniert (bezahlte gebühr)",
        "geannuleerd (betaalde kosten)",
        "annulé (frais payés)",
        "annulée (frais payés)",
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
#: words of the header of Microsoft Forms' sixth column, the last modified time
MICROSOFT_MODIFIED = (
    "modified",
    "gewijzigd",
    "wijziging",
    "modification",
    "geändert",
    "änderung",
)
#: what Microsoft Forms writes for the e-mail and name of a form that does not ask to sign in
ANONYMOUS = frozenset({"anonymous", "anoniem", "anonyme", "anonym"})

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

#: the answers that give consent: only these (and a programme's `consent_answers`) do; any
#: other answer is no consent. A form's checkbox writes its option's text (Google and
#: Microsoft Forms) or a yes (pretix: Yes, Ja, Oui; a spreadsheet: TRUE, a mark).
YES = frozenset(
    {
        # a checkbox, a boolean question, a mark
        "yes",
        "y",
        "true",
        "checked",
        "on",
        "x",
        "1",
        "✓",
        "✔",
        "☑",
        "☒",
        "ok",
        # English
        "i agree",
        "agreed",
        "i consent",
        "i accept",
        "accepted",
        "yes, i agree",
        "yes, i consent",
        "yes, i accept",
        # Dutch
        "ja",
        "j",
        "waar",
        "akkoord",
        "ik ga akkoord",
        "ja, ik ga akkoord",
        "ik geef toestemming",
        "ja, ik geef toestemming",
        "ik stem in",
        "ja, ik stem in",
        "ik stem toe",
        "ja, ik stem toe",
        "aangevinkt",
        # French
        "oui",
        "vrai",
        "d'accord",
        "j'accepte",
        "oui, j'accepte",
        "je consens",
        "oui, je consens",
        "je donne mon accord",
        "oui, je donne mon accord",
        "je donne mon consentement",
        "oui, je donne mon consentement",
        "accepté",
        "coché",
        # German
        "wahr",
        "einverstanden",
        "ich stimme zu",
        "ja, ich stimme zu",
        "ich willige ein",
        "ja, ich willige ein",
        "akzeptiert",
    }
)
#: the answers that plainly refuse (said nowhere); any other answer that is not a yes is no
#: consent too, and is reported, so that a form's own words for yes can be added
NO = frozenset(
    {"", "no", "n", "false", "0", "-", "nee", "neen", "onwaar", "non", "faux", "nein", "falsch"}
)
_NO_START = re.compile(r"(no|nee|neen|non|nein|niet|pas|geen|not|nicht)\b")


def consent(answer: str, extra: frozenset[str] = frozenset()) -> bool | None:
    """Whether an answer to a consent question gives consent: True for a yes cohort knows
    (YES, or one of `extra`, as `answer_text` compares them), False for a plain no (an empty
    cell, 'Nee', 'No, I do not consent'), None for anything else: no consent either, but
    worth reporting (a form's own words for yes?)."""
    text = answer_text(answer)
    if text in YES or text in extra:
        return True
    if text in NO or _NO_START.match(text):
        return False
    return None


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


def answer_text(answer: str) -> str:
    """An answer as compared: as `plain`, with typographic apostrophes made plain and a
    closing full stop or exclamation mark gone ('Nee.', 'Oui !')."""
    return plain(answer.replace("\u2019", "'").replace("\u2018", "'")).rstrip(".! ")


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


def day_first(texts: list[str], default: bool, latest: dt.date | None = None) -> bool:
    """Whether the numeric dates of a column (01/10/2027) are written day first, decided by
    the whole column: a date only one order can read (13/03/2026) settles it; else the order
    that puts fewer dates after `latest` (today: nobody registered in the future); else the order
    in which the column runs in time (forms list responses as they came); else a 12-hour
    clock (AM/PM: a US locale, month first); else `default` (the tool's country: Eventbrite
    writes US dates, month first)."""
    read, twelve_hours = _readings(texts)
    orders = [order for order in (True, False) if read[order] is not None]
    if len(orders) == 1:
        return orders[0]
    day, month = read[True], read[False]
    if day is None or month is None or not day:
        return default
    if latest is not None:
        future = [sum(w.date() > latest for w in day), sum(w.date() > latest for w in month)]
        if future[0] != future[1]:
            return future[0] < future[1]
    backwards = [_backwards(day), _backwards(month)]
    if backwards[0] != backwards[1]:
        return backwards[0] < backwards[1]
    return False if twelve_hours else default


def _readings(texts: list[str]) -> tuple[dict[bool, list[dt.datetime] | None], bool]:
    """The numeric dates of a column read day first (True) and month first (False); None for
    an order that cannot read one of them; and whether they use a 12-hour clock."""
    read: dict[bool, list[dt.datetime] | None] = {True: [], False: []}
    twelve_hours = False
    for text in texts:
        match = _NUMERIC.match(text.strip())
        if not match or len(match.group(1)) > 2:
            continue
        twelve_hours = twelve_hours or bool(match.group(7))
        for order in (True, False):
            when = _numeric(match, order)
            found = read[order]
            if when is None:
                read[order] = None
            elif found is not None:
                found.append(when)
    return read, twelve_hours


def _backwards(moments: list[dt.datetime]) -> int:
    """How often a column goes back in time from one row to the next."""
    return sum(1 for a, b in zip(moments, moments[1:], strict=False) if b < a)


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
