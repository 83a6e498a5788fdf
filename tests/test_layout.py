"""The package's folders are the stages of the data flow, and an import never runs backwards:
reading the programme -> the records cohort keeps -> planning -> documents -> delivery -> CLI.
Shared foundations (errors, files, output folders, words) sit below all of them."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "cohort"
#: stage of each top-level name inside the package; lower may never import higher
STAGES = {
    "__init__": 0,
    "__version__": 0,
    "__main__": 9,
    "errors": 0,
    "files": 0,
    "output": 0,
    "languages": 0,
    "i18n": 0,
    "tables": 0,
    "locale": 0,
    "templates": 0,
    "programme": 1,
    "records": 2,
    "planning": 3,
    "documents": 4,
    "delivery": 5,
    "cli": 6,
}


def _stage_of(module: str) -> int:
    return STAGES[module.split(".")[0]]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module relative to the package) of every import from inside cohort, including
    the lazy ones inside functions."""
    relative = path.relative_to(PACKAGE).with_suffix("")
    package = list(relative.parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
                names = [target] if node.module else [".".join([*base, a.name]) for a in node.names]
            elif node.module and node.module.startswith("cohort."):
                names = [node.module.removeprefix("cohort.")]
            else:
                continue
            found += [(node.lineno, name) for name in names if name]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name.removeprefix("cohort."))
                for a in node.names
                if a.name.startswith("cohort.")
            ]
    return found


def test_every_import_runs_from_a_later_stage_to_an_earlier_one():
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _stage_of(path.relative_to(PACKAGE).with_suffix("").parts[0])
        for line, module in _imports(path):
            if _stage_of(module) > own:
                backwards.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert backwards == []


def test_the_check_of_the_layout_can_fail():
    """The walker sees a lazy import inside a function, so the test above is not empty."""
    imports = dict((m, n) for n, m in _imports(PACKAGE / "cli" / "mail.py"))
    assert "documents.invitations" in imports and "delivery.send" in imports


def test_modules_stay_small():
    """STYLE: split a module when it passes ~400 lines or holds two concerns."""
    large = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert large == []
