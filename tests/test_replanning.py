"""Solving again, later in the year: what took place or was published stays where it is, the
solution cohort keeps is read back as written (and only as written), and a file cohort did not
write is never replaced or followed out of the programme."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
import yaml
from conftest import cohort, edit
from test_planning import PLANNED, answers_file, before_the_year, solved, with_answers  # noqa: F401


def _solution(folder) -> dict:
    return yaml.safe_load((folder / "planning" / "solution.yaml").read_text(encoding="utf-8"))


def _everyone_no_on(days: list[str]) -> str:
    """Everyone answers no on `days` and yes on every other Tuesday and Thursday of H1 2026."""
    first = dt.date(2026, 1, 5)
    candidates = [first + dt.timedelta(days=n) for n in range(177)]
    options = [d.isoformat() for d in candidates if d.weekday() in (1, 3)]
    return answers_file(
        {
            pid: {d: ("no" if d in days else "yes") for d in options}
            for pid in ("anna", "bert", "carla")
        }
    )


def test_a_meeting_that_took_place_never_moves_and_none_goes_before_today(write):
    folder = write(PLANNED)
    first = solved(folder)
    held = {mid: first[mid]["date"] for mid in ("sessie-1", "sessie-2")}
    # afterwards, everyone says they could not have come on those days
    with_answers(folder, _everyone_no_on(list(held.values())))
    today = (dt.date.fromisoformat(held["sessie-2"]) + dt.timedelta(days=1)).isoformat()
    result = cohort("schedule", folder, "--solve", "--write", "--today", today)
    assert result.exit_code == 0, result.output
    again = _solution(folder)["meetings"]
    assert {mid: str(again[mid]["date"]) for mid in held} == held
    assert f"sessie-1 ({held['sessie-1']}): 3 of 3 invitees answered; cannot come: " in (
        result.stdout
    )
    assert "kept: it took place" in result.stdout
    later = [str(again[f"sessie-{n}"]["date"]) for n in range(3, 7)]
    assert all(d >= today for d in later), later


def test_a_published_meeting_stays_unless_the_facilitator_moves_it(write, tmp_path):
    folder = write(PLANNED)
    first = solved(folder)
    made = cohort("calendar", folder, "-o", tmp_path / "cal")
    assert made.exit_code == 0, made.output
    assert "sessie-4" in json.loads((folder / "published.json").read_text())["meetings"]
    fourth = first["sessie-4"]["date"]
    with_answers(folder, _everyone_no_on([fourth]))
    kept = cohort("schedule", folder, "--solve")
    assert kept.exit_code == 0, kept.output
    assert f"sessie-4 ({fourth}): 3 of 3 invitees answered; cannot come: Anna Peeters" in (
        kept.stdout
    )
    assert "kept: it was published" in kept.stdout
    moved = cohort("schedule", folder, "--solve", "--write", "--move", "sessie-4")
    assert moved.exit_code == 0, moved.output
    assert str(_solution(folder)["meetings"]["sessie-4"]["date"]) != fourth
    unknown = cohort("schedule", folder, "--solve", "--move", "sesie-4")
    assert unknown.exit_code == 2 and "did you mean 'sessie-4'?" in unknown.stderr


def test_a_venue_chosen_for_a_pinned_date_is_used_and_validate_stays_quiet(write):
    # a Wednesday: not a planning weekday, but the facilitator's own date
    text = edit(
        PLANNED, "  sessie-3: {title: Sessie 3}", "  sessie-3: {title: Sessie 3, date: 2026-03-11}"
    )
    folder = write(text)
    chosen = solved(folder)
    assert "date" not in chosen["sessie-3"] and chosen["sessie-3"]["venue"].startswith("zaal-")
    schedule = cohort("schedule", folder, "--format", "json")
    assert schedule.exit_code == 0, schedule.output
    venues = {m["id"]: m["venue"] for m in json.loads(schedule.stdout)["meetings"]}
    assert venues["sessie-3"] == chosen["sessie-3"]["venue"]
    checked = cohort("validate", folder)
    assert checked.exit_code == 0, checked.output
    assert "no longer fits" not in checked.stderr and "solution" not in checked.stderr


def test_a_solution_written_by_hand_is_read_but_never_overwritten(write):
    by_hand = "status: mine\nmeetings:\n  sessie-1: {date: 2026-01-08}\n"
    folder = write(PLANNED)
    (folder / "planning").mkdir()
    (folder / "planning" / "solution.yaml").write_text(by_hand, encoding="utf-8")
    result = cohort("schedule", folder, "--solve", "--write")
    assert result.exit_code == 1
    assert "solution.yaml' was not written by cohort" in result.stderr
    assert (folder / "planning" / "solution.yaml").read_text(encoding="utf-8") == by_hand


def test_a_solved_date_for_a_meeting_the_yaml_pins_is_named_not_used(write):
    folder = write(PLANNED)
    solved(folder)
    path = folder / "planning" / "solution.yaml"
    text = path.read_text(encoding="utf-8")
    first = str(_solution(folder)["meetings"]["sessie-1"]["date"])
    pinned = edit(
        PLANNED, "  sessie-1: {title: Sessie 1}", "  sessie-1: {title: Sessie 1, date: 2026-01-06}"
    )
    (folder / "programme.yaml").write_text(pinned, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
    checked = cohort("validate", folder)
    assert (
        f"warning: the solved schedule gives 'sessie-1' the date {first}, but programme.yaml "
        "gives it 2026-01-06; the solved date is not used"
    ) in checked.stderr
    schedule = cohort("schedule", folder, "--format", "json")
    dates = {m["id"]: m["date"] for m in json.loads(schedule.stdout)["meetings"]}
    assert dates["sessie-1"] == "2026-01-06"


def test_a_chosen_venue_grown_too_small_is_named_by_its_capacity(write):
    folder = write(PLANNED)
    venue = solved(folder)["sessie-1"]["venue"]
    host = venue.removeprefix("zaal-")
    text = edit(PLANNED, f"host: {host}, capacity: 20}}", f"host: {host}, capacity: 2}}")
    (folder / "programme.yaml").write_text(text, encoding="utf-8")
    checked = cohort("validate", folder)
    assert (
        f"the solved venue of 'sessie-1' ({venue}) no longer fits: Zaal {venue[-1].upper()} holds 2"
    ) in checked.stderr
    assert "3 are invited" in checked.stderr
    assert "is not a venue it may go to" not in checked.stderr


@pytest.mark.parametrize("name", ["solution.yaml", "answers.yaml"])
def test_a_record_that_is_a_pipe_a_folder_or_a_link_out_is_refused(write, tmp_path, name):
    folder = write(PLANNED)
    record = folder / "planning" / name
    record.parent.mkdir()
    os.mkfifo(record)
    piped = cohort("validate", folder)
    assert piped.exit_code == 1 and "not a plain file" in piped.stderr, piped.output
    record.unlink()
    record.mkdir()
    folded = cohort("schedule", folder, "--solve")
    assert folded.exit_code == 1 and "this is a folder" in folded.stderr, folded.output
    record.rmdir()
    secret = tmp_path / "elsewhere.yaml"
    secret.write_text("status: the secret of someone else\n", encoding="utf-8")
    record.symlink_to(secret)
    linked = cohort("validate", folder)
    assert linked.exit_code == 1
    assert "leads outside the programme folder" in linked.stderr
    assert "secret of someone else" not in linked.output


def test_importing_a_poll_over_an_answers_folder_or_from_a_folder_is_an_error(write):
    folder = write(PLANNED)
    (folder / "polls" / "export.csv").mkdir(parents=True)
    result = cohort("poll", "import", folder / "polls" / "export.csv")
    assert result.exit_code == 1 and "this is a folder" in result.stderr, result.output
    (folder / "planning" / "answers.yaml").mkdir(parents=True)
    poll = folder / "polls" / "poll.csv"
    poll.write_text("Participant name,2026-03-05T19:00\nAnna Peeters,available\n", encoding="utf-8")
    result = cohort("poll", "import", poll)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert (folder / "planning" / "answers.yaml").is_dir()
