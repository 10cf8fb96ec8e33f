"""kamlab.survival's public face and its figures.

The estimators are tested module by module: tests/test_survival_churn.py,
_cohorts, _kaplan_meier (with log-rank and rolling retention), _landmark (with
retention by channel), _sbg, _cox and _winback (the win-back list).
"""

import ast
from pathlib import Path

import numpy as np
import pandas as pd

import kamlab.survival
from kamlab import survival as sv

PACKAGE = Path(kamlab.survival.__file__).parent


def test_every_public_name_is_importable_from_the_package():
    for name in sv.__all__:
        assert getattr(sv, name) is not None
    defined = set()
    for module in PACKAGE.glob("[!_]*.py"):
        tree = ast.parse(module.read_text())
        defined |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}
    assert defined - {"group_labels"} <= set(sv.__all__)


def test_modules_are_small_and_functions_short():
    for module in PACKAGE.glob("*.py"):
        source = module.read_text()
        assert source.count("\n") < 400, module.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                body = node.body
                has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
                start = body[1].lineno if has_doc and len(body) > 1 else body[0].lineno
                assert node.end_lineno - start + 1 <= 60, f"{module.name}: {node.name}"


def test_figures_have_titles_and_labelled_axes():
    from matplotlib.figure import Figure

    from kamlab import plots

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"duration_days": np.ceil(rng.exponential(10, 60)), "churned": rng.random(60) < 0.7,
                          "group": rng.choice(["a", "b"], 60)})
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "amount": [10.0, 4.0, 20.0, 8.0],
                       "date": pd.to_datetime(["2020-01-05", "2020-02-10", "2020-01-20", "2020-02-03"])})
    fit = sv.fit_sbg(sv.SBG_COHORTS["regular"], periods=7)
    figures = [plots.survival_curves(sv.kaplan_meier_by(frame, "group"), marks=[7]),
               plots.cohort_heatmap(sv.cohort_table(tx, "M", observation_end="2020-02-29")),
               plots.sbg_projection(sv.project_sbg(fit, 12, sv.SBG_COHORTS["regular"]))]
    for fig in figures:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert "(" in ax.get_xlabel() or "since" in ax.get_xlabel()


def test_figure_legends_lie_off_the_data():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from kamlab import plots

    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"duration_days": np.ceil(rng.exponential(10, 80)), "churned": rng.random(80) < 0.5,
                          "group": rng.choice(["key", "other"], 80)})
    fit = sv.fit_sbg(sv.SBG_COHORTS["regular"], periods=7)
    for fig in (plots.survival_curves(sv.kaplan_meier_by(frame, "group")),
                plots.sbg_projection(sv.project_sbg(fit, 12, sv.SBG_COHORTS["regular"]))):
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        ax = fig.axes[0]
        legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]   # figure or axes legend
        assert len(legends) == 1
        legend, area = legends[0].get_window_extent(renderer), ax.get_window_extent(renderer)
        assert not legend.overlaps(area)
