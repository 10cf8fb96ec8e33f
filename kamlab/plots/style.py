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
    "label_axes",
    "legend_outside",
    "money_formatter",
    "money_label",
    "money_symlog",
    "new_figure",
    "text_problems",
    "thousands",
]


def new_figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A Figure of ``size`` inches with constrained layout and one Axes (no pyplot, nothing shown)."""
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def label_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the title and both axis labels; the labels should name their unit in brackets."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def legend_outside(ax: Axes, *, where: str = "right", **kwargs):
    """Place the legend outside the data area: to the right of the axes, or below them.

    The legend belongs to the figure (``loc="outside ..."``), so the
    constrained layout shrinks the axes to make room: it never covers a curve,
    a bar or a point, and never runs off the figure. Below the axes, short
    labels sit side by side and long ones one per line. Returns the legend
    (None when the axes have nothing labelled).
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("frameon", False)
    if where == "below":
        ncols = len(labels) if sum(len(t) for t in labels) <= 60 else 1
        return ax.figure.legend(handles, labels, loc="outside lower center", ncols=ncols, **kwargs)
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
