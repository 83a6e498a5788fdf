"""The `cohort` command: a thin shell that turns arguments into paths, calls one function, prints.

Only typer is imported at start-up; each command imports what it needs when it runs, so
`cohort --help` stays fast. Errors are turned into messages and exit codes in one place:
`CohortGroup.invoke`.
"""

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .errors import EXIT_USAGE, CohortError, UsageError


class CohortGroup(TyperGroup):
    """Turns every CohortError, from any command, into its message and exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CohortError as err:
            for line in err.lines():
                typer.echo(line, err=True)
            if err.diagnostics and not err.message:
                errors = sum(d.severity == "error" for d in err.diagnostics)
                typer.echo(_summary(errors, len(err.diagnostics) - errors), err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except Exception as err:  # a bug in cohort: say so plainly, never a traceback
            if os.environ.get("COHORT_DEBUG"):
                raise
            typer.echo(
                f"error: internal error ({type(err).__name__}: {err}); this is a bug in cohort. "
                "Please report it with the command you ran (COHORT_DEBUG=1 shows the details).",
                err=True,
            )
            ctx.exit(70)


app = typer.Typer(
    cls=CohortGroup,
    name="cohort",
    help="The paperwork of a cohort programme, from a folder of YAML files.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"cohort {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """The paperwork of a cohort programme, from a folder of YAML files."""


Folder = Annotated[
    Path,
    typer.Argument(
        help="The programme's folder (holding programme.yaml).", show_default="current folder"
    ),
]


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"


class ScheduleFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def colour_wanted() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _summary(errors: int, warnings: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def _today(value: str | None) -> dt.date:
    """`--today` or COHORT_TODAY, so old programmes can be checked as of their own time."""
    text = value or os.environ.get("COHORT_TODAY")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today '{text}' is not a date; write YYYY-MM-DD") from None


def _checked(folder: Path, today: str | None) -> Any:
    """Load and check a programme for a command that produces something; warnings go to
    standard error first, errors stop the command (in CohortGroup)."""
    from .check import load_checked

    checked = load_checked(folder, _today(today))
    for warning in checked.warnings:
        typer.echo(str(warning), err=True)
    return checked


Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        help="Check as if it were this day (default: today, or $COHORT_TODAY).",
    ),
]


@app.command()
def validate(
    folder: Folder = Path(),
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    format: Annotated[
        DiagnosticFormat, typer.Option("--format", "-f", help="Output for people or machines.")
    ] = DiagnosticFormat.text,
    today: Today = None,
) -> None:
    """Check a programme and report every problem, as FILE:LINE:COL: error|warning: message."""
    from .check import check
    from .load import load

    programme = None
    try:
        loaded = load(folder)
        programme = loaded.programme
        diagnostics = check(loaded, _today(today)).sorted()
    except UsageError:
        raise
    except CohortError as err:
        if format is not DiagnosticFormat.json:
            raise
        diagnostics = err.all_diagnostics()
    errors = sum(d.severity == "error" for d in diagnostics)
    failed = errors > 0 or (strict and diagnostics)
    if format is DiagnosticFormat.json:
        import json

        typer.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "errors": errors,
                    "warnings": len(diagnostics) - errors,
                    "diagnostics": [d.as_json() for d in diagnostics],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for diagnostic in diagnostics:
            typer.echo(str(diagnostic), err=True)
        if not failed and programme is not None:
            typer.echo(
                f'{folder}: ok: "{programme.title}", {len(programme.meetings)} meetings, '
                f"{len(programme.participants)} participants "
                f"({_summary(errors, len(diagnostics) - errors)})"
            )
        else:
            typer.echo(_summary(errors, len(diagnostics) - errors), err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def schedule(
    folder: Folder = Path(),
    format: Annotated[
        ScheduleFormat, typer.Option("--format", "-f", help="How to show the schedule.")
    ] = ScheduleFormat.table,
    today: Today = None,
) -> None:
    """The overview: meetings in order, the venue and host rotation, and any warnings."""
    from .check import load_checked
    from .schedule import render

    checked = load_checked(folder, _today(today))
    typer.echo(render(checked, format.value, color=colour_wanted()), nl=False)
    for warning in checked.warnings:
        typer.echo(str(warning), err=True)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema of programme files, for editors that validate while you type."""
    from .schema import json_schema

    text = json_schema()
    if output is None:
        typer.echo(text, nl=False)
    else:
        from .files import write_atomic

        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)


@app.command()
def init(
    folder: Folder = Path(),
    language: Annotated[
        str, typer.Option(help="The programme's language: nl, en or fr.")
    ] = "nl",
) -> None:
    """Start a new programme folder with a commented programme.yaml that validates."""
    from .scaffold import create

    for path in create(folder, language):
        typer.echo(f"created {path}")
    typer.echo(f"next: edit {folder / 'programme.yaml'}, then run 'cohort validate {folder}'")


@app.command()
def calendar(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the calendars into.")
    ] = Path("calendars"),
    today: Today = None,
) -> None:
    """Write the programme feed, a personal feed per participant and an .ics per meeting."""
    from .calendar import write_calendars

    checked = _checked(folder, today)
    written = write_calendars(checked.folder, checked.programme, output)
    for meeting_id, sequence in written.raised:
        typer.echo(f"'{meeting_id}' changed: SEQUENCE is now {sequence}")
    typer.echo(
        f"wrote {written.files} calendar files to {output} "
        f"({len(written.changed)} changed, {len(written.removed)} removed)"
    )


@app.command()
def invite(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The outbox folder (kept between runs).")
    ] = Path("outbox"),
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="Only this meeting (its id).")
    ] = None,
    reminder: Annotated[
        bool, typer.Option("--reminder", help="Also remind invitees of meetings coming up.")
    ] = False,
    days: Annotated[
        int, typer.Option("--days", min=0, help="With --reminder: meetings within this many days.")
    ] = 7,
    today: Today = None,
) -> None:
    """Write the e-mails due now (invitations, updates, cancellations) into the outbox."""
    from .mail import render_invitations

    checked = _checked(folder, today)
    rendered = render_invitations(
        checked.folder, checked.programme, output, meeting=meeting,
        reminder_days=days if reminder else None, today=_today(today),
    )
    counts: dict[str, int] = {}
    for planned in rendered.plan.messages:
        counts[planned.name.kind] = counts.get(planned.name.kind, 0) + 1
    for person in rendered.plan.without_email:
        typer.echo(f"warning: {person.name} ('{person.id}') has no e-mail address and gets no "
                   "invitation", err=True)
    what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items()))
    typer.echo(f"{output}: {len(rendered.plan.messages)} message(s) due"
               + (f" ({what})" if what else "")
               + (f"; {len(rendered.removed)} waiting message(s) no longer due removed"
                  if rendered.removed else ""))
    if rendered.plan.messages:
        typer.echo(f"next: cohort send {output} --server smtp+starttls://HOST:587 (a dry run "
                   "until you add --confirm)")


@app.command()
def send(
    outbox: Annotated[Path, typer.Argument(help="The outbox folder written by 'cohort invite'.")],
    server: Annotated[
        str,
        typer.Option(
            "--server",
            metavar="URL",
            help="smtp://host:port, smtp+starttls://host:port or smtps://host:port. "
            "User and password come from COHORT_SMTP_USER and COHORT_SMTP_PASSWORD.",
        ),
    ],
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Really send (without it: show what would go).")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most this many now.")
    ] = None,
    rate: Annotated[
        float | None, typer.Option("--rate", min=0.1, help="At most this many per minute.")
    ] = None,
    resend_uncertain: Annotated[
        bool,
        typer.Option("--resend-uncertain",
                     help="Also send messages whose earlier sending was interrupted."),
    ] = False,
) -> None:
    """Send the outbox over SMTP, each message once; a dry run unless --confirm."""
    from .outbox import Outbox
    from .send import Server, waiting
    from .send import send as send_outbox

    target = Server.parse(server)
    if not outbox.is_dir():
        raise UsageError(f"there is no outbox '{outbox}'; write one with 'cohort invite'")
    items = waiting(Outbox(outbox))
    if not confirm:
        for item in items[:limit] if limit else items:
            typer.echo(f"would send to {item.recipient}: {item.subject}")
        typer.echo(f"dry run: {len(items)} message(s) waiting in {outbox}; nothing was sent. "
                   f"Add --confirm to send them through {target.host}:{target.port}.")
        return
    shown = min(len(items), limit or len(items))
    if sys.stderr.isatty() and shown > 10:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("sending", total=shown)
            outcome = send_outbox(outbox, target, limit=limit, rate=rate,
                                  resend_uncertain=resend_uncertain,
                                  progress=lambda _: bar.advance(task))
    else:
        outcome = send_outbox(outbox, target, limit=limit, rate=rate,
                              resend_uncertain=resend_uncertain)
    for name, reason in outcome.refused:
        typer.echo(f"refused: {name}: {reason}", err=True)
    for name, reason in outcome.failed:
        typer.echo(f"not sent: {name}: {reason}", err=True)
    for name in outcome.uncertain:
        typer.echo(f"uncertain: {name}: its sending was interrupted, so it may have arrived; "
                   "not sent again (--resend-uncertain sends it)", err=True)
    typer.echo(f"sent {len(outcome.sent)}, refused {len(outcome.refused)}, "
               f"not sent {len(outcome.failed) + outcome.left}, uncertain {len(outcome.uncertain)}")
    if outcome.stopped:
        typer.echo(f"stopped: {outcome.stopped}; run the same command again to go on", err=True)
    if outcome.refused or outcome.failed or outcome.stopped:
        raise typer.Exit(1)


class AgendaFormat(StrEnum):
    pdf = "pdf"
    html = "html"


def _meetings(checked: Any, meeting: str | None) -> list[Any]:
    """The meeting asked for, or all of them in order; an unknown id is a usage error."""
    programme = checked.programme
    if meeting is None:
        return list(programme.chronological())
    if meeting not in programme.meetings:
        from .errors import did_you_mean

        hint = did_you_mean(meeting, programme.meetings)
        raise UsageError(f"--meeting '{meeting}' is not a meeting of this programme"
                         + (f" ({hint})" if hint else ""))
    return [programme.meetings[meeting]]


Meeting = Annotated[str | None, typer.Option("--meeting", help="Only this meeting (its id).")]
TheMeeting = Annotated[str, typer.Option("--meeting", help="The meeting (its id).")]


@app.command()
def agenda(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the agendas into.")
    ] = Path("agendas"),
    meeting: Meeting = None,
    format: Annotated[
        AgendaFormat | None,
        typer.Option("--format", "-f", help="pdf or html (default: both)."),
    ] = None,
    today: Today = None,
) -> None:
    """Printable agendas: one A4 page per meeting, as PDF and as a web page."""
    from .output import OutputFolder
    from .printing import Printer

    checked = _checked(folder, today)
    target = OutputFolder(output, programme_folder=checked.folder)
    printer = Printer(checked.folder, checked.programme)
    files: dict[str, bytes | str] = {}
    for item in _meetings(checked, meeting):
        if format in (None, AgendaFormat.pdf):
            files[f"{item.id}.pdf"] = printer.agenda_pdf(item)
        if format in (None, AgendaFormat.html):
            files[f"{item.id}.html"] = printer.agenda_html(item)
    changed = target.write_all(files, owned=())
    typer.echo(f"wrote {len(files)} agenda file(s) to {output} ({len(changed)} changed)")


attendance_app = typer.Typer(
    cls=CohortGroup,
    help="Sign-in sheets for the door, and recording who came.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(attendance_app, name="attendance")


@attendance_app.command("sheet")
def attendance_sheet(
    folder: Folder = Path(),
    meeting: TheMeeting = ...,  # type: ignore[assignment]
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the sheet into.")
    ] = Path("sheets"),
    today: Today = None,
) -> None:
    """A sign-in sheet for the door (PDF), and the same list as CSV and XLSX."""
    from .output import OutputFolder
    from .printing import Printer

    checked = _checked(folder, today)
    (item,) = _meetings(checked, meeting)
    target = OutputFolder(output, programme_folder=checked.folder)
    printer = Printer(checked.folder, checked.programme)
    files: dict[str, bytes | str] = {
        f"{item.id}-sheet.pdf": printer.sheet_pdf(item),
        f"{item.id}-sheet.csv": printer.sheet_csv(item),
        f"{item.id}-sheet.xlsx": printer.sheet_xlsx(item),
    }
    target.write_all(files, owned=())
    count = len(checked.programme.invitees(item))
    typer.echo(f"wrote the sign-in sheet of '{item.id}' ({count} invitees) to {output}: "
               + ", ".join(files))


def _ids(values: list[str] | None) -> list[str]:
    """`--present anna --present bert` or `--present anna,bert`."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


IdList = Annotated[list[str] | None, typer.Option(metavar="ID", help="Participant id(s).")]


@attendance_app.command("record")
def attendance_record(
    folder: Folder = Path(),
    meeting: TheMeeting = ...,  # type: ignore[assignment]
    present: IdList = None,
    excused: IdList = None,
    absent: IdList = None,
    visitor: Annotated[
        list[str] | None,
        typer.Option(metavar='"NAME, ORGANISATION"', help="Someone who came uninvited."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A filled-in sheet (.csv or .xlsx) from 'attendance sheet'."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Change what was recorded before.")
    ] = False,
    today: Today = None,
) -> None:
    """Record who came to a meeting: attended, excused, absent (everyone else), visitors."""
    from . import attendance

    checked = _checked(folder, today)
    (item,) = _meetings(checked, meeting)
    given = any((present, excused, absent, visitor))
    if from_file is not None and given:
        raise UsageError("give either --from FILE or --present/--excused/--absent/--visitor")
    if from_file is None and not given:
        raise UsageError("say who came: --present ID ..., --excused ID ..., --absent ID ..., "
                         '--visitor "Name, Organisation", or --from a filled-in sheet')
    if from_file is not None:
        marks = attendance.from_sheet(from_file, checked.programme, item)
    else:
        marks = attendance.Marks(
            attended=_ids(present), excused=_ids(excused), absent=_ids(absent),
            visitors=[attendance.parse_visitor(v) for v in visitor or []],
        )
    done = attendance.record(checked.folder, checked.programme, item, marks, force=force)
    c = done.counts
    summary = (f"{c['attended']} attended, {c['excused']} excused, {c['absent']} absent, "
               f"{c['visitors']} visitor(s); {c['unrecorded']} invitee(s) not recorded "
               "(they count as absent)")
    if done.changed:
        typer.echo(f"recorded for '{item.id}' in {done.path}: {summary}")
    else:
        typer.echo(f"nothing changed for '{item.id}' ({summary})")


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"
    json = "json"


@app.command()
def report(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the report into.")
    ] = Path("report"),
    format: Annotated[
        list[ReportFormat] | None,
        typer.Option("--format", "-f", help="html, md, pdf or json (default: all four)."),
    ] = None,
    today: Today = None,
) -> None:
    """How the programme went: attendance per meeting, person and organisation, the rule."""
    from .output import OutputFolder
    from .report import render, summarise

    checked = _checked(folder, today)
    summary = summarise(checked.folder, checked.programme, _today(today))
    target = OutputFolder(output, programme_folder=checked.folder)
    formats = format or list(ReportFormat)
    files: dict[str, bytes | str] = {
        f"report.{f.value}": render(summary, checked.folder, f.value) for f in formats
    }
    target.write_all(files, owned=())
    _report_summary(summary)
    typer.echo(f"wrote {', '.join(files)} to {output}")


def _report_summary(summary: Any) -> None:
    """A few lines for the terminal: how it went so far."""
    from rich.console import Console

    console = Console(highlight=False)
    held = [r for r in summary.held if r.recorded]
    console.print(f"[bold]{summary.programme.title}[/bold] (as of {summary.as_of})")
    console.print(f"  meetings: {len(summary.held)} held ({len(held)} recorded), "
                  f"{len(summary.to_come)} to come")
    if summary.average_rate is not None:
        console.print(f"  average attendance: {summary.average_rate:.0%}")
    if summary.rule:
        console.print(f"  attendance rule: {summary.rule['met']} met, "
                      f"{summary.rule['can']} can still meet it, {summary.rule['not-met']} not")


@app.command()
def build(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to build the programme into.")
    ] = Path("site"),
    invitations: Annotated[
        bool, typer.Option("--invitations", help="Also write the invitation outbox (OUT/outbox).")
    ] = False,
    link_report: Annotated[
        bool, typer.Option("--link-report",
                           help="Link the report from the public page (it names people).")
    ] = False,
    today: Today = None,
) -> None:
    """Everything in one folder: the public page, calendars, agendas and the report."""
    from .build import build as build_site
    from .build import steps

    checked = _checked(folder, today)
    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("building", total=steps(checked.programme))
            built = build_site(checked.folder, checked.programme, output, _today(today),
                               progress=lambda what, n: bar.update(task, advance=n,
                                                                   description=what),
                               invitations=invitations, link_report=link_report)
    else:
        built = build_site(checked.folder, checked.programme, output, _today(today),
                           invitations=invitations, link_report=link_report)
    typer.echo(f"built {output}: {built.files} files, {len(built.changed)} changed, "
               f"{len(built.removed)} removed; open {output / 'index.html'}")
    if invitations:
        typer.echo(f"{built.messages} invitation(s) due in {output / 'outbox'}: it holds e-mail "
                   "addresses, so never publish that folder")


def main() -> None:
    """Entry point of the `cohort` script."""
    try:
        app()
    except CohortError as err:  # raised outside a command (e.g. while parsing arguments)
        for line in err.lines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_USAGE)
