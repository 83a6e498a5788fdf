"""The command itself: fast help, clear usage errors, no traceback ever."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import cohort

HEAVY = (
    "pydantic",
    "jinja2",
    "icalendar",
    "babel",
    "yaml",
    "rich",
    "holidays",
    "ortools",
    "caldav",
    "numpy",
)


def test_help_lists_every_command():
    result = cohort("--help")
    assert result.exit_code == 0
    for command in (
        "init",
        "validate",
        "schedule",
        "schema",
        "calendar",
        "publish",
        "invite",
        "send",
        "agenda",
        "attendance",
        "report",
        "build",
        "poll",
        "groups",
    ):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command
    sub = cohort("attendance", "--help")
    assert "sheet" in sub.stdout and "record" in sub.stdout


def test_help_imports_nothing_heavy():
    code = (
        "import sys; from cohort.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "print(sorted(m for m in sys.modules if m.startswith('cohort.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, own = out.stdout.strip().splitlines()[-2:]
    assert heavy == "[]"
    # no command's module either: each is imported when its command runs
    assert own == "['cohort.cli', 'cohort.cli.app']"


def test_help_lists_each_command_by_its_own_help():
    """`cohort --help` lists the commands without building them: each line must still be what
    the command says of itself, and no command may be missing from the list."""
    import importlib
    import inspect
    import pkgutil

    from cohort import cli as package
    from cohort.cli.app import COMMANDS, app

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"cohort.cli.{module.name}")
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}
    registered |= {g.name for g in app.registered_groups}
    assert registered == set(COMMANDS)
    for name, (module, line) in COMMANDS.items():
        command = cohort(name, "--help")
        assert command.exit_code == 0, name
        first = " ".join(command.stdout.split("\n\n")[1].split())
        assert first == " ".join(inspect.cleandoc(line).split()), name
        where = [
            c.callback.__module__
            for c in app.registered_commands
            if (c.name or c.callback.__name__) == name
        ] + [
            c.callback.__module__
            for g in app.registered_groups
            if g.name == name
            for c in g.typer_instance.registered_commands
        ]
        assert where and all(w == f"cohort.cli.{module}" for w in where), name


def test_no_arguments_shows_help():
    result = cohort()
    assert "Usage" in result.output


def test_an_unknown_command_is_a_usage_error():
    assert cohort("valdate").exit_code == 2


def test_the_installed_script_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "cohort", "validate", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert "there is no programme.yaml" in out.stderr
    assert "Traceback" not in out.stderr


def test_version():
    from cohort import __version__

    result = cohort("--version")
    assert (result.exit_code, result.stdout) == (0, f"cohort {__version__}\n")


@pytest.mark.parametrize(
    ("command", "option", "choices"),
    [
        (("registrations", "status"), "--format", "text|json"),
        (("poll", "import"), "--tool", "framadate|rallly|nextcloud|newdle|doodle"),
        (("registrations", "import"), "--tool", "pretix|eventbrite|google|microsoft|columns"),
        (("send",), "--as", "delivered|not-delivered"),
        (("validate",), "--format", "text|json"),
    ],
)
def test_a_choice_lists_its_values_and_refuses_any_other(tmp_path, command, option, choices):
    shown = cohort(*command, "--help")
    assert re.search(rf"{option} <{re.escape(choices)}>", shown.stdout), shown.stdout
    (tmp_path / "export.csv").write_text("a,b\n")
    arguments = {"send": [tmp_path], "validate": [tmp_path], "registrations status": [tmp_path]}
    given = arguments.get(" ".join(command), [tmp_path / "export.csv"])
    refused = cohort(*command, *given, option, "other")
    assert refused.exit_code == 2
    assert f"Invalid value for '{option}'" in refused.stderr
    assert "'other' is not one of" in refused.stderr


def test_the_tools_offered_are_the_tools_read():
    from cohort.cli.planning import PollTool
    from cohort.cli.registrations import ExportTool
    from cohort.planning import polls, registration_exports

    assert tuple(PollTool) == polls.TOOLS
    assert tuple(ExportTool) == registration_exports.TOOLS


@pytest.mark.parametrize(("typo", "meant"), [("verfy", "verify"), ("isue", "issue")])
def test_a_typo_of_a_certificates_command_is_named(tmp_path, monkeypatch, typo, meant):
    monkeypatch.chdir(tmp_path)
    result = cohort("certificates", typo, "CODE")
    assert result.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{meant}'?" in result.stderr
    # a folder of that name is the programme's: it is issued from
    (tmp_path / typo).mkdir()
    folder = cohort("certificates", typo)
    assert folder.exit_code == 1
    assert f"there is no programme.yaml in '{typo}'" in folder.stderr
    # and a word close to no command is taken for a folder, as before
    assert "there is no folder 'elsewhere'" in cohort("certificates", "elsewhere").stderr
