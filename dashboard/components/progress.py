"""Progress of long work in the browser: a labelled <progress>, a line saying what is being
done, and a button that cancels. Used with Dash's background callbacks (`progress=`,
`running=`, `cancel=`), whose job calls `set_progress((done, total, text))`."""

from __future__ import annotations

from dash import Input, Output, html


def _ids(name: str) -> dict[str, str]:
    return {part: f"{name}-{part}" for part in ("box", "bar", "text", "cancel")}


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
    return [Output(ids["bar"], "value"), Output(ids["bar"], "max"), Output(ids["text"], "children")]


def running_outputs(name: str, start_button: str) -> list[tuple]:
    """While the work runs: the box shown, the start button off, the cancel button on."""
    ids = _ids(name)
    return [(Output(ids["box"], "hidden"), False, True),
            (Output(start_button, "disabled"), True, False),
            (Output(ids["cancel"], "disabled"), False, True)]


def cancel_inputs(name: str) -> list[Input]:
    return [Input(_ids(name)["cancel"], "n_clicks")]


def step(set_progress):
    """A `progress(done, total, text)` function for the model's steps, told to the browser."""
    def told(done: int, total: int, text: str) -> None:
        set_progress((str(done), str(max(total, 1)), text))
    return told
