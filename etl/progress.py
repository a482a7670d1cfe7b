"""How long work tells its progress: `progress(done, total, text)`, the step just reached out of
all steps and what is being done, in Swedish. The command line draws it with rich, the
browser's background callbacks as a progress bar, a Celery task in its state."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def silent(_done: int, _total: int, _text: str) -> None:
    """For callers that do not show progress."""
    return None
