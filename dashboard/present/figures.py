"""Figures: DataFrame → Plotly Figure. The same functions draw the screen and the exports.

Every figure carries its title, the source line and a "data t.o.m." stamp inside the image, uses
Swedish number formats (`layout.separators` and pre-formatted hover text) and a colour-blind
safe palette in which series also differ by line style and marker shape.

Figures are written as plain Plotly JSON and wrapped without Plotly's per-property validation
(`_Spec.figure`), which costs 15–25 ms a chart; a unit test validates every figure instead.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import pandas as pd
import plotly.graph_objects as go

from dashboard.present import formatting as fmt
from etl.followup.records import MeasureInfo, YearRow

# Colour-blind-safe hues (Okabe–Ito, darkened where needed): every line and marker colour has
# at least 3:1 contrast against white (WCAG 1.4.11), and series also differ by dash and marker.
HOME_COLOUR = "#0072B2"
COMPARISON_COLOUR = "#595959"
TARGET_COLOUR = "#B84A00"
OTHERS_COLOUR = "#8a8a8a"
WOMEN_COLOUR = "#A6457F"
MEN_COLOUR = "#00805F"
# Up to twelve comparison municipalities, each with a colour and a marker of its own.
PEER_COLOURS = ("#00805F", "#9C4F8A", "#8C5A00", "#000000", "#006D77", "#7B61C4", "#B03A2E",
                "#3D4DB7", "#5A6B00", "#C2185B", "#6F4E37", "#1B5E20")
PEER_SYMBOLS = ("square", "triangle-up", "x", "star", "pentagon", "hexagon", "cross",
                "triangle-down", "hourglass", "bowtie", "triangle-left", "star-square")
CHART_COLOURS = (HOME_COLOUR, COMPARISON_COLOUR, TARGET_COLOUR, OTHERS_COLOUR, WOMEN_COLOUR,
                 MEN_COLOUR, *PEER_COLOURS)
EXAMPLE_FILL = "rgba(120, 120, 120, 0.10)"
# Names with spaces or digits must be quoted, or CSS drops the whole list and a standalone SVG
# (the exports) falls back to a serif font.
FONT = "'Source Sans 3', 'Segoe UI', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
TEXT_COLOUR = "#1b1b1b"
MUTED_COLOUR = "#4d4d4d"
FOOTER_CHARS = 95  # characters of the 11 px source line that fit 16 cm beside the y axis
FOOTER_LINE_PX = 14


@dataclass(frozen=True)
class ChartText:
    """The words around a chart: title, subtitle and the source line with its stamp."""

    title: str
    subtitle: str
    source: str
    data_through: int | None

    @property
    def footer(self) -> str:
        stamp = f"Data t.o.m. {self.data_through}" if self.data_through else "Ingen data ännu"
        return f"Källa: {self.source} · {stamp}"

    def footer_lines(self, width: int = FOOTER_CHARS) -> list[str]:
        """The footer broken into lines that fit a report column (16 cm), at " · " if it can."""
        lines: list[str] = []
        for part in self.footer.split(" · "):
            if lines and len(lines[-1]) + 3 + len(part) <= width:
                lines[-1] += " · " + part
            else:
                lines += textwrap.wrap(part, width) or [""]
        return lines


def base_layout(text: ChartText, *, y_title: str = "", height: int = 420) -> dict:
    footer = text.footer_lines()
    extra = FOOTER_LINE_PX * (len(footer) - 1)
    return {
        "title": {"text": f"<b>{text.title}</b>", "subtitle": {"text": text.subtitle},
                  "x": 0, "xanchor": "left", "font": {"size": 17}},
        "font": {"family": FONT, "size": 13, "color": TEXT_COLOUR},
        "separators": fmt.PLOTLY_SEPARATORS,
        "height": height + extra,
        "margin": {"l": 64, "r": 24, "t": 96, "b": 92 + extra},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT, "size": 13}},
        "legend": {"orientation": "h", "x": 0, "y": -0.16, "xanchor": "left", "yanchor": "top"},
        "xaxis": {"tickformat": "d", "dtick": 1, "showgrid": False, "linecolor": "#8a8a8a",
                  "ticks": "outside", "fixedrange": True},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e3e3e3", "zeroline": False,
                  "fixedrange": True, "tickformat": ",~r"},
        "annotations": [{
            "text": "<br>".join(footer), "xref": "paper", "yref": "paper", "x": 0, "y": 0,
            "yshift": -86 - extra, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "align": "left",
            "font": {"size": 11, "color": MUTED_COLOUR},
        }],
        "shapes": [],
    }


# Narrow screens (phones, below NARROW_BELOW_PX): every figure carries in `layout.meta` a narrow
# variant of its layout, computed here with the figure, and the wide values it replaces;
# `assets/charts-narrow.js` draws the one that fits the chart's width. Exports never read `meta`,
# so an image always has the print layout.
NARROW_BELOW_PX = 600
NARROW_TITLE_CHARS = 32  # bold 15 px title in a 320 px wide chart
NARROW_SUBTITLE_CHARS = 44
NARROW_FOOTER_CHARS = 38  # the 11 px source line, from the plot's left edge in a 320 px screen
NARROW_LEGEND_CHARS = 28  # 12 px legend names beside their symbol, likewise
NARROW_AXIS_TITLE_CHARS = 40
NARROW_YEAR_TICKS = 5  # horizontal year labels that fit 250 px of plot
NARROW_YEAR_PAD = 0.8  # room at either end for the labels written at the first and last point
NARROW_MARGIN_R = 12
TITLE_LINE_PX = 19
SUBTITLE_LINE_PX = 17
TITLE_TOP_PX = 20  # Plotly puts a title's first line this far above its "top" anchor
TICK_LABELS_PX = 28
AXIS_TITLE_LINE_PX = 20
LEGEND_ROW_PX = 21
LEGEND_NAME_CHARS = 38
GAP_PX = 10


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def _layout_value(layout: dict, path: str):
    """`layout` at a relayout path such as "legend.y" or "annotations[0].text" (None if unset)."""
    node = layout
    for part in path.split("."):
        name, _, index = part.partition("[")
        node = node.get(name) if isinstance(node, dict) else None
        if index and isinstance(node, list):
            position = int(index.rstrip("]"))
            node = node[position] if position < len(node) else None
        if node is None:
            return None
    return node


def _years_with_data(data: list[dict]) -> list[int]:
    """Years where a series has a value (target marks left out: they may lie years ahead)."""
    years = {int(x) for trace in data if trace.get("meta") != "target"
             for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False)
             if x is not None and y is not None}
    return sorted(years)


def _legend_entries(layout: dict, data: list[dict], names: list | None = None) -> int:
    """Rows of the legend (a long name has two); `names` instead of the traces' own."""
    if layout.get("showlegend") is False:
        return 0
    names = names or [trace.get("name") for trace in data]
    shown = [name for trace, name in zip(data, names, strict=True)
             if trace.get("showlegend", True) and name]
    if len(shown) < 2 and not layout.get("showlegend"):
        return 0  # Plotly hides a legend of one
    return sum(name.count("<br>") + 1 for name in shown)


def _narrow_names(data: list[dict]) -> list | None:
    """The traces' legend names wrapped for a phone's width (None: all fit as they are). The
    names are plain text already (escaped), and are only split at spaces."""
    wrapped = []
    for trace in data:
        name = trace.get("name")
        if isinstance(name, str) and any(len(line) > NARROW_LEGEND_CHARS
                                         for line in name.split("<br>")):
            name = "<br>".join(_wrapped(name.replace("<br>", " "), NARROW_LEGEND_CHARS))
        wrapped.append(name)
    return wrapped if wrapped != [trace.get("name") for trace in data] else None


def narrow_variant(layout: dict, data: list[dict], text: ChartText,
                   extra: dict | None = None, plot_px: int | None = None) -> dict:
    """The narrow layout as relayout paths, the wide values they replace, and the breakpoint.

    Titles and the source line wrapped; year axes only over the years with data, with whole
    horizontal labels (fewer ticks where needed); the legend one entry a row below the axis,
    long names wrapped (`names`: the traces' names, applied with the layout), and the source
    line below the legend, each at a computed pixel offset so they never meet.
    """
    narrow: dict = {}
    title_lines = _wrapped(text.title, NARROW_TITLE_CHARS)
    subtitle_lines = _wrapped(text.subtitle, NARROW_SUBTITLE_CHARS) if text.subtitle else []
    narrow["title.text"] = "<b>" + "<br>".join(title_lines) + "</b>"
    narrow.update({"title.font.size": 15, "title.yref": "container", "title.yanchor": "top"})
    if subtitle_lines:
        narrow["title.subtitle.text"] = "<br>".join(subtitle_lines)
    top = 8 + TITLE_LINE_PX * len(title_lines) + SUBTITLE_LINE_PX * len(subtitle_lines) + 24
    if any(note.get("yref") == "paper" and note.get("y", 0) >= 1
           and note.get("yanchor") == "bottom" for note in layout["annotations"][1:]):
        top += 18  # a note above the plot (a reference line's value) gets a line of its own

    xaxis = layout.get("xaxis", {})
    below_axis = TICK_LABELS_PX
    axis_title = _layout_value(layout, "xaxis.title.text")
    if axis_title:
        lines = _wrapped(axis_title, NARROW_AXIS_TITLE_CHARS)
        narrow["xaxis.title.text"] = "<br>".join(lines)
        below_axis += AXIS_TITLE_LINE_PX * len(lines)
    years = _years_with_data(data) if xaxis.get("tickformat") == "d" \
        and xaxis.get("type") != "category" else []
    if years:
        first, last = years[0], years[-1]
        narrow["xaxis.range"] = [first - NARROW_YEAR_PAD, last + NARROW_YEAR_PAD]
        narrow["xaxis.dtick"] = max(1, math.ceil((last - first + 1) / NARROW_YEAR_TICKS))
        narrow["xaxis.tick0"] = first
        narrow["xaxis.tickangle"] = 0
        # A note at the top beginning in the right half (a method change) would run past the
        # edge and into the newest values' labels: it is written leftwards from its line, at
        # the foot of the plot.
        for index, note in enumerate(layout.get("annotations", [])[1:], start=1):
            if (note.get("xref") == "x" and note.get("yref") == "paper"
                    and note.get("xanchor") == "left" and note["x"] > (first + last) / 2):
                narrow.update({f"annotations[{index}].xanchor": "right",
                               f"annotations[{index}].y": 0,
                               f"annotations[{index}].yanchor": "bottom"})

    names = _narrow_names(data)
    entries = _legend_entries(layout, data, names)
    legend_px = LEGEND_ROW_PX * entries
    plot_px = plot_px or layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    if entries:
        narrow.update({
            "legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left",
            "legend.y": -(below_axis + 4) / plot_px, "legend.yanchor": "top",
            "legend.entrywidthmode": "fraction", "legend.entrywidth": 1,
            "legend.tracegroupgap": 0, "legend.font.size": 12})
    footer = [line for part in text.footer.split(" · ")
              for line in _wrapped(part, NARROW_FOOTER_CHARS)]
    footer_shift = below_axis + legend_px + GAP_PX
    narrow.update({
        "annotations[0].text": "<br>".join(footer),
        "annotations[0].yanchor": "top",
        "annotations[0].yshift": -footer_shift,
    })
    bottom = footer_shift + 14 * len(footer) + GAP_PX
    height = top + plot_px + bottom
    narrow.update({"margin.t": top, "margin.b": bottom, "margin.r": NARROW_MARGIN_R,
                   "height": height, "title.y": 1 - TITLE_TOP_PX / height})
    narrow.update(extra or {})
    wide = {path: _layout_value(layout, path) for path in narrow}
    variant = {"narrow": narrow, "wide": wide, "below": NARROW_BELOW_PX}
    if names:  # trace names, one per trace, for Plotly.restyle
        variant["names"] = {"narrow": names, "wide": [trace.get("name") for trace in data]}
    return variant


WIDE_LEGEND_COLUMNS = 2
LEGEND_PADDING_PX = 12  # Plotly's padding above and below the legend's rows
"""Legend entries per row below a wide chart: each gets half the plot's width, which holds the
longest name (LEGEND_NAME_CHARS) at print width, so the number of rows is known beforehand at
any width, and the source line can be put below the last one."""


def _legend_rows_px(layout: dict, data: list[dict]) -> int:
    """The height of a horizontal legend laid out WIDE_LEGEND_COLUMNS entries a row."""
    if _legend_entries(layout, data) == 0:
        return 0
    lines = [str(trace.get("name")).count("<br>") + 1 for trace in data
             if trace.get("showlegend", True) and trace.get("name")]
    rows = [lines[i:i + WIDE_LEGEND_COLUMNS] for i in range(0, len(lines), WIDE_LEGEND_COLUMNS)]
    return LEGEND_ROW_PX * sum(max(row) for row in rows) + LEGEND_PADDING_PX


def fit_below_plot(layout: dict, data: list[dict]) -> None:
    """Below the plot, one under the other at computed pixel offsets: the year labels, the x
    axis's title, the legend (two entries a row) and the source line; the chart grows by what
    they need, so that they never print on each other whatever the number of series."""
    legend = layout.get("legend") or {}
    notes = layout.get("annotations") or []
    if legend.get("orientation") != "h" or not notes or legend.get("y", 0) >= 0:
        return
    margin = layout["margin"] = dict(layout["margin"])
    plot_px = layout["height"] - margin["t"] - margin["b"]
    below_axis = TICK_LABELS_PX
    axis_title = _layout_value(layout, "xaxis.title.text")
    if axis_title:
        below_axis += AXIS_TITLE_LINE_PX * (str(axis_title).count("<br>") + 1) + 4
    legend_px = _legend_rows_px(layout, data)
    layout["legend"] = {**legend, "x": 0, "xanchor": "left", "y": -(below_axis + 4) / plot_px,
                        "yanchor": "top", "entrywidthmode": "fraction",
                        "entrywidth": 1 / WIDE_LEGEND_COLUMNS - 0.01, "tracegroupgap": 0}
    footer_shift = below_axis + legend_px + GAP_PX
    footer_lines = str(notes[0].get("text", "")).count("<br>") + 1
    notes[0].update(y=0, yanchor="top", yshift=-footer_shift)
    margin["b"] = footer_shift + FOOTER_LINE_PX * footer_lines + GAP_PX
    layout["height"] = margin["t"] + plot_px + margin["b"]


def values(series) -> list:
    """A column as a JSON-ready list: NaN and NA become None (a gap in the line)."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
            else (v.item() if hasattr(v, "item") else v) for v in series]


@dataclass
class _Spec:
    """A figure under construction, as plain Plotly JSON."""

    layout: dict
    text: ChartText | None = None
    data: list[dict] = field(default_factory=list)
    narrow: dict = field(default_factory=dict)  # this figure's own narrow-screen settings
    narrow_plot_px: int | None = None  # the plot's height on a phone, if not as on paper

    def trace(self, **trace) -> None:
        for key in ("x", "y", "text", "customdata"):
            if key in trace and not isinstance(trace[key], str):
                trace[key] = values(trace[key])
        self.data.append(trace)

    def hover(self, texts) -> dict:
        return {"customdata": list(texts), "hovertemplate": "%{customdata}<extra></extra>"}

    def vline(self, x: float, *, colour: str, dash: str = "dot", width: float = 1.5,
              layer: str = "above") -> None:
        self.layout["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": x,
                                      "x1": x, "y0": 0, "y1": 1, "layer": layer,
                                      "line": {"color": colour, "dash": dash, "width": width}})

    def vrect(self, x0: float, x1: float, *, fill: str) -> None:
        self.layout["shapes"].append({"type": "rect", "xref": "x", "yref": "paper", "x0": x0,
                                      "x1": x1, "y0": 0, "y1": 1, "fillcolor": fill,
                                      "line": {"width": 0}, "layer": "below"})

    def note(self, text: str, *, x, y=1, yref: str = "paper", xanchor: str = "left",
             yanchor: str = "top", size: int = 11, colour: str = MUTED_COLOUR, **extra) -> None:
        self.layout["annotations"].append({"text": text, "x": x, "y": y, "xref": "x",
                                           "yref": yref, "xanchor": xanchor,
                                           "yanchor": yanchor, "showarrow": False,
                                           "font": {"size": size, "color": colour}, **extra})

    def axis(self, name: str, **settings) -> None:
        self.layout.setdefault(name, {}).update(settings)

    def figure(self) -> go.Figure:
        layout = {**self.layout, "annotations": [
            {**note, "text": plain(note["text"])} for note in self.layout.get("annotations", [])]}
        for axis, title in [(k, v.get("title")) for k, v in self.layout.items()
                            if k.endswith("axis") and isinstance(v, dict)]:
            if isinstance(title, dict) and isinstance(title.get("text"), str):
                layout[axis] = {**layout[axis], "title": {**title, "text": plain(title["text"])}}
        title = layout.get("title")
        if isinstance(title, dict):
            layout["title"] = {**title, "text": plain(title.get("text", "")),
                               "subtitle": {"text": plain(title.get("subtitle", {})
                                                          .get("text", ""))}}
        data = [{key: _plain_values(key, value) for key, value in trace.items()}
                for trace in self.data]
        fit_below_plot(layout, data)
        if self.text is not None:
            layout["meta"] = _plain_meta(narrow_variant(layout, data, self.text, self.narrow,
                                                        self.narrow_plot_px))
        return go.Figure({"data": data, "layout": layout}, _validate=False)


# The only markup the figures write themselves; everything else is shown as text.
OWN_MARKUP = ("<br>", "<b>", "</b>")
TEXT_KEYS = {"name", "text", "customdata", "hovertext", "x", "y"}


def plain(text: object) -> object:
    """Text as Plotly should show it: names from uploaded files or user lists can never become
    Plotly markup (a link, a style); the figures' own line breaks and bold stay."""
    if not isinstance(text, str):
        return text
    escaped = escape(text, quote=False)
    for tag in OWN_MARKUP:
        escaped = escaped.replace(escape(tag, quote=False), tag)
    return escaped


def _plain_meta(value: object, key: str = "") -> object:
    """The narrow layout's texts (titles, source lines) shown as text like the others."""
    if isinstance(value, dict):
        return {k: _plain_meta(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_meta(v, key) for v in value]
    if isinstance(value, str) and (key.endswith("text") or key in TEXT_KEYS):
        return plain(value)  # a category (x, y) must match the trace's, which is plain too
    return value


def _plain_values(key: str, value: object) -> object:
    if key not in TEXT_KEYS:
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    return plain(value)


def _y_title(unit: str) -> str:
    return {"%": "Procent", "index": "Index", "kr": "Kronor"}.get(unit, unit.capitalize())


def _full_years(frame: pd.DataFrame, years: range) -> pd.DataFrame:
    """Reindex to every year, so missing years become gaps instead of joined lines."""
    return frame.set_index("year").reindex(list(years)).reset_index()


def _finite(numbers) -> list[float]:
    """The numbers of a list, a column or a table (every cell), without the missing ones."""
    if isinstance(numbers, pd.DataFrame | pd.Series):
        numbers = numbers.to_numpy().ravel()
    return [float(v) for v in numbers if not _missing(v)]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _padded_range(numbers: list[float], share: float = 0.15) -> list[float] | None:
    """A y range with room above and below the data, so markers never touch the frame."""
    if not numbers:
        return None
    low, high = min(numbers), max(numbers)
    pad = max((high - low) * share, abs(high) * 0.01, 0.5)
    return [low - pad, high + pad]


ZOOMED_AXIS_NOTE = "axeln börjar inte på 0"


def _value_axis(spec: _Spec, unit: str, numbers) -> None:
    """One y-axis policy for every chart over the years (goal pages, /utforska, HME): percent
    from 0 to 100 (further if the data go above); anything else zoomed to the data, and then
    the axis title says that it does not start at zero."""
    flat = _finite(numbers)
    if unit == "%":
        top = max(flat) if flat else 0.0
        spec.axis("yaxis", range=[0, 100 if top <= 100 else top * 1.05])
        return
    span = _padded_range(flat)
    spec.axis("yaxis", range=span)
    if span and span[0] > 0:
        title = spec.layout["yaxis"]["title"]["text"]
        spec.axis("yaxis", title={"text": f"{title} ({ZOOMED_AXIS_NOTE})" if title
                                  else ZOOMED_AXIS_NOTE.capitalize()})


def _year_axis(spec: _Spec, years) -> None:
    """Whole years only, with half a year of room at each end (also for a single year)."""
    years = [int(y) for y in years]
    if not years:
        return
    first, last = min(years), max(years)
    spec.axis("xaxis", range=[first - 0.5, last + 0.5], dtick=1 if last - first <= 12 else 2)


def measure_figure(rows: Sequence[YearRow], peer_texts: Sequence[str], info: MeasureInfo,
                   municipality: str, text: ChartText, own: Sequence[YearRow] = ()
                   ) -> go.Figure:
    """A Kolada measure over the years: the municipality, the comparison mean and the target.

    Each KPI of the lineage is its own segment; a dotted vertical line marks where the method
    changed and no line joins two methods. Years of example data are shaded and labelled.
    `rows` are the follow-up's rows, `peer_texts` their standing among the others in words.
    """
    peer_of = {r.year: p for r, p in zip(rows, peer_texts, strict=True)}
    shown = [r for r in rows if r.value is not None or r.comparison_mean is not None]
    spec = _Spec(base_layout(text, y_title=_units_title(shown, info)), text=text)
    # Each value in its row's unit: an index KPI's values and targets carry no "%".
    fmt_value = lambda v, unit: fmt.with_unit(v, unit, info.decimals)  # noqa: E731
    years = (range(min(r.year for r in rows), max(r.year for r in rows) + 1) if rows
             else range(0))
    for segment, link in enumerate(info.lineage):
        of_segment = {r.year: r for r in rows if r.segment == segment}
        last = link.last_year if link.last_year is not None else 9999
        # Every year of the method, so that a year without a value is a gap in the line.
        part_years = [y for y in years if link.first_year <= y <= last]
        part = [of_segment.get(y) for y in part_years]
        if not any(r is not None and (r.value is not None or r.comparison_mean is not None)
                   for r in part):
            continue
        example = any(r is not None and r.is_example for r in part)
        note = " (exempeldata)" if example else ""
        unit = link.kpi_unit or info.unit
        fmt_link = lambda v, unit=unit: fmt.with_unit(v, unit, info.decimals)  # noqa: E731
        home = [(y, r) for y, r in zip(part_years, part, strict=True)]
        spec.trace(
            type="scatter", x=part_years, y=[_of(r, "value") for r in part], name=municipality,
            **_error_bars(part),
            legendgroup="home", showlegend=segment == 0, mode="lines+markers",
            connectgaps=False, line={"color": HOME_COLOUR, "width": 3},
            marker={"size": 9, "symbol": "circle-open" if example else "circle",
                    "line": {"width": 2, "color": HOME_COLOUR}},
            **spec.hover(
                f"{municipality} {y}: {fmt_link(_of(r, 'value'))}{note}"
                + (f" (95 %-intervall {fmt.number(r.ci_low, info.decimals)}–"
                   f"{fmt_link(r.ci_high)})" if r is not None and r.ci_low is not None else "")
                + f"<br>{link.kpi_id}"
                + (f"<br>{peer_of[y]}" if r is not None and peer_of[y] else "")
                for y, r in home),
        )
        spec.trace(
            type="scatter", x=part_years, y=[_of(r, "comparison_mean") for r in part],
            name="Mätkommunernas medelvärde", legendgroup="mean", showlegend=segment == 0,
            mode="lines+markers", connectgaps=False,
            line={"color": COMPARISON_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 8, "symbol": "diamond", "color": COMPARISON_COLOUR},
            **spec.hover(
                f"Mätkommunernas medelvärde {y}: {fmt_link(_of(r, 'comparison_mean'))}"
                + (f" (n = {fmt.count(r.comparison_n)})"
                   if r is not None and r.comparison_n is not None else "")
                for y, r in home),
        )
        if example:
            first, final = float(min(part_years)), float(max(part_years))
            spec.vrect(first - 0.5, final + 0.5, fill=EXAMPLE_FILL)
            spec.note("Exempeldata", x=first - 0.45, y=0.99)
    _targets(spec, rows, fmt_value)
    for earlier, later in zip(info.lineage, info.lineage[1:], strict=False):
        if not years or later.first_year > years[-1]:
            continue  # a method that only starts after the years shown (the follow-up year)
        boundary = (later.first_year + (earlier.last_year or later.first_year)) / 2
        if boundary == later.first_year:
            boundary -= 0.5
        spec.vline(boundary, colour=MUTED_COLOUR)
        spec.note(f"Ny mätmetod: {later.kpi_id}", x=boundary, y=1,
                  bgcolor="rgba(255,255,255,0.85)")
    if own:
        _own_series(spec, own, rows, info)
    _value_axis(spec, info.unit, [v for r in rows
                                  for v in (r.value, r.comparison_mean, r.target)])
    _label_latest(spec, rows, fmt_value, own)
    return spec.figure()


def _units_title(shown: Sequence[YearRow], info: MeasureInfo) -> str:
    """The value axis' unit; where a method change brings another unit (a per cent KPI
    followed by an index), each with its years: "Procent (2012–2020) / Index (2022–2024)"."""
    years: dict[str, list[int]] = {}
    for row in shown:
        years.setdefault(row.unit, []).append(row.year)
    if len(years) <= 1:
        return _y_title(next(iter(years), info.unit))
    return " / ".join(f"{_y_title(unit)} ({min(found)}"
                      + (f"–{max(found)})" if max(found) > min(found) else ")")
                      for unit, found in years.items())


def _of(row: YearRow | None, name: str) -> float | None:
    """A number of a year's row; None for a year without a row (a gap)."""
    return None if row is None else getattr(row, name)


def _own_series(spec: _Spec, own: Sequence[YearRow], rows: Sequence[YearRow],
                info: MeasureInfo) -> None:
    """The municipality's own measurement (test contacts): its own series, squares with the
    95 % interval, never joined to the KPI's line."""
    # The legend names the series; each year's n is in its hover text and the table view (one
    # year's n here read as the whole series' and, with the year, ran past a phone's edge).
    name = f"Egen mätning{', exempeldata' if own[-1].is_example else ''}"
    spec.trace(
        type="scatter", x=[r.year for r in own], y=[r.value for r in own], name=name,
        mode="markers", marker={"size": 10, "symbol": "square", "color": MEN_COLOUR},
        **_error_bars(own, MEN_COLOUR),
        **spec.hover(
            f"Egen mätning {r.year}: {fmt.percent(r.value, info.decimals)} (95 %-intervall "
            f"{fmt.number(r.ci_low, info.decimals)}–{fmt.percent(r.ci_high, info.decimals)}, "
            f"n = {fmt.count(r.sample_n)})" + (" (exempeldata)" if r.is_example else "")
            for r in own),
    )
    years = {r.year for r in rows}
    _targets(spec, [r for r in own if r.year not in years],
             lambda v, _unit: fmt.percent(v, info.decimals),
             showlegend=all(r.target is None for r in rows))
    _year_axis(spec, [*(r.year for r in rows), *(r.year for r in own)])


def _error_bars(rows: Sequence[YearRow | None], colour: str = HOME_COLOUR) -> dict:
    """The 95 % interval as error bars where the values have one (nothing otherwise)."""
    if not any(r is not None and r.ci_low is not None for r in rows):
        return {}
    above = [None if r is None or r.ci_high is None or r.value is None else r.ci_high - r.value
             for r in rows]
    below = [None if r is None or r.ci_low is None or r.value is None else r.value - r.ci_low
             for r in rows]
    return {"error_y": {"type": "data", "symmetric": False, "array": above,
                        "arrayminus": below, "color": colour, "thickness": 1.5,
                        "width": 4}}


def _targets(spec: _Spec, rows: Sequence[YearRow], fmt_value, *, showlegend: bool = True
             ) -> None:
    """The year's targets as short horizontal marks (labelled as examples where they are)."""
    targets = [r for r in rows if r.target is not None]
    if not targets:
        return
    spec.trace(
        type="scatter", x=[r.year for r in targets], y=[r.target for r in targets], name="Mål",
        mode="markers", meta="target", legendgroup="target", showlegend=showlegend,
        marker={"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOUR,
                "line": {"width": 3, "color": TARGET_COLOUR}},
        **spec.hover(f"Mål {r.year}: {fmt_value(r.target, r.unit)}"
                     + (" (exempel)" if r.target_is_example else "") for r in targets),
    )


VALUE_LABEL_PX = 18  # a 12 px bold value label with its padding
TOP_NOTES_PX = 20  # the band at the top of the plot where a method change is written


def _label_latest(spec: _Spec, rows: Sequence[YearRow], fmt_value,
                  own: Sequence[YearRow] = ()) -> None:
    """Paper has no hover: the newest value and its comparison mean are written at their own
    year, centred on it, above or below everything drawn there (interval, target, own
    measurement), the higher value above and the lower below; a label without room between
    the year's marks and the plot's edge joins the other side, one under the other. Called
    once the value axis is set."""
    measured = [r for r in rows if r.value is not None]
    value_range = spec.layout.get("yaxis", {}).get("range")
    if not measured or not value_range:
        return
    row = measured[-1]
    marks = _finite([row.value, row.ci_low, row.ci_high, row.comparison_mean, row.target,
                     *(v for r in own if r.year == row.year
                       for v in (r.value, r.ci_low, r.ci_high, r.target))])
    top, bottom = max(marks), min(marks)
    layout = spec.layout
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    px = plot_px / (value_range[1] - value_range[0])
    labels = [(float(row.value), HOME_COLOUR)]
    if row.comparison_mean is not None:
        labels.append((float(row.comparison_mean), COMPARISON_COLOUR))
    labels.sort(key=lambda label: label[0])
    sides: dict[str, list] = {"below": [], "above": []}
    wanted = ["below", "above"] if len(labels) == 2 else ["above"]
    room = {"above": (value_range[1] - top) * px - TOP_NOTES_PX,
            "below": (bottom - value_range[0]) * px}
    for label, side in zip(labels, wanted, strict=True):
        if room[side] < VALUE_LABEL_PX + 4:
            side = "below" if side == "above" else "above"
        sides[side].append(label)
    sides["below"].reverse()  # nearest the marks first: the higher value below
    for side, placed in sides.items():
        for order, (value, colour) in enumerate(placed):
            shift = 4 + VALUE_LABEL_PX * order
            layout["annotations"].append({
                "x": row.year, "y": top if side == "above" else bottom, "xref": "x",
                "yref": "y", "text": f"<b>{fmt_value(value, row.unit)}</b>", "showarrow": False,
                "xanchor": "center", "yanchor": "bottom" if side == "above" else "top",
                "yshift": shift if side == "above" else -shift,
                "font": {"size": 12, "color": colour}, "bgcolor": "rgba(255,255,255,0.85)"})


def survey_figure(rows: Sequence[YearRow], info: MeasureInfo, municipality: str,
                  text: ChartText) -> go.Figure:
    """Survey years as points (no line across the years between), against the target."""
    spec = _Spec(base_layout(text, y_title="Medelvärde (1–5)"), text=text)
    measured = [r for r in rows if r.value is not None]
    if rows:
        first, last = min(r.year for r in rows), max(r.year for r in rows)
        measured_years = {r.year for r in measured}
        for year in range(first, last + 1):
            if year not in measured_years:
                # On a phone the years stand too close for a label each (they ran into each
                # other): there the gap shows it, and the table view says "ingen mätning".
                spec.narrow[f"annotations[{len(spec.layout['annotations'])}].visible"] = False
                spec.note("ingen<br>mätning", x=year, y=info.scale_min, yref="y",
                          xanchor="center", yanchor="bottom", size=10)
    spec.trace(
        type="scatter", x=[r.year for r in measured], y=[r.value for r in measured],
        name=municipality, mode="markers+text",
        marker={"size": 13, "color": HOME_COLOUR, "symbol": "circle"},
        text=[fmt.number(r.value, info.decimals) for r in measured],
        textposition="bottom center", textfont={"color": HOME_COLOUR},
        **_error_bars(measured),
        **spec.hover(f"{municipality} {r.year}: {fmt.number(r.value, info.decimals)} "
                     + (f"(95 %-intervall {fmt.number(r.ci_low, info.decimals)}–"
                        f"{fmt.number(r.ci_high, info.decimals)}, " if r.ci_low is not None
                        else "(")
                     + f"n = {fmt.count(r.respondents)}), "
                     + f"{fmt.percent(r.share_positive, 0)} svarar 4–5"
                     + (" (exempeldata)" if r.is_example else "")
                     for r in measured),
    )
    _targets(spec, rows, lambda v, _unit: fmt.number(v, info.decimals))
    spec.axis("yaxis", range=[info.scale_min, info.scale_max], dtick=1)
    return spec.figure()


def survey_units_figure(units: pd.DataFrame, kommun_mean: float | None, decimals: int,
                        text: ChartText, reference: str = "Kommunen") -> go.Figure:
    """Mean per förvaltning (or enhet) for one year, with n in the label, against the mean of
    the level above (`reference`: "Kommunen" or the förvaltning)."""
    frame = units.sort_values("mean")
    # Unit names come from uploaded files: `plain` (in _Spec.figure) shows them as text, never
    # as Plotly's own markup (links, styles).
    labels = [f"{name} (n = {fmt.count(int(n))})"
              for name, n in zip(frame["name"], frame["respondents"], strict=True)]
    spec = _Spec(base_layout(text, height=max(300, 150 + 34 * len(frame))), text=text)
    spec.trace(
        type="bar", x=frame["mean"], y=labels, orientation="h", marker={"color": HOME_COLOUR},
        # Values inside the bar's end, where the reference line (drawn below the bars) never
        # crosses them.
        text=[fmt.number(v, decimals) for v in frame["mean"]], textposition="auto",
        insidetextanchor="end", insidetextfont={"color": "white"}, cliponaxis=False,
        name="Medelvärde",
        **spec.hover(f"{label}: {fmt.number(v, decimals)}"
                     for label, v in zip(labels, frame["mean"], strict=True)),
    )
    if kommun_mean is not None and not pd.isna(kommun_mean):
        spec.vline(kommun_mean, colour=COMPARISON_COLOUR, dash="dash", layer="below")
        spec.note(f"{reference} {fmt.number(kommun_mean, decimals)}", x=kommun_mean, y=1,
                  xanchor="center", yanchor="bottom", size=12)
    spec.axis("xaxis", range=[1, 5], dtick=1, title={"text": "Medelvärde (1–5)"},
              tickformat=",~r", showgrid=True, gridcolor="#e3e3e3")
    spec.axis("yaxis", automargin=True, title=None)
    spec.layout["showlegend"] = False
    # A phone has no room for the names beside the bars: each name is written above its bar.
    band_px = 58
    spec.narrow_plot_px = band_px * len(frame)
    spec.narrow = {"yaxis.showticklabels": False, "yaxis.automargin": False, "margin.l": 12,
                   "bargap": 0.5}
    first_free = len(spec.layout["annotations"])
    for index, label in enumerate(labels):
        spec.narrow[f"annotations[{first_free + index}]"] = {
            "text": label, "xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": label,
            "yanchor": "bottom", "yshift": band_px / 4, "showarrow": False,
            "bgcolor": "white", "font": {"size": 12, "color": TEXT_COLOUR}}
    return spec.figure()


def distribution_figure(row: pd.Series, text: ChartText) -> go.Figure:
    """The share answering 1, 2, 3, 4 and 5."""
    counts = [int(row[f"answers_{i}"] or 0) for i in range(1, 6)]
    total = sum(counts) or 1
    shares = [100 * c / total for c in counts]
    spec = _Spec(base_layout(text, y_title="Andel av svaren (%)", height=360), text=text)
    spec.trace(
        type="bar", x=[str(i) for i in range(1, 6)], y=shares, marker={"color": HOME_COLOUR},
        text=[fmt.percent(s, 0) for s in shares], textposition="outside", cliponaxis=False,
        name="Andel",
        **spec.hover(f"Svar {i}: {fmt.percent(s, 1)} ({c} svar)"
                     for i, s, c in zip(range(1, 6), shares, counts, strict=True)),
    )
    spec.axis("xaxis", title={"text": "Svar (1 = instämmer inte alls, 5 = instämmer helt)"},
              dtick=None, tickformat=None, type="category")
    spec.axis("yaxis", range=[0, max(shares) * 1.2 + 1])
    spec.layout["showlegend"] = False
    return spec.figure()


def kpi_figure(stats: pd.DataFrame, municipality: str, unit: str, decimals: int,
               text: ChartText) -> go.Figure:
    """One KPI over the years: the municipality against the measuring municipalities' mean."""
    spec = _Spec(base_layout(text, y_title=_y_title(unit)), text=text)
    if stats.empty:
        return spec.figure()
    value = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    frame = _full_years(stats, range(int(stats["year"].min()), int(stats["year"].max()) + 1))
    spec.trace(
        type="scatter", x=frame["year"], y=frame["value"], name=municipality,
        mode="lines+markers", connectgaps=False, line={"color": HOME_COLOUR, "width": 3},
        marker={"size": 9},
        **spec.hover(f"{municipality} {y}: {value(v)}"
                     for y, v in zip(frame["year"], frame["value"], strict=True)),
    )
    spec.trace(
        type="scatter", x=frame["year"], y=frame["comparison_mean"],
        name="Mätkommunernas medelvärde", mode="lines+markers", connectgaps=False,
        line={"color": COMPARISON_COLOUR, "width": 2, "dash": "dash"},
        marker={"size": 8, "symbol": "diamond"},
        **spec.hover(f"Mätkommunernas medelvärde {y}: {value(v)}"
                     + (f" (n = {int(n)})" if not pd.isna(n) else "")
                     for y, v, n in zip(frame["year"], frame["comparison_mean"],
                                        frame["comparison_n"], strict=True)),
    )
    _value_axis(spec, unit, frame[["value", "comparison_mean"]])
    return spec.figure()


def explore_trend_figure(trend: pd.DataFrame, peer_lines: pd.DataFrame, names: dict[str, str],
                         municipality: str, peer_label: str | None, unit: str, decimals: int,
                         text: ChartText) -> go.Figure:
    """Any KPI over the chosen years: the municipality, all measuring municipalities' mean,
    the chosen peers' mean and, where asked for, each peer."""
    spec = _Spec(base_layout(text, y_title=_y_title(unit)), text=text)
    value = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    years = range(int(trend["year"].min()), int(trend["year"].max()) + 1) if len(trend) \
        else range(0)
    for index, (peer, rows) in enumerate(peer_lines.groupby("municipality_id", sort=True)):
        frame = _full_years(rows[["year", "value"]], years)
        name = names.get(peer, peer)
        spec.trace(
            type="scatter", x=frame["year"], y=frame["value"], name=name, mode="lines+markers",
            connectgaps=False, opacity=0.9,
            line={"color": PEER_COLOURS[index % len(PEER_COLOURS)], "width": 1.5},
            marker={"size": 7, "symbol": PEER_SYMBOLS[index % len(PEER_SYMBOLS)]},
            **spec.hover(f"{name} {y}: {value(v)}"
                         for y, v in zip(frame["year"], frame["value"], strict=True)),
        )
    spec.trace(
        type="scatter", x=trend["year"], y=trend["all_mean"], name="Mätkommunernas medelvärde",
        mode="lines+markers", connectgaps=False,
        line={"color": COMPARISON_COLOUR, "width": 2, "dash": "dash"},
        marker={"size": 8, "symbol": "diamond"},
        **spec.hover(f"Mätkommunernas medelvärde {y}: {value(v)} (n = {n})"
                     for y, v, n in zip(trend["year"], trend["all_mean"], trend["all_n"],
                                        strict=True)),
    )
    if peer_label:
        spec.trace(
            type="scatter", x=trend["year"], y=trend["peer_mean"],
            # A Kolada group's long title on two lines, so that it fits a phone's legend.
            name="<br>".join(textwrap.wrap(f"Medelvärde: {peer_label}", LEGEND_NAME_CHARS)),
            mode="lines+markers", connectgaps=False,
            line={"color": TARGET_COLOUR, "width": 2, "dash": "dot"},
            marker={"size": 8, "symbol": "triangle-up"},
            **spec.hover(f"{peer_label} {y}: {value(v)} (n = {n})"
                         for y, v, n in zip(trend["year"], trend["peer_mean"], trend["peer_n"],
                                            strict=True)),
        )
    spec.trace(
        type="scatter", x=trend["year"], y=trend["value"], name=municipality,
        mode="lines+markers", connectgaps=False, line={"color": HOME_COLOUR, "width": 3},
        marker={"size": 9},
        **spec.hover(f"{municipality} {y}: {value(v)}"
                     + (f", plats {int(r)} av {n}" if not pd.isna(r) else "")
                     for y, v, r, n in zip(trend["year"], trend["value"], trend["rank"],
                                           trend["all_n"], strict=True)),
    )
    _value_axis(spec, unit, pd.concat(
        [trend[["value", "all_mean", "peer_mean"]].stack(), peer_lines["value"]]))
    _year_axis(spec, trend["year"])
    return spec.figure()


def spread_figure(spread: pd.DataFrame, municipality_id: str, direction: str, unit: str,
                  decimals: int, text: ChartText) -> go.Figure:
    """Every measuring municipality as a dot along one axis; the municipality and its peers
    marked, with the direction of "better" written under the axis (none for costs)."""
    spec = _Spec(base_layout(text, height=330), text=text)
    value = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    n = len(spread)
    # A fixed jitter (from the rank order) spreads equal values without randomness.
    spread = spread.assign(y=[((i * 37) % 11 - 5) / 14 for i in range(n)])
    groups = (("Övriga kommuner", ~spread["is_home"] & ~spread["is_peer"], OTHERS_COLOUR, 7,
               "circle"),
              ("Jämförelsekommuner", spread["is_peer"], TARGET_COLOUR, 9, "diamond"),
              ("", spread["is_home"], HOME_COLOUR, 15, "circle"))
    for name, mask, colour, size, symbol in groups:
        part = spread.loc[mask]
        if part.empty:
            continue
        spec.trace(
            type="scatter", x=part["value"], y=part["y"], mode="markers",
            name=name or str(part["name"].iloc[0]),
            marker={"color": colour, "size": size, "symbol": symbol,
                    "line": {"width": 1, "color": "white"}},
            **spec.hover(f"{nm}: {value(v)}, plats {r} av {n}"
                         for nm, v, r in zip(part["name"], part["value"], part["rank"],
                                             strict=True)),
        )
    home = spread.loc[spread["is_home"]]
    if len(home):
        row = home.iloc[0]
        spec.layout["annotations"].append({
            "x": float(row["value"]), "y": float(row["y"]), "xref": "x", "yref": "y",
            "text": f"{row['name']}: plats {row['rank']} av {n}", "showarrow": True,
            "arrowhead": 0, "ax": 0, "ay": -38, "font": {"color": HOME_COLOUR, "size": 13},
            "bgcolor": "rgba(255,255,255,0.9)"})
    if n:
        median = float(spread["value"].median())
        spec.vline(median, colour=COMPARISON_COLOUR, dash="dash", width=1.5)
        spec.note(f"Median {value(median)}", x=median, y=0, yanchor="bottom")
    axis_words = {"higher": "← sämre   ·   bättre →", "lower": "← bättre   ·   sämre →",
                  "none": "← lägre   ·   högre →"}
    spec.axis("xaxis", title={"text": f"{_y_title(unit)}   ({axis_words.get(direction, '')})"},
              dtick=None, tickformat=",~r", showgrid=True, gridcolor="#e3e3e3")
    spec.axis("yaxis", visible=False, range=[-1, 1])
    return spec.figure()


def gender_figure(gender: pd.DataFrame, municipality: str, unit: str, decimals: int,
                  text: ChartText) -> go.Figure:
    """Women and men (and the total) for the municipality over the years."""
    spec = _Spec(base_layout(text, y_title=_y_title(unit), height=360), text=text)
    value = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    for column, name, colour, symbol, dash in (
            ("K", "Kvinnor", WOMEN_COLOUR, "circle", "solid"),
            ("M", "Män", MEN_COLOUR, "square", "dash"),
            ("T", "Totalt", HOME_COLOUR, "diamond", "dot")):
        spec.trace(
            type="scatter", x=gender["year"], y=gender[column], name=name, mode="lines+markers",
            line={"color": colour, "width": 2.5, "dash": dash},
            marker={"size": 9, "symbol": symbol},
            **spec.hover(f"{municipality} {int(y)}, {name.lower()}: {value(v)}"
                         for y, v in zip(gender["year"], gender[column], strict=True)),
        )
    _value_axis(spec, unit, gender[["K", "M", "T"]])
    _year_axis(spec, gender["year"])
    return spec.figure()
