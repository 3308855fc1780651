"""`trisec` command line: parses arguments and calls the library; nothing else.

Each command lives in its own module in trisec/commands/ exposing `command` (a click
command or group); they are discovered here, so adding one never edits this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from trisec import commands
from trisec.errors import TrisecError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TrisecError as exc:  # project errors: located, with a fix; no traceback
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trisec")
def main() -> None:
    """TRISEC: build, validate and evaluate the Trilateral Security News Spans dataset."""


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
    _mod = importlib.import_module(f"{commands.__name__}.{_info.name}")
    if hasattr(_mod, "command"):
        main.add_command(_mod.command)
