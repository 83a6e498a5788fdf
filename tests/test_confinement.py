"""Programme-supplied files stay inside the programme (issue 11, section 3).

A programme's own templates are not trusted code: the known ways out of Jinja's sandbox each end
in a template error naming the file and line, and nothing happens on the machine (a pickle that
would create a file, a file read off the disk). A template, an included YAML file or an
attendance record that is a link out of the programme folder is refused, and so is a pipe (or
another special file) where cohort expects a file: at once, never waiting for a writer.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shutil
import signal

import pytest
from conftest import SMALL, cohort

from cohort.templates import builtin_dir

TODAY = ("--today", "2030-01-01")  # before the meetings: invitations are due

#: A pickle (protocol 0, plain text) that creates a file when it is unpickled: proof that code ran.
PICKLE = "c__builtin__\\nopen\\n(S'{marker}'\\nS'w'\\ntR."

#: The known ways out of a sandbox, each as a template line; {marker} is a file that must never
#: appear, {secret} a file outside the programme that must never be read.
ESCAPES = {
    "pydantic's parse_raw unpickles": (
        '{{{{ programme.parse_raw("' + PICKLE + '", content_type="application/pickle", '
        "allow_pickle=True) }}}}"
    ),
    "pydantic's parse_file reads any file": "{{{{ programme.parse_file('{secret}') }}}}",
    "model_validate_json": "{{{{ programme.model_validate_json('{{}}') }}}}",
    "the class of a value": "{{{{ programme.__class__.__mro__ }}}}",
    "a function's globals": "{{{{ lipsum.__globals__['os'].system('touch {marker}') }}}}",
    "the attr filter": "{{{{ (programme|attr('parse_file'))('{secret}') }}}}",
    "str.format": "{{{{ '{{0.__class__}}'.format(programme) }}}}",
    "a list's append": "{{{{ organiser.name.split().append('x') }}}}",
    "a dunder through attr": "{{{{ (organiser|attr('__init__')) }}}}",
    "a huge string": "{{{{ 'x' * 10 ** 9 }}}}",
    "a huge power": "{{{{ 9 ** 999999 }}}}",
}

#: Templates a facilitator may override, the command that renders each, and a place for a line.
TEMPLATES = {
    "email/message.txt": ("invite", "-o", "{out}"),
    "report/report.md": ("report", "-o", "{out}", "--format", "md"),
    "site/index.html": ("build", "-o", "{out}"),
    "agenda/agenda.typ": ("agenda", "-o", "{out}", "--format", "pdf"),
}


@pytest.mark.parametrize("template", list(TEMPLATES))
@pytest.mark.parametrize("escape", list(ESCAPES))
def test_every_known_escape_ends_in_a_template_error(write, tmp_path, template, escape):
    marker, secret = tmp_path / "ran", tmp_path / "secret.txt"
    secret.write_text("the facilitator's secret")
    line = ESCAPES[escape].format(marker=marker, secret=secret)
    # organiser: what every template has, whatever else it gets
    body = "{% set organiser = organiser if organiser is defined else programme.organiser %}\n"
    folder = write(SMALL, **{f"templates/{template}": body + line + "\n"})
    command, *rest = TEMPLATES[template]
    args = [arg.format(out=tmp_path / "out") for arg in rest]
    result = cohort(command, folder, *args, *TODAY)
    assert result.exit_code == 1, result
    assert f"{folder / 'templates' / template}:2:" in result.stderr, result
    assert "internal error" not in result.stderr
    assert not marker.exists()
    assert "secret" not in result.output


def test_a_programmes_template_still_renders_what_a_template_needs(write, tmp_path):
    text = (
        "{% for item in agenda %}{{ loop.index }}. {{ item.title|upper }}\n{% endfor %}"
        "{{ person.name.split()[0] }} · {{ starts_at.year }} · {{ day|date('short') }}"
        " · {{ themes|map(attribute='title')|join(', ') }}\n"
    )
    folder = write(SMALL, **{"templates/email/message.txt": text})
    result = cohort("invite", folder, "-o", tmp_path / "out", "--today", "2030-01-01")
    assert result.exit_code == 0, result
    raw = next((tmp_path / "out").glob("eerste.anna.*.eml")).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "1. " not in body  # the small programme's meetings have no agenda
    assert "Anna · 2030 · " in body and " · Van start" in body


def test_the_report_templates_get_plain_data(seed, tmp_path):
    """The report was the last document to give templates the model; its built-in templates
    render in the allow-list sandbox, so a copy of them does too."""
    folder = seed("twente-cop-2024")
    shutil.copytree(builtin_dir() / "report", folder / "templates" / "report")
    result = cohort("report", folder, "-o", tmp_path / "out", "--today", "2024-07-01")
    assert result.exit_code == 0, result
    assert "Publieksbereik" in (tmp_path / "out" / "report.md").read_text()


def test_a_template_that_links_out_of_the_programme_is_refused(write, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the facilitator's secret")
    folder = write()
    (folder / "templates" / "email").mkdir(parents=True)
    (folder / "templates" / "email" / "message.txt").symlink_to(secret)
    result = cohort("invite", folder, "-o", tmp_path / "out", *TODAY)
    assert result.exit_code == 1
    assert (
        f"{folder / 'templates' / 'email' / 'message.txt'}: error: this template leads outside "
        "the programme folder" in result.stderr
    )
    assert not list((tmp_path / "out").glob("*.eml"))


def test_a_templates_folder_that_links_out_is_refused(write, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "agenda"
    elsewhere.mkdir(parents=True)
    (elsewhere / "agenda.html").write_text("the facilitator's secret")
    folder = write()
    (folder / "templates").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "html", *TODAY)
    assert result.exit_code == 1
    assert "leads outside the programme folder" in result.stderr
    assert "secret" not in result.output


def test_an_included_file_that_links_out_is_refused(write, tmp_path):
    (tmp_path / "shared.yaml").write_text("themes:\n  extra:\n    title: Extra\n")
    text = SMALL.replace("organisations:", "include: people/*.yaml\norganisations:")
    folder = write(text)
    (folder / "people").mkdir()
    (folder / "people" / "shared.yaml").symlink_to(tmp_path / "shared.yaml")
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    assert (
        f"include: '{folder / 'people' / 'shared.yaml'}' leads outside the programme folder"
        in result.stderr
    )
    listed = cohort("validate", folder, *TODAY, "--format", "json")
    assert "outside-programme" in {d["code"] for d in json.loads(listed.stdout)["diagnostics"]}


def test_an_attendance_file_that_links_out_is_refused_and_not_reported(write, tmp_path):
    outside = tmp_path / "other-programme.yaml"
    outside.write_text("meeting: eerste\nattended: [anna, bert]\n")
    folder = write()
    (folder / "attendance").mkdir()
    (folder / "attendance" / "eerste.yaml").symlink_to(outside)
    result = cohort("validate", folder, "--format", "json", *TODAY)
    assert result.exit_code == 1
    assert '"code": "outside-programme"' in result.stdout
    report = cohort("report", folder, "-o", tmp_path / "out", "--format", "json", *TODAY)
    assert report.exit_code == 1
    assert not (tmp_path / "out").exists()


class Hung(BaseException):
    """Not an Exception, so that no `except Exception` on the way (the CLI's) swallows it."""


@contextlib.contextmanager
def within(seconds: int):
    """Fail instead of hanging: a read from a pipe nobody writes to would wait for ever. The
    alarm repeats every second after the first, so a second blocking read is cut short too."""

    def stop(*_):
        raise Hung(f"still waiting after {seconds} s (blocked on a pipe?)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "where",
    [
        "programme.yaml",
        "participants.yaml",  # included
        "attendance/eerste.yaml",
        "templates/email/message.txt",
        "published.json",
    ],
)
def test_a_pipe_where_a_file_is_expected_is_refused_at_once(write, tmp_path, where):
    text = SMALL
    if where == "participants.yaml":
        text = SMALL.replace("organisations:", "include: participants.yaml\norganisations:")
    folder = write(text)
    pipe = folder / where
    pipe.unlink(missing_ok=True)
    pipe.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(pipe)
    with within(20):
        checked = cohort("validate", folder, *TODAY)
        invited = cohort("invite", folder, "-o", tmp_path / "out", *TODAY)
    assert checked.exit_code == 1 or invited.exit_code == 1
    assert "not a plain file (a pipe or a device?)" in checked.output + invited.output
    assert "internal error" not in checked.output + invited.output


#: Templates that once ended in an internal error (exit 70), took all memory, or wrote a 100 MB
#: page: each is now an error at the template's line, with what went wrong.
RUNAWAYS = {
    "{% include 'site/index.html' %}": "include, import or call each other without end",
    "{% from 'site/index.html' import x %}": "include, import or call each other without end",
    "{% macro r(n) %}{{ r(n+1) }}{% endmacro %}{{ r(0) }}": "more than 50 deep",
    "{% for i in range(100001) %}{% endfor %}": "Range too big",
    "{{ programme|tojson }}": "No filter named 'tojson'",
    "{{ lipsum(1, False, 5, 5) }}": "'lipsum' is undefined",
    "{{ 'x'|indent(1000000000, True, True) }}": "more than 1000000 characters",
    "{{ 'a'|center(1000000000) }}": "more than 1000000 characters",
    "{{ 'a'.ljust(1000000000) }}": "more than 1000000 characters",
    "{{ '%1000000000s'|format('x') }}": "more than 1000000 characters",
    "{{ '%100000000s'|format('x') }}": "more than 1000000 characters",
    "{{ '%*s'|format(1000000000, 'x') }}": "width as a value",
    "{{ '%100000000s' % 'x' }}": "more than 1000000 characters",
    "{{ '{:>100000000}'.format('x') }}": "more than 1000000 characters",
    "{{ ('x' * 900000)|wordwrap(1, wrapstring='y' * 900) }}": "at most 20 MB",
    "{{ ('x' * 900000)|replace('x', 'y' * 900) }}": "at most 20 MB",
    "{{ ('x' * 900000).replace('x', 'y' * 900) }}": "at most 20 MB",
    "{{ range(99999)|join('x' * 900000) }}": "at most 20 MB",
    "{% set s = 'x' * 90000 %}{% for i in range(99999) %}{{ s }}{% endfor %}": "at most 20 MB",
    "{% set ns = namespace(s='x' * 900000) %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}": "at most 20 MB",
    "{% set ns = namespace(s='x' * 900000) %}{% for i in range(40) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}": "at most 20 MB",
    "{{ '%d'|format('x') }}": "(a value a filter or method cannot take",
}


@pytest.mark.parametrize("line", list(RUNAWAYS))
def test_a_runaway_template_is_an_error_at_its_line(write, tmp_path, line):
    folder = write(SMALL, **{"templates/site/index.html": "<p>\n" + line + "\n"})
    result = cohort("build", folder, "-o", tmp_path / "site", *TODAY)
    assert result.exit_code == 1, result
    assert f"{folder / 'templates' / 'site' / 'index.html'}:2:" in result.stderr, result
    assert RUNAWAYS[line] in result.stderr, result
    assert "internal error" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


@pytest.mark.parametrize("name", ["site/nowhere.html", "../../programme.yaml"])
def test_an_include_that_is_not_there_says_so(write, tmp_path, name):
    folder = write(SMALL, **{"templates/site/index.html": "<p>\n{% include '" + name + "' %}\n"})
    result = cohort("build", folder, "-o", tmp_path / "site", *TODAY)
    assert result.exit_code == 1, result
    assert f"index.html:2:1: error: in template: the template '{name}' it includes" in (
        result.stderr
    ), result
    assert "is not found (name a file under" in result.stderr


@pytest.fixture
def typesetter(monkeypatch):
    """A Typst compiler of its own, started with the limits the test sets."""
    from cohort.documents import typeset

    typeset._typesetter.cache_clear()
    yield typeset
    typeset._typesetter.cache_clear()


@pytest.mark.parametrize(
    ("line", "limit", "message"),
    [
        (
            "#for i in range(100000) { for j in range(100000) { } }",
            ("TIMEOUT", 3.0),
            "Typst did not finish within 3 seconds",
        ),
        ('#let s = "x" * 400000000; #s', ("MEMORY", 300 * 1024**2), "more than 300 MB of memory"),
    ],
)
def test_a_typst_template_without_end_is_stopped(
    write, tmp_path, typesetter, monkeypatch, line, limit, message
):
    monkeypatch.setattr(typesetter, *limit)
    folder = write(SMALL, **{"templates/agenda/agenda.typ": "Agenda\n" + line + "\n"})
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "pdf", *TODAY)
    assert result.exit_code == 1, result
    assert f"{folder / 'templates' / 'agenda' / 'agenda.typ'}: error: " in result.stderr
    assert message in result.stderr, result
    # the next document gets a compiler of its own
    (folder / "templates" / "agenda" / "agenda.typ").unlink()
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "pdf", *TODAY)
    assert result.exit_code == 0, result


def test_a_typst_package_is_refused_at_its_line(write, tmp_path):
    text = 'Agenda\n#import "@preview/cetz:0.2.2": *\n'
    folder = write(SMALL, **{"templates/agenda/agenda.typ": text})
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "pdf", *TODAY)
    assert result.exit_code == 1, result
    assert f"{folder / 'templates' / 'agenda' / 'agenda.typ'}:2:1: error: " in result.stderr
    assert "uses a Typst package" in result.stderr


def test_record_places_that_are_the_wrong_kind_of_thing_are_said_by_validate(write):
    """An `attendance` that is a file (a export saved under that name) and a `delivered.jsonl`
    that is a folder: validate says so, before `attendance record` or `invite` trip on them."""
    folder = write()
    (folder / "attendance").write_text("who came\n")
    (folder / "delivered.jsonl").mkdir()
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    assert f"{folder / 'attendance'}: error: attendance is not a folder" in result.stderr
    assert f"{folder / 'delivered.jsonl'}: warning: delivered.jsonl is not a file" in (
        result.stderr
    )
