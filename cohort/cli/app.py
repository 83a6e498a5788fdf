"""The Typer application and the one place where errors become messages and exit codes.

Exit codes: 0 all is well, 1 the user's data or templates are wrong, 2 the command line is
wrong, 70 a bug in cohort (said plainly, never a traceback), 130 interrupted.
"""

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from ..errors import EXIT_USAGE, CohortError

#: cohort's own failure: a bug (sysexits' EX_SOFTWARE)
EXIT_BUG = 70


def _counts(errors: int, warnings: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


#: The order of the commands in `cohort --help`: the facilitator's day. Commands not named here
#: follow in the order they were registered.
ORDER = (
    "init",
    "validate",
    "schedule",
    "poll",
    "groups",
    "registrations",
    "replies",
    "schema",
    "calendar",
    "publish",
    "invite",
    "send",
    "agenda",
    "attendance",
    "report",
    "certificates",
    "build",
)


class CohortGroup(TyperGroup):
    """Turns every CohortError, from any command, into its message and exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))

    def invoke(self, ctx: Any) -> Any:
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
    except CohortError as err:  # raised outside a command (e.g. while parsing arguments)
        for line in err.lines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_USAGE)
