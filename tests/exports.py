"""Registration exports as the tools make them, built for tests: pretix's order positions with
the headers and statuses of its exporter (`pretix/base/exporters/orderlist.py`, translated by
pretix's own catalogs), Eventbrite's attendee report, Google Forms' and Microsoft Forms'
responses. Names and addresses are invented."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

#: pretix's order position headers (no event series, one name field), per language; the
#: question 'Dietary requirements' (the organiser's own) stands where pretix puts questions
# fmt: off
PRETIX_HEADERS = {
    "en": [
        "Event slug", "Event name", "Order code", "Position ID", "Status", "Email",
        "Phone number", "Order date", "Order time", "Product", "Product ID", "Variation",
        "Variation ID", "Price", "Tax rate", "Tax rule", "Tax value", "Attendee name",
        "Attendee email", "Attendee company", "Address", "ZIP code", "City", "Country", "State",
        "Voucher", "Voucher budget usage", "Voucher tag", "Pseudonymization ID", "Ticket secret",
        "Seat ID", "Seat name", "Seat zone", "Seat row", "Seat number", "Blocked", "Valid from",
        "Valid until", "Order comment", "Follow-up date", "Add-on to position ID",
        "Dietary requirements", "Invoice address company", "Invoice address name",
        "Invoice address street", "Invoice address ZIP code", "Invoice address city",
        "Invoice address country", "Invoice address state", "VAT ID", "Sales channel",
        "Order locale", "Email address verified", "External customer ID", "Check-in lists",
        "Payment providers", "Position order link",
    ],
    "de": [
        "Kurzname der Veranstaltung", "Veranstaltungstitel", "Bestellnummer", "Position",
        "Status", "E-Mail", "Telefonnummer", "Bestelldatum", "Bestelluhrzeit", "Produkt",
        "Produkt-ID", "Variante", "Varianten-ID", "Preis", "Steuersatz", "Steuerregel", "Steuer",
        "Name Teilnehmer*in", "E-Mail Teilnehmer*in", "Teilnehmer*innen-Firma", "Adresse",
        "Postleitzahl", "Stadt", "Land", "Bundesstaat", "Gutschein",
        "Verwendetes Gutscheinbudget", "Gutschein-Tag", "Pseudonyme ID", "Ticket-Code",
        "Sitzplatz-ID", "Sitzbezeichnung", "Sitzbereich", "Sitzreihe", "Sitzplatz-Nummer",
        "Gesperrt", "Gültig ab", "Gültig bis", "Bestellkommentar", "Datum zur Wiedervorlage",
        "Zusatzprodukt zu Position", "Ernährungswünsche", "Rechnungsadresse: Firma",
        "Rechnungsadresse: Name", "Rechnungsadresse: Straße", "Rechnungsadresse: PLZ",
        "Rechnungsadresse: Stadt", "Rechnungsadresse: Land", "Rechnungsadresse: Bundesstaat",
        "USt-ID-Nr.", "Verkaufskanal", "Bestellsprache", "E-Mail-Adresse verifiziert",
        "Externe Kundennummer", "Check-in-Listen", "Zahlungsmethoden", "Link zur Bestellposition",
    ],
    "nl": [
        "Slug van evenement", "Naam evenement", "Bestelcode", "Positie-ID", "Status", "E-mail",
        "Telefoonnummer", "Besteldatum", "Besteltijd", "Product", "Product-ID", "Variant",
        "Variant-ID", "Prijs", "Belastingtarief", "Belastingregel", "Belastingwaarde",
        "Naam deelnemer", "E-mailadres van deelnemer", "Bedrijf deelnemer", "Adres", "Postcode",
        "Plaats", "Land", "Staat", "Voucher", "Gebruik van voucherbudget", "Vouchertag",
        "Pseudonimiserings-ID", "Ticketgeheim", "Stoel-ID", "Stoelnaam", "Stoelzone", "Stoelrij",
        "Stoelnummer", "Geblokkeerd", "Geldig van", "Geldig tot", "Opmerking bestelling",
        "Datum voor opvolging", "Add-on bij positie-ID", "Dieetwensen", "Factuuradres: bedrijf",
        "Factuuradres: naam", "Factuuradres: straat", "Factuuradres: postcode",
        "Factuuradres: plaats", "Factuuradres: land", "Factuuradres: staat", "Btw-nummer",
        "Verkoopkanaal", "Taal van bestelling", "E-mailadres geverifieerd", "Extern klantnummer",
        "Check-in-lijsten", "Betalingsaanbieders", "Bestel-link positie",
    ],
}
# fmt: on
#: pretix's statuses (`Order.STATUS_CHOICE`, a canceled position), per language
PRETIX_STATUS = {
    "en": {"paid": "paid", "pending": "pending", "canceled": "canceled", "expired": "expired"},
    "de": {
        "paid": "bezahlt",
        "pending": "ausstehend",
        "canceled": "storniert",
        "expired": "abgelaufen",
    },
    "nl": {
        "paid": "betaald",
        "pending": "openstaand",
        "canceled": "geannuleerd",
        "expired": "verlopen",
    },
}
PRETIX_YES = {"en": "Yes", "de": "Ja", "nl": "Ja"}


@dataclass(frozen=True)
class Person:
    """One registration: who, when, which order."""

    name: str
    email: str
    day: str  # YYYY-MM-DD
    time: str  # HH:MM:SS
    order: str
    position: int = 1
    status: str = "paid"
    company: str = ""
    locale: str = "nl"
    dietary: str = ""
    quantity: int = 1


def people(n: int, day: str = "2030-01-06", start: int = 0) -> list[Person]:
    """n invented people who registered one minute apart, each their own order."""
    out = []
    for i in range(start, start + n):
        hour, minute = divmod(9 * 60 + i, 60)
        out.append(
            Person(
                name=f"Deelnemer {i:02d} Peeters",
                email=f"deelnemer{i:02d}@example.org",
                day=day,
                time=f"{hour:02d}:{minute:02d}:00",
                order=f"A{i:04d}",
                company=f"Organisatie {i % 5}",
            )
        )
    return out


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def pretix_rows(persons: list[Person], language: str = "en") -> list[list[str]]:
    """pretix's order positions of `persons`, as its exporter writes them (the values by the
    English header; every other cell empty)."""
    english = PRETIX_HEADERS["en"]
    rows = [list(PRETIX_HEADERS[language])]
    for p in persons:
        values = {
            "Event slug": "studiedag",
            "Event name": "Studiedag",
            "Order code": p.order,
            "Position ID": str(p.position),
            "Status": PRETIX_STATUS[language][p.status],
            "Email": "koper-" + p.email if p.position > 1 else p.email,
            "Order date": p.day,
            "Order time": p.time,
            "Product": "Ticket",
            "Product ID": "12",
            "Price": "0.00",
            "Tax rate": "0.00",
            "Tax value": "0.00",
            "Attendee name": p.name,
            "Attendee email": p.email,
            "Attendee company": p.company,
            "Pseudonymization ID": f"PSEUDO{p.order}{p.position}",
            "Ticket secret": f"secret{p.order}",
            "Dietary requirements": p.dietary,
            "Invoice address company": p.company,
            "Invoice address name": p.name,
            "Invoice address street": "Kerkstraat 1",
            "Invoice address ZIP code": "9000",
            "Invoice address city": "Gent",
            "Invoice address country": "BE",
            "Sales channel": "web",
            "Order locale": p.locale,
            "Email address verified": PRETIX_YES[language],
        }
        rows.append([values.get(header, "") for header in english])
    return rows


def pretix_csv(persons: list[Person], language: str = "en") -> str:
    return _csv(pretix_rows(persons, language))


EVENTBRITE_HEADERS = [
    "Order #",
    "Order Date",
    "First Name",
    "Last Name",
    "Email",
    "Quantity",
    "Ticket Type",
    "Attendee #",
    "Group",
    "Order Type",
    "Currency",
    "Total Paid",
    "Fees Paid",
    "Eventbrite Fees",
    "Eventbrite Payment Processing",
    "Attendee Status",
    "Company",
]


def eventbrite_csv(persons: list[Person]) -> str:
    """Eventbrite's attendee report: US dates (month first, 12-hour clock)."""
    rows = [EVENTBRITE_HEADERS]
    for n, p in enumerate(persons, start=1):
        first, _, last = p.name.partition(" ")
        year, month, day = p.day.split("-")
        hour, minute, _s = (int(x) for x in p.time.split(":"))
        half = "AM" if hour < 12 else "PM"
        clock = f"{(hour - 1) % 12 + 1}:{minute:02d} {half}"
        status = "Attending" if p.status == "paid" else "Not Attending"
        rows.append(
            [
                p.order,
                f"{int(month)}/{int(day)}/{year} {clock}",
                first,
                last,
                p.email,
                str(p.quantity),
                "General Admission",
                str(1000 + n),
                "",
                "Free Order",
                "EUR",
                "0.00",
                "0.00",
                "0.00",
                "0.00",
                status,
                p.company,
            ]
        )
    return _csv(rows)


def google_csv(persons: list[Person]) -> str:
    """Google Forms' responses download: Timestamp, Email Address, then the questions."""
    rows = [
        [
            "Timestamp",
            "Email Address",
            "Naam",
            "Organisatie",
            "Dieetwensen",
            "Ik geef toestemming om mijn gegevens te bewaren",
        ]
    ]
    for p in persons:
        hour, minute, second = (int(x) for x in p.time.split(":"))
        half = "AM" if hour < 12 else "PM"
        stamp = (
            p.day.replace("-", "/")
            + f" {(hour - 1) % 12 + 1}:{minute:02d}:{second:02d} {half} GMT+1"
        )
        rows.append(
            [stamp, p.email, p.name, p.company, p.dietary, "" if p.status == "canceled" else "Ja"]
        )
    return _csv(rows)


MICROSOFT_HEADERS = {
    "en": ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"],
    "nl": ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Tijd laatst gewijzigd"],
}


def microsoft_xlsx(path: Path, persons: list[Person], language: str = "nl") -> Path:
    """Microsoft Forms' responses workbook: ID, start, completion, e-mail, name, last modified
    time (real date cells), then the questions."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([*MICROSOFT_HEADERS[language], "Volledige naam", "Organisatie", "E-mailadres"])
    for n, p in enumerate(persons, start=1):
        done = dt.datetime.fromisoformat(f"{p.day}T{p.time}")
        sheet.append(
            [
                n,
                done - dt.timedelta(minutes=3),
                done,
                "anonymous",
                "",
                done,
                p.name,
                p.company,
                p.email,
            ]
        )
    book.save(path)
    return path


def pretix_xlsx(path: Path, persons: list[Person], language: str = "de") -> Path:
    """pretix's workbook: the sheets Orders, Order positions and Order fees (translated)."""
    from openpyxl import Workbook

    names = {
        "en": ("Orders", "Order positions", "Order fees"),
        "de": ("Bestellungen", "Bestellzeilen", "Bestellgebühren"),
        "nl": ("Bestellingen", "Bestelde producten (posities)", "Bestelkosten"),
    }[language]
    book = Workbook()
    orders = book.active
    orders.title = names[0]
    orders.append(["Order code", "Status"])
    positions = book.create_sheet(names[1])
    for row in pretix_rows(persons, language):
        positions.append(row)
    book.create_sheet(names[2]).append(["Order code", "Fee type"])
    book.save(path)
    return path
