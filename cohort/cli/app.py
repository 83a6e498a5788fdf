"""The Typer application and the one place where errors become messages and exit codes.

Exit codes: 0 all is well, 1 the user's data or templates are wrong, 2 the command line is
wrong, 70 a bug in cohort (said plainly, never a traceback), 130 interrupted.

A command's module is imported, and its Click command built, only when that command runs
(Click's "lazily loading subcommands" pattern): `cohort --help` lists the commands from
`COMMANDS` and imports nothing but Typer.
"""

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

#: cohort's own failure: a bug (sysexits' EX_SOFTWARE)
EXIT_BUG = 70
#: the command line is wrong (as errors.EXIT_USAGE, which start-up does not import)
EXIT_USAGE = 2


def _counts(errors: int, warnings: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


#: Every command of `cohort`, in the order of the facilitator's day: its name -> the module of
#: `cohort.cli` that defines it, and the line `cohort --help` gives it (the first paragraph of
#: the command's own help: a test holds the two together).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "programme",
        "Start a new programme folder with a commented programme.yaml that validates.",
    ),
    "validate": (
        "programme",
        "Check a programme and report every problem, as FILE:LINE:COL: error|warning: message.",
    ),
    "schedule": (
        "programme",
        "The overview: meetings in order, the venue and host rotation, and any warnings.",
    ),
    "poll": (
        "planning",
        "Availability polls: import their answers for 'cohort schedule --solve'.",
    ),
    "groups": (
        "groups",
        "Intervision groups for each meeting with groups: mixed, and new people every round.",
    ),
    "registrations": (
        "registrations",
        "Registrations and waiting lists: from a form's export to the invitees.",
    ),
    "replies": (
        "replies",
        "Who is coming: the invitees' calendar replies (accepted, declined, tentative).",
    ),
    "schema": (
        "programme",
        "Print the JSON Schema of programme files, for editors that validate while you type.",
    ),
    "calendar": (
        "calendars",
        "Write the programme feed, a personal feed per participant and an .ics per meeting.",
    ),
    "publish": (
        "calendars",
        "Publish the programme into a shared CalDAV calendar and keep it in step; a dry run "
        "unless --confirm.",
    ),
    "invite": (
        "mail",
        "Write the e-mails due now (invitations, updates, cancellations, and what "
        "registrations and waiting lists must tell people) into the outbox.",
    ),
    "send": (
        "mail",
        "Send the outbox over SMTP, each message exactly once; a dry run unless --confirm.",
    ),
    "agenda": (
        "paper",
        "Printable agendas: one A4 page per meeting, as PDF and as a web page.",
    ),
    "attendance": ("paper", "Sign-in sheets for the door, and recording who came."),
    "report": (
        "report",
        "How the programme went: attendance per meeting, person and organisation, the rule.",
    ),
    "certificates": (
        "certificates",
        "Attendance certificates for everyone who met the attendance rule: 'cohort "
        "certificates [DIR] -o OUT' issues them (the same as 'certificates issue'), 'cohort "
        "certificates verify CODE [DIR]' checks a certificate's code.",
    ),
    "build": (
        "report",
        "Everything in one folder: the public page, calendars, agendas (and, when asked, the "
        "report).",
    ),
}


class CohortGroup(TyperGroup):
    """Turns every CohortError, from any command, into its message and exit code."""

    def invoke(self, ctx: Any) -> Any:
        from ..errors import CohortError

        try:
            return super().invoke(ctx)
        except CohortError as err:
            for line in err.lines():
                typer.echo(line, err=True)
            if err.diagnostics and not err.message:
                errors = sum(d.severity == "error" for d in err.diagnostics)
                typer.echo(_counts(errors, len(err.diagnostics) - errors), err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except BrokenPipeError:  # `cohort groups | head -1`: the reader has what it wanted
            _quiet_stdout()
            ctx.exit(EXIT_USAGE)
        except Exception as err:  # a bug in cohort: say so plainly, never a traceback
            if os.environ.get("COHORT_DEBUG"):
                raise
            typer.echo(
                f"error: internal error ({type(err).__name__}: {err}); this is a bug in cohort. "
                "Please report it with the command you ran (COHORT_DEBUG=1 shows the details).",
                err=True,
            )
            ctx.exit(EXIT_BUG)


class _Commands(MutableMapping[str, Any]):
    """The top level's commands by name, in `COMMANDS`' order, each built when first asked
    for: its module imported (which registers it on `app`), then made into a Click command
    the way Typer makes all of them at once."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self._built)


def _build(name: str) -> Any:
    """The Click command (or group) `name`, from the Typer registration its module makes.

    Raises LookupError when the module registers no such command (a bug: COMMANDS is wrong)."""
    import typer.main

    importlib.import_module(f"{__package__}.{COMMANDS[name][0]}")
    for info in app.registered_commands:
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group_info in app.registered_groups:
        if group_info.name == name:
            return typer.main.get_group_from_info(
                group_info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"cohort.cli.{COMMANDS[name][0]} registers no command {name!r}")


class Cohort(CohortGroup):
    """The `cohort` command: its commands in the facilitator's order, each built only when it
    runs; the help lists them from `COMMANDS` without building any."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:  # noqa: ARG002 (Click's signature)
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # noqa: ARG002 (Click's)
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(line, limit)) for name, (_, line) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _quiet_stdout() -> None:
    """Send what is left for standard output nowhere: its reader is gone, and Python would
    otherwise complain when it flushes at exit (the Python docs' advice on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (a test's runner)
        pass
    finally:
        os.close(devnull)


def group(help: str) -> typer.Typer:
    """A command group (`cohort attendance ...`) with the same error handling."""
    return typer.Typer(cls=CohortGroup, help=help, no_args_is_help=True, rich_markup_mode=None)


app = typer.Typer(
    cls=Cohort,
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
        from .. import __version__

        typer.echo(f"cohort {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """The paperwork of a cohort programme, from a folder of YAML files."""


def main() -> None:
    """Entry point of the `cohort` script."""
    try:
        app()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_USAGE)
    except Exception as err:
        from ..errors import CohortError

        if not isinstance(err, CohortError):
            raise
        # raised outside a command (e.g. while parsing arguments)
        for line in err.lines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
