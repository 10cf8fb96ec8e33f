"""Definition 3: predicted future profit, the discounted CLV of each account."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlab import clv

from .base import Definition, DefinitionScore, require


@dataclass(frozen=True, kw_only=True)
class FutureProfitScore(DefinitionScore):
    """``future_profit``'s score with the models behind it.

    Attributes
    ----------
    purchases : kamlab.clv.FittedModel
        The counting model fitted on the calibration summary.
    purchase_model : str
        Which one: "BG/NBD" (or "Pareto/NBD", "NBD").
    spend : kamlab.clv.FittedModel or pd.Series
        The Gamma-Gamma fit, or each account's own mean spend per purchase
        period (currency units) when Gamma-Gamma cannot describe the spend.
    spend_model : str
        "Gamma-Gamma", or "own mean spend (...)" with the reason.
    margin : pd.Series
        Each account's gross margin profit / revenue of the calibration
        window, in [-1, 1] (1 without cost data).
    clv_revenue : pd.Series
        Discounted expected revenue over the horizon (currency units).
    expected_value : pd.Series
        Undiscounted expected gross profit (revenue without cost data) over
        the horizon, margin * E[spend] * E[X(horizon)] (currency units): what
        the account is expected to bring without extra effort.
    horizon, periods_per_year : float
        The prediction window, in periods of the summary, and periods per year.
    """

    purchases: clv.FittedModel
    purchase_model: str
    spend: object
    spend_model: str
    margin: pd.Series
    clv_revenue: pd.Series
    expected_value: pd.Series
    horizon: float
    periods_per_year: float

    def describe_models(self, unit: str = "weeks") -> str:
        """The fitted models in one line, e.g. "BG/NBD (weeks): r = 2.426, ...; Gamma-Gamma: p = 1.11, ..."."""
        text = f"{self.purchase_model} ({unit}): " + ", ".join(
            f"{n} = {v:.3f}" for n, v in self.purchases.params.items())
        spend = getattr(self.spend, "params", None)
        if spend is None:
            return f"{text}; spend: {self.spend_model}"
        return f"{text}; {self.spend_model}: " + ", ".join(f"{n} = {v:.2f}" for n, v in spend.items())

    @property
    def horizon_days(self) -> float:
        """The prediction window in days, 365 * horizon / periods_per_year."""
        return 365.0 * self.horizon / self.periods_per_year


def _spend(summary: pd.DataFrame, repeat: pd.DataFrame) -> tuple[object, str]:
    """The spend model: Gamma-Gamma, or the own mean spend when its q <= 1."""
    spend_fit = clv.fit_gamma_gamma(repeat)
    q = float(spend_fit.params["q"])
    if q > 1:
        return spend_fit, "Gamma-Gamma"
    # too heavy-tailed for Gamma-Gamma (its population mean spend is infinite): use each
    # account's own mean spend per purchase period, first purchase included
    own = summary["revenue"].astype(float) / (summary["frequency"].astype(float) + 1)
    return own, f"own mean spend (Gamma-Gamma q = {q:.2f} <= 1: spend too heavy-tailed for the model)"


def _margin(summary: pd.DataFrame) -> pd.Series:
    if "profit" not in summary.columns:
        return pd.Series(1.0, index=summary.index)
    revenue = summary["revenue"].astype(float)
    return (summary["profit"].astype(float) / revenue.where(revenue > 0)).fillna(0.0).clip(-1.0, 1.0)


def future_profit(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    horizon: float = 52.0,
    periods_per_year: float = 52.0,
    annual_discount_rate: float = 0.10,
) -> FutureProfitScore:
    """Definition 3: predicted future profit, the discounted CLV of each account.

    CLV_i = margin_i * E[spend_i] * sum_k dE[X_i(t_k)] / (1 + d)^(t_k / P)

    with E[X_i(t)] from a BG/NBD fit (Fader, Hardie & Lee 2005a), E[spend_i]
    from a Gamma-Gamma fit (Fader & Hardie 2013), monthly discounting at the
    annual rate d over ``horizon`` periods (``kamlab.clv.discounted_clv``), and
    margin_i = profit_i / revenue_i of the calibration window (1 without cost,
    so the score is discounted revenue). Gamma-Gamma is fitted on repeat
    buyers with a positive mean spend; when its fitted q <= 1 (spend so
    heavy-tailed, e.g. a game's whales, that the model's population mean is
    infinite), E[spend_i] is the account's own mean spend per purchase period,
    revenue_i / (frequency_i + 1), and ``spend_model`` says so. The same
    models give ``expected_value``, the undiscounted expectation over the
    horizon (d = 0), which the study checks on the holdout and
    ``extra_effort`` uses as its baseline.

    Parameters
    ----------
    summary : pd.DataFrame
        Calibration summary; ``recency`` and ``T`` in the period of ``horizon``.
    horizon : float
        Prediction window in periods of the summary (52 = one year in weeks).
    periods_per_year : float
        Periods per year of the summary (52 for weeks, 365 for days).
    annual_discount_rate : float
        Yearly discount rate.

    Returns
    -------
    FutureProfitScore
        Scores in currency units, with the fitted models, the margins and
        the undiscounted expectation.
    """
    require(FUTURE_PROFIT, summary, ("frequency", "recency", "T", "monetary_value", "revenue"))
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 3:
        raise FUTURE_PROFIT.not_computable(
            ("repeat purchases",), f"only {len(repeat)} account(s) bought twice; Gamma-Gamma needs repeat buyers")
    try:
        purchases = clv.fit_bgnbd(summary)
        spend, spend_model = _spend(summary, repeat)
        value, expected = (
            clv.discounted_clv(purchases, spend, summary, horizon=horizon, periods_per_year=periods_per_year,
                               annual_discount_rate=rate)
            for rate in (annual_discount_rate, 0.0)
        )
    except ValueError as failure:  # includes clv.SummaryError: the models cannot describe these data
        raise FUTURE_PROFIT.not_computable(("a CLV model that fits",), str(failure)) from failure
    if not np.isfinite(value.to_numpy()).all():
        raise FUTURE_PROFIT.not_computable(
            ("a CLV model that fits",), "the fitted BG/NBD or Gamma-Gamma model gives non-finite predictions")
    margin = _margin(summary)
    return FUTURE_PROFIT.result(
        value * margin, ("amount", "cost") if "profit" in summary.columns else ("amount",), kind=FutureProfitScore,
        purchases=purchases, purchase_model="BG/NBD", spend=spend, spend_model=spend_model, margin=margin,
        clv_revenue=value, expected_value=expected * margin, horizon=float(horizon),
        periods_per_year=float(periods_per_year),
    )


FUTURE_PROFIT = Definition(
    name="future_profit", score=future_profit, needs=("amount",), rescorable=True,
    risk="predicted value can be over-valued before it pays off: "
    "the model's error shows on the holdout",
)
