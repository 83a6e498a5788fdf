"""The `planning:` block: the rules and wishes from which `cohort schedule --solve` chooses the
dates (and venues) that meetings leave open.

    planning:
      from: 2026-01-12            # the window
      until: 2026-06-30
      weekdays: [tuesday, thursday]
      preferred_weekdays: thursday
      start: "19:00"              # for meetings that give no time of their own
      end: "21:00"
      spacing: {min: 28, max: 42} # days between consecutive meetings
      order: [m1, m2, m3]         # the series, in this order (default: as written)
      avoid:
        public_holidays: true
        school_holidays: [BE-VLG, NL-zuid]
        dates: [2026-03-03, {from: 2026-05-11, until: 2026-05-15}]
      hosting:
        venues: [tetem, oyfo]     # where open meetings may go (default: all with an address)
        fair: true                # each host about equally often
        no_repeat: true           # no host twice in a row
      weights: {attendance: 100, if_need_be: 20, weekdays: 10, spacing: 1, hosting: 10}

Hard rules are the window, weekdays, spacing, order, what to avoid, hosting and venue capacity;
the wishes (who can come, preferred weekdays, even spacing, fair hosting) are weighed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .values import Date, Flag, Id, Time, one_or_many

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: School holiday regions: the Belgian communities (from the `holidays` package) and the three
#: Dutch regions (cohort's own table, `planning/school_holidays_nl.csv`).
REGIONS = ("BE-VLG", "BE-WAL", "BE-DE", "NL-noord", "NL-midden", "NL-zuid")
_REGION_ALIASES = {"be-fr": "BE-WAL", "be-fwb": "BE-WAL", "be-nl": "BE-VLG"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _weekday(value: Any) -> int:
    text = str(value).strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if text == name or (len(text) >= 2 and name.startswith(text)):
            return number
    raise ValueError(f"'{value}' is not a day of the week; write monday, tuesday, ... sunday")


Weekday = Annotated[
    int,
    BeforeValidator(_weekday),
    WithJsonSchema({"type": "string", "enum": list(WEEKDAYS)}),
]
Weekdays = Annotated[
    tuple[Weekday, ...],
    BeforeValidator(one_or_many, json_schema_input_type=Weekday | list[Weekday]),
]


def _region(value: Any) -> str:
    text = str(value).strip()
    for region in REGIONS:
        if text.lower() == region.lower():
            return region
    if text.lower() in _REGION_ALIASES:
        return _REGION_ALIASES[text.lower()]
    raise ValueError(f"'{text}' is not a school holiday region; write one of {', '.join(REGIONS)}")


Region = Annotated[
    str, BeforeValidator(_region), WithJsonSchema({"type": "string", "enum": list(REGIONS)})
]
Regions = Annotated[
    tuple[Region, ...], BeforeValidator(one_or_many, json_schema_input_type=Region | list[Region])
]


#: The most days a spacing may ask: the longest planning window (five years).
MAX_DAYS = 5 * 366
#: The largest weight: enough to make one wish outweigh any other a million times, small
#: enough that every objective stays an exact whole number for the solver.
MAX_WEIGHT = 1_000_000


def _days(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a number of days; write a whole number, e.g. 28")
    if int(text) > MAX_DAYS:
        raise ValueError(f"{text} days is more than the longest planning window ({MAX_DAYS})")
    return int(text)


Days = Annotated[
    int,
    BeforeValidator(_days),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_DAYS}),
]


class Period(_Frozen):
    """Days to avoid: one date, or from one date until another (both included)."""

    from_: Date = Field(alias="from")
    until: Date

    def days(self) -> list[dt.date]:
        """Every day of the period, in order."""
        count = (self.until - self.from_).days + 1
        return [self.from_ + dt.timedelta(days=n) for n in range(max(count, 0))]


def _period(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    return {"from": value, "until": value}


PeriodField = Annotated[Period, BeforeValidator(_period, json_schema_input_type=Date | Period)]


class Spacing(_Frozen):
    """Days between consecutive meetings of the series (counted from date to date)."""

    min: Days | None = None
    max: Days | None = None


class Avoid(_Frozen):
    """What open meetings must not fall on: public holidays of the programme's country, school
    holidays of regions, and blackout dates."""

    public_holidays: Flag = False
    school_holidays: Regions = ()
    dates: tuple[PeriodField, ...] = ()


class Hosting(_Frozen):
    """Where open meetings may go, and how hosts take turns (a venue's host is its `host:`)."""

    venues: tuple[Id, ...] = ()
    fair: Flag = False
    no_repeat: Flag = False


def _weight(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a weight; write a whole number (0 ignores the wish)")
    if int(text) > MAX_WEIGHT:
        raise ValueError(f"the weight {text} is more than {MAX_WEIGHT:,}; weights compare wishes")
    return int(text)


Weight = Annotated[
    int,
    BeforeValidator(_weight),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_WEIGHT}),
]


class Weights(_Frozen):
    """How much each wish counts in the objective (lower total is better):
    `attendance` per invitee who answered "no", `if_need_be` per "if need be" (and per answer
    not asked for), `weekdays` per meeting off the preferred weekdays, `spacing` per day between
    the longest and the shortest gap, `hosting` per meeting between the busiest and the least
    busy host."""

    attendance: Weight = 100
    if_need_be: Weight = 20
    weekdays: Weight = 10
    spacing: Weight = 1
    hosting: Weight = 10


class Planning(_Frozen):
    """The rules and wishes for the meetings that leave `date` (or `venue`) open."""

    from_: Date = Field(alias="from")
    until: Date
    weekdays: Weekdays = ()
    preferred_weekdays: Weekdays = ()
    start: Time | None = None
    end: Time | None = None
    spacing: Spacing = Spacing()
    order: tuple[Id, ...] = ()
    avoid: Avoid = Avoid()
    hosting: Hosting = Hosting()
    weights: Weights = Weights()
