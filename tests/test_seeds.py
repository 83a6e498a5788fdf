"""The five example programmes from our first users' documents validate cleanly."""

from __future__ import annotations

import json
import re

import pytest
from conftest import PROGRAMMES, SEEDS, cohort

WRITTEN_ON = "2026-11-21"  # the day the seeds were written: meetings before it took place


def test_there_are_five_seeds():
    assert SEEDS == [
        "brein-festijn-2021",
        "brussels-broedplekken-2023",
        "ons-buurtpunt-2019",
        "optil-cultuurplekken-2025",
        "twente-cop-2024",
    ]


@pytest.mark.parametrize("name", SEEDS)
def test_each_seed_validates_without_errors_or_warnings(name):
    result = cohort("validate", PROGRAMMES / name, "--strict", "--today", WRITTEN_ON)
    assert result.exit_code == 0, result
    assert result.stderr == ""


@pytest.mark.parametrize("name", SEEDS)
def test_no_real_email_address_is_in_a_seed(name):
    for path in (PROGRAMMES / name).rglob("*.yaml"):
        for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", path.read_text("utf-8")):
            assert address.endswith("@example.org"), f"{path}: {address}"


def test_twente_has_the_three_meetings_of_the_text():
    result = cohort("schedule", PROGRAMMES / "twente-cop-2024", "--format", "json")
    meetings = json.loads(result.stdout)["meetings"]
    assert [(m["date"], m["city"]) for m in meetings] == [
        ("2024-02-22", "Enschede"),
        ("2024-04-09", "Vriezenveen"),
        ("2024-06-06", "Hengelo"),
    ]
    assert meetings[0]["start"] == "2024-02-22T19:00:00+01:00"
    assert meetings[0]["end"] == "2024-02-22T20:30:00+01:00"


def test_optil_runs_three_years_from_28_january_2025():
    result = cohort("schedule", PROGRAMMES / "optil-cultuurplekken-2025", "--format", "json")
    meetings = json.loads(result.stdout)["meetings"]
    assert meetings[0]["date"] == "2025-01-28"
    years = {m["date"][:4] for m in meetings}
    assert years == {"2025", "2026", "2027"}
    physical = [m for m in meetings if m["kind"] in ("network-day", "closing-event")]
    assert len(physical) == 6  # twice a year
    assert sum(m["kind"] == "webinar" for m in meetings) == 6
