"""`malbild …` run in this process: the same app and the same error handling as the installed
command (`dashboard.cli.run`), with standard out and standard error kept apart.

Much quicker than a new Python per command. Settings are read from the environment as in a
shell: `env` is set for the call only, and the cached settings are dropped before and after, so
no test sees another's database. One test (`test_the_installed_command_runs`) still starts the
real entry point as its own process.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from dashboard import cli
from dashboard.store import runtime
from etl.settings import get_settings

# Wide enough that Rich never wraps a message in the middle of what a test looks for.
COLUMNS = "200"


@dataclass(frozen=True)
class CliResult:
    """What a finished `malbild` command left: as `subprocess.CompletedProcess` names it."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: Mapping[str, str] | None = None, url: str | None = None,
            input: str | None = None) -> CliResult:
    """Run `malbild *args` with `env` (and `DATABASE_URL=url`) and return what it wrote.

    An exception that Målbild's error handling lets through fails the test with its traceback,
    as a crash of the real command would.
    """
    environment = {"COLUMNS": COLUMNS, **(env or {})}
    if url is not None:
        environment["DATABASE_URL"] = url
    configured = runtime._settings  # `audit export` configures the dashboard's runtime
    get_settings.cache_clear()
    # Rich reads COLUMNS once, when the command's console is made (at import): set its width.
    width = cli.console.size
    cli.console.size = (int(environment.get("COLUMNS", COLUMNS)), width.height)
    try:
        with CliRunner().isolation(input=input, env=environment) as (stdout, stderr, _mixed):
            try:
                code = cli.run(list(args), prog_name="malbild")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            return CliResult(code, stdout.getvalue().decode(), stderr.getvalue().decode())
    finally:
        cli.console.size = width
        get_settings.cache_clear()
        runtime._settings = configured
