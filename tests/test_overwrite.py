"""No command ever writes over a file the facilitator wrote (issue 11, section 2).

Every command that writes is tried against what a facilitator really has lying around: the
programme itself named as an output, a sheet filled in and saved under the name cohort gave it,
a file of their own in an output folder, a link inside one, a record they wrote by hand. Without
--force nothing of theirs is replaced; --force never reaches the programme's own YAML.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SMALL, cohort

TODAY = ("--today", "2030-01-01")


def test_schema_never_writes_over_the_programme_not_even_with_force(write):
    folder = write()
    programme = folder / "programme.yaml"
    before = programme.read_bytes()
    for force in ((), ("--force",)):
        result = cohort("schema", "-o", programme, *force)
        assert result.exit_code == 2, result
        assert "YAML files are the programme's own" in result.stderr
        assert programme.read_bytes() == before
    assert cohort("validate", folder, *TODAY).exit_code == 0


def test_schema_replaces_its_own_schema_but_a_users_file_only_with_force(tmp_path):
    assert cohort("init", tmp_path / "p").exit_code == 0
    schema = tmp_path / "p" / "programme.schema.json"
    older = json.loads(schema.read_text())
    older["title"] = "an older cohort's schema"
    schema.write_text(json.dumps(older))
    result = cohort("schema", "-o", schema)
    assert result.exit_code == 0, result
    assert json.loads(schema.read_text())["title"] == "cohort programme"
    assert "is up to date" in cohort("schema", "-o", schema).stderr

    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": true}')
    refused = cohort("schema", "-o", notes)
    assert refused.exit_code == 2
    assert "already exists and cohort did not write it" in refused.stderr
    assert "--force" in refused.stderr
    assert notes.read_text() == '{"mine": true}'
    assert cohort("schema", "-o", notes, "--force").exit_code == 0
    assert json.loads(notes.read_text())["title"] == "cohort programme"


def test_schema_refuses_a_pipe_at_once(tmp_path):
    pipe = tmp_path / "schema.json"
    os.mkfifo(pipe)
    result = cohort("schema", "-o", pipe)
    assert result.exit_code == 2
    assert "already exists and cohort did not write it" in result.stderr


# Each command that writes an output folder, and one file it writes there.
OUTPUTS = [
    (("calendar",), "programme.ics"),
    (("agenda",), "eerste.pdf"),
    (("attendance", "sheet", "--meeting", "eerste"), "eerste-sheet.csv"),
    (("report", "--format", "html"), "report.html"),
    (("build",), "index.html"),
]


def run(command, folder, out, *more):
    name, *rest = command
    if name == "attendance":
        return cohort("attendance", rest[0], folder, *rest[1:], "-o", out, *more, *TODAY)
    return cohort(name, folder, *rest, "-o", out, *more, *TODAY)


@pytest.mark.parametrize(("command", "name"), OUTPUTS, ids=[c[0][0] for c in OUTPUTS])
def test_a_file_changed_since_cohort_wrote_it_is_kept_without_force(write, tmp_path, command, name):
    """The facilitator fills in the sheet (or edits the page) and saves it under the same
    name; running the command again must not wipe their work."""
    folder, out = write(), tmp_path / "out"
    assert run(command, folder, out).exit_code == 0
    (out / name).write_bytes(b"filled in by hand")
    again = run(command, folder, out)
    assert again.exit_code == 2, again
    assert f"'{out / name}' is not as cohort wrote it" in again.stderr
    assert (out / name).read_bytes() == b"filled in by hand"
    forced = run(command, folder, out, "--force")
    assert forced.exit_code == 0, forced
    assert (out / name).read_bytes() != b"filled in by hand"
    assert run(command, folder, out).exit_code == 0  # and it is cohort's own again


@pytest.mark.parametrize(("command", "name"), OUTPUTS, ids=[c[0][0] for c in OUTPUTS])
def test_a_folder_of_the_users_is_refused_and_force_leaves_their_files(
    write, tmp_path, command, name
):
    folder, mine = write(), tmp_path / "documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    (mine / name).write_bytes(b"my own file of that name")
    refused = run(command, folder, mine)
    assert refused.exit_code == 2
    assert "already holds files that cohort did not write" in refused.stderr
    assert run(command, folder, folder, "--force").exit_code == 2  # never the programme folder
    assert run(command, folder, mine, "--force").exit_code == 0
    assert (mine / "notes.txt").read_text() == "mine"
    assert (mine / name).read_bytes() != b"my own file of that name"


def test_a_build_removes_its_stale_files_but_never_one_of_the_users(seed, tmp_path):
    folder, out = seed("twente-cop-2024"), tmp_path / "site"
    assert cohort("build", folder, "-o", out).exit_code == 0
    (out / "agendas" / "my-notes.pdf").write_bytes(b"%PDF mine")
    (out / "calendar" / "meetings" / "extra.ics").write_text("mine")
    stale = out / "agendas" / "bijeenkomst-3.pdf"
    text = (folder / "programme.yaml").read_text(encoding="utf-8")
    start = text.index("  bijeenkomst-3:")
    (folder / "programme.yaml").write_text(text[:start], encoding="utf-8")
    result = cohort("build", folder, "-o", out)
    assert result.exit_code == 0, result
    assert not stale.exists()
    assert (out / "agendas" / "my-notes.pdf").read_bytes() == b"%PDF mine"
    assert (out / "calendar" / "meetings" / "extra.ics").read_text() == "mine"


def test_a_stale_file_the_user_changed_is_left_alone(seed, tmp_path):
    folder, out = seed("twente-cop-2024"), tmp_path / "site"
    assert cohort("build", folder, "-o", out).exit_code == 0
    kept = out / "agendas" / "bijeenkomst-3.html"
    kept.write_text("my annotated agenda")
    text = (folder / "programme.yaml").read_text(encoding="utf-8")
    (folder / "programme.yaml").write_text(text[: text.index("  bijeenkomst-3:")])
    assert cohort("build", folder, "-o", out).exit_code == 0
    assert kept.read_text() == "my annotated agenda"


def test_a_link_inside_an_output_folder_is_not_followed(write, tmp_path):
    folder, out, elsewhere = write(), tmp_path / "site", tmp_path / "elsewhere"
    assert cohort("build", folder, "-o", out, *TODAY).exit_code == 0
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("precious")
    for path in (out / "agendas").iterdir():
        path.unlink()
    (out / "agendas").rmdir()
    (out / "agendas").symlink_to(elsewhere, target_is_directory=True)
    result = cohort("build", folder, "-o", out, *TODAY, "--force")
    assert result.exit_code == 2
    assert "is a link; cohort writes only into folders of its own" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]


def test_a_file_that_is_a_link_is_not_written_through(write, tmp_path):
    folder, out = write(), tmp_path / "cal"
    target = tmp_path / "precious.ics"
    target.write_text("precious")
    assert cohort("calendar", folder, "-o", out, *TODAY).exit_code == 0
    (out / "programme.ics").unlink()
    (out / "programme.ics").symlink_to(target)
    result = cohort("calendar", folder, "-o", out, *TODAY)
    assert result.exit_code == 2
    assert target.read_text() == "precious"


def test_a_folder_written_by_an_earlier_cohort_is_still_cohorts(write, tmp_path):
    folder, out = write(), tmp_path / "cal"
    out.mkdir()
    (out / ".cohort-output").write_text(
        "This folder is written by cohort; its files are replaced on every run.\n"
    )
    (out / "programme.ics").write_text("an earlier cohort's feed")
    result = cohort("calendar", folder, "-o", out, *TODAY)
    assert result.exit_code == 0, result
    assert (out / "programme.ics").read_text().startswith("BEGIN:VCALENDAR")
    assert "  programme.ics\n" in (out / ".cohort-output").read_text()


def record(folder, *args):
    return cohort("attendance", "record", folder, "--meeting", "eerste", *args, *TODAY)


@pytest.mark.parametrize(
    "hand",
    [
        "meeting: tweede\nattended: [anna]\n",  # another meeting's record, by hand
        "# my notes\nmeeting: eerste\nattended: [anna]\n",
        "this is not even YAML: [\n",
    ],
)
def test_a_record_the_facilitator_wrote_is_never_replaced_not_even_with_force(write, hand):
    folder = write(SMALL, **{"attendance/eerste.yaml": hand})
    for force in ((), ("--force",)):
        result = record(folder, "--present", "bert", *force)
        assert result.exit_code == 1, result
        assert (folder / "attendance" / "eerste.yaml").read_text() == hand


def test_a_meeting_recorded_in_another_file_is_not_recorded_twice(write):
    hand = "meeting: eerste\nattended: [anna]\n"
    folder = write(SMALL, **{"attendance/eerste-by-hand.yaml": hand})
    result = record(folder, "--present", "bert")
    assert result.exit_code == 1
    assert "the attendance of 'eerste' is already in" in result.stderr
    assert not (folder / "attendance" / "eerste.yaml").exists()


def test_a_record_that_is_a_link_or_a_pipe_is_refused(write, tmp_path):
    folder = write()
    (folder / "attendance").mkdir()
    os.mkfifo(folder / "attendance" / "eerste.yaml")
    piped = record(folder, "--present", "anna")
    assert piped.exit_code == 1
    assert "not a plain file" in piped.stderr
    (folder / "attendance" / "eerste.yaml").unlink()
    outside = tmp_path / "outside.yaml"
    outside.write_text("# Written by cohort attendance record: x\nmeeting: eerste\n")
    (folder / "attendance" / "eerste.yaml").symlink_to(outside)
    linked = record(folder, "--present", "anna")
    assert linked.exit_code == 1
    assert "leads outside the programme folder" in linked.stderr
    assert outside.read_text() == "# Written by cohort attendance record: x\nmeeting: eerste\n"


def test_records_are_not_written_through_a_linked_folder(write, tmp_path):
    folder, elsewhere = write(), tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "attendance").symlink_to(elsewhere, target_is_directory=True)
    result = record(folder, "--present", "anna")
    assert result.exit_code == 1
    assert "leads outside the programme folder" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_an_outbox_is_a_folder_of_cohorts_too(write, tmp_path):
    folder, mine = write(), tmp_path / "documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    refused = cohort("invite", folder, "-o", mine, *TODAY)
    assert refused.exit_code == 2
    assert "already holds files that cohort did not write" in refused.stderr
    forced = cohort("invite", folder, "-o", mine, "--force", *TODAY)
    assert forced.exit_code == 0, forced
    assert (mine / "notes.txt").read_text() == "mine"
    assert len(list(mine.glob("*.eml"))) == 4


# --force never reaches a programme folder's own files and records (issue 11, f07)


def test_build_never_writes_into_a_folder_that_holds_the_programme(tmp_path, seed):
    outer = tmp_path / "outer"
    outer.mkdir()
    programme = seed("twente-cop-2024").rename(outer / "calendar")
    (programme / "programme.ics").write_text("my own notes")
    result = cohort("build", programme, "-o", outer, "--force", *TODAY)
    assert result.exit_code == 2, result
    assert "contains the programme folder" in result.stderr
    assert (programme / "programme.ics").read_text() == "my own notes"
    assert not (outer / "index.html").exists()


def test_an_output_folder_holding_another_programme_is_refused_even_with_force(tmp_path, write):
    folder = write()
    other = tmp_path / "out" / "site" / "other"
    other.mkdir(parents=True)
    (other / "programme.yaml").write_text("id: other\n")
    result = cohort("build", folder, "-o", tmp_path / "out", "--force", *TODAY)
    assert result.exit_code == 2, result
    assert f"contains the programme folder '{other}'" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["programme.yaml"]


@pytest.mark.parametrize("inside", ["attendance", "templates", "registrations", "meetings/2030"])
def test_no_output_goes_into_a_programme_folders_own_files(write, inside):
    folder = write()
    if inside == "meetings/2030":
        (folder / "meetings").mkdir()
        (folder / "meetings" / "extra.yaml").write_text("meetings: {}\n")
    result = cohort("build", folder, "-o", folder / inside, "--force", *TODAY)
    assert result.exit_code == 2, result
    assert "cohort never writes an output there (not even with --force)" in result.stderr
    assert not (folder / inside / "index.html").exists()


def test_a_new_folder_of_its_own_inside_the_programme_folder_is_fine(write):
    folder = write()
    assert cohort("build", folder, "-o", folder / "site", *TODAY).exit_code == 0
    assert (folder / "site" / "index.html").is_file()


@pytest.mark.parametrize("name", ["feed-secret.txt", "published.json", "NOTES.md"])
def test_schema_writes_into_a_programme_folder_only_its_schema(write, tmp_path, name):
    folder = write()
    assert cohort("calendar", folder, "-o", tmp_path / "cal", *TODAY).exit_code == 0
    target = folder / name
    if not target.exists():
        target.write_text("my notes")
    before = target.read_bytes()
    result = cohort("schema", "-o", target, "--force")
    assert result.exit_code == 2, result
    assert "writes only 'programme.schema.json' there" in result.stderr
    assert target.read_bytes() == before
    assert cohort("schema", "-o", folder / "programme.schema.json").exit_code == 0
    assert cohort("calendar", folder, "-o", tmp_path / "cal", *TODAY).exit_code == 0


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "command",
    [("calendar",), ("invite",), ("agenda",), ("build",), ("report",)],
)
def test_an_output_folder_that_cannot_be_made_is_said_plainly(write, command):
    """/proc takes no new folder (as a read-only disk or a folder of someone else): an error
    naming the folder, exit 1, never 'a bug in cohort'."""
    folder = write()
    result = cohort(*command, folder, "-o", "/proc/cohort-output", *TODAY)
    assert result.exit_code == 1, result
    assert "cannot make the folder '/proc/cohort-output'" in result.stderr
    assert "internal error" not in result.stderr
