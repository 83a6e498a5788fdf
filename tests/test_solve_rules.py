"""What `cohort schedule --solve` holds to whatever the poll wants, what it checks before it
searches, and how it says what it found: no two meetings at once for the same people or at one
venue, the planning block checked as `validate` checks it, a time limit that repeats, and a
search that ran out of time told apart from rules that cannot hold together."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap

import pytest
from conftest import at, cohort, edit
from test_planning import PLANNED, answers_file, before_the_year, solved, with_answers  # noqa: F401

from cohort.planning import conflicts, dates
from cohort.planning.problem import build
from cohort.records.workspace import load_checked


def _one_good_day(day: str = "2026-03-05", people=("anna", "bert", "carla")) -> str:
    """Everyone can come on `day` only (Tuesdays and Thursdays of H1 2026 asked)."""
    first = dt.date(2026, 1, 5)
    days = [first + dt.timedelta(days=n) for n in range(177)]
    options = [d.isoformat() for d in days if d.weekday() in (1, 3)]
    return answers_file({p: {o: "yes" if o == day else "no" for o in options} for p in people})


def _problem(folder, today=dt.date(2025, 12, 1)):
    checked = load_checked(folder, today, proposal={}, keep_loaded=True)
    loaded = checked.loaded
    open_venues = {m.id for m in checked.programme.meetings.values() if m.venue is None}
    return build(loaded, None, set(loaded.unplanned), open_venues, today=today)


def test_meetings_outside_the_order_never_share_a_day_with_their_invitees(write):
    text = edit(PLANNED, "  hosting:\n", "  order: [sessie-1, sessie-2, sessie-3]\n  hosting:\n")
    folder = with_answers(write(text), _one_good_day())
    chosen = solved(folder)
    days = sorted(m["date"] for m in chosen.values())
    assert len(set(days)) == 6, days


def test_a_venue_never_holds_two_meetings_at_once(write):
    text = PLANNED.split("meetings:\n")[0] + textwrap.dedent("""\
        meetings:
          extern: {title: Extern, date: 2026-03-05, venue: zaal-a, invited: [carla]}
          sessie-1: {title: Sessie 1, invited: [anna]}
          sessie-2: {title: Sessie 2, invited: [bert]}
        """)
    text = edit(text, "    fair: true\n    no_repeat: true\n", "    venues: [zaal-a]\n")
    text = edit(text, "  hosting:\n", "  order: [extern]\n  hosting:\n")
    folder = with_answers(write(text), _one_good_day(people=("anna", "bert")))
    chosen = solved(folder)
    days = {mid: m["date"] for mid, m in chosen.items()}
    assert {m["venue"] for m in chosen.values()} == {"zaal-a"}
    assert "2026-03-05" not in days.values() and len(set(days.values())) == 2, days


def test_the_solvers_schedule_breaks_no_rule_and_overlaps_nothing(write):
    from cohort.planning.fit import violations

    text = edit(PLANNED, "  hosting:\n", "  order: [sessie-1, sessie-2, sessie-3]\n  hosting:\n")
    folder = write(text)
    problem = _problem(folder)
    outcome = dates.solve(problem, 10)
    assert outcome.optimal and outcome.bound == outcome.objective
    days = {mid: c.date for mid, c in outcome.choices.items()}
    venues = {mid: c.venue for mid, c in outcome.choices.items()}
    assert violations(problem, days, venues) == []
    assert len(set(days.values())) == len(days)


@pytest.mark.parametrize("limit", ["nan", "0", "-5", "inf", "100000"])
def test_a_time_limit_that_is_no_time_is_a_usage_error(write, limit):
    result = cohort("schedule", write(PLANNED), "--solve", f"--time-limit={limit}")
    assert result.exit_code == 2, result.output
    assert "--time-limit" in result.stderr and "Traceback" not in result.output


def test_a_weight_beyond_a_million_is_an_error_at_its_line(write):
    text = edit(
        PLANNED, "  hosting:\n", "  weights: {attendance: 1000000000000000000}\n  hosting:\n"
    )
    result = cohort("schedule", write(text), "--solve")
    assert result.exit_code == 1
    where = at(text, "1000000000000000000")
    assert f"{where}: error: attendance: the weight 1000000000000000000 is more than" in (
        result.stderr
    )


def test_an_explanation_out_of_time_names_no_rule_and_says_so(write):
    text = edit(PLANNED, "host: a, capacity: 20}", "host: a, capacity: 2}")
    text = edit(text, "host: b, capacity: 20}", "host: b, capacity: 2}")
    text = edit(text, "    fair: true\n", "")
    folder = write(text)  # one venue large enough, and no host twice in a row: no schedule
    problem = _problem(folder)
    assert dates.solve(problem, 10).status == dates.INFEASIBLE
    hurried = conflicts.explain(problem, time_limit=1e-6)
    assert not hurried.proven and hurried.rules == ()
    found = conflicts.explain(problem)
    assert found.proven and found.minimal
    assert {r.key for r in found.rules} == {"no-repeat", "capacity:zaal-a", "capacity:zaal-b"}


def test_the_time_limit_counts_the_solvers_own_work_not_the_clock():
    engine = dates.solver(7.0)
    assert engine.parameters.max_deterministic_time == 7.0
    assert engine.parameters.max_time_in_seconds > 1e9  # the wall clock never cuts a search
    assert engine.parameters.num_workers == 1 and engine.parameters.random_seed == dates.SEED


def test_a_search_cut_short_gives_the_same_schedule_twice(write):
    folder = with_answers(write(PLANNED), _one_good_day())
    first = cohort("schedule", folder, "--solve", "--time-limit", "0.02")
    second = cohort("schedule", folder, "--solve", "--time-limit", "0.02")
    assert first.exit_code == second.exit_code
    assert first.stdout_bytes == second.stdout_bytes and first.stderr == second.stderr


@pytest.mark.parametrize("year", ["0026", "0001"])
def test_a_mistyped_year_is_an_error_at_its_line_at_once(write, year):
    text = edit(PLANNED, "from: 2026-01-05", f"from: {year}-01-05")
    result = cohort("schedule", write(text), "--solve")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{at(text, 'until: 2026-06-30', 7)}: error: the planning window spans " in result.stderr
    assert "(is a year mistyped?" in result.stderr


def test_a_meeting_gets_a_variable_only_for_a_day_the_poll_prices(write):
    text = edit(
        PLANNED, "from: 2026-01-05\n  until: 2026-06-30", "from: 2026-01-05\n  until: 2028-12-31"
    )
    text = edit(text, "spacing: {min: 14, max: 42}", "spacing: {min: 28, max: 70}")
    from cohort.planning import cpmodel

    folder = with_answers(write(text), _one_good_day())
    problem = _problem(folder)
    built = cpmodel.Model(problem)
    # six meetings, three years of Tuesdays and Thursdays: no variable per day and meeting
    assert len(built.model.proto.variables) < 200
    fixed, days = cpmodel.days(problem, None)
    # the series narrows each meeting: the sixth comes at least five spacings after the first
    assert min(days["sessie-6"]) >= min(days["sessie-1"]) + 5 * 28
    assert max(days["sessie-1"]) <= max(days["sessie-6"]) - 5 * 28


def test_a_venue_the_facilitator_gives_stays_theirs_even_too_small_and_is_said(write):
    text = edit(PLANNED, "host: b, capacity: 20}", "host: b, capacity: 2}")
    text = edit(
        text, "  sessie-2: {title: Sessie 2}", "  sessie-2: {title: Sessie 2, venue: zaal-b}"
    )
    text = edit(
        text,
        "  sessie-5: {title: Sessie 5}",
        "  sessie-5: {title: Sessie 5, date: 2026-05-12, venue: zaal-b}",
    )
    text = edit(text, "    fair: true\n", "")
    folder = write(text)
    result = cohort("schedule", folder, "--solve", "--write")
    assert result.exit_code == 0, result.output
    for mid in ("sessie-2", "sessie-5"):
        assert f"3 people are invited to '{mid}', but Zaal B holds 2" in result.stderr
    chosen = solved(folder)
    assert chosen["sessie-2"].get("venue") is None  # the facilitator's venue, not a choice
    assert all(m.get("venue") != "zaal-b" for mid, m in chosen.items() if mid != "sessie-2")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("until: 2026-06-30", "until: 2025-06-30", "the planning window ends (2025-06-30) before"),
        ("  hosting:\n", "  order: [sessie-1, sesie-2]\n  hosting:\n", "unknown meeting 'sesie-2'"),
        (
            "  hosting:\n",
            "  order: [sessie-1, sessie-1, sessie-2]\n  hosting:\n",
            "meeting 'sessie-1' is named twice in 'order'",
        ),
        (
            "    fair: true\n",
            "    venues: [zaal-a, zaal-x]\n    fair: true\n",
            "unknown venue 'zaal-x'",
        ),
    ],
)
def test_solving_checks_the_planning_block_as_validate_does(write, old, new, message):
    text = edit(PLANNED, old, new)
    for command in (("schedule", "--solve"), ("validate",)):
        result = cohort(command[0], write(text), *command[1:])
        assert result.exit_code == 1 and message in result.stderr, (command, result.output)


def test_an_impossible_first_day_is_one_error_not_one_per_meeting(write):
    text = edit(PLANNED, "from: 2026-01-05", "from: 2026-02-30")
    for command in (("validate",), ("schedule", "--solve")):
        result = cohort(command[0], write(text), *command[1:])
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert len(errors) == 1 and "from: '2026-02-30' is not a date" in errors[0], errors


def test_who_cannot_come_says_who_answered_and_who_did_not(seed):
    folder = seed("brussels-broedplekken-2023")
    result = cohort("schedule", folder, "--solve", "--today", "2023-01-02")
    assert result.exit_code == 0, result.output
    assert "everyone can come" not in result.stdout
    assert "(poll polls/intervisie.csv: 2 of 26 invitees answered; no answer from " in result.stdout
    assert "intervisie-2 (2023-03-07): 2 of 8 invitees answered; all who answered can come" in (
        result.stdout
    )
    assert "intervisie-1 (2023-02-14): 2 of 8 invitees answered; not asked about this day:" in (
        result.stdout
    )


def test_json_and_csv_carry_the_solution_with_its_status_and_who_cannot_come(write):
    answers = _one_good_day(day="2026-01-06", people=("anna",))
    folder = with_answers(write(PLANNED), answers)
    as_json = cohort("schedule", folder, "--solve", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    solution = json.loads(as_json.stdout)["solution"]
    assert solution["status"] == "optimal" and isinstance(solution["objective"], int)
    assert solution["poll"] == {
        "source": "polls/test.csv",
        "invitees": 3,
        "answered": 1,
        "no_answer": ["bert", "carla"],
    }
    second = solution["meetings"]["sessie-2"]
    assert second["cannot_come"] == ["anna"] and second["no_answer"] == ["bert", "carla"]
    as_csv = cohort("schedule", folder, "--solve", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[1]["cannot_come"] == "Anna Peeters"
    assert rows[1]["solver_status"] == "optimal"
    assert rows[1]["objective"] == str(solution["objective"])


def test_the_dutch_table_holds_the_ministrys_dates_and_says_what_it_does_not_know(write):
    from cohort.planning import holidays

    def spring(region: str, year: int) -> list[dt.date]:
        found = holidays.school_holidays(region, dt.date(year, 2, 1), dt.date(year, 3, 31)).days
        return [d for d, name in found.items() if name == "voorjaarsvakantie"]

    # the ministry's advice for zuid in 2025, not the carnival week some schools took
    assert (min(spring("NL-zuid", 2025)), max(spring("NL-zuid", 2025))) == (
        dt.date(2025, 2, 22),
        dt.date(2025, 3, 2),
    )
    summer = holidays.school_holidays("NL-noord", dt.date(2026, 7, 1), dt.date(2026, 8, 31))
    assert min(summer.days) == dt.date(2026, 7, 4) and max(summer.days) == dt.date(2026, 8, 16)
    autumn = holidays.school_holidays("NL-noord", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert sorted(autumn.days) == [dt.date(2026, 10, 10) + dt.timedelta(days=n) for n in range(9)]
    assert autumn.unknown == ()
    # 2027's spring holiday is not confirmed yet: its weeks are unknown, not free
    unsure = holidays.school_holidays("NL-midden", dt.date(2027, 1, 10), dt.date(2027, 3, 31))
    assert dt.date(2027, 2, 22) in unsure.unknown and not unsure.days
    text = edit(PLANNED, "school_holidays: BE-VLG", "school_holidays: NL-midden")
    text = edit(
        text, "from: 2026-01-05\n  until: 2026-06-30", "from: 2027-01-11\n  until: 2027-06-30"
    )
    checked = cohort("validate", write(text))
    assert (
        f"{at(text, 'NL-midden')}: warning: cohort knows no school holidays of NL-midden from "
        "2027-02-06 to 2027-03-07 and from 2027-04-24 to 2027-05-09"
    ) in checked.stderr
