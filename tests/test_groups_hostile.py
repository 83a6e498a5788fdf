"""`cohort groups` as a fresh tester attacked it: files the facilitator wrote, the public site,
broken rules and pipes, what counting proves about repeats, and groups formed anew after the
e-mails went out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import cohort
from servers import Mailbox, smtp_server
from test_groups import TODAY, trajectory

from cohort.planning.repeats import Sized, least

NOW = {"COHORT_NOW": "2030-01-01T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}

HAND_WRITTEN = """\
# My notes: Anna wants to sit with Bert next time!
meeting: ronde-2
groups: []  # to do
"""


@pytest.mark.parametrize("options", [(), ("--force",), ("--meeting", "ronde-2", "--force")])
def test_a_groups_file_the_facilitator_wrote_is_never_rewritten(write, options):
    folder = write(trajectory(rounds=3))
    path = folder / "groups" / "ronde-2.yaml"
    path.parent.mkdir()
    path.write_text(HAND_WRITTEN)
    result = cohort("groups", folder, "--write", *options, *TODAY)
    assert result.exit_code == 0, result
    assert path.read_text() == HAND_WRITTEN
    assert f"no groups: {path} is yours and lists none" in result.stdout
    assert "move it out of groups/ to let cohort form them" in result.stdout


def test_writing_over_a_file_cohort_did_not_write_is_refused(tmp_path):
    from cohort.errors import CohortError
    from cohort.records import groups

    path = tmp_path / "groups" / "ronde-1.yaml"
    path.parent.mkdir()
    path.write_text(HAND_WRITTEN)
    with pytest.raises(CohortError, match="is yours"):
        groups.write(tmp_path, "ronde-1", [("Tafel 1", ["a", "b"])], 0)
    assert path.read_text() == HAND_WRITTEN


def test_the_public_site_names_nobody_of_the_groups(write, tmp_path):
    folder = write(trajectory(rounds=1))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    built = cohort("build", folder, "-o", tmp_path / "site", *TODAY)
    assert built.exit_code == 0, built
    page = (tmp_path / "site" / "agendas" / "ronde-1.html").read_text()
    assert "Persoon" not in page and "Tafel 1" not in page
    printed = cohort("agenda", folder, "--meeting", "ronde-1", "-o", tmp_path / "own", *TODAY)
    assert printed.exit_code == 0, printed
    mine = next((tmp_path / "own").rglob("*.html")).read_text()
    assert "Tafel 1" in mine and "Persoon" in mine


@pytest.mark.parametrize("balance", ["[[experience]]", "[{experience: starter}]"])
def test_a_nested_list_under_balance_is_an_error_at_its_line(write, balance):
    folder = write(trajectory(rounds=1, rules=f"groups:\n  balance: {balance}"))
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    assert "internal error" not in result.stderr
    line = len(trajectory(rounds=1).splitlines()) + 2
    assert f"programme.yaml:{line}:" in result.stderr
    assert "balance: names profile fields" in result.stderr


@pytest.mark.parametrize("command", [("groups",), ("schedule",), ("validate",)])
def test_a_reader_that_stops_early_is_no_internal_error(write, command):
    folder = write(trajectory(rounds=4))
    process = subprocess.Popen(
        [sys.executable, "-m", "cohort", *command, str(folder), *TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert process.stdout is not None
    process.stdout.close()  # `| head -0`: gone before cohort writes a line
    _, errors = process.communicate(timeout=120)
    assert b"internal error" not in errors
    assert b"Traceback" not in errors and b"Exception ignored" not in errors


def everyone(n):
    return frozenset(f"p{i:02d}" for i in range(n))


def rounds_of(n, shape, count):
    return [Sized(everyone(n), shape)] * count


def organisations(n, each):
    people = sorted(everyone(n))
    return [frozenset(people[i : i + each]) for i in range(0, n, each)]


@pytest.mark.parametrize(
    ("rounds", "apart", "expected"),
    [
        # 12 people in 3 groups of 4: each group of round 2 holds two of a group of round 1
        (rounds_of(12, (4, 4, 4), 2), [], 3),
        (rounds_of(12, (4, 4, 4), 3), [], 6),
        (rounds_of(7, (4, 3), 2), [], 3),  # 7 in 4s
        (rounds_of(5, (3, 2), 2), [], 1),  # 5 people
        (rounds_of(8, (4, 4), 2), [], 4),  # 8 in 2 x 4
        # 32 people of 8 organisations of 4, colleagues apart: each meets at most 28 others,
        # 3 a round: 30 over 10 rounds, 2 too many each
        (rounds_of(32, (4,) * 8, 10), organisations(32, 4), 32),
        (rounds_of(24, (4,) * 6, 8), organisations(24, 3), 36),  # held24: 24 of 8 x 3
        # where zero is possible, counting does not rule it out
        (rounds_of(32, (4,) * 8, 10), [], 0),
        (rounds_of(24, (4,) * 6, 7), organisations(24, 3), 0),
    ],
)
def test_counting_proves_repeats_where_they_cannot_be_avoided(rounds, apart, expected):
    assert least(rounds, apart)[-1] == expected


def test_rounds_of_other_sizes_are_counted_each_as_it_is():
    # 13 people: rounds 1-3 in groups of 4 (4, 3, 3, 3), rounds 4-6 in groups of 3
    first = [Sized(everyone(13), (4, 3, 3, 3))] * 3
    later = [Sized(everyone(13), (3, 3, 3, 2, 2))] * 3
    found = least(first + later)
    assert found == sorted(found)  # over more rounds, never fewer
    assert found[:3] == [0, 0, 0]  # 3 x 3 of 12 others: not ruled out


def test_the_tool_never_says_zero_may_be_possible_where_counting_rules_it_out(write):
    folder = write(trajectory(organisations=12, each=1, rounds=3))
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 0, result
    assert "may be possible" not in result.stdout
    assert "counting proves at least 6 repeats" in result.stdout


def test_rounds_of_two_sizes_get_no_contradiction(write):
    lines, meeting = [], ""
    for line in trajectory(organisations=13, each=1, rounds=6).splitlines():
        meeting = line.strip(" :") if line.startswith("  ronde-") else meeting
        if meeting in ("ronde-4", "ronde-5", "ronde-6") and line.startswith("    groups:"):
            line = "    groups: 3"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    folder = write(text)
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 0, result
    assert "ronde-4 (2030-04-14): 13 people, 5 groups" in result.stdout
    assert "rounds are more than" not in result.stdout
    said_none = "no pair meets twice" in result.stdout
    said_some = "meet more than once" in result.stdout or "meets more than once" in result.stdout
    assert said_none != said_some


def excused_after_writing(write, by_hand: bool):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    path = folder / "groups" / "ronde-2.yaml"
    if by_hand:
        path.write_text(path.read_text().replace("name: Tafel 1", "name: Rode zaal"))
    recorded = cohort(
        "attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p3-1", *TODAY
    )
    assert recorded.exit_code == 0, recorded
    return folder, path


def test_the_hint_for_a_file_the_facilitator_changed_is_the_real_way_out(write):
    folder, path = excused_after_writing(write, by_hand=True)
    result = cohort("validate", folder, *TODAY)
    assert "Persoon 3.1 (p3-1) is in group" in result.stderr
    assert f"remove them from the group in {path} (you changed or wrote it" in result.stderr
    assert "--force --write" not in result.stderr
    mine = path.read_text()
    again = cohort("groups", folder, "--meeting", "ronde-2", "--force", "--write", *TODAY)
    assert f"kept {path}: you wrote or changed it, so --force does not form" in again.stdout
    assert path.read_text() == mine


def test_groups_formed_anew_after_the_invitations_say_who_to_tell_and_how(write, tmp_path):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    outbox = tmp_path / "outbox"
    invited = cohort("invite", folder, "-o", outbox, "--meeting", "ronde-2", *TODAY, env=NOW)
    assert invited.exit_code == 0, invited
    with smtp_server(Mailbox()) as url:
        sent = cohort("send", outbox, "--server", url, "--confirm", env=NOW)
    assert sent.exit_code == 0, sent
    cohort("attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p3-1", *TODAY)
    result = cohort("groups", folder, "--meeting", "ronde-2", "--force", "--write", *TODAY)
    assert result.exit_code == 0, result
    assert "had an e-mail naming the old groups" in result.stdout
    assert "cohort invite --meeting ronde-2 --reminder --days 42" in result.stdout
    again = cohort(
        "invite",
        folder,
        "-o",
        outbox,
        "--meeting",
        "ronde-2",
        "--reminder",
        "--days",
        "42",
        *TODAY,
        env=NOW,
    )
    assert again.exit_code == 0, again
    reminders = list(outbox.glob("ronde-2.*.reminder.*.eml"))
    assert reminders


def test_a_groups_folder_that_leads_outside_is_refused_before_anything(write, tmp_path):
    folder = write(trajectory(rounds=1))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "groups").symlink_to(elsewhere)
    result = cohort("groups", folder, "--write", *TODAY)
    assert result.exit_code == 1
    assert "leads outside the programme folder" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_groups_file_where_the_folder_should_be_is_named(write):
    folder = write(trajectory(rounds=1))
    (folder / "groups").write_text("notes\n")
    result = cohort("groups", folder, "--write", *TODAY)
    assert result.exit_code == 1
    assert "groups: error: groups is not a folder: cohort keeps the groups there" in result.stderr
    assert "File exists" not in result.stderr


def test_a_meeting_that_no_longer_asks_for_groups_warns_of_its_file(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    text = (folder / "programme.yaml").read_text()
    first = text.index("    groups: {size: 4, name: Tafel}\n")
    (folder / "programme.yaml").write_text(
        text[:first] + text[first + len("    groups: {size: 4, name: Tafel}\n") :]
    )
    result = cohort("validate", folder, *TODAY)
    assert "ronde-1.yaml:3:10: warning: 'ronde-1' no longer asks for groups" in result.stderr
    assert "move " in result.stderr and "out of groups/" in result.stderr


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("groups:\n  roles: [participant]", "role participant has 24 of 24 people"),
        (
            "groups:\n  apart: [[p0-0, p1-0], [p1-0, p2-0], [p0-0, p2-0]]",
            "Persoon 0.0 (p0-0), Persoon 1.0 (p1-0), Persoon 2.0 (p2-0) must each sit apart "
            "from all the others",
        ),
    ],
)
def test_validate_names_groups_that_cannot_be_formed(write, rules, expected):
    if "apart" in rules:  # six people of six organisations in two groups
        text = trajectory(organisations=6, each=1, rounds=1, groups="{count: 2}", rules=rules)
    else:
        text = trajectory(rounds=1, rules=rules)
    folder = write(text)
    result = cohort("validate", folder, *TODAY)
    assert f"warning: in 'ronde-1', {expected}" in result.stderr
    formed_now = cohort("groups", folder, *TODAY)
    assert formed_now.exit_code == 1
    assert f"error: in 'ronde-1', {expected}" in formed_now.stderr
    assert "warning: in 'ronde-1'" not in formed_now.stderr  # said once, as the error


def test_hand_made_groups_that_break_rules_are_named_at_their_line(write, tmp_path):
    folder = write(trajectory(rounds=1, rules="groups:\n  apart: [[p0-0, p0-0]]"))
    path = folder / "groups" / "ronde-1.yaml"
    path.parent.mkdir()
    everyone = [f"p{o}-{i}" for o in range(8) for i in range(3)]
    groups = [
        {"name": "Tafel 1", "members": ["p0-0", "p0-1", "p1-0", "p2-0"]},  # colleagues
        {"name": "Tafel 1", "members": ["p7-2"]},  # a name twice, and one person
        {"name": "Tafel 3", "members": []},
        {
            "name": "Tafel 4",
            "members": [p for p in everyone if p not in ("p0-0", "p0-1", "p1-0", "p2-0", "p7-2")],
        },
    ]
    import yaml

    path.write_text(yaml.safe_dump({"meeting": "ronde-1", "groups": groups}))
    result = cohort("validate", folder, *TODAY)
    err = result.stderr
    assert (
        "Persoon 0.0 (p0-0), Persoon 0.1 (p0-1) share a group (organisation Organisatie 0)" in err
    )
    assert "two groups of 'ronde-1' are called 'Tafel 1'" in err
    assert "group 'Tafel 1' of 'ronde-1' has one person: Persoon 7.2 (p7-2)" in err
    assert "group 'Tafel 3' of 'ronde-1' has nobody in it" in err
    assert "this apart: list names one person (p0-0)" in err
    outbox = tmp_path / "outbox"
    invited = cohort("invite", folder, "-o", outbox, *TODAY, env=NOW)
    assert invited.exit_code == 0, invited
    alone = next(outbox.glob("ronde-1.p7-2.*.eml")).read_text()
    assert ", with ." not in alone and "with ." not in alone


def test_names_fewer_than_the_groups_twice_or_on_two_lines_are_refused(write):
    folder = write(trajectory(rounds=1, groups="{size: 4, names: [Zaal A, Zaal B]}"))
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 1
    assert "'ronde-1' makes 6 groups (24 people) but names: gives 2" in result.stderr
    twice = write(trajectory(rounds=1, groups="{size: 4, names: [Zaal A, Zaal A]}"))
    assert "names: gives 'Zaal A' twice" in cohort("validate", twice, *TODAY).stderr
    broken = write(trajectory(rounds=1, groups='{size: 4, name: "Zaal\\nA"}'))
    assert "a group's name is one line" in cohort("validate", broken, *TODAY).stderr


def test_words_of_the_groups_command(write):
    folder = write(trajectory(organisations=7, each=1, rounds=1, groups="{count: 5}"))
    result = cohort("groups", folder, *TODAY)
    assert "ronde-1 (2030-01-11): 7 people, 3 groups, formed now" in result.stdout
    assert "3 groups, not the 5 asked: 7 people make at most 3 groups of two or more" in (
        result.stdout
    )
    assert "(s)" not in result.stdout
    nosuch = cohort("groups", folder, "--meeting", "ronde1", *TODAY)
    assert nosuch.exit_code == 2
    assert "no meeting 'ronde1' (did you mean 'ronde-1'?)" in nosuch.stderr
    plain = write(trajectory(rounds=1).replace("    groups: {size: 4, name: Tafel}\n", ""))
    none = cohort("groups", plain, *TODAY)
    assert "no meeting asks for groups" in none.stdout
    assert "0 round" not in none.stdout


def test_the_headcount_is_of_the_people_listed(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    cohort("attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p3-1", *TODAY)
    result = cohort("groups", folder, *TODAY)
    assert "ronde-2 (2030-02-12): 24 people, 6 groups, as written before" in result.stdout
