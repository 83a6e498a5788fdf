"""The `registration:` block: how registrations are read and how the waiting list moves.

    registration:
      offer_hours: 48             # how long a freed place is held for the first waiting
      columns:                    # for an export cohort does not know, or to read more of one
        name: Naam
        email: E-mailadres
        organisation: Organisatie
        dietary: Heb je dieetwensen?
        accessibility: Heb je noden op vlak van toegankelijkheid?
        consent: Ik geef toestemming om mijn gegevens te bewaren

Capacity is not set here: it is the meeting's `capacity:` and its venue's, the smaller one.
The exports of pretix, Eventbrite, Google Forms and Microsoft Forms are read without a mapping;
`columns` names a column (by its header, or its letter: `C`) for each field of a registration.
Only the fields the programme names are kept: answers to accessibility and dietary questions are
stored only when `columns` names them, and nothing else of an export is stored at all.
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


class Registration(BaseModel):
    """How the programme takes registrations: the time an offer is held, and the columns of an
    export (field -> column header or letter)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer_hours: Hours = 48
    columns: dict[Column, NonEmptyText] = {}
