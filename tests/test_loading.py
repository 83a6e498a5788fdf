"""Strict, safe loading: the traps of YAML never reach the facilitator's outputs."""

from __future__ import annotations

import json

import pytest
from conftest import SMALL, at, cohort, edit


def diagnostics(folder):
    result = cohort("validate", folder, "--format", "json", "--today", "2030-01-01")
    return result, json.loads(result.stdout)["diagnostics"]


def where(d):
    return f"{d['file'].rsplit('/', 1)[-1]}:{d['line']}:{d['column']}"


def test_a_time_stays_a_time_and_no_stays_text(write):
    # YAML 1.1 reads 19:00 as 1140 and NO as false; cohort must not.
    text = edit(
        SMALL,
        'start: "19:00"\n    end: "21:00"\n  tweede',
        "start: 19:00\n    end: 21:00\n  tweede",
    )
    text = edit(text, "title: Tweede bijeenkomst", "title: NO")
    folder = write(text)
    result = cohort("schedule", folder, "--format", "json")
    assert result.exit_code == 0, result
    meetings = {m["id"]: m for m in json.loads(result.stdout)["meetings"]}
    assert meetings["eerste"]["start"] == "2030-02-05T19:00:00+01:00"
    assert meetings["tweede"]["title"] == "NO"


def test_a_python_tag_is_refused_at_its_line(write):
    folder = write(
        edit(
            SMALL,
            "title: Kleine leergroep",
            "title: !!python/object/apply:os.system ['echo pwned']",
        )
    )
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert [(where(d), d["message"]) for d in found] == [
        (
            "programme.yaml:2:8",
            "the tag '!!python/object/apply:os.system' is not allowed in a programme file",
        ),
    ]


def test_an_unknown_tag_is_refused(write):
    folder = write(edit(SMALL, "title: Kleine leergroep", "title: !secret leergroep"))
    _, found = diagnostics(folder)
    assert [(where(d), d["message"]) for d in found] == [
        ("programme.yaml:2:8", "unknown tag '!secret'")
    ]


def test_a_duplicate_key_is_an_error_naming_both_lines(write):
    text = SMALL + "  eerste :\n    title: Nog eens\n    date: 2030-04-01\n"
    folder = write(text)
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    first = at(text, "  eerste:").split(":")[1]
    assert [(where(d), d["message"]) for d in found] == [
        (at(text, "eerste :"), f"duplicate key 'eerste' (first given at line {first})")
    ]


def test_a_duplicate_field_inside_an_entry_is_an_error(write):
    text = edit(SMALL, "    name: Anna Peeters\n", "    name: Anna Peeters\n    name: Anna P.\n")
    _, found = diagnostics(write(text))
    assert [where(d) for d in found] == [at(text, "name: Anna P.")]
    assert found[0]["message"].startswith("duplicate key 'name'")
    assert found[0]["code"] == "duplicate-key"


def test_billion_laughs_is_stopped_quickly(write):
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        bomb.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    folder = write(
        SMALL
        + "\n".join("# " + line for line in [])
        + "laughs:\n"
        + "\n".join("  " + line for line in bomb)
        + "\n"
    )
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert any("too many values" in d["message"] for d in found), found


@pytest.mark.parametrize("depth", [500, 30_000])
def test_a_file_nested_too_deeply_is_one_error_at_its_line(write, depth):
    """30,000 brackets deep crashed the parser (exit 139); 500 deep said the file was no
    mapping and that an alias referred to itself."""
    text = SMALL + "extra: " + "[" * depth + "]" * depth + "\n"
    result, found = diagnostics(write(text))
    assert result.exit_code == 1, result
    assert [d["message"] for d in found] == ["nested too deeply (more than 64 levels)"]
    assert found[0]["line"] == text.count("\n")


def test_deep_indentation_is_no_nesting(write):
    """A deep indentation alone (a long block text) is no error."""
    text = SMALL + "extra: |\n" + " " * 200 + "deep text\n"
    result, found = diagnostics(write(text))
    assert not [d for d in found if "nested" in d["message"]], found


def test_a_recursive_alias_is_an_error(write):
    folder = write(SMALL + "loop: &loop [*loop]\n")
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert any("refers to itself" in d["message"] for d in found), found


def test_a_loop_through_a_merge_list_is_an_error(write):
    """The merged list is read while its own items are: the alias inside one loops."""
    folder = write(SMALL + "loop:\n  <<: &list [{a: 1}, {<<: *list}]\n")
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert any("refers to itself" in d["message"] for d in found), found


@pytest.mark.parametrize(
    "loop",
    ["a: &a [ [ {<<: *a} ] ]", "a: &a [x, [{<<: *a}]]", "a:\n  - &a [[{<<: *a}]]"],
)
def test_a_list_merged_into_a_mapping_inside_itself_is_an_error_at_the_alias(write, loop):
    """It stopped validate as 'a bug in cohort' (exit 70): the list was replayed while it was
    still being read."""
    text = SMALL + loop + "\n"
    result, found = diagnostics(write(text))
    assert result.exit_code == 1, result
    assert (at(text, "*a"), "an alias refers to itself or nests too deeply") in [
        (where(d), d["message"]) for d in found
    ]


def test_a_tagged_mapping_under_a_merge_key_is_refused_at_its_line(write):
    """It stopped validate with a traceback."""
    text = SMALL + "extra:\n  <<: !secret {a: 1}\n"
    result, found = diagnostics(write(text))
    assert result.exit_code == 1, result
    shown = [(where(d), d["message"]) for d in found]
    assert (at(text, "!secret"), "unknown tag '!secret'") in shown, shown


def test_aliases_and_merge_keys_within_bounds_work(write):
    text = SMALL.replace(
        "  tweede:\n    title: Tweede bijeenkomst\n    kind: intervision\n    venue: zaal\n",
        "  tweede:\n    <<: *avond\n    title: Tweede bijeenkomst\n",
    )
    text = text.replace(
        "  eerste:\n    title: Eerste bijeenkomst\n",
        "  eerste: &avond\n    title: Eerste bijeenkomst\n",
    )
    folder = write(text)
    result = cohort("schedule", folder, "--format", "json")
    assert result.exit_code == 0, result
    tweede = json.loads(result.stdout)["meetings"][1]
    assert (tweede["title"], tweede["venue"], tweede["kind"]) == (
        "Tweede bijeenkomst",
        "zaal",
        "intervision",
    )


def test_an_impossible_date_is_an_error_at_its_line(write):
    text = edit(SMALL, "date: 2030-03-05", "date: 2030-02-30")
    _, found = diagnostics(write(text))
    assert [(where(d), d["message"]) for d in found] == [
        (
            at(text, "2030-02-30"),
            "date: '2030-02-30' is not a date in the calendar (day is out of range for month)",
        )
    ]


def test_a_dutch_time_gets_a_hint(write):
    text = edit(
        SMALL,
        'start: "19:00"\n    end: "21:00"\n  tweede',
        'start: 19.00\n    end: "21:00"\n  tweede',
    )
    _, found = diagnostics(write(text))
    assert [(where(d), d["message"]) for d in found] == [
        (at(text, "19.00"), "start: '19.00' is not a time; write it as 19:00")
    ]


def test_non_utf8_bytes_are_reported_at_their_place(write):
    folder = write()
    path = folder / "programme.yaml"
    path.write_bytes(path.read_bytes().replace(b"Kleine", b"Kl\xe9ine"))
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert [(where(d), d["message"]) for d in found] == [
        ("programme.yaml:2:10", "this file is not UTF-8 text (byte 0xe9)")
    ]


def test_a_tab_in_indentation_is_named(write):
    folder = write(edit(SMALL, "  name: Leerhuis\n  email", "\tname: Leerhuis\n  email"))
    _, found = diagnostics(folder)
    assert [(where(d), d["message"]) for d in found] == [
        ("programme.yaml:6:1", "a tab is used for indentation; YAML allows only spaces there")
    ]


def test_an_empty_file_is_an_error(write):
    folder = write("# nothing yet\n")
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert [d["message"] for d in found] == ["this file is empty"]


def test_a_top_level_list_is_an_error(write):
    folder = write("- id: x\n- title: y\n")
    _, found = diagnostics(folder)
    assert [(where(d), d["message"]) for d in found] == [
        (
            "programme.yaml:1:1",
            "the top level of programme.yaml must be a mapping of 'key: value' lines, not a list",
        )
    ]


def test_a_syntax_error_points_at_the_line(write):
    folder = write(edit(SMALL, "title: Kleine leergroep", "title: [Kleine leergroep"))
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert found[0]["line"] in (2, 3) and found[0]["message"].startswith("YAML syntax:")


def test_a_folder_without_programme_yaml(tmp_path):
    result = cohort("validate", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{tmp_path}: error: there is no programme.yaml in '{tmp_path}' "
        f"(create one with 'cohort init {tmp_path}')"
    )


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path):
    result = cohort("validate", tmp_path / "nope")
    assert result.exit_code == 2
    assert "there is no folder" in result.stderr


def test_a_huge_file_is_refused(write):
    folder = write()
    with (folder / "programme.yaml").open("a") as handle:
        handle.write("# " + "x" * 80 + "\n" * 1)
        handle.write(("#" + " " * 1023 + "\n") * (11 * 1024))
    result, found = diagnostics(folder)
    assert result.exit_code == 1
    assert "cohort reads programme files up to 10 MB" in found[0]["message"]


def test_included_files_are_merged_and_duplicates_across_files_caught(write):
    text = SMALL.replace("participants:\n  anna:", "include: people/*.yaml\nparticipants:\n  anna:")
    folder = write(
        text,
        **{
            "people/more.yaml": """\
            participants:
              chris:
                name: Chris Maes
                email: chris@example.org
              anna:
                name: Anna again
            """,
        },
    )
    _, found = diagnostics(folder)
    first = at(text, "anna:")
    assert [(where(d), d["message"]) for d in found] == [
        ("more.yaml:5:3", f"duplicate participant id 'anna' (first defined at {folder}/{first})")
    ]


def test_an_include_outside_the_folder_is_refused(write):
    text = SMALL.replace("organisations:", "include: ../elsewhere.yaml\norganisations:")
    _, found = diagnostics(write(text))
    assert [(where(d), d["message"]) for d in found] == [
        (at(text, "../elsewhere"), "include: '../elsewhere.yaml' lies outside the programme folder")
    ]


def test_an_include_too_long_for_a_file_name_is_an_error_at_its_line(write):
    name = "x" * 300 + ".yaml"
    text = SMALL.replace("organisations:", f"include: {name}\norganisations:")
    _, found = diagnostics(write(text))
    assert [(where(d), d["code"]) for d in found] == [(at(text, name), "bad-include")]
    assert "cannot name a file here" in found[0]["message"]


def test_an_included_file_may_only_hold_collections(write):
    folder = write(
        SMALL.replace("organisations:", "include: extra.yaml\norganisations:"),
        **{"extra.yaml": "venue:\n  x:\n    name: X\n"},
    )
    _, found = diagnostics(folder)
    assert [(where(d), d["message"], d["hint"]) for d in found] == [
        ("extra.yaml:1:1", "unknown key 'venue'", "did you mean 'venues'?")
    ]


def test_a_list_of_entries_gets_a_hint_to_use_ids_as_keys(write):
    folder = write(
        edit(
            SMALL,
            "themes:\n  start:\n    title: Van start\n",
            "themes:\n  - id: start\n    title: Van start\n",
        )
    )
    _, found = diagnostics(folder)
    assert found[0]["message"] == "themes: expected a mapping from id to theme"
    assert "instead of '- id: tetem'" in found[0]["hint"]


def test_an_empty_value_is_empty_but_quoted_empty_text_is_text(write):
    text = edit(SMALL, "    capacity: 20\n", "    capacity:\n    accessibility: ''\n")
    result = cohort("validate", write(text), "--today", "2030-01-01")
    assert result.exit_code == 0, result


def test_the_merge_key_must_be_plain_to_merge(write):
    text = SMALL.replace(
        "  eerste:\n    title: Eerste bijeenkomst\n",
        "  eerste: &avond\n    title: Eerste bijeenkomst\n",
    )
    text = text.replace("  tweede:\n", "  tweede:\n    '<<': *avond\n")
    _, found = diagnostics(write(text))
    assert [d["message"] for d in found] == ["unknown field '<<'"]
