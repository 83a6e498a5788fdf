"""`cohort init`: a new programme that validates as it is, and never overwrites."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import cohort

from cohort.records.published import SECRET_FILE


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
def test_a_new_programme_validates_and_has_a_schedule(tmp_path, language):
    folder = tmp_path / "nieuw"
    result = cohort("init", folder, "--language", language)
    assert result.exit_code == 0, result
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitignore",
        "participants.yaml",
        "programme.schema.json",
        "programme.yaml",
    ]
    check = cohort("validate", folder, "--strict")
    assert check.exit_code == 0, check
    assert cohort("schedule", folder).exit_code == 0
    text = (folder / "programme.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=programme.schema.json")
    assert f"language: {language}" in text


def test_init_never_overwrites_what_the_facilitator_wrote(tmp_path):
    folder = tmp_path / "mijn"
    folder.mkdir()
    (folder / "programme.yaml").write_text("id: mine\n")
    result = cohort("init", folder)
    assert result.exit_code == 1
    assert "already exists; cohort init never overwrites" in result.stderr
    assert (folder / "programme.yaml").read_text() == "id: mine\n"
    assert not (folder / "participants.yaml").exists()


def test_an_unknown_language_is_a_usage_error(tmp_path):
    result = cohort("init", tmp_path / "x", "--language", "de")
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_a_new_programme_keeps_the_feed_secret_out_of_git(tmp_path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "nieuw"
    assert cohort("init", folder).exit_code == 0
    assert f"/{SECRET_FILE}\n" in (folder / ".gitignore").read_text()
    subprocess.run([git, "init", "-q", str(folder)], check=True)
    assert cohort("calendar", folder, "-o", tmp_path / "out").exit_code == 0
    assert (folder / SECRET_FILE).exists()
    status = subprocess.run(
        [git, "-C", str(folder), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "published.json" in status and SECRET_FILE not in status


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", "title: Mijn lerend netwerk"),
        ("fr", "title: Mon réseau apprenant"),
        ("en", "title: My learning network"),
    ],
)
def test_the_sample_is_in_the_chosen_language_and_points_to_the_format(tmp_path, language, words):
    folder = tmp_path / language
    result = cohort("init", folder, "--language", language)
    assert result.exit_code == 0, result
    assert "docs/format.md" in result.stdout
    text = (folder / "programme.yaml").read_text()
    assert words in text and "docs/format.md" in text
    assert cohort("agenda", folder, "-o", tmp_path / "a" / language).exit_code == 0


def test_init_on_a_file_says_it_is_a_file(tmp_path):
    assert cohort("init", tmp_path / "p").exit_code == 0
    entry = tmp_path / "p" / "programme.yaml"
    before = entry.read_bytes()
    result = cohort("init", entry)
    assert result.exit_code == 2, result
    assert f"'{entry}' is a file; give the folder" in result.stderr
    assert entry.read_bytes() == before


def test_init_into_a_fresh_git_folder_keeps_its_gitignore(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / ".gitignore").write_text("*.pdf\n")
    result = cohort("init", folder)
    assert result.exit_code == 0, result
    assert (folder / ".gitignore").read_text() == "*.pdf\n"
    assert (folder / "programme.yaml").is_file()
    assert cohort("validate", folder).exit_code == 0


#: the collections whose entries are named by ids (words of the sample's language)
COLLECTIONS = {"organisations", "venues", "themes", "meetings", "participants"}


def shape(value, by_order: bool = False):
    """The fields of a YAML document, whatever its words: the entries of a collection by
    their order, any other mapping by its keys, a value by its type."""
    if isinstance(value, dict):
        return {
            (n if by_order else key): shape(item, key in COLLECTIONS)
            for n, (key, item) in enumerate(value.items())
        }
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def test_the_three_samples_show_the_same_fields(tmp_path):
    """A facilitator starting in English sees what the Dutch and French samples show: the
    venue's directions and parking, the meeting's description and preparation."""
    import yaml

    shapes = {}
    for language in ("nl", "fr", "en"):
        folder = tmp_path / language
        assert cohort("init", folder, "--language", language).exit_code == 0
        shapes[language] = [
            shape(yaml.safe_load((folder / name).read_text(encoding="utf-8")))
            for name in ("programme.yaml", "participants.yaml")
        ]
    assert shapes["en"] == shapes["nl"] == shapes["fr"]
    venue = shapes["en"][0]["venues"][0]
    assert "directions" in venue and "parking" in venue
    assert {"description", "preparation"} <= set(shapes["en"][0]["meetings"][0])
