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
    value_model : kamlab.clv.ValueModel
        The purchase and spend models chosen for these data (``kamlab.clv.fit_value_model``).
    purchases : kamlab.clv.FittedModel
        The counting model used for predictions.
    purchase_model : str
        Which one: "BG/NBD", "Pareto/NBD" or "NBD" (no detectable dropout).
    spend : kamlab.clv.FittedModel or pd.Series
        The Gamma-Gamma fit, or each account's own mean spend per purchase
        (currency units) when Gamma-Gamma cannot describe the spend.
    spend_model : str
        "Gamma-Gamma" or "own mean spend" (``models_note`` says why).
    models_note : str
        One sentence saying which models were chosen and why.
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

    value_model: object
    purchases: clv.FittedModel
    purchase_model: str
    spend: object
    spend_model: str
    models_note: str
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


def _margin(summary: pd.DataFrame) -> pd.Series:
    if "profit" not in summary.columns:
        return pd.Series(1.0, index=summary.index)
    revenue = summary["revenue"].astype(float)
    return (summary["profit"].astype(float) / revenue.where(revenue > 0)).fillna(0.0).clip(-1.0, 1.0)


#: Fewest accounts with a repeat purchase for a purchase model to say anything about the future.
MIN_REPEAT_BUYERS = 3
#: Fewest accounts to fit a population model on (BG/NBD and Pareto/NBD have four parameters).
MIN_ACCOUNTS = 20


def future_profit(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    horizon: float = 52.0,
    periods_per_year: float = 52.0,
    annual_discount_rate: float = 0.10,
    models: tuple[str, ...] = ("bgnbd", "pareto_nbd"),
) -> FutureProfitScore:
    """Definition 3: predicted future profit, the discounted CLV of each account.

    CLV_i = margin_i * E[spend_i] * sum_k dE[X_i(t_k)] / (1 + d)^(t_k / P)

    with E[X_i(t)] and E[spend_i] from the value model that fits these data
    (``kamlab.clv.fit_value_model``: BG/NBD, Fader, Hardie & Lee 2005a, or
    Pareto/NBD, Schmittlein, Morrison & Colombo 1987, or, when the data show
    no detectable dropout, their NBD limit; Gamma-Gamma, Fader & Hardie 2013,
    or each account's own mean spend when the spend is too heavy-tailed for
    it), monthly discounting at the annual rate d over ``horizon`` periods
    (``kamlab.clv.predicted_value``), and margin_i = profit_i / revenue_i of
    the calibration window (1 without cost, so the score is discounted
    revenue). ``models_note`` says which models were used and why. The same
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
    models : tuple of str
        Dropout models the value model may choose beside NBD.

    Returns
    -------
    FutureProfitScore
        Scores in currency units, with the chosen models, the margins and
        the undiscounted expectation.
    """
    require(FUTURE_PROFIT, summary, ("frequency", "recency", "T", "monetary_value", "revenue"))
    if len(summary) < MIN_ACCOUNTS:
        raise FUTURE_PROFIT.not_computable(
            ("more accounts",), f"{len(summary)} account(s); a purchase model is fitted on at least {MIN_ACCOUNTS}")
    repeat = int(((summary["frequency"] > 0) & (summary["monetary_value"] > 0)).sum())
    if repeat < MIN_REPEAT_BUYERS:
        raise FUTURE_PROFIT.not_computable(
            ("repeat purchases",), f"only {repeat} account(s) bought twice; a purchase model needs repeat buyers")
    try:
        model = clv.fit_value_model(summary, models=models)
        value, expected = (
            clv.predicted_value(model, summary, horizon=horizon, periods_per_year=periods_per_year,
                                annual_discount_rate=rate)
            for rate in (annual_discount_rate, 0.0)
        )
    except ValueError as failure:  # includes clv.SummaryError and FitError: the models cannot describe these data
        raise FUTURE_PROFIT.not_computable(("a CLV model that fits",), str(failure).split("\n")[0]) from failure
    if not np.isfinite(value.to_numpy()).all():
        raise FUTURE_PROFIT.not_computable(
            ("a CLV model that fits",), f"the {model.purchase_model} model gives non-finite predictions")
    margin = _margin(summary)
    return FUTURE_PROFIT.result(
        value * margin, ("amount", "cost") if "profit" in summary.columns else ("amount",), kind=FutureProfitScore,
        value_model=model, purchases=model.purchases, purchase_model=model.purchase_model, spend=model.spend,
        spend_model=model.spend_model, models_note=model.note, margin=margin, clv_revenue=value,
        expected_value=expected * margin, horizon=float(horizon), periods_per_year=float(periods_per_year),
    )


FUTURE_PROFIT = Definition(
    name="future_profit", score=future_profit, needs=("amount",), rescorable=True,
    risk="predicted value can be over-valued before it pays off: "
    "the model's error shows on the holdout",
)
