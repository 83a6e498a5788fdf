"""The `registration:` block: how registrations are read and how the waiting list moves.

    registration:
      offer_hours: 48             # how long a freed place is held for the first waiting
      columns:                    # for an export cohort does not know, or to read more of one
        name: Naam
        email: E-mailadres
        organisation: {column: D} # by its letter, when its header is not fit to name
        dietary: Heb je dieetwensen?
        accessibility: Heb je noden op vlak van toegankelijkheid?
        consent: Ik geef toestemming om mijn gegevens te bewaren
      consent_answers:            # the form's own words for yes, beyond those cohort knows
        - Ja, bewaar mijn gegevens

Capacity is not set here: it is the meeting's `capacity:` and its venue's, the smaller one.
The exports of pretix, Eventbrite, Google Forms and Microsoft Forms are read without a mapping;
`columns` names a column for each field of a registration: by its header exactly as the export
writes it (a header the export does not have is an error, with the closest one it has), or by
its letter, written as `{column: C}` (a header is never taken for a letter). Only the fields the
programme names are kept: answers to accessibility and dietary questions are stored only when
`columns` names them, and nothing else of an export is stored at all.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from .values import NonEmptyText

#: A field of a registration that a column can hold.
Column = Literal[
    "name",
    "first_name",
    "last_name",
    "email",
    "organisation",
    "language",
    "accessibility",
    "dietary",
    "consent",
    "registered",
    "order",
    "quantity",
    "status",
]
FIELDS: tuple[str, ...] = get_args(Column)


def _hours(value: Any) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text) or int(text) <= 0:
        raise ValueError(f"'{text}' is not a number of hours; write a whole number, e.g. 48")
    return int(text)


Hours = Annotated[int, BeforeValidator(_hours), WithJsonSchema({"type": "integer", "minimum": 1})]


def _letter(value: Any) -> str:
    text = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", text):
        raise ValueError(
            f"'{value}' is not a column letter; write the letter a spreadsheet shows above the "
            "column: A, B, ..., Z, AA"
        )
    return text


class Letter(BaseModel):
    """A column named by its letter, as a spreadsheet shows it: `{column: C}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: Annotated[
        str,
        BeforeValidator(_letter),
        WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{1,3}$"}),
    ]

    @property
    def index(self) -> int:
        """The column's index, counted from 0 (A -> 0, AA -> 26)."""
        number = 0
        for letter in self.column:
            number = number * 26 + (ord(letter) - 64)
        return number - 1


class Registration(BaseModel):
    """How the programme takes registrations: the time an offer is held, the columns of an
    export (field -> its header, or `{column: C}`), and the consent question's yes-answers
    beyond those cohort knows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer_hours: Hours = 48
    columns: dict[Column, NonEmptyText | Letter] = {}
    consent_answers: tuple[NonEmptyText, ...] = ()
