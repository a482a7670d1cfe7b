"""The `malbild` command's entry point. Commands that draw charts start the browser at once,
in a thread, so that Chromium (about 2 s to start with Plotly) starts while Python loads the
command line and builds the report; then the command line runs as usual."""

from __future__ import annotations

import sys
import threading

NEEDS_BROWSER = (("report",), ("archive", "freeze"), ("export", "chart"))


def _start_browser() -> None:
    try:
        from dashboard.export import images

        images.renderer()
    except Exception:  # the command reports it when it needs the browser
        pass


def main() -> None:
    arguments = tuple(sys.argv[1:])
    if "--help" not in arguments and any(arguments[:len(c)] == c for c in NEEDS_BROWSER):
        threading.Thread(target=_start_browser, name="kaleido-start", daemon=True).start()
    from dashboard.cli import main as run

    run()
