"""Per-account summaries for the BTYD models: column names, checks, compression, weeks.

Every model of :mod:`kamlab.clv` takes one row per account with the column
names of :mod:`kamlab.rfm` (``frequency``, ``recency``, ``T``,
``monetary_value``; or the ``*_cal`` columns of a calibration/holdout split,
see :func:`as_rfm`). :func:`check_summary` refuses a summary a model cannot
use and names every offending account at once; :func:`compress` turns it
into unique patterns with counts, on which the likelihoods are evaluated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import format_accounts, require_columns

__all__ = ["SummaryError", "RFM", "BGBB", "as_rfm", "check_summary", "compress", "in_weeks"]

#: The columns of a continuous-time counting model (BG/NBD, Pareto/NBD, MBG/NBD, NBD).
RFM = ("frequency", "recency", "T")
#: The columns of the discrete-time BG/BB model.
BGBB = ("frequency", "recency", "periods")

_HINT = "Build it with kamlab.rfm.summarise_rfm (or calibration_holdout) or rename your columns."


class SummaryError(ValueError):
    """A per-account summary that a model cannot use; the message lists every problem."""


def as_rfm(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with kamlab.rfm column names, renaming calibration columns.

    ``kamlab.rfm.calibration_holdout`` names its calibration columns
    ``frequency_cal, recency_cal, T_cal, monetary_value_cal`` (and ``revenue_cal``,
    ``profit_cal``); models are fitted on the calibration window, so those become
    ``frequency, recency, T, monetary_value`` (``revenue``, ``profit``). A summary
    that already has the plain names is returned as is (holdout columns are kept
    under their own names).
    """
    if not isinstance(summary, pd.DataFrame):
        raise SummaryError(f"expected a DataFrame summary, got {type(summary).__name__}")
    if "frequency" in summary.columns:
        return summary
    names = ("frequency", "recency", "T", "monetary_value", "revenue", "profit")
    renames = {f"{c}_cal": c for c in names if f"{c}_cal" in summary}
    return summary.rename(columns=renames)


def _value_problems(summary: pd.DataFrame, needs: tuple[str, ...]) -> list[str]:
    """Missing, non-numeric or negative values in the ``needs`` columns."""
    problems: list[str] = []
    for col in needs:
        values = pd.to_numeric(summary[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0))
        if bad.any():
            problems.append(f"column {col!r}: {format_accounts(bad, summary.index)} have a missing or "
                            "non-numeric value")
        neg = values < 0
        if neg.any() and col != "monetary_value":  # spend is checked by fit_gamma_gamma
            problems.append(f"column {col!r}: {format_accounts(neg, summary.index)} are negative")
    return problems


def _history_problems(summary: pd.DataFrame, needs: tuple[str, ...]) -> list[str]:
    """Histories that cannot happen: fractional repeat counts, recency past the end, recency without repeats."""
    problems: list[str] = []
    f = summary["frequency"].astype(float)
    nonint = f != np.floor(f)
    if nonint.any():
        problems.append(f"column 'frequency': {format_accounts(nonint, summary.index)} are not whole numbers "
                        "of repeat purchases")
    if "recency" in needs:
        longer = "T" if "T" in needs else "periods"
        late = summary["recency"] > summary[longer]
        if late.any():
            problems.append(
                f"recency > {longer} for {format_accounts(late, summary.index)}: the last purchase cannot come "
                "after the end of observation; check the observation end date and the time unit of both columns"
            )
        odd = (f == 0) & (summary["recency"] != 0)
        if odd.any():
            problems.append(
                f"frequency 0 but recency != 0 for {format_accounts(odd, summary.index)}: with no repeat "
                "purchase the recency must be 0 (lifetimes convention)"
            )
    return problems


def check_summary(summary: pd.DataFrame, needs: tuple[str, ...], what: str) -> pd.DataFrame:
    """The summary under kamlab.rfm names, checked for a model; every problem raised at once.

    Missing columns raise :class:`kamlab.data.MissingColumnsError` (through
    :func:`kamlab.data.require_columns`); an empty summary, missing or
    negative values and impossible histories (fractional repeat counts,
    recency after the end of observation, recency without a repeat purchase)
    raise :class:`SummaryError`, naming the first accounts of each problem.
    """
    summary = as_rfm(summary)
    require_columns(summary, needs, what=f"{what}: the summary", hint=_HINT)
    if len(summary) == 0:
        raise SummaryError(f"{what}: the summary is empty (no accounts); nothing to fit.")
    problems = _value_problems(summary, needs)
    if not problems:
        problems = _history_problems(summary, needs)
    if problems:
        raise SummaryError(f"{what}: the summary has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return summary


def compress(summary: pd.DataFrame, columns: tuple[str, ...] = RFM) -> pd.DataFrame:
    """Unique rows of ``columns`` with the number of accounts sharing each, as ``weights``.

    The BTYD likelihoods depend on an account only through (frequency, recency, T)
    (Gamma-Gamma: frequency, monetary_value), so the log-likelihood of the full
    summary equals sum(weights * log-likelihood of each unique row). If the summary
    already has a ``weights`` column (published pattern tables), those are summed.
    """
    w = summary["weights"] if "weights" in summary else pd.Series(1, index=summary.index)
    out = (
        summary.loc[:, list(columns)]
        .assign(weights=w.to_numpy())
        .groupby(list(columns), sort=True)["weights"]
        .sum()
        .reset_index()
    )
    return out


def in_weeks(summary: pd.DataFrame, days_per_period: float = 1.0) -> pd.DataFrame:
    """Recency and T converted from days to whole weeks (rounded to nearest), for faster fits.

    recency_w = round(recency * days_per_period / 7), T_w = round(T * days_per_period / 7).
    Frequency and money columns are unchanged. Whole weeks make many accounts share
    a (frequency, recency, T) pattern, so :func:`compress` shrinks the data far more
    than with daily values; the price is a time resolution of one week. Rounding to
    the nearest week keeps the estimates close to those on exact weeks (days / 7);
    flooring both ages would not (it shifts recent repeat purchases to age 0 and
    biases the drop-out parameters; ``benchmarks/clv.py`` prints the gap). Rate
    parameters fitted on the result are per week.
    """
    summary = as_rfm(summary)
    out = summary.copy()
    for col in ("recency", "T"):
        out[col] = np.round(summary[col].astype(float) * days_per_period / 7.0)
    return out
