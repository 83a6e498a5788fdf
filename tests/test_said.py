"""What a command says is decided below the CLI, by the command's own module: the functions
called directly, as a script or another tool would call them, say the same as the command on
the same streams, with the same exit code (the CLI only prints it)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import SMALL, cohort, edit
from servers import Mailbox, smtp_server
from test_groups import TODAY, trajectory
from test_invite import NOW
from test_planning import PLANNED
from test_send import outbox_of

from cohort.errors import CohortError, UsageError
from cohort.said import Said

DAY = TODAY[1]


def test_what_is_said_keeps_its_order_and_its_bytes():
    said = Said().err("warning: one").text(b"\xef\xbb\xbfid\r\n").out(["", "two"]).err("three")
    assert [stream for stream, _ in said.pieces] == ["err", "out", "out", "out", "err"]
    assert said.stdout == "\ufeffid\r\n\ntwo\n"
    assert said.stderr == "warning: one\nthree\n"
    assert said.exit_code == 0


# -- schedule --solve ----------------------------------------------------------------------------


@pytest.fixture
def planned(write, monkeypatch):
    monkeypatch.setenv("COHORT_TODAY", "2025-12-01")
    return write(PLANNED)


def _propose(folder, format, **options):
    import datetime as dt

    from cohort.documents.proposal import propose

    return propose(folder, dt.date(2025, 12, 1), 10.0, [], format, **options)


def test_the_proposal_for_people_says_the_solution_under_the_schedule(planned):
    said = _propose(planned, "markdown")
    assert said.stdout.index("sessie-6") < said.stdout.index("\nObjective: ")
    assert "Proven optimal." in said.stdout or "Stopped at the time limit" in said.stdout
    assert "Objective" not in said.stderr
    assert said.stdout == cohort("schedule", planned, "--solve", "-f", "markdown").stdout
    assert not (planned / "planning" / "solution.yaml").exists()


def test_the_proposal_for_machines_holds_the_document_alone(planned):
    as_json = _propose(planned, "json")
    document = json.loads(as_json.stdout)
    assert document["solution"]["status"] in ("optimal", "feasible")
    assert set(document["solution"]["meetings"]) == {f"sessie-{n}" for n in range(1, 7)}
    assert "Objective: " in as_json.stderr
    as_csv = _propose(planned, "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout.removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == [f"sessie-{n}" for n in range(1, 7)]
    assert {row["solver_status"] for row in rows} == {document["solution"]["status"]}
    assert "Objective: " in as_csv.stderr


def test_the_proposal_is_stored_when_asked(planned):
    stored = planned / "planning" / "solution.yaml"
    first = _propose(planned, "table", write=True)
    assert first.stderr.endswith(f"wrote {stored}\n")
    again = _propose(planned, "table", write=True)
    assert again.stderr.endswith(f"unchanged {stored}\n")


# -- attendance ----------------------------------------------------------------------------------


def test_recording_attendance_excuses_who_declined_in_time(write, tmp_path):
    import datetime as dt

    from cohort.documents.printing import write_sheet
    from cohort.planning.attendance import record
    from cohort.records.workspace import load_checked

    folder = write(SMALL + "replies:\n  declined: excused\n")
    assert cohort("replies", "set", folder, "declined", "--meeting", "eerste",
                  "--participant", "bert", env={"COHORT_NOW": "2030-01-10T08:00:00Z"}
                  ).exit_code == 0  # fmt: skip
    checked = load_checked(folder, dt.date(2030, 2, 6))
    meeting = checked.programme.meetings["eerste"]
    written = write_sheet(folder, checked.programme, meeting, tmp_path / "sheets")
    sheet = (tmp_path / "sheets" / "eerste-sheet.csv").read_text(encoding="utf-8-sig")
    assert written.invitees == 2
    assert "bert,Bert Claes,Leerhuis,deelnemer,,,Afgemeld" in sheet
    recorded = record(folder, checked.programme, meeting, present=["anna"], excused=[],
                      absent=[], visitors=[], sheet=None, today=dt.date(2030, 2, 6))  # fmt: skip
    assert (recorded.record.attended, recorded.record.excused) == (("anna",), ("bert",))
    with pytest.raises(UsageError, match="say who came"):
        record(folder, checked.programme, meeting, present=[], excused=[], absent=[],
               visitors=[], sheet=None)  # fmt: skip


# -- groups --------------------------------------------------------------------------------------


def _grouped(folder, **options):
    import datetime as dt

    from cohort.planning import fit, group_checks
    from cohort.planning.rounds import said
    from cohort.records.workspace import load_checked

    today = dt.date.fromisoformat(DAY)
    checked = load_checked(folder, today, checks=(fit.check, group_checks.check), keep_loaded=True)
    return said(checked, today=today, **options)


def test_groups_say_the_warnings_but_of_the_file_just_formed_anew(write):
    folder = write(trajectory(rounds=2))
    assert _grouped(folder, write=True).stderr == ""
    cohort("attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p3-1", *TODAY)
    kept = _grouped(folder)  # the groups file stands: its warning is said
    assert "p3-1" in kept.stderr and "ronde-2 (2030-02-12): 23 people" not in kept.stdout
    anew = _grouped(folder, meeting="ronde-2", force=True, write=True)
    assert anew.exit_code == 0
    assert "p3-1" not in anew.stderr
    assert "ronde-2 (2030-02-12): 23 people, 6 groups, formed now" in anew.stdout
    assert f"wrote {folder / 'groups' / 'ronde-2.yaml'}" in anew.stdout


def test_groups_that_cannot_be_formed_are_said_after_the_warnings(write):
    rules = "groups:\n  roles: [participant]"
    nobody = "  zonder: {name: Zonder Adres, organisation: org0}"
    folder = write(trajectory(rounds=1, rules=rules, extra_people=nobody))
    with pytest.raises(CohortError) as raised:
        _grouped(folder)
    lines = raised.value.lines()
    assert "warning: participant 'zonder' has no e-mail address" in lines[0]
    assert any("error: in 'ronde-1', role participant has" in line for line in lines)
    assert not any("warning: in 'ronde-1'" in line for line in lines)  # said once, as the error
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[: len(lines)] == lines


# -- send ----------------------------------------------------------------------------------------


@pytest.fixture
def outbox(write, tmp_path, monkeypatch):
    for name, value in NOW.items():
        monkeypatch.setenv(name, value)
    return outbox_of(write, tmp_path)


@pytest.mark.parametrize(
    "options",
    [
        {"repair": True, "settled": ["m1.eml"]},
        {"repair": True, "delivered": True},
        {"settled": ["m1.eml"]},
        {"delivered": False},
        {"confirm": True},
    ],
)
def test_send_refuses_options_that_do_not_go_together(outbox, options):
    from cohort.delivery.sending import run

    with pytest.raises(UsageError):
        run(outbox, None, **options)


def test_send_without_confirm_is_a_dry_run(outbox):
    from cohort.delivery.sending import run

    said = run(outbox, "smtp://127.0.0.1:2525")
    assert said.exit_code == 0
    assert said.stdout.splitlines()[-1].startswith("dry run: 36 message(s) would go from")
    assert "add --confirm to send them through" in said.stdout


def test_send_counts_its_steps_for_the_bar_and_says_the_outcome(outbox):
    from contextlib import contextmanager

    from cohort.delivery.sending import run

    steps: list[int] = []

    @contextmanager
    def bar(total):
        steps.append(total)
        yield lambda: steps.append(1)

    with smtp_server(Mailbox()) as url:
        said = run(outbox, url, confirm=True, limit=5, progress=bar)
    assert steps == [5, 1, 1, 1, 1, 1]
    assert said.exit_code == 0
    assert said.stdout == "sent 5, deferred 0, uncertain 0, refused 0, failed 0, held back 31\n"


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ({}, 0),
        ({"deferred": [("m.eml", "451 try later")]}, 1),
        ({"stopped": "the server is away"}, 1),
        ({"interrupted": 2}, 130),
        ({"interrupted": 15, "deferred": [("m.eml", "451 try later")]}, 143),
    ],
)
def test_the_outcome_of_a_run_gives_its_exit_code(outcome, code):
    from cohort.delivery.outcome import Outcome

    said = Outcome(**outcome).said()
    assert said.exit_code == code
    assert said.stdout.startswith("sent 0, ")
    assert ("stopped: the server is away" in said.stderr) == ("stopped" in outcome)


# -- validate ----------------------------------------------------------------------------------


def _validation(folder, day=DAY):
    import datetime as dt

    from cohort.planning import fit, group_checks
    from cohort.records.workspace import validate

    return validate(folder, dt.date.fromisoformat(day), checks=(fit.check, group_checks.check))


def test_validate_says_a_fine_programme_on_stdout_and_problems_on_stderr(write):
    fine = _validation(write()).said()
    assert fine.exit_code == 0
    assert fine.stdout.endswith('ok: "Kleine leergroep", 2 meetings, 2 participants (0 errors, '
                                "0 warnings)\n")  # fmt: skip
    assert fine.stderr == ""
    wrong = _validation(write(edit(SMALL, "venue: zaal\n    date: 2030-02-05", "venue: zal\n"
                                   "    date: 2030-02-05"))).said()  # fmt: skip
    assert wrong.exit_code == 1
    assert wrong.stdout == ""
    assert "error: unknown venue 'zal'" in wrong.stderr
    assert wrong.stderr.endswith("1 error, 0 warnings\n")


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_validate_says_a_folder_that_is_none_in_json_too(tmp_path, kind):
    folder = tmp_path / "programme"
    if kind == "file":
        folder.write_text("not a folder\n")
    validation = _validation(folder)
    for said in (validation.said(json=True), cohort("validate", folder, "--format", "json")):
        assert said.exit_code == 2
        assert said.stderr == ""
        document = json.loads(said.stdout)
        assert (document["ok"], document["errors"], document["warnings"]) == (False, 1, 0)
        (problem,) = document["diagnostics"]
        assert problem["file"] == str(folder)
        assert (problem["severity"], problem["code"]) == ("error", "not-a-folder")
        assert str(folder) in problem["message"]
    # for people, as before: one line on standard error, the same exit code
    text = cohort("validate", folder)
    assert (text.exit_code, text.stdout) == (2, "")
    assert text.stderr in (
        f"error: there is no folder '{folder}'\n",
        f"error: '{folder}' is a file; give the programme's folder\n",
    )
    assert validation.said().stderr == text.stderr


def test_validate_json_has_the_same_shape_for_every_outcome(write, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    outcomes = [
        cohort("validate", write(), "--format", "json", *TODAY),
        cohort("validate", empty, "--format", "json"),
        cohort("validate", tmp_path / "nowhere", "--format", "json"),
    ]
    assert [r.exit_code for r in outcomes] == [0, 1, 2]
    for result in outcomes:
        assert set(json.loads(result.stdout)) == {"ok", "errors", "warnings", "diagnostics"}


# -- registrations status --------------------------------------------------------------------------


def test_registration_lists_render_for_people_or_for_a_script():
    import datetime as dt

    from cohort.documents.registration_status import render
    from cohort.planning.registering import Lists

    empty = Lists(lists=[], zone=dt.UTC)
    assert render(empty).startswith("no registrations yet")
    assert json.loads(render(empty, as_json=True)) == {"at": None, "lists": []}
