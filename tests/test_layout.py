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
    "errors": 0,
    "files": 0,
    "output": 0,
    "said": 0,
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
    "__main__": 9,
}


def _stage_of(module: str) -> int:
    first = module.split(".")[0]
    assert first in STAGES, f"'{first}' is in no stage: add it to STAGES in {__file__}"
    return STAGES[first]


def _imports(relative: Path, source: str) -> list[tuple[int, str]]:
    """(line, module relative to the package) of every import from inside cohort in `source`
    (the file at `relative` inside the package): relative and absolute imports, `from cohort
    import x`, the lazy ones inside functions, and `importlib.import_module("cohort.x")`."""
    package = list(relative.with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            elif node.module == "cohort" or (node.module or "").startswith("cohort."):
                module = (node.module or "").removeprefix("cohort").removeprefix(".")
            else:
                continue
            names = [module] if module else []
            if not node.module or node.module == "cohort":  # from . import x / from cohort import x
                names = [".".join(p for p in (module, a.name) if p) for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name.removeprefix("cohort."))
                for a in node.names
                if a.name.startswith("cohort.")
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("cohort.")
        ):
            found.append((node.lineno, str(node.args[0].value).removeprefix("cohort.")))
    return found


def _backwards(relative: Path, source: str) -> list[str]:
    own = _stage_of(relative.with_suffix("").parts[0])
    return [
        f"cohort/{relative}:{line}: imports {module}"
        for line, module in _imports(relative, source)
        if _stage_of(module) > own
    ]


def test_every_import_runs_from_a_later_stage_to_an_earlier_one():
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        backwards += _backwards(path.relative_to(PACKAGE), path.read_text(encoding="utf-8"))
    assert backwards == []


def test_a_backward_import_of_any_form_is_caught():
    """Each way of importing a later stage from reading the programme is reported."""
    source = (
        "import cohort.delivery.send\n"
        "from cohort import cli\n"
        "from ..documents import view\n"
        "def lazy():\n"
        "    from ..records.workspace import load_checked\n"
        "    importlib.import_module('cohort.planning.dates')\n"
    )
    found = _backwards(Path("programme/schema.py"), source)
    assert [line.split(": imports ")[1] for line in found] == [
        "delivery.send",
        "cli",
        "documents",
        "records.workspace",
        "planning.dates",
    ]


def test_modules_stay_small():
    """STYLE: split a module when it passes ~400 lines or holds two concerns."""
    large = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert large == []
