"""The `allocate` command line: the typer app, assembled from the commands in ``allocate.commands``.

Exit codes: 0 solved, 1 unexpected error (a verifier violation is one), 2 bad input,
3 proven infeasible, 4 no solution within the time limit (:data:`STATUS_EXIT`).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated

import typer

import allocate.commands as commands
from allocate.commands._common import STATUS_EXIT, err, os_error
from allocate.i18n import ENV_VAR, set_language

__all__ = ["STATUS_EXIT", "app", "hoist_lang", "main"]

app = typer.Typer(
    help="Lawful police-station rosters: sworn officers lead auxiliaries, labour law kept, "
    "uncovered crews reported.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FIRST_COMMANDS = "core"
"""The module whose commands (validate, solve, verify) the help lists first; the others follow by name."""


@app.callback()
def _options(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar=ENV_VAR,
            help="Language of the report, workbook, summary and input errors: en (default) or zh.",
        ),
    ] = None,
) -> None:
    """Lawful police-station rosters: sworn officers lead auxiliaries, labour law kept."""
    try:
        set_language(lang)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"--lang (or ${ENV_VAR})") from None


def _register_commands() -> None:
    """Attach the sub-commands kept in their own modules (allocate.commands.*)."""
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))
    for name in sorted(names, key=lambda n: n != FIRST_COMMANDS):
        register = getattr(importlib.import_module(f"allocate.commands.{name}"), "register", None)
        if register is not None:
            register(app)


_register_commands()


def hoist_lang(argv: list[str]) -> list[str]:
    """``--lang X`` may follow the sub-command (``allocate solve data --lang zh``): move it to the
    front, where the app's callback reads it. Nothing after ``--`` is touched."""
    stop = argv.index("--") if "--" in argv else len(argv)
    for i, arg in enumerate(argv[:stop]):
        if arg.startswith("--lang="):
            return [arg, *argv[:i], *argv[i + 1 :]]
        if arg == "--lang" and i + 1 < stop:
            return [arg, argv[i + 1], *argv[:i], *argv[i + 2 :]]
    return argv


def main() -> None:
    """Console-script entry point: unexpected errors exit with code 1 and a short message."""
    try:
        app(args=hoist_lang(sys.argv[1:]))
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
    except OSError as exc:  # any command: an unusable path (name too long, a file where a folder goes)
        sys.exit(os_error(exc).exit_code)
