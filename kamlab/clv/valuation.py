"""The value model: the purchase model and the spend model that fit these data, and the value they predict.

:func:`fit_value_model` fits the candidates and chooses, saying which and why:

* purchases: NBD (no dropout), BG/NBD and Pareto/NBD are fitted on the same
  summary. A dropout model that reduces to NBD (no detectable dropout, see
  :mod:`kamlab.clv.counting`) is out. Of the others, the one with the higher
  log-likelihood is chosen (both have four parameters, so the likelihoods
  compare directly), provided it beats NBD by more than ``AIC_MARGIN`` = 2
  log-likelihood units, the price of its two extra parameters by Akaike's
  criterion (AIC = 2k - 2 log L); otherwise NBD is chosen.
* spend: Gamma-Gamma (Fader & Hardie 2013), fitted on repeat buyers with a
  positive mean spend, unless there are fewer than ``MIN_REPEAT_BUYERS`` = 10
  of them, it cannot be fitted, its maximum lies on a bound, or its q <= 1
  (spend so heavy-tailed that the model's population mean p v / (q - 1) is
  infinite); then each account's own mean spend per purchase,
  revenue / (frequency + 1).

:func:`predicted_value` is the discounted expected revenue of each account
(:func:`kamlab.clv.discounted_clv`) under that model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlab.data import require_columns

from .counting import fit_patterns
from .nbd import _by_frequency_and_age, nbd_fit, nbd_maximum
from .prediction import discounted_clv, expected_purchases, expected_spend, probability_alive
from .results import FitError, FittedModel
from .spend import fit_gamma_gamma
from .summaries import RFM, SummaryError, as_rfm, check_summary, compress

__all__ = ["AIC_MARGIN", "MIN_REPEAT_BUYERS", "ValueModel", "fit_value_model", "predicted_value", "own_mean_spend",
           "account_values"]

#: Fewest repeat buyers (with positive spend) on which Gamma-Gamma is fitted; below it, own mean spend.
MIN_REPEAT_BUYERS = 10
#: Log-likelihood units a four-parameter dropout model must gain over NBD (two parameters) to be chosen.
AIC_MARGIN = 2.0
_LABELS = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "nbd": "NBD"}


@dataclass(frozen=True)
class ValueModel:
    """The models chosen to predict each account's value, and why.

    Attributes
    ----------
    purchases : FittedModel
        The purchase model used for predictions.
    purchase_model : str
        ``"BG/NBD"``, ``"Pareto/NBD"`` or ``"NBD"``.
    spend : FittedModel or Series
        The Gamma-Gamma fit, or each account's own mean spend per purchase (currency units).
    spend_model : str
        ``"Gamma-Gamma"`` or ``"own mean spend"``.
    note : str
        One sentence saying which models were chosen and why.
    candidates : tuple of FittedModel
        Every purchase model fitted (NBD first), for a side-by-side table.
    spend_fit : FittedModel or None
        The Gamma-Gamma fit even when it was not used (None when it could not be fitted).
    """

    purchases: FittedModel
    purchase_model: str
    spend: FittedModel | pd.Series
    spend_model: str
    note: str
    candidates: tuple[FittedModel, ...] = ()
    spend_fit: FittedModel | None = None

    def fitted(self, label: str) -> FittedModel | None:
        """The candidate purchase fit named ``label`` ("NBD", "BG/NBD", "Pareto/NBD"), or None if not fitted."""
        return next((f for f in self.candidates if _LABELS[f.name] == label), None)

    def table(self) -> pd.DataFrame:
        """One row per purchase model fitted: log-likelihood, gain over NBD, whether it reduces to NBD, chosen."""
        nbd = self.candidates[0].log_likelihood if self.candidates else np.nan
        rows = {
            _LABELS[f.name]: {
                "log_likelihood": f.log_likelihood, "gain_over_nbd": f.log_likelihood - nbd,
                "reduces_to_nbd": f.reduces_to == "nbd", "chosen": _LABELS[f.name] == self.purchase_model,
            }
            for f in self.candidates
        }
        return pd.DataFrame.from_dict(rows, orient="index")


def own_mean_spend(summary: pd.DataFrame) -> pd.Series:
    """Each account's own mean spend per purchase: revenue / (frequency + 1) (currency units).

    The first purchase counts (frequency is repeat purchases), so one-time
    buyers get their one purchase; ``revenue`` (or ``revenue_cal``) is the
    account's total revenue in the window of the summary.
    """
    s = as_rfm(summary)
    require_columns(s, ["frequency", "revenue"], what="own_mean_spend: the summary",
                    hint="Build it with kamlab.rfm.summarise_rfm or calibration_holdout (they give revenue).")
    return (s["revenue"].astype(float) / (s["frequency"].astype(float) + 1)).rename("own_mean_spend")


def _candidates(summary: pd.DataFrame, models: tuple[str, ...]) -> list[FittedModel]:
    """NBD and the dropout models that could be fitted, as ``fit_nbd``, ``fit_bgnbd``... give them, from
    one compression of the summary and one NBD maximum (which every dropout fit is checked against)."""
    data = compress(summary)
    x = data["frequency"].to_numpy().astype(int)
    tx, T, w = (data[c].to_numpy(dtype=float) for c in ("recency", "T", "weights"))
    nbd = nbd_maximum(x, T, w)
    fits = [nbd_fit(nbd, *_by_frequency_and_age(x.astype(float), T, w))]
    for name in models:
        try:
            fits.append(fit_patterns(name, x, tx, T, w, nbd))
        except FitError:  # no maximum found at all: the model is simply not a candidate
            continue
    return fits


def _choose_purchases(summary: pd.DataFrame, models: tuple[str, ...]) -> tuple[FittedModel, str, str, tuple]:
    """The purchase model by the rule of the module docstring, with the sentence that says why."""
    fits = _candidates(summary, models)
    nbd = fits[0]
    dropout = [f for f in fits[1:] if f.reduces_to != "nbd"]
    reduced = [_LABELS[f.name] for f in fits[1:] if f.reduces_to == "nbd"]
    if not dropout:
        return nbd, "NBD", (f"NBD: no detectable dropout ({' and '.join(reduced)} reduce to NBD)"
                            if reduced else "NBD: no dropout model could be fitted"), tuple(fits)
    best = max(dropout, key=lambda f: f.log_likelihood)
    gain = best.log_likelihood - nbd.log_likelihood
    if gain <= AIC_MARGIN:
        return nbd, "NBD", (f"NBD: {_LABELS[best.name]} gains only {gain:.2f} log-likelihood units over NBD, "
                            f"less than the {AIC_MARGIN:g} its two dropout parameters cost (AIC)"), tuple(fits)
    others = ", ".join(f"{_LABELS[f.name]} {f.log_likelihood:,.1f}" for f in fits if f is not best)
    return best, _LABELS[best.name], (f"{_LABELS[best.name]}: the highest log-likelihood "
                                      f"({best.log_likelihood:,.1f}; {others})"), tuple(fits)


def _repeat_buyers(summary: pd.DataFrame) -> pd.DataFrame:
    """Frequency, mean spend (and weights) of the repeat buyers with positive spend, numbered 0..n-1: all
    that Gamma-Gamma is fitted on (the account ids are not needed, and a million of them are slow to take)."""
    columns = [c for c in ("frequency", "monetary_value", "weights") if c in summary]
    values = {c: summary[c].to_numpy() for c in columns}
    keep = (values["frequency"] > 0) & (values["monetary_value"] > 0)
    return pd.DataFrame({c: v[keep] for c, v in values.items()})


def _choose_spend(summary: pd.DataFrame) -> tuple[FittedModel | pd.Series, str, str, FittedModel | None]:
    """Gamma-Gamma on repeat buyers with positive spend, or each account's own mean spend, and why."""
    repeat = _repeat_buyers(summary)
    if len(repeat) < MIN_REPEAT_BUYERS:
        return (own_mean_spend(summary), "own mean spend",
                f"own mean spend (only {len(repeat)} repeat buyer(s) with positive spend: too few for Gamma-Gamma, "
                f"which needs {MIN_REPEAT_BUYERS})", None)
    try:
        fit = fit_gamma_gamma(repeat)
    except (SummaryError, FitError) as failure:
        reason = str(failure).split("\n")[0].removeprefix("fit_gamma_gamma: ")
        return own_mean_spend(summary), "own mean spend", f"own mean spend (Gamma-Gamma cannot be fitted: {reason})", None
    q = float(fit.params["q"])
    if q <= 1:
        return (own_mean_spend(summary), "own mean spend",
                f"own mean spend (Gamma-Gamma q = {q:.2f} <= 1: spend too heavy-tailed for the model)", fit)
    if fit.diagnostics is not None and fit.diagnostics.bound_active:
        return (own_mean_spend(summary), "own mean spend",
                f"own mean spend (Gamma-Gamma has no interior maximum: {', '.join(fit.diagnostics.at_bound)})", fit)
    return fit, "Gamma-Gamma", f"Gamma-Gamma (q = {q:.2f} > 1)", fit


def fit_value_model(summary: pd.DataFrame, *, models: tuple[str, ...] = ("bgnbd", "pareto_nbd")) -> ValueModel:
    """Fit the purchase and spend models that these data support (rule in the module docstring).

    Parameters
    ----------
    summary : DataFrame
        One row per account: ``frequency``, ``recency``, ``T`` (one time unit),
        ``monetary_value`` and ``revenue`` (currency units), as from
        ``kamlab.rfm.summarise_rfm(..., monetary_value=True)``; the ``*_cal``
        columns of ``calibration_holdout`` are accepted.
    models : tuple of str
        The dropout models to try beside NBD: ``"bgnbd"``, ``"pareto_nbd"``.

    Returns
    -------
    ValueModel
        The chosen models and a note saying which and why. Never raises on data
        without detectable dropout or with heavy-tailed spend; bad input (missing
        columns, impossible histories) raises as the fits do.

    References
    ----------
    Fader, Hardie & Lee (2005a), BG/NBD; Schmittlein, Morrison & Colombo (1987),
    Pareto/NBD; Fader & Hardie (2013), Gamma-Gamma; Akaike (1974), AIC.
    """
    summary = check_summary(summary, (*RFM, "monetary_value"), "fit_value_model")
    require_columns(summary, ["revenue"], what="fit_value_model: the summary",
                    hint="Build it with kamlab.rfm.summarise_rfm or calibration_holdout (they give revenue).")
    purchases, purchase_model, why_purchases, candidates = _choose_purchases(summary, models)
    spend, spend_model, why_spend, spend_fit = _choose_spend(summary)
    return ValueModel(purchases=purchases, purchase_model=purchase_model, spend=spend, spend_model=spend_model,
                      note=f"Purchases: {why_purchases}. Spend: {why_spend}.", candidates=candidates,
                      spend_fit=spend_fit)


def account_values(model: ValueModel, summary: pd.DataFrame, *, horizon: float, periods_per_year: float = 52.0,
                   annual_discount_rate: float = 0.10, margin: float | pd.Series = 1.0) -> pd.DataFrame:
    """Per account: history, P(alive), expected purchases and spend, and the discounted value, best first.

    Columns ``frequency``, ``recency``, ``T``, ``mean_spend`` (the summary's
    monetary_value), ``p_alive`` (:func:`kamlab.clv.probability_alive`),
    ``expected_purchases`` over ``horizon`` periods, ``expected_spend`` per
    purchase (Gamma-Gamma or own mean, as the model says) and ``clv`` =
    margin * :func:`predicted_value` (currency units), sorted by ``clv``
    descending. ``margin`` is a share of revenue kept as profit, one number or
    one per account.
    """
    s = as_rfm(summary)
    spend = (expected_spend(model.spend, s) if isinstance(model.spend, FittedModel) else own_mean_spend(s))
    value = predicted_value(model, s, horizon=horizon, periods_per_year=periods_per_year,
                            annual_discount_rate=annual_discount_rate) * margin
    table = pd.DataFrame({
        "frequency": s["frequency"], "recency": s["recency"], "T": s["T"], "mean_spend": s["monetary_value"],
        "p_alive": probability_alive(model.purchases, s),
        "expected_purchases": expected_purchases(model.purchases, s, horizon),
        "expected_spend": spend, "clv": value,
    })
    return table.sort_values("clv", ascending=False, kind="stable")


def predicted_value(model: ValueModel, summary: pd.DataFrame, *, horizon: float, periods_per_year: float = 52.0,
                    annual_discount_rate: float = 0.10) -> pd.Series:
    """Discounted expected revenue of each account over ``horizon`` periods under ``model``.

    value_i = E[spend_i] * sum_k (E[X_i(t_k)] - E[X_i(t_{k-1})]) / (1 + d)^(t_k / P)

    (:func:`kamlab.clv.discounted_clv`, monthly steps), with E[X] from
    ``model.purchases`` and E[spend_i] from Gamma-Gamma or, for the own-mean
    rule, each account's own mean spend in ``summary``.

    Parameters
    ----------
    model : ValueModel
        From :func:`fit_value_model`.
    summary : DataFrame
        Accounts to value, same columns and time unit as the fit.
    horizon : float
        Prediction window, in the summary's period (52 = one year in weeks).
    periods_per_year : float
        Periods per year of the summary (52 for weeks, 365 for days).
    annual_discount_rate : float
        Yearly discount rate, e.g. 0.10.

    Returns
    -------
    Series
        Currency units per account, indexed like ``summary``.
    """
    spend = model.spend if isinstance(model.spend, FittedModel) else own_mean_spend(summary)
    return discounted_clv(model.purchases, spend, as_rfm(summary), horizon=horizon,
                          periods_per_year=periods_per_year, annual_discount_rate=annual_discount_rate)
