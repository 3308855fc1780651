"""`trisec` command line: parses arguments and calls the library; nothing else.

Each command lives in its own module in trisec/commands/ exposing `command` (a click
command or group); they are discovered here, so adding one never edits this file.

Every failure ends in one line on stderr and exit code 1: project errors print their located
problems; the machine's own failures (full disk, read-only or permission-denied files, a locale
that cannot encode a file name) say what to do; anything else is a bug, named as such with the
command, and shows its traceback only under `trisec --debug` (or TRISEC_DEBUG=1).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import sys
import traceback
from typing import Any

import click

from trisec import commands
from trisec.errors import NOTHING_LOST, TrisecError, machine_problem


def _line(text: str) -> None:
    click.echo(f"error: {text}", err=True)


def _command_name(group: click.Group, ctx: click.Context) -> str:
    words = [w for w in sys.argv[1:] if not w.startswith("-")]
    name = ctx.invoked_subcommand or (words[0] if words else "")
    sub = group.commands.get(name)
    if isinstance(sub, click.Group) and name in words:
        nxt = words[words.index(name) + 1: words.index(name) + 2]
        if nxt and nxt[0] in sub.commands:
            name += f" {nxt[0]}"
    return f"trisec {name}".strip()


# set by a command whose process may end without the interpreter's teardown once it has
# succeeded (`trisec build`: freeing spaCy, pyarrow and datasets module by module takes
# longer than a seed build's own last steps); see _Group.main
FAST_EXIT = {"on_success": False}


def _exit_now(code: int) -> None:
    """End the process as it would end, minus the teardown: atexit handlers run (temporary
    folders, multiprocessing, logging), the streams are flushed, then os._exit."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs.get("args") is not None:  # called with arguments (CliRunner, tests)
            return super().main(*args, **kwargs)
        try:
            return super().main(*args, **kwargs)
        except SystemExit as exc:
            if FAST_EXIT["on_success"] and exc.code in (0, None):
                _exit_now(0)
            raise

    def invoke(self, ctx: click.Context) -> object:
        debug = bool(ctx.params.get("debug")) or os.environ.get("TRISEC_DEBUG") == "1"
        try:
            return super().invoke(ctx)
        except TrisecError as exc:  # project errors: located, with a fix; no traceback
            if debug:
                traceback.print_exc()
            for p in exc.problems:
                _line(str(p))
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
                SystemExit):
            raise
        except KeyboardInterrupt:
            _line(f"{_command_name(self, ctx)} interrupted" + NOTHING_LOST)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 (the last line of defence: one line, exit 1)
            if debug:
                traceback.print_exc()
            problem = machine_problem(exc)
            if problem is not None:
                _line(str(problem))
                sys.exit(1)
            msg = " ".join(str(exc).split())[:300]
            _line(f"{_command_name(self, ctx)} failed unexpectedly ({type(exc).__name__}: "
                  f"{msg}). This is a bug in trisec: please report it with the command line "
                  "and the output of the same command run as `trisec --debug ...`")
            sys.exit(1)


def _safe_streams() -> None:
    """Printing a name the terminal's encoding cannot show must not fail (LC_ALL=C)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed stream: leave it
                reconfigure(errors="backslashreplace")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trisec")
@click.option("--debug", is_flag=True, help="Show the traceback of any failure.")
def main(debug: bool) -> None:
    """TRISEC: build, validate and evaluate the Trilateral Security News Spans dataset."""
    _safe_streams()


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
    _mod = importlib.import_module(f"{commands.__name__}.{_info.name}")
    if hasattr(_mod, "command"):
        main.add_command(_mod.command)
