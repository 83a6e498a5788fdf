"""`cohort groups` as a fresh tester attacked it (second pass): the same table twice, large
cohorts, tight rules, hints, the schedule as a spreadsheet, backups and balance."""

from __future__ import annotations

import csv
import io
import itertools
import random

from conftest import cohort
from test_groups import TODAY, trajectory

from cohort.planning.groups import Circle, Round, Rules, broken, form


def tables_again(grouped):
    """Groups of three or more who all sat at one table of an earlier round."""
    seen, again = [], []
    for grouping in grouped:
        for group in grouping:
            if len(group) > 2 and any(set(group) <= earlier for earlier in seen):
                again.append(group)
        seen += [set(g) for g in grouping]
    return again


def test_no_table_comes_back_whole_after_an_absence():
    people = tuple(f"p{i:03d}" for i in range(1, 10))
    first = (("p001", "p003", "p008"), ("p002", "p005", "p007"), ("p004", "p006", "p009"))
    met = tuple(tuple(p for p in g if p != "p001") for g in first)
    rounds = [Round("round-1", people, 3, None, first, met)]
    rounds += [Round(f"round-{r}", people, 3) for r in range(2, 6)]
    for seed in range(3):
        formed = form(rounds, Rules(), seed)
        grouped = [first] + [formed.groups[f"round-{r}"] for r in range(2, 6)]
        assert formed.repeats == formed.least_repeats == 7  # as few as counting allows
        assert tables_again(grouped) == [], seed


def test_the_hint_for_an_unknown_field_names_only_fields_one_may_write(write):
    folder = write(trajectory(rounds=1, groups="{size: 4, formd: []}"))
    result = cohort("validate", folder)
    assert result.exit_code == 1
    assert "unknown field 'formd' (known fields: size, count, name, names)" in result.stderr


def test_a_size_under_the_programmes_groups_is_sent_to_the_meetings(write):
    folder = write(trajectory(rounds=1, rules="groups:\n  size: 4\n  colleagues: apart"))
    result = cohort("validate", folder)
    assert result.exit_code == 1
    assert "unknown field 'size' (the programme's groups: holds the rules" in result.stderr
    assert "'size:' goes under the groups: of each meeting" in result.stderr


def test_the_schedule_as_csv_has_each_meetings_groups_a_line_each(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    done = cohort("schedule", folder, "--format", "csv", *TODAY)
    assert done.exit_code == 0, done
    rows = list(csv.reader(io.StringIO(done.stdout.removeprefix("\ufeff"))))
    assert rows[0][-1] == "Groepen"
    tables = rows[1][-1].split("\n")
    assert len(tables) == 6 and tables[0].startswith("Tafel 1: Persoon ")
    placed = [name for line in tables for name in line.split(": ")[1].split(", ")]
    assert len(placed) == len(set(placed)) == 24


def test_the_report_says_why_it_leaves_out_who_met_whom_above_40_people(write, tmp_path):
    folder = write(trajectory(organisations=14, rounds=1))  # 42 people
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    report = tmp_path / "report"
    done = cohort("report", folder, "-o", report, "--format", "md", "--today", "2030-03-01")
    assert done.exit_code == 0, done
    md = (report / "report.md").read_text()
    assert "## Wie zat met wie" in md
    assert (
        "De tabel van wie wie ontmoette is weggelaten: met 42 mensen is ze te breed om te lezen "
        "(ze staat erin tot 40 mensen)." in md
    )


def test_a_backup_copy_of_a_groups_file_is_named_with_the_way_out(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    original = folder / "groups" / "ronde-1.yaml"
    backup = folder / "groups" / "ronde-1-backup.yaml"
    backup.write_text(original.read_text())
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    assert f"{backup}:3:10: error: the groups of 'ronde-1' are also in ronde-1.yaml" in (
        result.stderr
    )
    assert f"move {backup} out of groups/ or delete it" in result.stderr
    assert f"{original}:" not in result.stderr


def with_experience(rules):
    lines = []
    for line in trajectory(rounds=1).splitlines():
        if line.startswith("  p") and "organisation: org" in line:
            level = "ervaren" if line.split(":")[0].endswith("-0") else "starter"
            line = line.replace("}", f", profile: {{ervaring: {level}}}}}")
        lines.append(line)
    return "\n".join(lines) + "\ngroups:\n" + rules + "\n"


def test_a_balanced_field_nobody_has_is_a_warning_at_its_line(write):
    folder = write(with_experience("  balance:\n  - ervaring\n  - ervarng"))
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 0, result
    line = (
        with_experience("  balance:\n  - ervaring\n  - ervarng").splitlines().index("  - ervarng")
    )
    assert (
        f"programme.yaml:{line + 1}:5: warning: balance: ervarng is a profile field no "
        "participant has, so it balances nothing (did you mean 'ervaring'?)"
    ) in result.stderr


def test_the_groups_command_shows_the_balance_each_group_holds(write):
    folder = write(with_experience("  balance: [ervaring]"))
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 0, result
    held = [line.rpartition("(")[2] for line in result.stdout.splitlines() if "Tafel" in line]
    # 8 experienced people over 6 groups of 4 (or 24 / 6): one or two in each
    assert sorted(held) == sorted(
        ["ervaring: 3 starter, 1 ervaren)"] * 4 + ["ervaring: 2 ervaren, 2 starter)"] * 2
    )


def tight(people=60, size=4, share=0.8, seed=1):
    """A round built around a hidden grouping: `share` of the pairs it splits are kept apart
    (as /tmp/attack13/tight.py makes them)."""
    chance = random.Random(seed)
    ids = [f"p{i:03d}" for i in range(1, people + 1)]
    chance.shuffle(ids)
    where = {p: i // size for i, p in enumerate(ids)}
    split = [(a, b) for a, b in itertools.combinations(sorted(ids), 2) if where[a] != where[b]]
    apart = chance.sample(split, int(share * len(split)))
    return tuple(sorted(ids)), Rules(
        tuple(Circle(f"apart: {a}, {b}", frozenset((a, b))) for a, b in apart)
    )


def test_a_tight_round_with_a_grouping_that_keeps_every_rule_gets_one():
    people, rules = tight()
    formed = form([Round("round-1", people, 4), Round("round-2", people, 4)], rules)
    assert formed.problems == []
    for groups in formed.groups.values():
        assert len(groups) == 15 and broken(groups, rules) == []


def test_rules_that_no_grouping_keeps_are_called_impossible_only_when_proven():
    # five people each kept apart from the next, round a ring: two groups cannot split an odd
    # ring, though no three of them must be apart from each other (counting sees nothing)
    ring = ["anna", "bert", "chris", "dirk", "eva"]
    rules = Rules(
        tuple(
            Circle(f"apart: {a}, {b}", frozenset((a, b)))
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
        )
    )
    people = (*ring, "fien")
    formed = form([Round("round-1", people, 3)], rules)
    assert [text for _, text in formed.problems] == [
        "in 'round-1', no grouping of 6 people in groups of 3 keeps every rule: a complete "
        "search (CP-SAT) proves it. The best groups found break: "
        + "; ".join(broken(formed.groups["round-1"], rules))
    ]
