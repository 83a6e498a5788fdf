"""`cohort validate`: every problem of a programme, each at its file:line:col, in one run."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, SMALL, at, cohort, edit

TODAY = "2030-01-01"


def problems(folder, *extra):
    """[(file:line:col, severity, message)] as `cohort validate --format json` reports them."""
    result = cohort("validate", folder, "--format", "json", "--today", TODAY, *extra)
    found = json.loads(result.stdout)["diagnostics"]
    return (
        [
            (
                f"{d['file'].rsplit('/', 1)[-1]}:{d['line']}:{d['column']}",
                d["severity"],
                d["message"],
            )
            for d in found
        ],
        found,
        result,
    )


def test_the_small_programme_is_clean(write):
    result = cohort("validate", write(), "--today", TODAY)
    assert result.exit_code == 0, result
    assert 'ok: "Kleine leergroep", 2 meetings, 2 participants' in result.stdout
    assert result.stderr == ""


def test_text_output_is_file_line_col_severity_message(write):
    text = edit(SMALL, "venue: zaal\n    date: 2030-02-05", "venue: zall\n    date: 2030-02-05")
    folder = write(text)
    result = cohort("validate", folder, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{folder}/{at(text, 'zall')}: error: unknown venue 'zall' (did you mean 'zaal'?)",
        "1 error, 0 warnings",
    ]


def test_unknown_references_each_with_a_suggestion(write):
    text = edit(SMALL, "organisation: leerhuis\n  bert", "organisation: leerhuys\n  bert")
    text = edit(text, "    themes: start\n", "    themes: [strat]\n    invited: [anna, brt]\n")
    text = edit(text, "host: leerhuis", "host: nobody")
    found, _, result = problems(write(text))
    assert result.exit_code == 1
    assert found == [
        (at(text, "leerhuys"), "error", "unknown organisation 'leerhuys'"),
        (at(text, "nobody"), "error", "unknown organisation 'nobody'"),
        (at(text, "strat"), "error", "unknown theme 'strat'"),
        (
            at(text, "[anna, brt]"),
            "warning",
            "'eerste' does not invite 1 of the people bound by "
            "the attend-all rule, so they cannot meet it: Bert Claes",
        ),
        (at(text, "brt"), "error", "unknown participant 'brt'"),
    ]


def test_an_unknown_field_suggests_the_right_one(write):
    text = edit(SMALL, "    kind: intervision\n    themes", "    knd: intervision\n    themes")
    found, diagnostics, _ = problems(write(text))
    assert found == [(at(text, "knd"), "error", "unknown field 'knd'")]
    assert diagnostics[0]["hint"] == "did you mean 'kind'?"


def test_a_missing_field_points_at_its_entry(write):
    text = edit(SMALL, "    name: Bert Claes\n", "")
    found, diagnostics, _ = problems(write(text))
    assert found == [(at(text, "bert:"), "error", "participant 'bert' is missing 'name'")]
    assert diagnostics[0]["hint"] == "add a line such as 'name: Tetem'"


def test_a_kind_that_is_not_a_kind(write):
    text = edit(SMALL, "    kind: intervision\n    themes", "    kind: intervisie\n    themes")
    found, diagnostics, _ = problems(write(text))
    assert found[0][:2] == (at(text, "intervisie"), "error")
    assert found[0][2].startswith("kind: 'intervisie' is not one of work-session, intervision")
    assert diagnostics[0]["hint"] == "did you mean 'intervision'?"


def test_end_before_start(write):
    text = edit(SMALL, 'end: "21:00"\n  tweede', 'end: "18:00"\n  tweede')
    found, _, _ = problems(write(text))
    assert found == [
        (at(text, '"18:00"'), "error", "meeting 'eerste' ends (18:00) before it starts (19:00)")
    ]


def test_a_venue_double_booked(write):
    text = edit(SMALL, "date: 2030-03-05", "date: 2030-02-05")
    text = edit(
        text,
        '    venue: zaal\n    date: 2030-02-05\n    start: "19:00"\n    end: "21:00"\n'
        "  tweede:\n    title: Tweede bijeenkomst\n    kind: intervision\n    venue: zaal",
        '    venue: zaal\n    date: 2030-02-05\n    start: "19:00"\n    end: "21:00"\n'
        "  tweede:\n    title: Tweede bijeenkomst\n    kind: intervision\n    venue: zaal ",
    )
    found, _, result = problems(write(text))
    assert result.exit_code == 0  # a warning: parallel rooms are possible
    assert (
        at(text, "zaal \n"),
        "warning",
        "venue 'zaal' is double-booked: 'eerste' and 'tweede' overlap on 2030-02-05",
    ) in found


def test_people_invited_to_overlapping_meetings(write):
    text = edit(SMALL, "date: 2030-03-05", "date: 2030-02-05")
    text = edit(
        text,
        'start: "19:00"\n    end: "21:00"\n  tweede',
        'start: "14:00"\n    end: "20:00"\n  tweede',
    )
    text = edit(
        text,
        "    title: Tweede bijeenkomst\n    kind: intervision\n    venue: zaal\n",
        "    title: Tweede bijeenkomst\n    kind: intervision\n    venue: online\n",
    )
    text = edit(
        text,
        "themes:\n  start:",
        "  online:\n    name: Meet\n    join_url: https://meet.example.org/x\nthemes:\n  start:",
    )
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, '2030-02-05\n    start: "19:00"'),
            "warning",
            "'eerste' and 'tweede' overlap, and 2 invitee(s) are invited to both: "
            "Anna Peeters, Bert Claes",
        )
    ]


def test_invitees_over_the_venue_capacity(write):
    text = edit(SMALL, "capacity: 20", "capacity: 1")
    found, _, result = problems(write(text))
    assert result.exit_code == 0
    assert found == [
        (
            at(text, "venue: zaal\n    date: 2030-02-05", 7),
            "warning",
            "2 people are invited to 'eerste', but De Zaal holds 1",
        ),
        (
            at(text, "venue: zaal\n    date: 2030-03-05", 7),
            "warning",
            "2 people are invited to 'tweede', but De Zaal holds 1",
        ),
    ]


def test_a_meeting_capacity_below_the_invitees(write):
    text = edit(SMALL, "    themes: start\n", "    themes: start\n    capacity: 1\n")
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "capacity: 1", 10),
            "warning",
            "2 people are invited to 'eerste', but the meeting's capacity (1)",
        )
    ]


@pytest.mark.parametrize(
    ("timezone", "day", "name"),
    [
        ("Europe/Brussels", "2030-07-21", "National Day"),
        ("Europe/Amsterdam", "2030-04-27", "King's Day"),
    ],
)
def test_a_meeting_on_a_public_holiday(write, timezone, day, name):
    text = edit(SMALL, "timezone: Europe/Brussels", f"timezone: {timezone}")
    text = edit(text, "date: 2030-03-05", f"date: {day}")
    found, _, result = problems(write(text))
    country = "BE" if "Brussels" in timezone else "NL"
    assert result.exit_code == 0
    assert found == [
        (
            at(text, day),
            "warning",
            f"'tweede' falls on a public holiday in {country}: {name} ({day})",
        )
    ]


def test_an_invitee_without_an_email_address(write):
    text = edit(SMALL, "    email: bert@example.org\n", "")
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "bert:"),
            "warning",
            "participant 'bert' has no e-mail address but is invited to 2 meeting(s)",
        )
    ]


def test_an_attendance_rule_asking_too_much(write):
    text = edit(SMALL, "required: all", "required: 3")
    found, _, result = problems(write(text))
    assert result.exit_code == 1
    assert found == [
        (
            at(text, "3\norganisations"),
            "error",
            "the attendance rule asks for 3 meetings, but the programme has only 2 that count",
        )
    ]


def test_attend_all_with_a_meeting_not_everyone_is_invited_to(write):
    text = edit(SMALL, "    themes: start\n", "    themes: start\n    invited: [anna]\n")
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "[anna]"),
            "warning",
            "'eerste' does not invite 1 of the people bound by the attend-all rule, "
            "so they cannot meet it: Bert Claes",
        )
    ]


def test_a_time_that_does_not_exist_in_spring(write):
    # Europe/Brussels skips 02:00-03:00 on the last Sunday of March 2030 (31 March)
    text = edit(
        SMALL, 'date: 2030-03-05\n    start: "19:00"', 'date: 2030-03-31\n    start: "02:30"'
    )
    found, _, result = problems(write(text))
    assert result.exit_code == 1
    assert (
        at(text, '"02:30"'),
        "error",
        "02:30 on 2030-03-31 does not exist in Europe/Brussels: the clocks skip that hour "
        "for summer time",
    ) in found


def test_a_time_that_happens_twice_in_autumn(write):
    text = edit(
        SMALL,
        'date: 2030-03-05\n    start: "19:00"\n    end: "21:00"',
        'date: 2030-10-27\n    start: "02:30"\n    end: "04:00"',
    )
    found, _, result = problems(write(text))
    assert result.exit_code == 0
    assert found == [
        (
            at(text, '"02:30"'),
            "warning",
            "02:30 on 2030-10-27 happens twice in Europe/Brussels (the clocks go back); "
            "cohort takes the first",
        )
    ]


def test_a_planned_meeting_in_the_past_warns_but_not_for_old_programmes(write):
    folder = write()
    found, _, _ = problems(folder, "--today", "2030-03-10")
    assert [f[2] for f in found] == [
        "'eerste' on 2030-02-05 is in the past but still planned",
        "'tweede' on 2030-03-05 is in the past but still planned",
    ]
    assert problems(folder)[0] == []  # --today 2030-01-01: nothing in the past


def test_a_registration_deadline_after_the_meeting(write):
    text = edit(
        SMALL, "    themes: start\n", "    themes: start\n    registration_deadline: 2030-02-10\n"
    )
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "2030-02-10"),
            "error",
            "registration_deadline 2030-02-10 is after the meeting (2030-02-05)",
        )
    ]


def test_a_partnership_that_contains_itself(write):
    text = edit(
        SMALL,
        "  leerhuis:\n    name: Leerhuis\n",
        "  leerhuis:\n    name: Leerhuis\n    members: [buur]\n"
        "  buur:\n    name: Buurthuis\n    members: [leerhuis]\n",
    )
    found, _, _ = problems(write(text))
    assert (
        at(text, "members: [buur]", 9),
        "error",
        "organisation 'leerhuis' is, through its members, a member of itself",
    ) in found


def test_an_invalid_email_address(write):
    text = edit(SMALL, "anna@example.org", "anna.example.org")
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "anna.example.org"),
            "error",
            "email: 'anna.example.org' is not an e-mail address: An email address must "
            "have an @-sign.",
        )
    ]


def test_two_people_with_one_address(write):
    text = edit(SMALL, "bert@example.org", "Anna@example.org")
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "Anna@example.org"),
            "warning",
            "'Anna@example.org' is also the address of participant 'anna'",
        )
    ]


def test_every_problem_in_one_run(write):
    text = edit(SMALL, "timezone: Europe/Brussels", "timezone: Europe/Brusels")
    text = edit(text, "anna@example.org", "anna-at-example.org")
    text = edit(text, "venue: zaal\n    date: 2030-02-05", "venue: zall\n    date: 2030-02-05")
    text = edit(text, 'end: "21:00"\n  tweede', 'end: "18:00"\n  tweede')
    found, _, result = problems(write(text))
    assert result.exit_code == 1
    assert [f[0] for f in found] == [
        at(text, "Europe/Brusels"),
        at(text, "anna-at-example.org"),
        at(text, "zall"),
        at(text, '"18:00"'),
    ]


def test_warnings_fail_only_with_strict(write):
    folder = write(edit(SMALL, "capacity: 20", "capacity: 1"))
    assert cohort("validate", folder, "--today", TODAY).exit_code == 0
    strict = cohort("validate", folder, "--today", TODAY, "--strict")
    assert strict.exit_code == 1
    assert "0 errors, 2 warnings" in strict.stderr


def test_json_output_for_machines(write):
    text = edit(SMALL, "venue: zaal\n    date: 2030-02-05", "venue: zall\n    date: 2030-02-05")
    result = cohort("validate", write(text), "--format", "json", "--today", TODAY)
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (data["ok"], data["errors"], data["warnings"]) == (False, 1, 0)
    assert data["diagnostics"][0] | {"file": "x"} == {
        "file": "x",
        "line": int(at(text, "zall").split(":")[1]),
        "column": 12,
        "severity": "error",
        "code": "unknown-id",
        "message": "unknown venue 'zall'",
        "hint": "did you mean 'zaal'?",
    }


def test_a_bad_today_is_a_usage_error(write):
    result = cohort("validate", write(), "--today", "tomorrow")
    assert result.exit_code == 2
    assert "--today 'tomorrow' is not a date" in result.stderr


def test_an_unknown_option_is_a_usage_error(write):
    assert cohort("validate", write(), "--strcit").exit_code == 2


def test_agenda_items_outside_the_meeting_or_out_of_order(write):
    text = edit(
        SMALL,
        "    themes: start\n",
        "    themes: start\n    agenda:\n"
        '      - time: "20:00"\n        title: Koffie\n'
        '      - time: "19:30"\n        title: Ronde\n'
        '      - time: "21:30"\n        title: Na afloop\n',
    )
    found, _, result = problems(write(text))
    assert result.exit_code == 0
    assert found == [
        (at(text, '"19:30"'), "warning", "agenda items are not in order of time"),
        (
            at(text, '"21:30"'),
            "warning",
            "agenda item at 21:30 lies outside the meeting (19:00–21:00)",
        ),
    ]


def test_a_speaker_that_looks_like_a_mistyped_id(write):
    text = edit(
        SMALL,
        "    themes: start\n",
        "    themes: start\n    agenda:\n      - title: Inleiding\n        speaker: ana\n",
    )
    found, diagnostics, _ = problems(write(text))
    assert found == [
        (
            at(text, "ana\n"),
            "warning",
            "speaker 'ana' is not a participant id; it will print as written",
        )
    ]
    assert diagnostics[0]["hint"] == "did you mean 'anna'?"


def test_a_meeting_without_venue_and_one_inviting_nobody(write):
    text = edit(SMALL, "    venue: zaal\n    date: 2030-03-05", "    date: 2030-03-05")
    text = edit(
        text,
        "    title: Eerste bijeenkomst\n",
        "    title: Eerste bijeenkomst\n    invited: {roles: expert}\n",
    )
    found, _, _ = problems(write(text))
    assert (at(text, "Eerste bijeenkomst"), "warning", "nobody is invited to 'eerste'") in found
    assert (at(text, "Tweede bijeenkomst"), "warning", "meeting 'tweede' has no venue yet") in found


def test_an_id_inside_an_entry_is_refused(write):
    text = edit(
        SMALL,
        "  anna:\n    name: Anna Peeters\n",
        "  anna:\n    id: anna\n    name: Anna Peeters\n",
    )
    found, _, _ = problems(write(text))
    assert found == [
        (
            at(text, "id: anna"),
            "error",
            "the id of this participant is its key 'anna'; remove 'id:'",
        )
    ]


def test_an_include_that_matches_nothing(write):
    text = SMALL.replace("organisations:", "include: [mensen.yaml]\norganisations:")
    found, _, _ = problems(write(text))
    assert found == [(at(text, "mensen.yaml"), "error", "include: no file matches 'mensen.yaml'")]


def test_every_diagnostic_code_is_documented_and_used():
    """docs/format.md lists each code with the meaning errors.CODES gives, and each code is
    given somewhere in the code (an unused code is noise in the documentation)."""
    import re

    from cohort.errors import CODES

    docs = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    section = docs.split("### Diagnostic codes", 1)[1]
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", section, re.M))
    assert documented == CODES
    source = "\n".join(p.read_text() for p in (ROOT / "cohort").rglob("*.py"))
    unused = [c for c in CODES if f'"{c}"' not in source.replace(f'    "{c}": ', "")]
    assert unused == []


def test_validate_json_gives_every_problem_a_code(write):
    text = edit(
        SMALL, "    venue: zaal\n    date: 2030-03-05", "    venue: zall\n    date: 2030-03-05"
    )
    text = edit(
        text, "kind: intervision\n    themes: start", "kind: intervisoin\n    themes: start"
    )
    text += (
        "  derde:\n    title: Derde\n    date: 2030-04-01\n    start: '19:00'\n    end: '18:00'\n"
    )
    result = cohort("validate", write(text), "--format", "json")
    codes = sorted(d["code"] for d in json.loads(result.stdout)["diagnostics"])
    assert codes == ["end-before-start", "no-venue", "not-a-choice", "unknown-id"]


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("title: Kleine leergroep", "title: ''", "empty-value"),
        ("title: Kleine leergroep", "title: [a, b]", "not-text"),
        ("title: Kleine leergroep", "titel: Kleine leergroep", "unknown-field"),
        ("  name: Leerhuis\n  email", "  naam: Leerhuis\n  email", "missing-field"),
        ("venues:\n  zaal:", "venues:\n  - zaal:", "not-a-mapping"),
        ("capacity: 20", "capacity: veel", "invalid-value"),
    ],
)
def test_each_kind_of_value_problem_has_its_code(write, old, new, code):
    result = cohort("validate", write(edit(SMALL, old, new)), "--format", "json")
    assert code in [d["code"] for d in json.loads(result.stdout)["diagnostics"]], result.stdout


def test_a_panel_names_participants_and_a_rule_never_binds_staff(write):
    text = edit(
        SMALL,
        '    end: "21:00"\n  tweede:',
        '    end: "21:00"\n    agenda:\n      - title: Panel\n'
        "        panel: [anna, brt]\n  tweede:",
    )
    text = edit(text, "  required: all\n", "  required: all\n  roles: [participant, expert]\n")
    result = cohort("validate", write(text), "--today", "2030-01-01")
    assert result.exit_code == 1
    assert "error: unknown participant 'brt' (did you mean 'bert'?)" in result.stderr
    assert "warning: the attendance rule names expert: facilitators, organisers and experts" in (
        " ".join(result.stderr.split())
    )


def test_a_text_per_language_is_checked_at_its_own_key(write):
    text = edit(SMALL, "    title: Eerste bijeenkomst\n", "    title: {nl: Eerste, de: Erste}\n")
    text = edit(text, "    title: Van start\n", "    title:\n      nl: Van start\n      fr: ''\n")
    text = edit(text, "    title: Tweede bijeenkomst\n", "    title: {}\n")
    found, diagnostics, _ = problems(write(text))
    assert len(found) == 3, found
    messages = {where: message for where, _, message in found}
    assert messages[at(text, "de: Erste")] == "title: 'de' is not a language cohort writes in"
    assert messages[at(text, "''")] == "title (fr): must not be empty"
    assert "at least one language" in messages[at(text, "{}")]
    hints = {d["message"]: d["hint"] for d in diagnostics}
    assert hints["title: 'de' is not a language cohort writes in"] == (
        "give the text per language as nl, en or fr"
    )


def test_a_text_per_language_is_valid(write):
    text = edit(SMALL, "    title: Eerste bijeenkomst\n", "    title: {fr: Première, nl: Eerste}\n")
    result = cohort("validate", write(text), "--today", TODAY)
    assert result.exit_code == 0, result


def test_texts_without_the_language_a_participant_reads_are_named_once(write):
    """Bert reads French in a Dutch programme: the preparation, the agenda and the route he
    receives fall back to Dutch. One warning says which, at his 'language:' line; none once
    each text is given in French too."""
    text = edit(
        SMALL, "    email: bert@example.org\n", "    email: bert@example.org\n    language: fr\n"
    )
    text = edit(text, "    capacity: 20\n", "    capacity: 20\n    directions: Naast de kerk.\n")
    dutch = edit(
        text,
        '    start: "19:00"\n    end: "21:00"\n  tweede:',
        '    start: "19:00"\n    end: "21:00"\n    preparation: Breng een vraag mee.\n'
        '    agenda:\n      - time: "19:00"\n        title: Onthaal\n  tweede:',
    )
    result = cohort("validate", write(dutch), "--format", "json", "--today", "2030-01-01")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "no-translation"]
    assert len(found) == 1, found
    (warning,) = found
    assert (warning["file"].rsplit("/", 1)[-1], warning["line"], warning["severity"]) == (
        "programme.yaml",
        dutch.splitlines().index("    language: fr") + 1,
        "warning",
    )
    assert warning["message"] == (
        "Bert Claes ('bert') reads French, but 4 text(s) they receive have no French version "
        "and go out in Dutch: the preparation of 'eerste'; the agenda of 'eerste'; the theme "
        "'start'; the directions to 'zaal'"
    )
    french = dutch.replace(
        "Breng een vraag mee.", "{nl: Breng een vraag mee., fr: Apportez une question.}"
    )
    french = french.replace("title: Onthaal", "title: {nl: Onthaal, fr: Accueil}")
    french = french.replace("title: Van start", "title: {nl: Van start, fr: Le départ}")
    french = french.replace("Naast de kerk.", "{nl: Naast de kerk., fr: À côté de l’église.}")
    result = cohort("validate", write(french), "--strict", "--today", "2030-01-01")
    assert result.exit_code == 0 and "no French version" not in result.stderr, result
