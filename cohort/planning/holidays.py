"""The days a planning avoids: public holidays, school holidays of a region, blackout dates.

Public holidays and the Belgian school holidays per community come from the `holidays` package
(`country_holidays('BE', subdiv='Flemish'|'French'|'German', categories=('school',))`). It has
no Dutch school holidays, so cohort ships the ministry's table per region (noord, midden, zuid)
in `school_holidays_nl.csv`, with its source; a window outside the table's school years, or over
a holiday whose dates are not confirmed yet, is reported, never silently treated as free.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

#: The `holidays` package's subdivision for each Belgian community.
_BE_COMMUNITIES = {"BE-VLG": "Flemish", "BE-WAL": "French", "BE-DE": "German"}
NL_TABLE = "school_holidays_nl.csv"


@dataclass(frozen=True)
class Calendar:
    """Named days to avoid, and the days nothing is known about (outside a table's years)."""

    days: dict[dt.date, str]
    unknown: tuple[dt.date, ...] = ()


def public_holidays(country: str, first: dt.date, last: dt.date) -> Calendar:
    """The public holidays of `country` (ISO 3166 code) between two days, named in English."""
    import holidays

    years = range(first.year, last.year + 1)
    try:
        table: Any = holidays.country_holidays(country, years=years, language="en_US")
    except (NotImplementedError, KeyError):
        return Calendar({}, ())
    return Calendar({d: str(n) for d, n in sorted(table.items()) if first <= d <= last})


def school_holidays(region: str, first: dt.date, last: dt.date) -> Calendar:
    """The school holidays of a region (planning.REGIONS) between two days, with the days of
    years the source does not cover."""
    if region in _BE_COMMUNITIES:
        return _belgian(_BE_COMMUNITIES[region], first, last)
    return _dutch(region.removeprefix("NL-"), first, last)


def _belgian(community: str, first: dt.date, last: dt.date) -> Calendar:
    days: dict[dt.date, str] = {}
    unknown: list[dt.date] = []
    for year in range(first.year, last.year + 1):
        table = _belgian_year(community, year)
        if not table:
            unknown += _days_of(year, first, last)
        days.update({d: str(n) for d, n in table.items() if first <= d <= last})
    return Calendar(dict(sorted(days.items())), tuple(unknown))


@cache
def _belgian_year(community: str, year: int) -> dict[dt.date, str]:
    import holidays

    try:
        table = holidays.country_holidays(
            "BE", subdiv=community, years=year, categories=("school",), language="en_US"
        )
    except (NotImplementedError, KeyError):  # pragma: no cover - a package without the data
        return {}
    return dict(table.items())


def _days_of(year: int, first: dt.date, last: dt.date) -> list[dt.date]:
    start, end = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


@cache
def _nl_table() -> tuple[tuple[str, str, dt.date, dt.date, bool], ...]:
    """(region, holiday, first, last, confirmed) rows of the shipped table."""
    text = resources.files(__package__).joinpath(NL_TABLE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    day = dt.date.fromisoformat
    return tuple(
        (
            row["region"],
            row["holiday"],
            day(row["first"]),
            day(row["last"]),
            row["confirmed"] == "yes",
        )
        for row in csv.DictReader(lines)
    )


def nl_coverage(region: str) -> tuple[dt.date, dt.date]:
    """The first and last day the Dutch table speaks about for a region: from 1 August of its
    first school year to the end of its last summer holiday."""
    rows = [r for r in _nl_table() if r[0] == region]
    first = min(r[2] for r in rows)
    return dt.date(first.year, 8, 1), max(r[3] for r in rows)


def _dutch(region: str, first: dt.date, last: dt.date) -> Calendar:
    """A Dutch region's holidays between two days; the days outside the table's school years,
    and those a holiday not yet confirmed may fall on, are unknown."""
    days: dict[dt.date, str] = {}
    unknown: set[dt.date] = set()
    for row_region, holiday, start, end, confirmed in _nl_table():
        if row_region != region:
            continue
        day = max(start, first)
        while day <= min(end, last):
            if confirmed:
                days[day] = holiday
            else:
                unknown.add(day)
            day += dt.timedelta(days=1)
    covered_from, covered_until = nl_coverage(region)
    unknown.update(
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if not covered_from <= first + dt.timedelta(days=n) <= covered_until
    )
    return Calendar(dict(sorted(days.items())), tuple(sorted(unknown)))
