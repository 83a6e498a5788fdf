"""`cohort groups`: an intervision trajectory splits into small groups every session, mixed
organisations, and over the rounds everyone meets new people."""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import re

import pytest
import yaml
from conftest import cohort, edit
from pypdf import PdfReader

from cohort.planning import golfers
from cohort.planning.groups import Circle, Round, Rules, explain, form, sizes
from cohort.planning.tabu import Tabu

TODAY = ("--today", "2030-01-01")


def trajectory(
    organisations: int = 8,
    each: int = 3,
    rounds: int = 4,
    groups: str = "{size: 4, name: Tafel}",
    rules: str = "",
    extra_people: str = "",
) -> str:
    """A programme: `organisations` x `each` people, `rounds` intervision meetings."""
    lines = [
        "id: intervisie",
        "title: Intervisietraject",
        "language: nl",
        "organiser: {name: Leerhuis, email: leerhuis@example.org}",
        "venues:",
        "  zaal: {name: De Zaal, address: Kerkstraat 1, city: Gent}",
        "organisations:",
    ]
    lines += [f"  org{o}: {{name: Organisatie {o}}}" for o in range(organisations)]
    lines.append("participants:")
    for o in range(organisations):
        for i in range(each):
            pid = f"p{o}-{i}"
            lines.append(
                f"  {pid}: {{name: Persoon {o}.{i}, email: {pid}@example.org, "
                f"organisation: org{o}}}"
            )
    lines += [line for line in extra_people.splitlines() if line]
    lines.append("meetings:")
    for r in range(1, rounds + 1):
        lines += [
            f"  ronde-{r}:",
            f"    title: Intervisie {r}",
            "    kind: intervision",
            "    venue: zaal",
            f"    date: 2030-0{r if r < 10 else 9}-1{r % 10}",
            '    start: "19:00"',
            '    end: "21:00"',
            f"    groups: {groups}",
        ]
    if rules:
        lines.append(rules)
    return "\n".join(lines) + "\n"


def formed(folder, meeting):
    return yaml.safe_load((folder / "groups" / f"{meeting}.yaml").read_text())["groups"]


def members(folder, rounds):
    return {f"ronde-{r}": [g["members"] for g in formed(folder, f"ronde-{r}")] for r in rounds}


def organisation(pid):
    return pid.split("-")[0]


def met_twice(groupings):
    seen = {}
    for groups in groupings:
        for group in groups:
            for pair in itertools.combinations(sorted(group), 2):
                seen[pair] = seen.get(pair, 0) + 1
    return {pair for pair, n in seen.items() if n > 1}


def test_24_people_of_8_organisations_in_groups_of_4_for_4_rounds(write):
    folder = write(trajectory())
    result = cohort("groups", folder, "--write", *TODAY)
    assert result.exit_code == 0, result
    assert "no pair meets twice over 4 rounds" in result.stdout
    rounds = members(folder, range(1, 5))
    for groups in rounds.values():
        assert sorted(len(g) for g in groups) == [4] * 6
        assert sorted(p for g in groups for p in g) == sorted(
            f"p{o}-{i}" for o in range(8) for i in range(3)
        )
        for group in groups:  # no colleagues together
            assert len({organisation(p) for p in group}) == len(group)
    assert met_twice(rounds.values()) == set()
    assert formed(folder, "ronde-1")[0]["name"] == "Tafel 1"


def test_together_and_apart_hold_in_every_round(write):
    rules = "groups:\n  apart: [[p0-0, p1-0], [p2-0, p3-0, p4-0]]\n  together: [[p5-0, p6-1]]"
    folder = write(trajectory(rules=rules))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    for groups in members(folder, range(1, 5)).values():
        for group in groups:
            assert not {"p0-0", "p1-0"} <= set(group)
            assert len({"p2-0", "p3-0", "p4-0"} & set(group)) <= 1
        assert any({"p5-0", "p6-1"} <= set(g) for g in groups)


def test_an_excused_person_is_not_placed_and_attendance_is_the_history(write):
    folder = write(trajectory())
    recorded = cohort(
        "attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p0-0", *TODAY
    )
    assert recorded.exit_code == 0, recorded
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    second = members(folder, [2])["ronde-2"]
    assert "p0-0" not in {p for g in second for p in g}
    assert sorted(len(g) for g in second) == [3, 4, 4, 4, 4, 4]  # 23 people


def test_a_person_excused_after_the_groups_were_written_is_named_by_validate(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    cohort("attendance", "record", folder, "--meeting", "ronde-2", "--excused", "p3-1", *TODAY)
    result = cohort("validate", folder, *TODAY)
    assert "Persoon 3.1 (p3-1) is in group 'Tafel " in result.stderr
    assert "of 'ronde-2' but is excused" in result.stderr
    assert "cohort groups --meeting ronde-2 --force --write" in result.stderr
    again = cohort("groups", folder, "--meeting", "ronde-2", "--force", "--write", *TODAY)
    assert again.exit_code == 0, again
    assert "p3-1" not in again.stderr  # the file it warned of is the one just replaced
    assert "p3-1" not in {p for g in members(folder, [2])["ronde-2"] for p in g}
    assert "warning" not in cohort("validate", folder, *TODAY).stderr


@pytest.mark.parametrize(
    ("people", "size", "count", "expected"),
    [
        (22, 4, None, (4, 4, 4, 4, 3, 3)),
        (24, 4, None, (4,) * 6),
        (5, 4, None, (3, 2)),
        (3, 2, None, (3,)),  # never a group of one: a three, not a pair and one alone
        (7, 2, None, (3, 2, 2)),
        (9, None, 5, (3, 2, 2, 2)),  # five groups would leave someone alone
        (10, None, 3, (4, 3, 3)),
        (1, 4, None, ()),
    ],
)
def test_group_sizes_differ_by_at_most_one_and_no_one_is_alone(people, size, count, expected):
    assert sizes(people, size, count) == expected


def test_22_people_in_groups_of_4(write):
    folder = write(trajectory(organisations=11, each=2, rounds=1))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    assert [len(g["members"]) for g in formed(folder, "ronde-1")] == [4, 4, 4, 4, 3, 3]


def test_a_rule_that_cannot_hold_is_explained_at_the_meeting(write):
    text = trajectory(organisations=4, each=4, rounds=1)
    text = text.replace("organisations:\n", "organisations:\n  groot: {name: Groot Huis}\n")
    text = text.replace("organisation: org0}", "organisation: groot}")
    text = text.replace(
        "p1-0: {name: Persoon 1.0, email: p1-0@example.org, organisation: org1}",
        "p1-0: {name: Persoon 1.0, email: p1-0@example.org, organisation: groot}",
    )
    folder = write(text)
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 1
    line = text.splitlines().index("    groups: {size: 4, name: Tafel}") + 1
    assert (
        f"programme.yaml:{line}:13: error: in 'ronde-1', organisation Groot Huis has 5 of 16 "
        "people: groups "
        "of 4 (4 groups) cannot keep them apart" in result.stderr
    )
    assert not (folder / "groups").exists()


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (Rules(circles=(Circle("role facilitator", frozenset("abc")),)), "role facilitator"),
        (Rules(together=(("a", "b", "c"),)), "together: a, b, c are 3, more than a group"),
        (
            Rules(circles=(Circle("apart: a, b", frozenset("ab")),), together=(("a", "b"),)),
            "together: a, b must sit together, but apart: a, b keeps them apart",
        ),
    ],
)
def test_explanations(rules, expected):
    assert any(expected in text for text in explain(Round("m", tuple("abcd"), size=2), rules))


def test_beyond_the_bound_the_repeats_are_kept_low_and_said(write):
    folder = write(trajectory(organisations=8, each=1, rounds=4))
    result = cohort("groups", folder, *TODAY)
    assert result.exit_code == 0, result
    # 8 people in 2 groups of 4: each group of round 2 holds two pairs of a group of round 1
    # (the pigeonhole), and 4 rounds hold 48 meetings of 28 pairs: at least 20 repeats
    assert (
        "counting proves at least 20 repeats over these rounds (from 'ronde-2' on, not "
        "everyone can meet only new people)" in result.stdout
    )
    assert "pairs meet more than once" in result.stdout
    assert "may be possible" not in result.stdout


def test_the_same_seed_gives_the_same_groups(write, tmp_path):
    texts = {}
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        folder = write(trajectory(rounds=3))
        cohort("groups", folder, "--seed", seed, "--write", *TODAY)
        texts[name] = [(folder / "groups" / f"ronde-{r}.yaml").read_text() for r in (1, 2, 3)]
        for path in (folder / "groups").iterdir():
            path.unlink()
    assert texts["a"] == texts["b"]
    assert texts["a"] != texts["c"]


def test_groups_written_before_are_kept_and_count_as_history(write):
    folder = write(trajectory(rounds=3))
    assert cohort("groups", folder, "--meeting", "ronde-1", "--write", *TODAY).exit_code == 0
    first = (folder / "groups" / "ronde-1.yaml").read_text()
    result = cohort("groups", folder, "--write", *TODAY)
    assert "ronde-1 (2030-01-11): 24 people, 6 groups, as written before" in result.stdout
    assert (folder / "groups" / "ronde-1.yaml").read_text() == first
    assert met_twice(members(folder, (1, 2, 3)).values()) == set()


def test_groups_changed_by_hand_are_the_facilitators_and_never_rewritten(write):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    path = folder / "groups" / "ronde-2.yaml"
    data = yaml.safe_load(path.read_text())
    a, b = data["groups"][0]["members"][0], data["groups"][1]["members"][0]
    data["groups"][0]["members"][0], data["groups"][1]["members"][0] = b, a
    data["groups"][0]["name"] = "Rode zaal"
    path.write_text(path.read_text().split("\n", 2)[0] + "\n" + yaml.safe_dump(data))
    mine = path.read_text()
    result = cohort("groups", folder, "--force", "--write", *TODAY)
    assert result.exit_code == 0, result
    assert "ronde-2 (2030-02-12): 24 people, 6 groups, as you made them" in result.stdout
    assert "  Rode zaal: " in result.stdout
    assert path.read_text() == mine
    assert "ronde-1 (2030-01-11): 24 people, 6 groups, formed now" in result.stdout


def test_balance_spreads_a_profile_field_evenly(write):
    people = trajectory()
    lines = []
    for line in people.splitlines():
        if line.startswith("  p") and "organisation: org" in line:
            pid = line.split(":")[0].strip()
            level = "ervaren" if pid.endswith("-0") else "starter"
            line = line.replace("}", f", profile: {{ervaring: {level}}}}}")
        lines.append(line)
    rules = "groups:\n  balance: {ervaring: [starter, ervaren]}"
    folder = write("\n".join(lines) + "\n" + rules + "\n")
    result = cohort("groups", folder, "--write", *TODAY)
    assert result.exit_code == 0, result
    for groups in members(folder, range(1, 5)).values():
        # 8 experienced people over 6 groups: one or two in each
        assert sorted(sum(p.endswith("-0") for p in g) for g in groups) == [1, 1, 1, 1, 2, 2]


def test_a_profile_value_not_listed_is_an_error(write):
    text = trajectory(rules="groups:\n  balance: {ervaring: [starter, ervaren]}")
    text = edit(
        text,
        "p0-0@example.org, organisation: org0}",
        "p0-0@example.org, organisation: org0, profile: {ervaring: ervarn}}",
    )
    result = cohort("validate", write(text), *TODAY)
    assert "'ervarn' is not a value of ervaring" in result.stderr
    assert "did you mean 'ervaren'?" in result.stderr


def test_groups_appear_in_agenda_sheet_schedule_email_and_report(write, tmp_path):
    folder = write(trajectory(rounds=2))
    assert cohort("groups", folder, "--write", *TODAY).exit_code == 0
    table = formed(folder, "ronde-1")
    first = table[0]
    names = [f"Persoon {p[1:].replace('-', '.')}" for p in first["members"]]

    agendas = tmp_path / "agendas"
    assert cohort("agenda", folder, "-o", agendas, "--meeting", "ronde-1", *TODAY).exit_code == 0
    html = (agendas / "ronde-1.html").read_text()
    assert "Groepen" in html and ", ".join(names) in html
    pdf = " ".join(page.extract_text() for page in PdfReader(agendas / "ronde-1.pdf").pages)
    assert "Tafel 6" in pdf and names[0] in pdf

    sheets = tmp_path / "sheets"
    cohort("attendance", "sheet", folder, "--meeting", "ronde-1", "-o", sheets, *TODAY)
    rows = (sheets / "ronde-1-sheet.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].split(",")[:2] == ["Bijeenkomst", "ronde-1"]  # the sheet names its meeting
    assert rows[1].split(",")[3] == "Groep"
    member = first["members"][0]
    assert any(r.startswith(f"{member},") and ",Tafel 1," in r for r in rows)

    schedule = json.loads(cohort("schedule", folder, "--format", "json", *TODAY).stdout)
    assert schedule["meetings"][0]["groups"][0] == {"name": "Tafel 1", "members": first["members"]}
    assert "Tafel 1" in cohort("schedule", folder, "--format", "markdown", *TODAY).stdout

    outbox = tmp_path / "outbox"
    env = {"COHORT_NOW": "2029-12-01T09:00:00Z"}
    invited = cohort("invite", folder, "-o", outbox, "--meeting", "ronde-1", env=env)
    assert invited.exit_code == 0, invited
    message = outbox / f"ronde-1.{member}.invitation.0.eml"
    mail = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
    text = mail.get_body(("plain",)).get_content()
    others = ", ".join(names[1:-1]) + " en " + names[-1]  # a list as Dutch writes it
    assert f"Je groep: Tafel 1, met {others}." in text
    raw = message.read_text(errors="replace")
    assert all(f"{p}@example.org" not in raw for p in first["members"][1:])  # names only

    report = tmp_path / "report"
    done = cohort(
        "report",
        folder,
        "-o",
        report,
        "--format",
        "md",
        "--format",
        "json",
        "--today",
        "2030-03-01",
    )
    assert done.exit_code == 0, done
    md = (report / "report.md").read_text()
    assert "## Wie zat met wie" in md and "Geen twee mensen zaten meer dan eens samen." in md
    pairs = json.loads((report / "report.json").read_text())["pairs"]
    assert pairs["rounds"] == 2
    assert {"a": first["members"][0], "b": first["members"][1], "times": 1} in pairs["met"]


def test_a_meeting_without_groups_is_a_usage_mistake(write):
    folder = write(trajectory(rounds=1).replace("    groups: {size: 4, name: Tafel}\n", ""))
    result = cohort("groups", folder, "--meeting", "ronde-1", *TODAY)
    assert result.exit_code == 1
    assert "'ronde-1' does not ask for groups" in result.stderr


def test_formed_is_not_written_in_the_programme(write):
    text = trajectory(rounds=1, groups="{size: 4, formed: []}")
    result = cohort("validate", write(text), *TODAY)
    assert "'formed' is not a field of groups:" in result.stderr


@pytest.mark.parametrize(
    "problem",
    [
        golfers.Problem(
            16,
            [list(range(16))] * 5,
            [[4] * 4] * 5,
            apart=[[0, 1, 2]],
            together=[[3, 4]],
            values=[(i % 3,) for i in range(16)],
        ),
        golfers.Problem(  # a round decided before, someone away, two balanced fields
            24,
            [list(range(24)), list(range(1, 24)), list(range(24))],
            [[4] * 6, [4] * 5 + [3], [4] * 6],
            history=[[[0, 1, 2, 3], [4, 5, 6, 7]]],
            apart=[[0, 5, 10], [1, 6]],
            values=[(i % 2, 2 + i % 3) for i in range(24)],
        ),
    ],
)
def test_the_search_keeps_its_cost_in_step(problem):
    """The tabu search's cost, kept up to date swap by swap, is the cost of its groups."""
    search = golfers.Search(problem, 3)
    search.start()
    steps = Tabu(search)
    for _ in range(4):
        steps.run(60)
        again = golfers.Search(problem, 3)
        again.start()
        again._restore(steps._grouping())
        assert again.cost() == steps.cost
    search._restore(steps.best)
    assert search.cost() == steps.best_cost


def test_form_is_a_pure_function_of_its_rounds_and_rules():
    rounds = [Round(f"r{i}", tuple(f"x{j}" for j in range(12)), size=3) for i in range(4)]
    first, second = form(rounds, Rules(), seed=1), form(rounds, Rules(), seed=1)
    assert first.groups == second.groups and first.repeats == 0
    decided = [Round("r0", rounds[0].people, size=3, groups=first.groups["r0"]), *rounds[1:]]
    again = form(decided, Rules(), seed=2)
    assert "r0" not in again.groups and again.repeats == 0


def test_the_roles_groups_name_are_the_roles_of_the_model():
    import typing

    from cohort.programme.groups import RoleName
    from cohort.programme.model import Role

    assert set(typing.get_args(RoleName)) == {role.value for role in Role}


def test_a_round_of_one_person_has_no_groups_and_writes_nothing(write):
    text = trajectory(rounds=1).replace(
        "    groups: {size: 4, name: Tafel}\n",
        "    groups: {size: 4, name: Tafel}\n    invited: [p0-0]\n",
    )
    folder = write(text)
    result = cohort("groups", folder, "--write", *TODAY)
    assert result.exit_code == 0, result
    assert "ronde-1 (2030-01-11): 1 person, 0 groups, too few people for groups" in result.stdout
    assert not (folder / "groups").exists()


NAMED = """\
id: intervisie
title: Intervisietraject
language: nl
languages: fr
organiser: {name: Leerhuis, email: leerhuis@example.org}
venues:
  zaal: {name: De Zaal, address: Kerkstraat 1, city: Gent}
organisations:
  a: {name: Organisatie A}
  b: {name: Organisatie B}
  c: {name: Organisatie C}
  d: {name: Organisatie D}
participants:
  an: {name: An Peeters, email: an@example.org, organisation: a}
  amel: {name: Amel Haddad, email: amel@example.org, organisation: a}
  bart: {name: Bart Claes, email: bart@example.org, organisation: b}
  benoit: {name: Benoît Dubois, email: benoit@example.org, organisation: b, language: fr}
  chris: {name: Chris Maes, email: chris@example.org, organisation: c}
  chloe: {name: Chloé Renard, email: chloe@example.org, organisation: c, language: fr}
  dirk: {name: Dirk Wuyts, email: dirk@example.org, organisation: d}
  dora: {name: Dora Lemaire, email: dora@example.org, organisation: d}
meetings:
  ronde-1:
    title: Intervisie 1
    kind: intervision
    venue: zaal
    date: 2030-02-05
    start: "19:00"
    end: "21:00"
    groups: {size: 4, name: {nl: Tafel, fr: Table}}
  ronde-2:
    title: Intervisie 2
    kind: intervision
    venue: zaal
    date: 2030-03-05
    start: "19:00"
    end: "21:00"
    groups: {count: 2}
  ronde-3:
    title: Intervisie 3
    kind: intervision
    venue: zaal
    date: 2030-04-02
    start: "19:00"
    end: "21:00"
    groups: {names: [{nl: Zaal A, fr: Salle A}, {nl: Zaal B, fr: Salle B}]}
"""


def test_each_reader_reads_the_groups_names_in_their_own_language(write, tmp_path):
    """A group's name is text for people: given per language by the facilitator (`name:`,
    `names:`, or in the groups file), or cohort's own ('Groep 2') in the reader's language.
    The facilitator's outputs (the schedule, the sheet, `cohort groups`, the file) stay in the
    programme's language."""
    folder = write(NAMED)
    shown = cohort("groups", folder, "--write", *TODAY)
    assert shown.exit_code == 0, shown
    assert "  Tafel 1: " in shown.stdout and "  Groep 2: " in shown.stdout
    assert "  Zaal A: " in shown.stdout and "Table" not in shown.stdout
    assert [g["name"] for g in formed(folder, "ronde-1")] == ["Tafel 1", "Tafel 2"]
    # the facilitator renames the second group of round 2 in its file, in both languages
    path = folder / "groups" / "ronde-2.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(edit(text, "- name: Groep 2\n", "- name: {nl: Keuken, fr: Cuisine}\n"))
    assert cohort("validate", folder, *TODAY).exit_code == 0

    outbox = tmp_path / "outbox"
    env = {"COHORT_NOW": "2029-12-01T09:00:00Z"}
    assert cohort("invite", folder, "-o", outbox, env=env).exit_code == 0

    def said(person: str, meeting: str) -> tuple[int, str]:
        """Which group `person` is in (from 1), and the name their e-mail gives it."""
        n = next(i for i, g in enumerate(formed(folder, meeting), 1) if person in g["members"])
        message = outbox / f"{meeting}.{person}.invitation.0.eml"
        mail = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
        text = mail.get_body(("plain",)).get_content()
        return n, re.search(r"(?:Je groep|Votre groupe\u202f): (.+?), (?:met|avec) ", text)[1]

    n, name = said("benoit", "ronde-1")
    assert name == f"Table {n}"
    n, name = said("an", "ronde-1")
    assert name == f"Tafel {n}"
    n, name = said("benoit", "ronde-2")
    assert name == ["Groupe 1", "Cuisine"][n - 1]
    n, name = said("an", "ronde-2")
    assert name == ["Groep 1", "Keuken"][n - 1]
    n, name = said("benoit", "ronde-3")
    assert name == ["Salle A", "Salle B"][n - 1]
    n, name = said("an", "ronde-3")
    assert name == ["Zaal A", "Zaal B"][n - 1]

    agendas = tmp_path / "agendas"
    assert cohort("agenda", folder, "-o", agendas, "--meeting", "ronde-1", *TODAY).exit_code == 0
    french = (agendas / "ronde-1.fr.html").read_text()
    assert "<strong>Table 1</strong>" in french and "Tafel" not in french
    assert "<strong>Tafel 1</strong>" in (agendas / "ronde-1.html").read_text()
    pdf = " ".join(page.extract_text() for page in PdfReader(agendas / "ronde-1.fr.pdf").pages)
    assert "Table 2" in pdf

    csv = cohort("schedule", folder, "--format", "csv", *TODAY).stdout
    assert "Tafel 1: " in csv and "Keuken: " in csv and "Table" not in csv
    sheets = tmp_path / "sheets"
    cohort("attendance", "sheet", folder, "--meeting", "ronde-2", "-o", sheets, *TODAY)
    rows = (sheets / "ronde-2-sheet.csv").read_text(encoding="utf-8-sig")
    assert ",Keuken," in rows and ",Groep 1," in rows
