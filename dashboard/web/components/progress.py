"""Progress of long work in the browser: a labelled <progress>, a line saying what is being
done, and a button that cancels. Used with Dash's background callbacks (`progress=`,
`running=`, `cancel=`), whose job calls `set_progress((done, total, text))`."""

from __future__ import annotations

from dash import Input, Output, html

from etl.progress import Progress

_declared: set[str] = set()  # the progress outputs of every background callback declared


def _ids(name: str) -> dict[str, str]:
    return {part: f"{name}-{part}" for part in ("box", "bar", "text", "cancel")}


def progress_ids() -> set[str]:
    """The ids `set_progress` writes: Dash does not list them among a callback's outputs,
    so the app tells static_html to leave them live."""
    return set(_declared)


def progress_box(name: str, label: str) -> html.Div:
    """Hidden until the work runs; `label` names the work ("Årsrapporten skapas")."""
    ids = _ids(name)
    return html.Div([
        html.Label(label, htmlFor=ids["bar"], className="progress-label"),
        html.Progress(id=ids["bar"], max="1", **{"aria-describedby": ids["text"]}),
        html.P(id=ids["text"], className="hint progress-text", role="status",
               **{"aria-live": "polite"}),
        html.Button("Avbryt", id=ids["cancel"], className="button secondary", type="button",
                    disabled=True),
    ], id=ids["box"], className="progress-box", hidden=True)


def progress_outputs(name: str) -> list[Output]:
    """What `set_progress((done, total, text))` fills in."""
    ids = _ids(name)
    _declared.update((ids["bar"], ids["text"]))
    return [Output(ids["bar"], "value"), Output(ids["bar"], "max"), Output(ids["text"], "children")]


def running_outputs(name: str, start_button: str | None = None) -> list[tuple]:
    """While the work runs: the box shown, the cancel button on (the start button off)."""
    ids = _ids(name)
    running = [(Output(ids["box"], "hidden"), False, True),
               (Output(ids["cancel"], "disabled"), False, True)]
    if start_button:
        running.append((Output(start_button, "disabled"), True, False))
    return running


def cancel_inputs(name: str) -> list[Input]:
    return [Input(_ids(name)["cancel"], "n_clicks")]


def step(set_progress) -> Progress:
    """The browser's progress bar as a `progress(done, total, text)` (etl.progress)."""
    def told(done: int, total: int, text: str) -> None:
        set_progress((str(done), str(max(total, 1)), text))
    return told
