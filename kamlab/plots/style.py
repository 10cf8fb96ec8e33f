"""The house style of kamlab figures, in one place.

Every figure has a title, axis labels that carry units, a legend that does not
cover the data, and money written the same way ("1,250", "10k", "1.5M"). These
helpers do only that: they take a Matplotlib ``Axes`` (or ``Figure``) and
style it; they never compute an estimate.

Use them in a plot function as::

    fig, ax = new_figure((6.5, 4.2))
    ax.plot(...)
    label_axes(ax, title="...", xlabel="share of accounts (%)", ylabel="revenue (currency)")
    legend_outside(ax)
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

__all__ = [
    "MIN_WIDTH_IN",
    "NOTEBOOK_DPI",
    "label_axes",
    "legend_outside",
    "legend_problems",
    "money_axis",
    "money_formatter",
    "money_label",
    "money_symlog",
    "new_figure",
    "notebook_width_px",
    "squashed",
    "text_problems",
    "thousands",
]


MIN_WIDTH_IN = 7.2
"""Narrowest figure (inches): at the notebook's 100 dpi, with bbox tight, no figure is under 600 px."""

NOTEBOOK_DPI = 100.0
"""Resolution of the inline backend (matplotlib_inline sets no figure.dpi, so Matplotlib's default)."""


def new_figure(size: tuple[float, float], *, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A Figure of ``size`` inches, at least :data:`MIN_WIDTH_IN` wide, constrained layout, its Axes.

    One Axes for the default one panel, else the array of ``fig.subplots(nrows,
    ncols, **subplot_kw)``. No pyplot: nothing is shown or kept in global state.
    """
    fig = Figure(figsize=(max(float(size[0]), MIN_WIDTH_IN), float(size[1])), layout="constrained")
    if nrows == ncols == 1 and not subplot_kw:
        return fig, fig.add_subplot()
    return fig, fig.subplots(nrows, ncols, **subplot_kw)


def money_axis(what: str, currency: str = "currency units", scale: str = "") -> str:
    """Axis label of a money quantity: ``money_axis("revenue", "EUR", "log scale") -> 'revenue (EUR, log scale)'``."""
    unit = currency.strip() or "currency units"
    return f"{what} ({unit}, {scale})" if scale else f"{what} ({unit})"


def squashed(values, ratio: float = 10.0) -> bool:
    """True when one value would squash the rest on a linear axis.

    max |v| > ``ratio`` * q90 |v|: the largest magnitude is more than ``ratio``
    times the 90th percentile of the magnitudes (finite values only), so on a
    linear axis nine points in ten sit within a tenth of the range.
    """
    a = np.abs(np.asarray(values, dtype=float))
    a = a[np.isfinite(a)]
    if a.size < 3:
        return False
    q = float(np.quantile(a, 0.9))
    return bool(a.max() > ratio * q) if q > 0 else bool(a.max() > 0 and (a > 0).sum() < a.size / 2)


def label_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the title and both axis labels; the labels should name their unit in brackets."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def legend_outside(ax: Axes, *, where: str = "right", handles=None, labels=None, on: str = "figure", **kwargs):
    """Place the legend outside the data area: to the right of the axes, or below them.

    The legend belongs to the figure (``loc="outside ..."``), so the
    constrained layout shrinks the axes to make room: it never covers a curve,
    a bar or a point, and never runs off the figure. Below the axes, short
    labels sit side by side and long ones one per line. Returns the legend
    (None when the axes have nothing labelled).
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    elif labels is None:
        labels = [h.get_label() for h in handles]
    if not handles:
        return None
    kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("frameon", False)
    if on == "axes":
        return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, **kwargs)
    if where == "below":
        kwargs.setdefault("ncols", len(labels) if sum(len(t) for t in labels) <= 60 else 1)
        return ax.figure.legend(handles, labels, loc="outside lower center", **kwargs)
    if where != "right":
        raise ValueError(f"where must be 'right' or 'below', got {where!r}")
    return ax.figure.legend(handles, labels, loc="outside right upper", **kwargs)


def thousands(value: float, decimals: int = 0) -> str:
    """A number with thousands separators: 20321689.04 -> '20,321,689'."""
    return f"{value:,.{decimals}f}"


def money_label(value: float, _pos=None) -> str:
    """Compact money tick label: 0, 950, 1k, -10k, 2.5M."""
    if value == 0:
        return "0"
    sign, a = ("-" if value < 0 else ""), abs(value)
    for div, suffix in ((1e6, "M"), (1e3, "k"), (1, "")):
        if a >= div:
            return f"{sign}{a / div:g}{suffix}"
    return f"{value:g}"


def money_formatter() -> FuncFormatter:
    """Tick formatter writing money compactly (:func:`money_label`)."""
    return FuncFormatter(money_label)


def money_symlog(ax: Axes, axis: str, values, linthresh: float = 1000.0, nonnegative: bool = False) -> None:
    """Symmetric-log money axis with ticks at 0 and +-10^k (k >= log10 linthresh), compact labels.

    Used where one account would squash the rest on a linear axis; values
    within ``linthresh`` of 0 stay linear so losses and zeros remain visible.
    """
    values = np.asarray(values, dtype=float)
    top = max(float(np.nanmax(np.abs(values))), linthresh)
    powers = 10.0 ** np.arange(np.ceil(np.log10(linthresh)), np.ceil(np.log10(top)) + 1)
    neg = [] if nonnegative or np.nanmin(values) >= 0 else list(-powers[::-1])
    ticks = neg + [0.0] + list(powers)
    set_scale = ax.set_xscale if axis == "x" else ax.set_yscale
    set_scale("symlog", linthresh=linthresh)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(FixedLocator(ticks))
    target.set_minor_locator(NullLocator())
    target.set_major_formatter(money_formatter())
    if not neg:
        (ax.set_xlim if axis == "x" else ax.set_ylim)(0, None)


def _drawn_texts(fig: Figure, renderer) -> list:
    """Every visible, non-empty text the figure draws, tick labels only for ticks inside the view."""
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():  # e.g. the shared x axis of a twinx: not drawn
                hidden.update(id(t) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                              for t in (tick.label1, tick.label2))
                hidden.update({id(axis.label), id(axis.get_offset_text())})
                continue
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) or 1.0
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 * span <= tick.get_loc() <= hi + 1e-9 * span:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden and t.get_figure() is not None]


def text_problems(fig: Figure) -> list[str]:
    """Texts that overlap one another or run off the figure, after the layout is drawn.

    The matplotlib-level check of the house style: every pair of drawn texts
    (titles, labels, tick labels, legend entries, annotations) whose boxes
    intersect by more than one pixel each way, and every text whose box leaves
    the figure. An empty list means the figure reads cleanly.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(fig, renderer)]
    problems = []
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1:]:
            if a.overlaps(b):
                overlap = a.intersection(a, b)
                if overlap is not None and overlap.width > 1 and overlap.height > 1:
                    problems.append(f"{text_a!r} overlaps {text_b!r}")
        if a.x0 < -1 or a.y0 < -1 or a.x1 > fig.bbox.x1 + 1 or a.y1 > fig.bbox.y1 + 1:
            problems.append(f"{text_a!r} runs off the figure")
    return problems


def notebook_width_px(fig: Figure, dpi: float = NOTEBOOK_DPI) -> int:
    """Width in pixels of the PNG the notebook shows: rendered at ``dpi`` with ``bbox_inches="tight"``."""
    import io
    import struct

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return int(struct.unpack(">I", buffer.getvalue()[16:20])[0])


def _data_points(ax: Axes) -> np.ndarray:
    """Display coordinates of the drawn data: line vertices, scatter offsets, bar corners and centres."""
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    points = []
    for line in ax.get_lines():
        xy = np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
        if len(xy) > 2 or line.get_marker() not in (None, "None", "", " "):
            points.append(line.get_transform().transform(xy))
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            points.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float)))
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_width() and patch.get_height():
            box = patch.get_window_extent()
            points.append(np.array([[box.x0, box.y0], [box.x1, box.y1], [(box.x0 + box.x1) / 2, box.y1],
                                    [box.x1, (box.y0 + box.y1) / 2]]))
    points = [p for p in points if len(p)]
    return np.vstack(points) if points else np.empty((0, 2))


def legend_problems(fig: Figure) -> list[str]:
    """Legends whose box covers a plotted data point (line vertex, scatter point, bar corner) or a title.

    Lines with only two vertices (reference lines such as y = 0 or the
    diagonal) are not data; an empty list means no legend hides the data.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    problems = []
    for legend in legends:
        box = legend.get_window_extent()
        for title in [fig._suptitle] + [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]:
            if title is not None and title.get_visible() and title.get_text() and box.overlaps(title.get_window_extent()):
                problems.append(f"legend touches the title {title.get_text()!r}")
        for ax in fig.axes:
            xy = _data_points(ax)
            inside = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)).sum()
            if inside:
                problems.append(f"legend covers {int(inside)} data points of {ax.get_title() or 'an axes'!r}")
    return problems
