"""Whatever the facilitator types, cohort answers with diagnostics, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import PROGRAMMES, SMALL, cohort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TWENTE = (PROGRAMMES / "twente-cop-2024" / "programme.yaml").read_text(encoding="utf-8")
PEOPLE = (PROGRAMMES / "twente-cop-2024" / "participants.yaml").read_text(encoding="utf-8")

TRICKY = st.sampled_from(
    [
        "",
        "~",
        "null",
        "19:00",
        "19.00",
        "25:61",
        "NO",
        "yes",
        "2024-02-30",
        "2024-03-31",
        "-1",
        "0",
        "1e400",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "*nope",
        "!!python/object:os.system",
        "!!binary aGk=",
        "<<: *a",
        "\t",
        "'",
        '"',
        "|",
        ">",
        "- x",
        "? x",
        "%YAML 1.1",
        "everyone",
        "all",
        "cancelled",
        "Europe/Brussels",
        "Mars/Olympus",
        "tetem",
        "tetem2",
        "é",
        "\u202e",
        "\x00",
        "\ufeff",
        "a: b: c",
        "[a, b]",
        "{a: 1}",
        "PT1H",
        "1h30",
        "99999999999",
    ]
)


@st.composite
def mutated(draw, text):
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "copy", "value", "insert", "indent", "swap", "key"]))
        line = lines[i]
        if how == "drop":
            del lines[i]
        elif how == "copy":
            lines.insert(i, line)
        elif how == "value" and ":" in line:
            lines[i] = line.split(":", 1)[0] + ": " + draw(TRICKY)
        elif how == "key" and ":" in line:
            lines[i] = (
                " " * (len(line) - len(line.lstrip())) + draw(TRICKY) + ":" + line.split(":", 1)[1]
            )
        elif how == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.one_of(TRICKY, st.text(max_size=3))) + line[at:]
        elif how == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t", "     "])) + line.lstrip()
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], line
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


def check_no_crash(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        for args in (
            ["validate", "--format", "json"],
            ["validate"],
            ["schedule"],
            ["schedule", "--format", "json"],
        ):
            result = cohort(*args, folder)
            assert result.exit_code in (0, 1), result
            assert "internal error" not in result.output, result
            assert "Traceback" not in result.output, result
            if result.exit_code == 1 and args[0] == "validate":
                assert ": error: " in result.output or '"severity": "error"' in result.output


SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("COHORT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(mutated(SMALL))
def test_mutations_of_a_small_programme(text):
    check_no_crash({"programme.yaml": text})


@SETTINGS
@given(mutated(TWENTE), mutated(PEOPLE))
def test_mutations_of_a_programme_with_an_included_file(text, people):
    check_no_crash({"programme.yaml": text, "participants.yaml": people})
