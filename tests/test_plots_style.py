"""The house style of kamlab figures (kamlab.plots.style)."""

import numpy as np
import pytest
from matplotlib.ticker import FuncFormatter

from kamlab.plots.style import label_axes, legend_outside, money_label, new_figure, text_problems, thousands


def test_text_problems_finds_overlaps_and_text_off_the_figure():
    fig, ax = new_figure((4, 3))
    ax.plot([0, 1], [0, 1], label="line")
    label_axes(ax, title="a title", xlabel="x (days)", ylabel="y (currency)")
    assert text_problems(fig) == []
    ax.text(0.5, 0.5, "first note")
    ax.text(0.5, 0.5, "second note")
    ax.text(3.0, 0.5, "far away", in_layout=False)
    problems = text_problems(fig)
    assert "'first note' overlaps 'second note'" in problems
    assert "'far away' runs off the figure" in problems


def test_legend_outside_leaves_the_data_free():
    fig, ax = new_figure((5, 3))
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, label="a fairly long label for the first curve")
    ax.plot(x, x ** 2, label="second")
    label_axes(ax, title="t", xlabel="x (%)", ylabel="y (%)")
    for where in ("right", "below"):
        legend = legend_outside(ax, where=where)
        assert legend in fig.legends and ax.get_legend() is None
        assert text_problems(fig) == []
        legend.remove()
    with pytest.raises(ValueError, match="right' or 'below"):
        legend_outside(ax, where="inside")
    empty_fig, empty_ax = new_figure((3, 3))
    assert legend_outside(empty_ax) is None


def test_money_labels():
    assert [money_label(v) for v in (0, 950, 1000, -10000, 2500000)] == ["0", "950", "1k", "-10k", "2.5M"]
    assert thousands(20321689.04) == "20,321,689" and thousands(1234.5, 1) == "1,234.5"
    assert isinstance(FuncFormatter(money_label), FuncFormatter)
