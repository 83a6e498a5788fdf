"""The `cohort` command: a thin shell that turns arguments into paths, calls one function, prints.

One module per command family, imported only when one of its commands runs (`app.COMMANDS`
names them); each imports what it needs when it runs, so `cohort --help` imports only typer.
Errors become messages and exit codes in one place (`app.CohortGroup`). The command modules do
without `from __future__ import annotations`: with it, Typer would evaluate every annotation as a
string when it builds a command.
"""

from .app import app, main

__all__ = ["app", "main"]
