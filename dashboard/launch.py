"""The `malbild` command's entry point. Commands that draw charts start the browser at once,
in a thread, so that Chromium (about 1.5 s to start with Plotly) starts while Python loads the
command line and builds the report; then the command line runs as usual.

Such a command ends as soon as its work and its clean-up (`atexit`: the browser is closed, logs
flushed) are done: Python's own teardown of every module (pandas, SQLAlchemy, the holiday
calendars …) would add half a second of CPU to a process that is about to end anyway."""

from __future__ import annotations

import sys
import threading

NEEDS_BROWSER = (("report",), ("archive", "freeze"), ("export", "chart"))


def _start_browser(one_file: bool) -> None:
    try:
        from dashboard.present.export import images

        if one_file:  # drawn once, so the browser may close as soon as it is done
            images.ends_with_command()
        images.renderer()
    except Exception:  # the command reports it when it needs the browser
        pass


def _end(code: int) -> None:
    """Run the exit handlers, flush the output and end the process with `code`."""
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or a pipe nobody reads
            stream.flush()
    os._exit(code)


def main() -> None:
    arguments = tuple(sys.argv[1:])
    draws = "--help" not in arguments and any(arguments[:len(c)] == c for c in NEEDS_BROWSER)
    if draws:
        threading.Thread(target=_start_browser, args=(arguments[:1] == ("report",),),
                         name="kaleido-start", daemon=True).start()
    from dashboard.cli import run

    code = run()
    if draws:
        _end(code)
    sys.exit(code)
