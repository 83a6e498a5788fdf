"""Shared helpers: programmes written from dedented text, and the CLI run in-process."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cohort.cli import app

ROOT = Path(__file__).resolve().parent.parent
PROGRAMMES = ROOT / "programmes"
SEEDS = sorted(p.name for p in PROGRAMMES.iterdir() if (p / "programme.yaml").is_file())

#: A small, valid programme; tests change one thing in it and look at what cohort says.
SMALL = """\
id: small
title: Kleine leergroep
language: nl
timezone: Europe/Brussels
organiser:
  name: Leerhuis
  email: leerhuis@example.org
attendance:
  required: all
organisations:
  leerhuis:
    name: Leerhuis
participants:
  anna:
    name: Anna Peeters
    email: anna@example.org
    organisation: leerhuis
  bert:
    name: Bert Claes
    email: bert@example.org
    organisation: leerhuis
venues:
  zaal:
    name: De Zaal
    address: Kerkstraat 1
    postcode: "9000"
    city: Gent
    capacity: 20
    host: leerhuis
themes:
  start:
    title: Van start
meetings:
  eerste:
    title: Eerste bijeenkomst
    kind: intervision
    themes: start
    venue: zaal
    date: 2030-02-05
    start: "19:00"
    end: "21:00"
  tweede:
    title: Tweede bijeenkomst
    kind: intervision
    venue: zaal
    date: 2030-03-05
    start: "19:00"
    end: "21:00"
"""


def _hashes(folder: Path) -> dict[str, str]:
    """Every entry below `folder`: a file by its digest, a folder and a link as such (so an
    empty folder or a link made there counts as a change too)."""

    def seen(path: Path) -> str:
        if path.is_symlink():
            return f"link to {path.readlink()}"
        if path.is_dir():
            return "folder"
        return hashlib.sha256(path.read_bytes()).hexdigest()

    return {
        str(p.relative_to(folder)): seen(p)
        for p in sorted(folder.rglob("*"))
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="session", autouse=True)
def example_programmes_are_never_written_to() -> object:
    """Every test works on copies: nothing a run writes may land in programmes/, and nothing
    there may change (checked around the whole session, whatever the order of the tests)."""
    before = _hashes(PROGRAMMES)
    yield
    after = _hashes(PROGRAMMES)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert changed == [], f"tests wrote into programmes/: {changed}"


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str, raw: bytes = b"") -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.output = stdout + stderr
        self.stdout_bytes = raw

    def __repr__(self) -> str:
        return f"<exit {self.exit_code}\n{self.output}>"


def cohort(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run `cohort ARGS` in-process, as a facilitator would type it."""
    runner = CliRunner()
    result = runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(programme_text, **other_files) -> the programme folder, texts dedented."""

    def _write(text: str = SMALL, **files: str) -> Path:
        folder = tmp_path / "programme"
        folder.mkdir(exist_ok=True)
        (folder / "programme.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        for name, content in files.items():
            path = folder / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return folder

    return _write


@pytest.fixture
def seed(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of one of the example programmes, to change without touching the real one."""

    def _seed(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(PROGRAMMES / name, target)
        return target

    return _seed


def edit(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so a test cannot silently change nothing."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, offset: int = 0, file: str = "programme.yaml") -> str:
    """'file:line:col' of the (only) occurrence of `needle` in `text`, plus `offset` columns."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    before = text[: text.index(needle)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1 + offset
    return f"{file}:{line}:{column}"
