"""The seven definitions of a key account, each a score per account.

The source material says "a key account" can mean any of seven things, and
that each carries a risk (DESIGN, "The seven definitions"). Here each meaning
is a function from what a company knows at the end of a calibration window
to a score per account, higher = more key:

=============== ===================================================== =====================
name            score                                                 needs
=============== ===================================================== =====================
biggest         calibration revenue                                   transactions
mustnt_lose     share of total gross profit (loss impact if it left)  cost
future_profit   discounted predicted CLV (BG/NBD + Gamma-Gamma)       transactions
staff_focus     staff hours logged                                    staff_hours
extra_effort    estimated uplift from extra effort (pilot regression) kam_pilot + outcome
demanding       service demand (tickets, else cost-to-serve)          service_tickets
strategic       weighted scorecard of growth, influence, fit, profit  scorecard columns
=============== ===================================================== =====================

plus the baselines ``random`` (seeded), ``abc_a`` (the Pareto class A by
revenue, at its own size) and ``oracle`` (true future value; synthetic
worlds only). :func:`select` turns a score into a set of key accounts.

Inputs: ``summary`` is the calibration-window RFM summary indexed by
``customer_id`` (``kamlab.rfm.summarise_rfm``: ``frequency``, ``recency``,
``T``, ``monetary_value``, ``revenue`` and, with cost, ``profit``);
``accounts`` is the accounts table of the data contract (attributes measured
on the calibration window). Scores are indexed like ``summary``: the accounts
that bought in the calibration window. A definition whose inputs are missing
raises :class:`NotComputable` naming what it needs; it never returns zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from kamlab import clv, segments

#: The seven definitions in the order of the source material.
DEFINITIONS = (
    "biggest",
    "mustnt_lose",
    "future_profit",
    "staff_focus",
    "extra_effort",
    "demanding",
    "strategic",
)
#: Baselines shown beside them on every comparison.
BASELINES = ("random", "abc_a", "oracle")

#: The risk each definition carries (DESIGN table), one sentence each.
RISKS = {
    "biggest": "big is not profitable: discounts and cost-to-serve can eat the margin, "
    "and today's size misses tomorrow's oak trees",
    "mustnt_lose": "pleasing a breadwinner's whims can become unprofitable, and "
    "depending on a few accounts is a concentration risk",
    "future_profit": "predicted value can be over-valued before it pays off: "
    "the model's error shows on the holdout",
    "staff_focus": "effort follows habit and noise: staff time goes where it went "
    "before, not where the value is",
    "extra_effort": "'return' must be defined and measured: the uplift is an estimate "
    "from a small pilot, and only a few accounts can get the extra effort",
    "demanding": "loud is not valuable: service demand and profit are different things",
    "strategic": "'are you sure?': the weights are opinions, and other weights pick "
    "other accounts",
    "random": "a baseline: what picking accounts blindly captures",
    "abc_a": "a baseline: the Pareto class A (80 % of revenue), at its own size",
    "oracle": "a ceiling: the accounts with the most true future value, known only "
    "in a synthetic world",
}

#: Default weights of the strategic scorecard (each signal a percentile rank).
STRATEGIC_WEIGHTS = {"growth_potential": 0.25, "influence": 0.25, "strategic_fit": 0.25, "profit": 0.25}


class NotComputable(Exception):
    """A definition whose inputs are not in the data.

    The comparison reports it as "not computable on this dataset: needs X",
    never as zero scores.

    Attributes
    ----------
    definition : str
        The definition's name.
    needs : tuple of str
        Every input the definition uses.
    missing : tuple of str
        Those the data lacks.
    """

    def __init__(self, definition: str, needs: tuple[str, ...], missing: tuple[str, ...], detail: str = ""):
        self.definition = definition
        self.needs = tuple(needs)
        self.missing = tuple(missing)
        self.detail = detail
        message = f"{definition}: not computable on this dataset: needs {', '.join(self.missing)}"
        super().__init__(message + (f" ({detail})" if detail else ""))

    @property
    def reason(self) -> str:
        """The short "not computable on this dataset: needs X" sentence."""
        text = f"not computable on this dataset: needs {', '.join(self.missing)}"
        return text + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class DefinitionScore:
    """One definition's score per account.

    Attributes
    ----------
    name : str
        e.g. ``"future_profit"``.
    scores : pd.Series
        One per account, indexed by ``customer_id``, higher = more key; the
        unit depends on the definition (currency, hours, tickets, rank).
    needs : tuple of str
        The columns it used.
    note : str
        The risk this definition carries, in one sentence.
    size : int or None
        For a baseline with its own set size (``abc_a``: the class A
        accounts), the number of accounts the rule selects; None = the caller
        chooses k.
    details : dict
        Extra per-definition outputs (e.g. the fitted models of
        ``future_profit``, the regression of ``extra_effort``).
    """

    name: str
    scores: pd.Series
    needs: tuple[str, ...]
    note: str
    size: int | None = None
    details: dict = field(default_factory=dict, compare=False, repr=False)


def _score(name: str, scores: pd.Series, needs: tuple[str, ...], **kwargs) -> DefinitionScore:
    scores = scores.astype(float).rename(name)
    scores.index.name = "customer_id"
    return DefinitionScore(name=name, scores=scores, needs=needs, note=RISKS[name], **kwargs)


def _attributes(accounts: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    """The accounts table aligned on the scored accounts (empty when there is none)."""
    if accounts is None:
        return pd.DataFrame(index=index)
    return accounts.reindex(index)


def _require(definition: str, frame: pd.DataFrame, columns: tuple[str, ...], detail: str = "") -> None:
    missing = tuple(c for c in columns if c not in frame.columns)
    if missing:
        raise NotComputable(definition, columns, missing, detail)


def _attribute(definition: str, attrs: pd.DataFrame, column: str) -> pd.Series:
    """A numeric attribute column; accounts without a value score as missing (ranked last)."""
    _require(definition, attrs, (column,))
    values = pd.to_numeric(attrs[column], errors="coerce").astype(float)
    if values.notna().sum() == 0:
        raise NotComputable(definition, (column,), (column,), f"column '{column}' has no values")
    return values


# ----------------------------------------------------------------- selection


def ranking(scores: pd.Series) -> pd.Index:
    """Accounts in key order: score descending, ties by ``customer_id`` ascending.

    Missing scores (NaN) come last, in ``customer_id`` order. The order is
    deterministic: the same scores always give the same ranking.
    """
    values = scores.to_numpy(dtype=float)
    keys = np.where(np.isnan(values), np.inf, -values)
    order = np.lexsort((scores.index.astype(str).to_numpy(), keys))
    return scores.index[order]



def key_account_count(n: int, *, k: int | None = None, share: float | None = None) -> int:
    """How many of ``n`` accounts are key: ``k`` itself, or ``max(1, round(share * n))``.

    Exactly one of ``k`` and ``share`` must be given; the result lies in [1, n].
    """
    if (k is None) == (share is None):
        raise ValueError("give exactly one of k (number of key accounts) and share (share of accounts)")
    if share is not None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        k = max(1, int(round(share * n)))
    if not 1 <= int(k) <= n:
        raise ValueError(f"k must be between 1 and the number of accounts ({n}), got {k}")
    return int(k)

def select(scores: pd.Series | DefinitionScore, k: int | None = None, share: float | None = None) -> pd.Index:
    """The key accounts: the ``k`` highest scores (or the top ``share`` of accounts).

    Exactly one of ``k`` and ``share`` is given; with ``share``,
    k = round(share * n) with n the number of scored accounts, and at least 1.
    Ties are broken by ``customer_id`` in ascending string order, and missing
    scores rank last (see :func:`ranking`), so the selection is deterministic.

    Parameters
    ----------
    scores : pd.Series or DefinitionScore
        One score per account, higher = more key.
    k : int, optional
        Number of key accounts, 1 <= k <= n.
    share : float, optional
        Share of accounts to select, in (0, 1].

    Returns
    -------
    pd.Index
        The selected ``customer_id`` values, most key first.
    """
    if isinstance(scores, DefinitionScore):
        scores = scores.scores
    n = len(scores)
    k = key_account_count(n, k=k, share=share)
    return ranking(scores)[: int(k)]


# ----------------------------------------------------------------- the seven definitions


def biggest(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 1: the biggest accounts, by calibration revenue.

    score_i = sum of the amounts account i paid in the calibration window
    (currency units).
    """
    _require("biggest", summary, ("revenue",), "summarise the transactions with kamlab.rfm.summarise_rfm")
    return _score("biggest", summary["revenue"], ("amount",))


def mustnt_lose(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 2: the accounts we mustn't lose, by their share of gross profit.

    score_i = profit_i / sum_j profit_j, profit = revenue - cost in the
    calibration window: the share of profit that would go if the account
    left. Accounts with score >= 0.10 are the source's "breadwinners"
    (``kamlab.segments.key_client_types``). If total profit is not positive
    the score is profit_i / |sum_j profit_j| (the ranking is the same).
    """
    if "profit" not in summary.columns:
        raise NotComputable("mustnt_lose", ("amount", "cost"), ("cost",), "profit = revenue - cost")
    profit = summary["profit"].astype(float)
    total = abs(profit.sum())
    return _score("mustnt_lose", profit / total if total > 0 else profit, ("amount", "cost"))


def future_profit(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    horizon: float = 52.0,
    periods_per_year: float = 52.0,
    annual_discount_rate: float = 0.10,
) -> DefinitionScore:
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
    revenue_i / (frequency_i + 1), and ``details["spend_model"]`` says so.

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
    DefinitionScore
        Scores in currency units; ``details`` holds the two fits, the
        predicted spend per account and the margins.
    """
    _require("future_profit", summary, ("frequency", "recency", "T", "monetary_value", "revenue"))
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 3:
        raise NotComputable("future_profit", ("amount",), ("repeat purchases",),
                            f"only {len(repeat)} account(s) bought twice; Gamma-Gamma needs repeat buyers")
    spend_note = "Gamma-Gamma"
    try:
        purchases = clv.fit_bgnbd(summary)
        spend_fit = clv.fit_gamma_gamma(repeat)
        if float(spend_fit.params["q"]) <= 1:
            # too heavy-tailed for Gamma-Gamma (its population mean spend is infinite): use each
            # account's own mean spend per purchase period, first purchase included
            spend_note = (f"own mean spend (Gamma-Gamma q = {float(spend_fit.params['q']):.2f} <= 1: "
                          "spend too heavy-tailed for the model)")
            spend = summary["revenue"].astype(float) / (summary["frequency"].astype(float) + 1)
        else:
            spend = spend_fit
        value = clv.discounted_clv(
            purchases, spend, summary, horizon=horizon, periods_per_year=periods_per_year,
            annual_discount_rate=annual_discount_rate,
        )
    except ValueError as failure:  # includes clv.SummaryError: the models cannot describe these data
        raise NotComputable("future_profit", ("amount",), ("a CLV model that fits",), str(failure)) from failure
    if not np.isfinite(value.to_numpy()).all():
        raise NotComputable("future_profit", ("amount",), ("a CLV model that fits",),
                            "the fitted BG/NBD or Gamma-Gamma model gives non-finite predictions")
    needs: tuple[str, ...] = ("amount",)
    margin = pd.Series(1.0, index=summary.index)
    if "profit" in summary.columns:
        revenue = summary["revenue"].astype(float)
        margin = (summary["profit"].astype(float) / revenue.where(revenue > 0)).fillna(0.0).clip(-1.0, 1.0)
        needs = ("amount", "cost")
    return _score(
        "future_profit", value * margin, needs,
        details={"bgnbd": purchases, "gamma_gamma": spend_fit, "spend": spend, "spend_model": spend_note,
                 "margin": margin, "clv_revenue": value},
    )


def staff_focus(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 4: where staff spend their time, by staff hours logged.

    score_i = ``staff_hours`` of account i in the calibration window (hours).
    """
    attrs = _attributes(accounts, summary.index)
    return _score("staff_focus", _attribute("staff_focus", attrs, "staff_hours"), ("staff_hours",))


#: Covariates of the uplift regression, used when present in the accounts table.
UPLIFT_COVARIATES = ("strategic_fit", "growth_potential", "service_tickets")


def pilot_outcomes(transactions: pd.DataFrame, calibration_end, *, pilot_days: int = 182) -> pd.DataFrame:
    """Each account's orders and value in the pilot period and in the equally long period before it.

    The pilot is the last ``pilot_days`` days of the calibration window,
    (calibration_end - pilot_days, calibration_end]; the pre-period the
    ``pilot_days`` days before that. Value is gross profit (amount - cost)
    when the transactions carry ``cost``, revenue otherwise.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id`` (every account with a purchase up to
        ``calibration_end``): ``orders_pre``, ``orders_pilot`` (counts),
        ``revenue_pre``, ``revenue_pilot``, ``value_pre``, ``value_pilot``
        (currency units) and ``log_aov_ratio`` = log(average order value in
        the pilot / in the pre-period), missing unless the account ordered in
        both periods. ``attrs["value"]`` says what value is and
        ``attrs["pilot_days"]`` the period length.
    """
    if pilot_days < 1:
        raise ValueError(f"pilot_days must be >= 1, got {pilot_days}")
    end = pd.Timestamp(calibration_end)
    pilot_start = end - pd.Timedelta(days=pilot_days)
    pre_start = pilot_start - pd.Timedelta(days=pilot_days)
    tx = transactions[transactions["date"] <= end]
    frame = pd.DataFrame({
        "customer_id": tx["customer_id"].to_numpy(),
        "period": np.where(tx["date"] > pilot_start, "pilot", np.where(tx["date"] > pre_start, "pre", "before")),
        "orders": 1.0,
        "revenue": tx["amount"].to_numpy(dtype=float),
        "value": (tx["amount"] - tx["cost"] if "cost" in tx.columns else tx["amount"]).to_numpy(dtype=float),
    })
    table = frame.groupby(["customer_id", "period"])[["orders", "revenue", "value"]].sum().unstack(fill_value=0.0)
    out = pd.DataFrame(index=table.index)
    for quantity in ("orders", "revenue", "value"):
        for period in ("pre", "pilot"):
            column = (quantity, period)
            out[f"{quantity}_{period}"] = table[column] if column in table.columns else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (out["revenue_pilot"] / out["orders_pilot"]) / (out["revenue_pre"] / out["orders_pre"])
    both = (out["orders_pre"] > 0) & (out["orders_pilot"] > 0) & (ratio > 0)
    out["log_aov_ratio"] = np.log(ratio.where(both))
    out.index.name = "customer_id"
    out.attrs.update(value="gross profit" if "cost" in tx.columns else "revenue", pilot_days=int(pilot_days))
    return out


def extra_effort(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    pilot: pd.DataFrame | None = None,
    baseline: pd.Series | None = None,
    horizon_days: float | None = None,
    covariates=UPLIFT_COVARIATES,
) -> DefinitionScore:
    """Definition 5: where extra effort pays, by the uplift estimated from a randomised pilot.

    A randomised pilot gave extra key-account effort to the accounts with
    ``kam_pilot`` = 1 during the last days of the calibration window; those
    with ``kam_pilot`` = 0 are its controls (accounts with ``kam_pilot``
    missing were not in the pilot). Extra effort is modelled as lifting an
    account's business by a percentage (more of its wallet per order), so
    the pilot outcome is the change in average order value. On the pilot
    accounts that ordered in both periods, statsmodels OLS
    (heteroscedasticity-robust HC3 errors) fits

        log_aov_ratio ~ kam_pilot * (strategic_fit + growth_potential + service_tickets)

    (R/patsy notation: main effects plus every interaction with the
    treatment; covariates missing from the data, or constant among the pilot
    accounts, are left out), with the covariates x centred on their mean over
    all scored accounts. Because the treatment was randomised, the
    treatment coefficient tau and the interactions d estimate the effect
    without bias, to the extent that it is linear in the covariates; the
    relative lift of account i is

        lift_i = exp(tau + sum_j d_j x_ij) - 1.

    The extra value is that lift applied to what the account would bring
    anyway, ``baseline_i`` (currency units over ``horizon_days``; by default
    its run-rate: value in the pre-period and the pilot / (2 pilot_days) *
    horizon_days, value = gross profit, or revenue without cost data;
    ``kamlab.compare.run_comparison`` passes the CLV prediction of
    ``future_profit`` instead, which accounts for churn).

    The effort is not free, and the pilot measures its cost too: when the
    accounts table has ``cost_to_serve``, a second regression on the pilot
    accounts, ``cost_to_serve ~ kam_pilot + (the same covariates)``, gives
    the extra cost-to-serve c of a treated account in the pilot. The score is
    the net uplift

        uplift_i = lift_i * baseline_i - c * horizon_days / pilot_days.

    Parameters
    ----------
    pilot : pd.DataFrame
        From :func:`pilot_outcomes`.
    baseline : pd.Series, optional
        Expected value of each account over the horizon without the effort.
    horizon_days : float, optional
        Days the effort would last; the pilot's length by default.
    covariates : sequence of str
        Candidate covariates (accounts-table columns).

    Returns
    -------
    DefinitionScore
        Scores in currency units; ``details`` holds the statsmodels results
        (``model``, ``cost_model``), the formula, the lift per account, the
        mean lift exp(tau) - 1 and the extra cost per treated account (scaled
        to the horizon) with 95 % intervals, and any warning statsmodels raised.
    """
    import warnings

    import statsmodels.api as sm

    attrs = _attributes(accounts, summary.index)
    _require("extra_effort", attrs, ("kam_pilot",), "a randomised pilot flag")
    if pilot is None:
        raise NotComputable("extra_effort", ("kam_pilot", "pilot outcomes"), ("pilot outcomes",),
                            "pass pilot=pilot_outcomes(transactions, calibration_end)")
    days = pilot.attrs.get("pilot_days", 182)
    horizon = float(days if horizon_days is None else horizon_days)
    data = pilot.reindex(summary.index)
    for name in covariates:
        if name in attrs.columns:
            data[name] = pd.to_numeric(attrs[name], errors="coerce").astype(float)
    data["kam_pilot"] = pd.to_numeric(attrs["kam_pilot"], errors="coerce").astype(float)
    in_pilot = data["kam_pilot"].notna()
    rows = in_pilot & data["log_aov_ratio"].notna()
    n_treated, n_control = int((data.loc[rows, "kam_pilot"] == 1).sum()), int((data.loc[rows, "kam_pilot"] == 0).sum())
    if min(n_treated, n_control) < 5:
        raise NotComputable("extra_effort", ("kam_pilot",), ("kam_pilot",),
                            f"the pilot has {n_treated} treated and {n_control} control accounts that ordered "
                            "before and during it; needs 5 of each")
    candidates = [c for c in covariates if c in data.columns and data.loc[rows, c].notna().any()]
    data[candidates] = data[candidates].fillna(data[candidates].mean())
    used = [c for c in candidates if data.loc[rows, c].std() > 0]
    formula = "log_aov_ratio ~ kam_pilot" + (f" * ({' + '.join(used)})" if used else "")
    centred = data[used] - data[used].mean()  # centred on all scored accounts
    d = data["kam_pilot"]
    intercept = pd.Series(1.0, index=data.index, name="Intercept")
    exog = pd.concat([intercept, d, centred, centred.mul(d, axis=0).add_prefix("kam_pilot:")], axis=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.OLS(data.loc[rows, "log_aov_ratio"], exog.loc[rows]).fit(cov_type="HC3")
        cost_model, cost, cost_ci = None, 0.0, (0.0, 0.0)
        if "cost_to_serve" in attrs.columns:
            y_cost = pd.to_numeric(attrs["cost_to_serve"], errors="coerce").astype(float)
            keep = in_pilot & y_cost.notna()
            cost_exog = pd.concat([intercept, d, centred], axis=1)
            cost_model = sm.OLS(y_cost[keep], cost_exog.loc[keep]).fit(cov_type="HC3")
            cost = float(cost_model.params["kam_pilot"])
            cost_ci = tuple(float(v) * horizon / days for v in cost_model.conf_int(alpha=0.05).loc["kam_pilot"])
    interactions = model.params[[f"kam_pilot:{c}" for c in used]].to_numpy()
    lift = pd.Series(np.expm1(model.params["kam_pilot"] + centred.to_numpy() @ interactions), index=summary.index)
    if baseline is None:
        base = (data["value_pre"].fillna(0.0) + data["value_pilot"].fillna(0.0)) / (2 * days) * horizon
        source = "run-rate of the pre-period and the pilot"
    else:
        base = baseline.reindex(summary.index).fillna(0.0).astype(float)
        source = "given baseline"
    low, high = np.expm1(model.conf_int(alpha=0.05).loc["kam_pilot"])
    needs = ("kam_pilot", "pilot outcomes") + (("cost_to_serve",) if cost_model is not None else ())
    return _score(
        "extra_effort", lift * base - cost * horizon / days, needs,
        details={"model": model, "cost_model": cost_model, "formula": formula,
                 "n_treated": n_treated, "n_control": n_control, "lift": lift, "baseline": base,
                 "baseline_source": source, "mean_lift": float(np.expm1(model.params["kam_pilot"])),
                 "mean_lift_ci": (float(low), float(high)),
                 "extra_cost": cost * horizon / days, "extra_cost_ci": cost_ci,
                 "value": pilot.attrs.get("value", "value"), "pilot_days": days, "horizon_days": horizon,
                 "warnings": tuple(str(w.message) for w in caught)},
    )


def demanding(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 6: the most demanding accounts, by service demand.

    score_i = ``service_tickets`` of account i in the calibration window
    (count); without that column, ``cost_to_serve`` (currency units).
    """
    attrs = _attributes(accounts, summary.index)
    for column in ("service_tickets", "cost_to_serve"):
        if column in attrs.columns:
            return _score("demanding", _attribute("demanding", attrs, column), (column,))
    raise NotComputable("demanding", ("service_tickets", "cost_to_serve"), ("service_tickets or cost_to_serve",))


def scorecard_signals(summary: pd.DataFrame, accounts: pd.DataFrame | None, columns) -> pd.DataFrame:
    """The scorecard's signals as percentile ranks in (0, 1] (ties share the average rank).

    ``profit`` and ``revenue`` come from the summary, every other signal from
    the accounts table; ``influence`` falls back to ``referrals``. Missing
    values get rank 0. Raises :class:`NotComputable` listing absent columns.
    """
    attrs = _attributes(accounts, summary.index)
    signals, missing = {}, []
    for name in columns:
        source = summary if name in ("profit", "revenue") else attrs
        column = name
        if name == "influence" and name not in source.columns and "referrals" in source.columns:
            column = "referrals"
        if column not in source.columns:
            missing.append("cost" if name == "profit" else name)
            continue
        values = pd.to_numeric(source[column], errors="coerce").astype(float)
        signals[name] = values.rank(pct=True).fillna(0.0)
    if missing:
        raise NotComputable("strategic", tuple(columns), tuple(missing))
    return pd.DataFrame(signals, index=summary.index)


def strategic(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    weights: Mapping[str, float] | None = None,
) -> DefinitionScore:
    """Definition 7: the strategically important accounts, by a weighted scorecard.

    score_i = sum_j w_j * rank_ij / sum_j w_j

    where rank_ij is account i's percentile rank on signal j (so signals in
    different units can be added) and w_j the weights, by default equal on
    ``growth_potential``, ``influence`` (or ``referrals``), ``strategic_fit``
    and calibration ``profit``. The weights are opinions: see
    :func:`weight_sensitivity` for how much the key set depends on them.
    Signals with weight 0 are not needed.

    Returns
    -------
    DefinitionScore
        Scores in [0, 1].
    """
    weights = dict(STRATEGIC_WEIGHTS if weights is None else weights)
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"strategic weights must be >= 0 with a positive sum, got {weights}")
    used = {k: float(w) for k, w in weights.items() if w > 0}
    signals = scorecard_signals(summary, accounts, tuple(used))
    w = np.array(list(used.values()))
    score = signals.to_numpy() @ (w / w.sum())
    needs = tuple("cost" if c == "profit" else c for c in used)
    return _score("strategic", pd.Series(score, index=summary.index), needs, details={"weights": used})


def weight_sensitivity(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None,
    *,
    k: int,
    weights: Mapping[str, float] | None = None,
    n_draws: int = 200,
    concentration: float = 20.0,
    seed: int = 0,
) -> pd.DataFrame:
    """How much the strategic key set changes when the scorecard weights change.

    Draws weight vectors w* ~ Dirichlet(concentration * w / sum(w)) around the
    given weights (mean = the given weights; larger ``concentration`` = smaller
    perturbations: with 4 equal weights and concentration 20 each weight has a
    standard deviation of about 0.09 around 0.25), rescores, and compares the
    top-k set S* with the top-k set S of the given weights:

        turnover = 1 - |S* & S| / k    (share of key accounts replaced)

    Parameters
    ----------
    k : int
        Number of key accounts.
    weights : mapping, optional
        The scorecard weights (default :data:`STRATEGIC_WEIGHTS`).
    n_draws : int
        Number of perturbed weight vectors.
    concentration : float
        Dirichlet concentration (> 0).
    seed : int
        Seed of the random draws.

    Returns
    -------
    pd.DataFrame
        One row per draw: the drawn weights (one column per signal) and ``turnover``.
    """
    base = strategic(summary, accounts, weights=weights)
    used = base.details["weights"]
    signals = scorecard_signals(summary, accounts, tuple(used)).to_numpy()
    w = np.array(list(used.values()))
    w = w / w.sum()
    if concentration <= 0:
        raise ValueError(f"concentration must be > 0, got {concentration}")
    base_set = select(base.scores, k=k)
    draws = np.random.default_rng(seed).dirichlet(concentration * w, size=n_draws)
    scores = signals @ draws.T  # accounts x draws
    in_base = summary.index.isin(base_set)
    ids = summary.index.astype(str).to_numpy()
    turnover = np.empty(n_draws)
    for j in range(n_draws):
        top = np.lexsort((ids, -scores[:, j]))[:k]
        turnover[j] = 1 - in_base[top].sum() / k
    out = pd.DataFrame(draws, columns=list(used))
    out["turnover"] = turnover
    return out


# ----------------------------------------------------------------- baselines


def random(summary: pd.DataFrame, accounts: pd.DataFrame | None = None, *, seed: int = 0) -> DefinitionScore:
    """Baseline: a random score per account, uniform on [0, 1), from ``seed``.

    The scores follow the sorted ``customer_id`` order, so the same accounts
    and seed always give the same selection.
    """
    ordered = summary.index.sort_values()
    values = np.random.default_rng(seed).random(len(ordered))
    return _score("random", pd.Series(values, index=ordered).reindex(summary.index), ())


def abc_a(summary: pd.DataFrame, accounts: pd.DataFrame | None = None, *, cut: float = 0.80) -> DefinitionScore:
    """Baseline: the Pareto class A, the largest accounts that make ``cut`` of revenue.

    Scores are calibration revenue (as ``biggest``) and ``size`` is the
    number of class A accounts of ``kamlab.segments.abc_classes`` (cuts
    (``cut``, 1), 0 < cut < 1): the comparison selects exactly class A, at its own
    size, rather than the common k.
    """
    _require("abc_a", summary, ("revenue",))
    classes = segments.abc_classes(summary["revenue"], cuts=(cut, 1.0))
    return _score("abc_a", summary["revenue"], ("amount",), size=int((classes == "A").sum()))


#: Truth columns the oracle can rank by, in order of preference.
ORACLE_COLUMNS = ("true_future_value", "true_future_profit")


def oracle_column(truth: pd.DataFrame | None) -> str | None:
    """The truth column the oracle ranks by: ``true_future_value`` if present, else ``true_future_profit``.

    The synthetic worlds document ``true_future_value`` (expected holdout
    profit plus the value of the accounts it refers) as the oracle's ranking:
    what keeping the account is worth; ``true_future_profit`` is its own
    profit only. Returns None when neither exists.
    """
    if truth is None:
        return None
    return next((c for c in ORACLE_COLUMNS if c in truth.columns), None)


def oracle(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    truth: pd.DataFrame | None = None,
    column: str | None = None,
) -> DefinitionScore:
    """Baseline: the true future value of each account (synthetic worlds only).

    score_i = ``truth[column]``, by default :func:`oracle_column`: the
    expected profit of account i in the holdout window without key-account
    treatment plus the value of the accounts it refers (currency units). No
    definition can know it; it is the ceiling the others are measured against.
    """
    if truth is None:
        raise NotComputable("oracle", ("truth",), ("ground truth",), "only synthetic worlds know the true future value")
    column = column or oracle_column(truth) or ORACLE_COLUMNS[0]
    _require("oracle", truth, (column,))
    return _score("oracle", truth[column].reindex(summary.index).astype(float), ("truth",),
                  details={"column": column})


_FUNCTIONS = {
    "biggest": biggest,
    "mustnt_lose": mustnt_lose,
    "future_profit": future_profit,
    "staff_focus": staff_focus,
    "extra_effort": extra_effort,
    "demanding": demanding,
    "strategic": strategic,
}


def score_all(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    truth: pd.DataFrame | None = None,
    seed: int = 0,
    options: Mapping[str, Mapping] | None = None,
) -> dict[str, DefinitionScore | NotComputable]:
    """Every definition and baseline on one calibration window.

    Parameters
    ----------
    summary, accounts : pd.DataFrame
        As for each definition.
    truth : pd.DataFrame, optional
        Ground truth for the ``oracle`` (synthetic worlds).
    seed : int
        Seed of the ``random`` baseline.
    options : mapping, optional
        Keyword arguments per definition, e.g.
        ``{"strategic": {"weights": {...}}, "future_profit": {"horizon": 52}}``.

    Returns
    -------
    dict
        name -> :class:`DefinitionScore`, or the :class:`NotComputable`
        explaining why it could not be computed; the seven definitions first,
        then ``random``, ``abc_a``, ``oracle``.
    """
    options = dict(options or {})
    out: dict[str, DefinitionScore | NotComputable] = {}
    calls = dict(_FUNCTIONS)
    calls["random"] = lambda s, a, **kw: random(s, a, seed=seed, **kw)
    calls["abc_a"] = abc_a
    calls["oracle"] = lambda s, a, **kw: oracle(s, a, truth=truth, **kw)
    for name, function in calls.items():
        try:
            out[name] = function(summary, accounts, **options.get(name, {}))
        except NotComputable as missing:
            out[name] = missing
    return out
