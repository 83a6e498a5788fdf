"""`cohort schedule --solve`: the facilitator leaves dates and venues open, writes the rules and
wishes, and cohort proposes the schedule, or says which of their rules cannot hold together."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import holidays
import pytest
import yaml
from conftest import at, cohort, edit


@pytest.fixture(autouse=True)
def before_the_year(monkeypatch):
    """The planning examples are of 2026: plan them as of December 2025."""
    monkeypatch.setenv("COHORT_TODAY", "2025-12-01")


#: Six meetings in the first half of 2026, three host organisations, three participants.
PLANNED = """\
id: leernetwerk
title: Leernetwerk 2026
language: nl
timezone: Europe/Brussels
country: BE
organiser: {name: Leerhuis, email: leerhuis@example.org}
planning:
  from: 2026-01-05
  until: 2026-06-30
  weekdays: [tuesday, thursday]
  start: "19:00"
  end: "21:00"
  spacing: {min: 14, max: 42}
  avoid:
    school_holidays: BE-VLG
  hosting:
    fair: true
    no_repeat: true
organisations:
  a: {name: Huis A}
  b: {name: Huis B}
  c: {name: Huis C}
participants:
  anna: {name: Anna Peeters, email: anna@example.org, organisation: a}
  bert: {name: Bert Claes, email: bert@example.org, organisation: b}
  carla: {name: Carla Smet, email: carla@example.org, organisation: c}
venues:
  zaal-a: {name: Zaal A, address: Straat 1, city: Gent, host: a, capacity: 20}
  zaal-b: {name: Zaal B, address: Straat 2, city: Gent, host: b, capacity: 20}
  zaal-c: {name: Zaal C, address: Straat 3, city: Gent, host: c, capacity: 20}
meetings:
  sessie-1: {title: Sessie 1}
  sessie-2: {title: Sessie 2}
  sessie-3: {title: Sessie 3}
  sessie-4: {title: Sessie 4}
  sessie-5: {title: Sessie 5}
  sessie-6: {title: Sessie 6}
"""


def answers_file(answers: dict[str, dict[str, str]]) -> str:
    """planning/answers.yaml as `poll import` writes it."""
    options = sorted({o for theirs in answers.values() for o in theirs})
    return "# Written by cohort poll import: test\n" + yaml.safe_dump(
        {"source": "polls/test.csv", "tool": "newdle", "options": options, "answers": answers}
    )


def with_answers(folder, text: str):
    """The programme folder with planning/answers.yaml holding `text`."""
    (folder / "planning").mkdir(exist_ok=True)
    (folder / "planning" / "answers.yaml").write_text(text, encoding="utf-8")
    return folder


def solved(folder) -> dict[str, dict[str, str]]:
    """Solve with --write and read back what was chosen: id -> {date, venue}."""
    result = cohort("schedule", folder, "--solve", "--write")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((folder / "planning" / "solution.yaml").read_text(encoding="utf-8"))
    return {mid: {k: str(v) for k, v in m.items()} for mid, m in data["meetings"].items()}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _everyone_yes_on(days: list[dt.date], maybe_elsewhere: list[dt.date]) -> str:
    answers = {
        pid: {
            **{d.isoformat(): "yes" for d in days},
            **{d.isoformat(): "if-need-be" for d in maybe_elsewhere},
        }
        for pid in ("anna", "bert", "carla")
    }
    return answers_file(answers)


def _tuesdays_and_thursdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() in (1, 3)]


def test_meetings_never_land_in_the_flemish_school_holidays(write):
    flemish = holidays.country_holidays("BE", subdiv="Flemish", years=2026, categories=("school",))
    candidates = _tuesdays_and_thursdays(day("2026-01-05"), day("2026-06-30"))
    tempting = [d for d in candidates if d in flemish]
    assert any(dt.date(2026, 2, 16) <= d <= dt.date(2026, 2, 22) for d in tempting)
    others = [d for d in candidates if d not in flemish]
    # everyone prefers the holidays: without the rule the solver goes there
    loose = with_answers(
        write(edit(PLANNED, "    school_holidays: BE-VLG\n", "    dates: []\n")),
        _everyone_yes_on(tempting, others),
    )
    assert any(day(m["date"]) in flemish for m in solved(loose).values())
    folder = with_answers(write(PLANNED), _everyone_yes_on(tempting, others))
    chosen = solved(folder)
    assert len(chosen) == 6
    assert not [m["date"] for m in chosen.values() if day(m["date"]) in flemish]


def test_meetings_never_land_in_the_dutch_regional_school_holiday_asked_for(write):
    zuid_spring = [dt.date(2026, 2, 14) + dt.timedelta(days=n) for n in range(9)]
    may = [dt.date(2026, 4, 25) + dt.timedelta(days=n) for n in range(9)]
    text = edit(PLANNED, "school_holidays: BE-VLG", "school_holidays: NL-zuid")
    text = edit(
        text, "timezone: Europe/Brussels\ncountry: BE", "timezone: Europe/Amsterdam\ncountry: NL"
    )
    candidates = _tuesdays_and_thursdays(day("2026-01-05"), day("2026-06-30"))
    holiday = [d for d in candidates if d in zuid_spring or d in may]
    folder = with_answers(write(text), _everyone_yes_on(holiday, []))
    chosen = [day(m["date"]) for m in solved(folder).values()]
    assert not set(chosen) & (set(zuid_spring) | set(may))


def test_three_hosts_six_meetings_two_each_never_twice_in_a_row(write):
    folder = write(edit(PLANNED, "spacing: {min: 14, max: 42}", "spacing: {min: 7}"))
    chosen = solved(folder)
    order = sorted(chosen, key=lambda mid: chosen[mid]["date"])
    hosts = [chosen[mid]["venue"][-1] for mid in order]
    assert sorted(hosts) == ["a", "a", "b", "b", "c", "c"]
    assert all(first != second for first, second in zip(hosts, hosts[1:], strict=False))
    assert order == [f"sessie-{n}" for n in range(1, 7)]


def test_a_venue_smaller_than_the_invitees_is_never_chosen(write):
    text = edit(PLANNED, "capacity: 20}\n  zaal-b", "capacity: 2}\n  zaal-b")
    text = edit(
        text,
        "  zaal-c: {name: Zaal C, address: Straat 3, city: Gent, host: c, capacity: 20}",
        "  zaal-c: {name: Zaal C, address: Straat 3, city: Gent, host: c, capacity: 1}",
    )
    text = edit(text, "    fair: true\n    no_repeat: true\n", "    no_repeat: false\n")
    folder = write(text)
    venues = {m["venue"] for m in solved(folder).values()}
    assert venues == {"zaal-b"}


def test_a_poll_no_is_honoured_where_an_alternative_exists(write):
    candidates = _tuesdays_and_thursdays(day("2026-01-05"), day("2026-06-30"))
    # Bert cannot come on any Tuesday; everyone else answers yes everywhere
    answers = {
        "anna": {d.isoformat(): "yes" for d in candidates},
        "carla": {d.isoformat(): "yes" for d in candidates},
        "bert": {d.isoformat(): ("no" if d.weekday() == 1 else "yes") for d in candidates},
    }
    folder = with_answers(write(PLANNED), answers_file(answers))
    # 160 columns, as in a file: the dates in full (pytest-xdist sets COLUMNS=80)
    result = cohort("schedule", folder, "--solve", env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Bert Claes" not in result.stdout
    table = result.stdout.split("Who cannot come")[0]
    assert "donderdag" in table and "dinsdag" not in table, table
    assert "0 answers 'no' x 100 = 0" in result.stdout
    assert "Proven optimal." in result.stdout


def test_the_conflicting_rules_are_named_exactly_as_written(write):
    text = edit(PLANNED, "until: 2026-06-30", "until: 2026-04-01")
    text = edit(text, "spacing: {min: 14, max: 42}", "spacing: {min: 28}")
    folder = write(text)
    result = cohort("schedule", folder, "--solve")
    assert result.exit_code == 1
    spacing = at(text, "min: 28", 0).rsplit(":", 1)[0]
    window = at(text, "from: 2026-01-05").rsplit(":", 1)[0]
    expected = (
        f"programme.yaml:{window.split(':')[1]}:9: error: the window 2026-01-05 to 2026-04-01 "
        f"({window}) and spacing at least 28 days ({spacing}) leave no room for 6 meetings "
        "(relax one of these rules)"
    )
    assert expected in result.stderr, result.stderr
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    # one rule fewer, and a schedule exists
    assert cohort("schedule", write(edit(text, "min: 28", "min: 14")), "--solve").exit_code == 0


def test_a_pinned_meeting_never_moves_and_the_yaml_is_never_rewritten(write):
    text = edit(
        PLANNED,
        "  sessie-3: {title: Sessie 3}",
        "  sessie-3: {title: Sessie 3, date: 2026-03-12, venue: zaal-c}",
    )
    folder = write(text)
    before = (folder / "programme.yaml").read_bytes()
    chosen = solved(folder)
    assert "sessie-3" not in chosen
    assert (folder / "programme.yaml").read_bytes() == before
    schedule = cohort("schedule", folder, "--format", "json")
    assert schedule.exit_code == 0, schedule.output
    dates = {m["id"]: m["date"] for m in __import__("json").loads(schedule.stdout)["meetings"]}
    assert dates["sessie-3"] == "2026-03-12"
    assert dates["sessie-2"] < "2026-03-12" < dates["sessie-4"]


def test_same_input_twice_gives_the_same_bytes(write, tmp_path):
    folder = write(PLANNED)
    first = cohort("schedule", folder, "--solve", "--write")
    written = (folder / "planning" / "solution.yaml").read_bytes()
    (folder / "planning" / "solution.yaml").unlink()
    second = cohort("schedule", folder, "--solve", "--write")
    assert first.stdout_bytes == second.stdout_bytes
    assert (folder / "planning" / "solution.yaml").read_bytes() == written


def test_every_command_reads_the_solution_and_refuses_without_one(write, tmp_path):
    folder = write(PLANNED)
    refused = cohort("calendar", folder, "-o", tmp_path / "cal")
    assert refused.exit_code == 1
    assert "meeting 'sessie-1' has no date yet" in refused.stderr
    assert "cohort schedule --solve --write" in refused.stderr
    checked = cohort("validate", folder)
    assert checked.exit_code == 0 and "has no date yet" in checked.stderr
    chosen = solved(folder)
    made = cohort("calendar", folder, "-o", tmp_path / "cal")
    assert made.exit_code == 0, made.output
    ics = (tmp_path / "cal" / "programme.ics").read_text(encoding="utf-8")
    first = chosen["sessie-1"]["date"].replace("-", "")
    assert f"DTSTART;TZID=Europe/Brussels:{first}T190000" in ics


def test_validate_warns_when_someone_available_no_longer_is(write):
    folder = write(PLANNED)
    chosen = solved(folder)
    first = chosen["sessie-1"]["date"]
    with_answers(folder, answers_file({"bert": {first: "no"}}))
    result = cohort("validate", folder)
    assert re.search(
        rf"solution.yaml:\d+:\d+: warning: Bert Claes can no longer come to 'sessie-1' on {first}",
        result.stderr,
    ), result.stderr


def test_validate_warns_when_a_changed_rule_no_longer_fits_the_solution(write):
    folder = write(PLANNED)
    chosen = solved(folder)
    first = chosen["sessie-1"]["date"]
    text = edit(
        PLANNED,
        "    school_holidays: BE-VLG\n",
        f"    school_holidays: BE-VLG\n    dates: [{first}]\n",
    )
    (folder / "programme.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    result = cohort("validate", folder)
    assert f"the solved date of 'sessie-1' ({first}) no longer fits: avoid {first}" in result.stderr


def test_the_planning_block_is_checked(write):
    text = edit(PLANNED, "  hosting:\n", "  order: [sessie-1, sesie-2]\n  hosting:\n")
    result = cohort("validate", write(text))
    assert result.exit_code == 1
    assert "unknown meeting 'sesie-2' (did you mean 'sessie-2'?)" in result.stderr
    bad = edit(PLANNED, "school_holidays: BE-VLG", "school_holidays: BE-XX")
    result = cohort("validate", write(bad))
    assert "'BE-XX' is not a school holiday region" in result.stderr


def test_solving_without_a_planning_block_is_a_usage_error(write):
    from conftest import SMALL

    result = cohort("schedule", write(SMALL), "--solve")
    assert result.exit_code == 2 and "no 'planning:' block" in result.stderr
