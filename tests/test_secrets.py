"""The feed secret, as the facilitator meets it: never silently made or moved, and named by
`validate` when feeds need it and it is gone. (Readable by its owner only and kept out of git,
as every secret is: `records.keys`, tested in test_certificate_outputs.)"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, cohort

T0 = {"COHORT_NOW": "2030-01-01T09:00:00Z"}
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def calendar(folder: Path, out: Path):
    result = cohort("calendar", folder, "-o", out, env=T0)
    assert result.exit_code == 0, result
    return result


def git_init(folder: Path) -> None:
    assert GIT is not None
    subprocess.run([GIT, "init", "-q", str(folder)], check=True)


def test_a_new_secret_is_said_with_the_advice_to_keep_a_copy(write, tmp_path):
    folder = write()
    made = calendar(folder, tmp_path / "out")
    assert stat.S_IMODE((folder / "feed-secret.txt").stat().st_mode) == 0o600
    assert (
        f"note: wrote {folder / 'feed-secret.txt'}, the secret of the personal feeds' names: "
        "keep a copy somewhere safe"
    ) in made.stdout
    again = calendar(folder, tmp_path / "out")
    assert "feed-secret.txt" not in again.output


@needs_git
def test_moving_the_secret_out_of_published_json_is_said_with_what_git_would_do(write, tmp_path):
    folder = write()
    git_init(folder)
    calendar(folder, tmp_path / "out")
    state = json.loads((folder / "published.json").read_text())
    (folder / "published.json").write_text(json.dumps({**state, "secret": "a3" * 16}, indent=1))
    (folder / "feed-secret.txt").unlink()
    (folder / ".gitignore").unlink()
    moved = calendar(folder, tmp_path / "out")
    assert "moved the feed secret out of published.json into feed-secret.txt" in moved.stdout
    assert (folder / "feed-secret.txt").read_text() == "a3" * 16 + "\n"
    assert "added the line /feed-secret.txt" in moved.stdout
    assert (folder / ".gitignore").read_text() == "/feed-secret.txt\n"
    checked = cohort("validate", folder, env=T0)
    assert "feed-secret.txt" not in checked.output


def test_validate_warns_when_the_feed_secret_is_gone_after_feeds_were_named(write, tmp_path):
    folder = write()
    calendar(folder, tmp_path / "out")
    (folder / "feed-secret.txt").unlink()  # a fresh clone: the secret stayed out of git
    result = cohort("validate", folder, env=T0)
    assert (
        "feed-secret.txt: warning: feed-secret.txt is missing: the personal feeds were named "
        "with the secret it held, so the next 'cohort calendar' stops"
    ) in result.output
    assert cohort("validate", folder, "--strict", env=T0).exit_code == 1


@needs_git
@pytest.mark.parametrize("name", ["feed-secret.txt", "certificate-secret.txt"])
def test_the_example_commands_of_the_readme_make_no_committable_secret(name):
    assert GIT is not None
    found = subprocess.run(
        [GIT, "-C", str(ROOT), "check-ignore", "-q", f"programmes/twente-cop-2024/{name}"],
        check=False,
    )
    assert found.returncode == 0, f"programmes/*/{name} is not git-ignored in this repository"
