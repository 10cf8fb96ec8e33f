"""Survival figures: Kaplan-Meier curves, cohort heat-maps, sBG projections (house style: legends off the data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..survival import SurvivalCurve, cohort_matrix
from .style import legend_outside, new_figure


def survival_curves(curves: dict[str, SurvivalCurve], *, time_unit: str = "days",
                    time_label: str = "time since first purchase",
                    title: str = "Share of accounts still active", marks=(),
                    max_time: float | None = None) -> Figure:
    """Kaplan-Meier step curves, one per group, each with its shaded pointwise band.

    Parameters
    ----------
    curves : dict of label -> SurvivalCurve
        E.g. ``kamlab.survival.kaplan_meier_by(durations, key_flag)``.
    time_unit : str
        Unit of the durations, for the x-axis label.
    time_label : str
        What the clock measures, for the x-axis label (e.g. "days after the
        calibration end" for landmark durations).
    title : str
        Figure title.
    marks : sequence of float
        Horizons to mark with dotted vertical lines (e.g. 1, 7, 30 days); those
        beyond the longest follow-up are not drawn.
    max_time : float or None
        Right end of the x-axis (same unit as the durations); default the
        longest follow-up.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure((7, 5))
    for i, (label, curve) in enumerate(curves.items()):
        t = np.concatenate(([0.0], curve.table.index.to_numpy(dtype=float), [curve.max_time]))
        cols = {c: np.concatenate(([1.0], curve.table[c].to_numpy(dtype=float))) for c in ("survival", "lower", "upper")}
        for c in cols:  # hold the last value to the end of follow-up
            cols[c] = np.append(cols[c], cols[c][-1])
        color = f"C{i}"
        name = f"{label} (n = {curve.n_accounts:,}, median {curve.median:g} {time_unit})" if np.isfinite(curve.median) \
            else f"{label} (n = {curve.n_accounts:,}, median not reached)"
        ax.step(t, 100 * cols["survival"], where="post", color=color, label=name)
        ax.fill_between(t, 100 * cols["lower"], 100 * cols["upper"], step="post", color=color, alpha=0.2, linewidth=0)
    follow_up = max((c.max_time for c in curves.values()), default=0.0)
    for h in (h for h in marks if h <= follow_up):
        ax.axvline(h, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max_time if max_time is not None else None)
    ax.set_xlabel(f"{time_label} ({time_unit})")
    ax.set_ylabel("still active (% of accounts)")
    ax.set_title(title)
    band = f"shaded: {100 * (1 - next(iter(curves.values())).alpha):.0f} % pointwise band" if curves else None
    legend_outside(ax, where="below", title=band, title_fontsize="small")
    return fig


def cohort_heatmap(table: pd.DataFrame, value: str = "retention", *, period_label: str = "months",
                   title: str | None = None, max_value: float | None = None) -> Figure:
    """Heat-map of one column of ``kamlab.survival.cohort_table`` (cohorts down, age across).

    Parameters
    ----------
    table : DataFrame
        Output of ``cohort_table``.
    value : str
        "retention" or "revenue_retention" (shown in %), or "active" / "revenue".
    period_label : str
        Unit of the cohort period, for the x-axis label ("months", "quarters", ...).
    title : str or None
        Figure title; a default names the value.
    max_value : float or None
        Top of the colour scale (in displayed units); default the 95th percentile
        of the cells after age 0, so later ages are not washed out by age 0 = 100 %.

    Returns
    -------
    matplotlib.figure.Figure
    """
    matrix = cohort_matrix(table, value)
    percent = value in ("retention", "revenue_retention")
    shown = 100 * matrix if percent else matrix
    later = shown.iloc[:, 1:].to_numpy().ravel() if shown.shape[1] > 1 else shown.to_numpy().ravel()
    later = later[np.isfinite(later)]
    vmax = max_value if max_value is not None else (float(np.quantile(later, 0.95)) if later.size else None)
    height = min(10, 1.5 + 0.25 * len(shown))
    fig, ax = new_figure((8, height))
    image = ax.imshow(np.ma.masked_invalid(shown.to_numpy(dtype=float)), aspect="auto", cmap="viridis",
                      vmin=0, vmax=vmax, interpolation="nearest")
    step = max(1, len(shown) // 24)
    ax.set_yticks(range(0, len(shown), step), shown.index[::step])
    ax.set_xlabel(f"{period_label} since acquisition")
    ax.set_ylabel("acquisition cohort")
    unit = " (% of age 0)" if value == "revenue_retention" else (" (% of cohort)" if percent else "")
    fig.colorbar(image, ax=ax, label=f"{value.replace('_', ' ')}{unit}", extend="max" if vmax is not None else "neither")
    ax.set_title(title or f"Acquisition cohorts: {value.replace('_', ' ')} by age")
    return fig


def sbg_projection(projection: pd.DataFrame | dict[str, pd.DataFrame], *, period_label: str = "years",
                   title: str = "Shifted-beta-geometric fit and projection") -> Figure:
    """Actual versus sBG-projected survivors (``kamlab.survival.project_sbg`` output).

    One table, or a dict of cohort name -> table drawn in one panel. The periods
    used for the fit are shaded; to the right of them the model is projecting.

    Returns
    -------
    matplotlib.figure.Figure
    """
    projections = projection if isinstance(projection, dict) else {"": projection}
    fig, ax = new_figure((7, 4.5))
    first = next(iter(projections.values()))
    fitted = first.index[first["in_fit"]]
    ax.axvspan(fitted.min(), fitted.max(), color="grey", alpha=0.12, label="periods used for the fit")
    for i, (name, table) in enumerate(projections.items()):
        prefix = f"{name}: " if name else ""
        ax.plot(table.index, table["projected"], color=f"C{i}", marker="o", markersize=3, label=f"{prefix}sBG projection")
        if "actual" in table:
            ax.plot(table.index, table["actual"], color=f"C{i}", linestyle="none", marker="x", markersize=8,
                    label=f"{prefix}actual")
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"{period_label} since acquisition")
    ax.set_ylabel("accounts still active (count)")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig
