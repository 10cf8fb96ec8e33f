"""Comparing the definitions of a key account against what happened next.

Each definition sees only the calibration window and picks its key accounts;
the holdout window (and, on synthetic worlds, the ground truth) says how good
the pick was. At the same number k of key accounts for every definition
(baselines with their own size, like ``abc_a``, keep it):

- **captured share** of holdout revenue and profit, sum over key accounts /
  sum over all accounts, with a seeded bootstrap confidence interval;
- **lift** over random selection: captured share / (n_key / n);
- **precision** and **recall** against the oracle's top k: |S & O| / |S| and
  |S & O| / k (synthetic worlds);
- **cost-to-serve share** of the key accounts, and how many of them **lose
  money** in the holdout;
- **programme ROI** of giving the key accounts extra effort at a cost per
  account, from the true or the estimated uplift;
- **turnover** of the key set from one window to the next, the **Jaccard
  overlap** between definitions, and **gain curves** (captured share against
  share of accounts selected, accounts in key order).

:func:`compare_definitions` does this for given scores and outcomes;
:func:`run_comparison` does the whole study on a dataset in one call;
:func:`conclusion` writes the result in plain language from the numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from kamlab import definitions as defs
from kamlab.definitions import DefinitionScore, NotComputable, key_account_count

#: Row order of the comparison table.
ORDER = defs.DEFINITIONS + defs.BASELINES


@dataclass(frozen=True)
class Comparison:
    """The comparison of key-account definitions on one dataset.

    Attributes
    ----------
    table : pd.DataFrame
        One row per computable definition and baseline (column ``definition``,
        in :data:`ORDER`); the metric columns are described in
        :func:`compare_definitions`. Metrics the data cannot support are left
        out (see ``unavailable``), never filled with zeros.
    not_computable : pd.DataFrame
        ``definition``, ``missing`` and ``reason`` ("not computable on this
        dataset: needs X") for every definition that could not be scored.
    overlap : pd.DataFrame
        Jaccard overlap |A & B| / |A | B| of the key sets, definitions by definitions.
    gains : pd.DataFrame
        Tidy gain curves: ``definition``, ``share_of_accounts`` and the captured
        share of each outcome (``revenue_captured``, ``profit_captured``).
    turnover : pd.DataFrame
        ``definition`` and ``turnover`` (share of key accounts not key again
        when the definition is re-scored on the next window), for the
        definitions that could be re-scored.
    selections : dict
        Definition -> the selected ``customer_id`` values.
    unavailable : dict
        Metric -> why it is not in the table.
    k, n_accounts : int
        Key accounts per definition, and accounts to choose from.
    level : float
        Confidence level of the intervals.
    n_bootstrap, seed : int
        Bootstrap replicates and their seed.
    programme_cost : float
        Further cost of the programme per key account (currency units, holdout
        window), beyond the effort cost the uplifts already net out.
    effort_cost : float
        The effort cost per key account the uplifts already net out (the extra
        cost-to-serve measured in the pilot), part of the ROI's denominator.
    scores : dict
        The scores compared (name -> DefinitionScore or NotComputable).
    diagnostics : dict
        Further numbers of the study (e.g. the weight sensitivity of ``strategic``).
    accounts : pd.DataFrame
        From :func:`run_comparison`: one row per account to choose from, with
        the calibration summary (``*_cal``), the account attributes, the
        holdout outcomes (``*_holdout``, ``true_value``, ``uplift_*``) and
        every definition's score (``score_<name>``); empty otherwise.
    """

    table: pd.DataFrame
    not_computable: pd.DataFrame
    overlap: pd.DataFrame
    gains: pd.DataFrame
    turnover: pd.DataFrame
    selections: dict[str, pd.Index]
    unavailable: dict[str, str]
    k: int
    n_accounts: int
    level: float
    n_bootstrap: int
    seed: int
    programme_cost: float
    effort_cost: float = 0.0
    scores: dict = field(default_factory=dict, repr=False)
    diagnostics: dict = field(default_factory=dict)
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


# ----------------------------------------------------------------- pieces


def captured_share(selected: pd.Index, outcome: pd.Series) -> float:
    """Share of the total outcome brought by the selected accounts.

        captured = sum_{i in S} y_i / sum_i y_i

    In [0, 1] for a non-negative outcome such as revenue; for profit, where
    some accounts lose money, it can leave that range.
    """
    total = float(outcome.sum())
    if total == 0:
        raise ValueError("the outcome sums to 0 over all accounts, so a captured share is undefined")
    return float(outcome.reindex(selected).fillna(0.0).sum() / total)


def jaccard(a: pd.Index, b: pd.Index) -> float:
    """Jaccard overlap of two key sets, |A & B| / |A | B| (1 = identical)."""
    union = len(a.union(b))
    return len(a.intersection(b)) / union if union else 1.0


def overlap_matrix(selections: Mapping[str, pd.Index]) -> pd.DataFrame:
    """Jaccard overlap of every pair of key sets, as a square frame.

    Computed at once from the 0/1 membership matrix X (accounts x sets):
    |A & B| = (X'X)_ab and |A | B| = |A| + |B| - |A & B|.
    """
    names = list(selections)
    everyone = pd.Index([]).append([selections[name] for name in names]).unique()
    member = np.column_stack([everyone.isin(selections[name]) for name in names]).astype(float)
    both = member.T @ member
    sizes = np.diag(both)
    union = sizes[:, None] + sizes[None, :] - both
    values = np.divide(both, union, out=np.ones_like(both), where=union > 0)
    return pd.DataFrame(values, index=pd.Index(names, name="definition"), columns=names)


def gain_curve(scores: pd.Series, outcome: pd.Series, *, points: int = 201) -> pd.DataFrame:
    """Captured share of an outcome against the share of accounts selected in key order.

    Accounts are ranked as by :func:`kamlab.definitions.select`; at each of
    ``points`` shares s on [0, 1] the curve gives, with k = round(s * n),

        captured(k) = sum of y over the k first accounts / sum of y over all.

    Non-decreasing for a non-negative outcome (revenue); for profit it falls
    where the ranking reaches money-losing accounts.

    Returns
    -------
    pd.DataFrame
        ``share_of_accounts`` (k / n) and ``captured``.
    """
    order = defs.ranking(scores.reindex(outcome.index))
    y = outcome.reindex(order).to_numpy(dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(y)])
    n = len(y)
    ks = np.unique(np.round(np.linspace(0, 1, points) * n).astype(int))
    return pd.DataFrame({"share_of_accounts": ks / n, "captured": cum[ks] / cum[-1]})


def _bootstrap_captures(
    outcomes: np.ndarray, member: np.ndarray, *, n_bootstrap: int, seed: int, chunk_cells: int = 2_500_000
) -> np.ndarray:
    """Bootstrap replicates of every captured share, resampling accounts.

    outcomes: n x M (outcome per account), member: n x D (1 if key).
    Each replicate draws n accounts with replacement; with w_i the number of
    times account i was drawn, the replicate of a captured share is
    (w @ (y * s)) / (w @ y). The key sets stay as chosen on the calibration
    window (the interval is conditional on the selection). All replicates
    are computed at once, in chunks of about ``chunk_cells`` draws, as one
    matrix product per chunk. Returns an array n_bootstrap x M x D.
    """
    n, m = outcomes.shape
    d = member.shape[1]
    rng = np.random.default_rng(seed)
    numer_cols = (outcomes[:, :, None] * member[:, None, :]).reshape(n, m * d)
    stacked = np.concatenate([outcomes, numer_cols], axis=1)
    out = np.empty((n_bootstrap, m, d))
    step = max(1, chunk_cells // max(n, 1))
    for start in range(0, n_bootstrap, step):
        size = min(step, n_bootstrap - start)
        draws = rng.integers(0, n, size=(size, n), dtype=np.int32).astype(np.int64)
        draws += (np.arange(size, dtype=np.int64) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n).astype(float)
        sums = weights @ stacked
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + size] = sums[:, m:].reshape(size, m, d) / sums[:, :m, None]
    return out


# ----------------------------------------------------------------- the comparison


def compare_definitions(
    scores: Mapping[str, DefinitionScore | NotComputable],
    outcomes: pd.DataFrame,
    *,
    k: int | None = None,
    share: float | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    programme_cost: float = 0.0,
    effort_cost: float = 0.0,
    next_scores: Mapping[str, DefinitionScore | NotComputable] | None = None,
    gain_points: int = 201,
) -> Comparison:
    """Evaluate every definition's key set against the holdout outcomes.

    Parameters
    ----------
    scores : mapping
        name -> DefinitionScore (or NotComputable), as from
        :func:`kamlab.definitions.score_all`. An ``oracle`` entry enables
        precision and recall.
    outcomes : pd.DataFrame
        Indexed by ``customer_id``: the accounts to choose from. Columns:
        ``revenue`` (holdout revenue, required); optional ``profit`` (holdout
        profit, currency units), ``true_value`` (the truth the oracle ranks
        by, synthetic worlds), ``cost_to_serve`` (currency units),
        ``uplift_true`` and ``uplift_estimated`` (extra profit in the holdout
        window if the account gets the key-account programme, currency units).
    k, share : int or float
        The number of key accounts, or their share of the accounts (one of them).
    n_bootstrap : int
        Bootstrap replicates for the confidence intervals (0 = none).
    seed : int
        Seed of the bootstrap.
    level : float
        Confidence level, e.g. 0.95 (percentile intervals).
    programme_cost : float
        Further cost of the key-account programme per key account over the
        holdout window (currency units): travel, events, concessions ...,
        beyond the effort cost the uplifts already net out.
    effort_cost : float
        Cost of the extra effort per key account that the uplifts already
        net out (currency units; e.g. the extra cost-to-serve a treated
        account had in the pilot). Only enters the ROI's denominator.
    next_scores : mapping, optional
        The same definitions re-scored on the next window, for the turnover.
    gain_points : int
        Points per gain curve.

    Returns
    -------
    Comparison
        ``table`` columns, where the data allow them: ``definition``, ``kind``
        ("definition" or "baseline"), ``n_key``, for each outcome o in
        (revenue, profit, true_value): ``o_captured``, ``o_captured_low``,
        ``o_captured_high``, ``o_lift``; ``precision``, ``recall``;
        ``cost_to_serve_share``; ``losing_accounts`` (key accounts with
        holdout profit < 0); for each uplift source u in (true, estimated):
        ``uplift_u`` (sum over key accounts, net of the effort's cost),
        ``net_gain_u`` = uplift - programme_cost * n_key and ``roi_u`` =
        net_gain / ((effort_cost + programme_cost) * n_key): the return per
        unit spent on the programme.
    """
    if "revenue" not in outcomes.columns:
        raise ValueError(f"outcomes: needs a 'revenue' column (holdout revenue); have {list(outcomes.columns)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0, got {n_bootstrap}")
    if programme_cost < 0 or effort_cost < 0:
        raise ValueError(f"programme_cost and effort_cost must be >= 0, got {programme_cost}, {effort_cost}")
    outcomes = outcomes.astype(float)
    bad = [c for c in outcomes.columns if not np.isfinite(outcomes[c].to_numpy()).all()]
    if bad:
        raise ValueError(f"outcomes: columns {bad} have missing or infinite values; fill them (e.g. 0) first")
    universe = outcomes.index
    n = len(universe)
    k = key_account_count(n, k=k, share=share)

    computable = {name: s for name, s in scores.items() if isinstance(s, DefinitionScore)}
    missing_rows = [
        {"definition": name, "missing": ", ".join(s.missing), "reason": s.reason}
        for name, s in scores.items()
        if isinstance(s, NotComputable)
    ]
    names = [name for name in ORDER if name in computable] + [n_ for n_ in computable if n_ not in ORDER]
    selections = {
        name: defs.select(computable[name].scores.reindex(universe), k=min(computable[name].size or k, n))
        for name in names
    }

    unavailable: dict[str, str] = {}
    metrics = ["revenue"]
    for metric, why in (("profit", "no cost data, so no profit"),
                        ("true_value", "no ground truth: the true future value is known only in synthetic worlds")):
        if metric not in outcomes.columns:
            unavailable[f"{metric}_captured"] = why
        elif outcomes[metric].sum() <= 0:
            unavailable[f"{metric}_captured"] = f"{metric.replace('_', ' ')} sums to {outcomes[metric].sum():,.0f} " \
                "over all accounts, so shares of it are meaningless"
        else:
            metrics.append(metric)
    if outcomes["revenue"].sum() <= 0:
        raise ValueError("outcomes: holdout revenue sums to 0; choose a later observation end or earlier calibration end")

    member = np.column_stack([universe.isin(selections[name]) for name in names]).astype(float)
    n_key = member.sum(axis=0)
    table = pd.DataFrame({
        "definition": names,
        "kind": ["baseline" if name in defs.BASELINES else "definition" for name in names],
        "n_key": n_key.astype(int),
    })
    y = outcomes[metrics].to_numpy()
    captured = (y.T @ member) / y.sum(axis=0)[:, None]  # M x D
    if n_bootstrap > 0:
        boot = _bootstrap_captures(y, member, n_bootstrap=n_bootstrap, seed=seed)
        alpha = (1 - level) / 2
        low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
    else:
        unavailable["captured_low/high"] = "n_bootstrap = 0: no confidence intervals"
    for j, metric in enumerate(metrics):
        table[f"{metric}_captured"] = captured[j]
        if n_bootstrap > 0:
            table[f"{metric}_captured_low"] = low[j]
            table[f"{metric}_captured_high"] = high[j]
        table[f"{metric}_lift"] = captured[j] / (n_key / n)

    if "oracle" in selections:
        best = selections["oracle"] if computable["oracle"].size is None else defs.select(
            computable["oracle"].scores.reindex(universe), k=k)
        hits = np.array([len(selections[name].intersection(best)) for name in names])
        table["precision"] = hits / n_key
        table["recall"] = hits / len(best)
    else:
        unavailable["precision/recall"] = "no oracle: the true future value is known only in synthetic worlds"

    if "cost_to_serve" in outcomes.columns and outcomes["cost_to_serve"].sum() > 0:
        cts = outcomes["cost_to_serve"].to_numpy()
        table["cost_to_serve_share"] = (cts @ member) / cts.sum()
    else:
        unavailable["cost_to_serve_share"] = "no cost_to_serve column"
    if "profit" in outcomes.columns:
        table["losing_accounts"] = ((outcomes["profit"].to_numpy() < 0).astype(float) @ member).astype(int)
    else:
        unavailable["losing_accounts"] = "no cost data, so no profit"

    for source in ("true", "estimated"):
        column = f"uplift_{source}"
        if column not in outcomes.columns:
            unavailable[f"roi_{source}"] = (
                "no true uplift: known only in synthetic worlds" if source == "true"
                else "no uplift estimate: needs a randomised pilot (kam_pilot)"
            )
            continue
        uplift = outcomes[column].to_numpy() @ member
        table[column] = uplift
        table[f"net_gain_{source}"] = uplift - programme_cost * n_key
        spent = (effort_cost + programme_cost) * n_key
        if effort_cost + programme_cost > 0:
            table[f"roi_{source}"] = (uplift - programme_cost * n_key) / spent
        else:
            unavailable[f"roi_{source}"] = "the programme costs nothing here, so the ROI is undefined"

    gains = []
    for name in names:
        if name == "abc_a":  # same ranking as biggest; shown as a point at its own size
            continue
        frame = None
        for metric in metrics:
            curve = gain_curve(computable[name].scores, outcomes[metric], points=gain_points)
            if frame is None:
                frame = curve.rename(columns={"captured": f"{metric}_captured"})
            else:
                frame[f"{metric}_captured"] = curve["captured"].to_numpy()
        frame.insert(0, "definition", name)
        gains.append(frame)

    turnover_rows = []
    for name in names:
        again = (next_scores or {}).get(name)
        if isinstance(again, DefinitionScore):
            size = min(again.size or k, n)
            later = defs.select(again.scores.reindex(universe), k=size)
            kept = len(selections[name].intersection(later))
            turnover_rows.append({"definition": name, "turnover": 1 - kept / len(selections[name])})
    not_rescored = [name for name in names if name not in {r["definition"] for r in turnover_rows}]
    if not_rescored:
        unavailable["turnover"] = (
            "not re-scored on the next window: " + ", ".join(not_rescored)
            + " (their inputs are observed once, or there is no next window)"
        )

    return Comparison(
        table=table,
        not_computable=pd.DataFrame(missing_rows, columns=["definition", "missing", "reason"]),
        overlap=overlap_matrix(selections),
        gains=pd.concat(gains, ignore_index=True),
        turnover=pd.DataFrame(turnover_rows, columns=["definition", "turnover"]).astype({"turnover": float}),
        selections=selections,
        unavailable=unavailable,
        k=int(k),
        n_accounts=n,
        level=level,
        n_bootstrap=n_bootstrap,
        seed=seed,
        programme_cost=float(programme_cost),
        effort_cost=float(effort_cost),
        scores=dict(scores),
    )


# ----------------------------------------------------------------- the whole study on a dataset


def _summary_from(calhold: pd.DataFrame) -> pd.DataFrame:
    cal = [c for c in calhold.columns if c.endswith("_cal")]
    return calhold[cal].rename(columns=lambda c: c[: -len("_cal")])


def holdout_outcomes(
    calhold: pd.DataFrame,
    accounts: pd.DataFrame | None,
    truth: pd.DataFrame | None,
    *,
    calibration_days: float,
    holdout_days: float,
) -> tuple[pd.DataFrame, str]:
    """The outcomes a key set is judged on, per account of the calibration window.

    - ``revenue`` = holdout revenue;
    - ``cost_to_serve`` in the holdout window: the true expected value
      (``truth.true_cost_to_serve``) on synthetic worlds, else the
      calibration ``cost_to_serve`` scaled by holdout_days / calibration_days;
    - ``gross_profit`` = holdout revenue - cost of goods, and ``profit`` =
      gross_profit - that cost-to-serve (when the transactions carry cost);
    - ``true_value`` = the truth column the oracle ranks by
      (:func:`kamlab.definitions.oracle_column`: expected holdout profit plus
      referral value, synthetic);
    - ``uplift_true`` = ``truth.true_uplift`` (synthetic).

    Returns the frame and one sentence saying how profit was measured.
    """
    index = calhold.index
    out = pd.DataFrame({"revenue": calhold["revenue_holdout"].astype(float)}, index=index)
    cts, basis = None, ""
    if truth is not None and "true_cost_to_serve" in truth.columns:
        cts = truth["true_cost_to_serve"].reindex(index).fillna(0.0)
        basis = " minus the true expected cost-to-serve of the holdout window"
    elif accounts is not None and "cost_to_serve" in accounts.columns:
        cts = accounts["cost_to_serve"].reindex(index).fillna(0.0) * holdout_days / calibration_days
        basis = " minus the calibration cost-to-serve scaled to the holdout length"
    if cts is not None:
        out["cost_to_serve"] = cts.astype(float)
    if "profit_holdout" in calhold.columns:
        out["gross_profit"] = calhold["profit_holdout"].astype(float)
        out["profit"] = out["gross_profit"] - (cts if cts is not None else 0.0)
        basis = "holdout profit = revenue - cost of goods" + basis
    else:
        basis = "no profit: the transactions carry no cost"
    if truth is not None:
        column = defs.oracle_column(truth)
        if column is not None:
            out["true_value"] = truth[column].reindex(index).fillna(0.0).astype(float)
        if "true_uplift" in truth.columns:
            out["uplift_true"] = truth["true_uplift"].reindex(index).fillna(0.0).astype(float)
    return out, basis


#: Length in days of the randomised KAM pilot of the registered synthetic worlds
#: (``pilot_days`` in datasets/<name>_params.json; a test keeps them in step).
PILOT_DAYS = {"b2b": 182, "game": 28}

#: Definitions computed from transactions only, which can be re-scored on a later window.
RESCORABLE = ("biggest", "mustnt_lose", "future_profit", "abc_a")


def run_comparison(
    dataset,
    *,
    k: int | None = None,
    share: float | None = None,
    calibration_end=None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    programme_cost: float = 0.0,
    weights: Mapping[str, float] | None = None,
    pilot_days: int | None = None,
    annual_discount_rate: float = 0.10,
    sensitivity_draws: int = 200,
    turnover: bool = True,
) -> Comparison:
    """The whole comparison on one dataset, in one call.

    1. Split the transactions at ``calibration_end`` (default: the dataset's)
       and summarise both windows in weeks (``kamlab.rfm.calibration_holdout``);
       the accounts to choose from are those with a purchase in the calibration
       window.
    2. Score every definition and baseline on the calibration window
       (:func:`kamlab.definitions.score_all`): ``future_profit`` predicts the
       holdout length; ``extra_effort`` estimates each account's relative
       lift from the pilot of the last ``pilot_days`` of the calibration
       window and applies it to ``future_profit``'s undiscounted prediction
       for the holdout (to its run-rate when there is no CLV), net of the
       extra cost-to-serve the pilot measured; the oracle ranks by the truth's
       true future value.
    3. Judge the key sets on the holdout outcomes (:func:`holdout_outcomes`)
       with :func:`compare_definitions`; ``uplift_estimated`` is the
       ``extra_effort`` estimate (net of the effort's measured cost),
       ``uplift_true`` the world's true uplift (net of the extra staff time).
    4. Turnover: re-score the transaction-only definitions (:data:`RESCORABLE`)
       on the window moved forward by the holdout length, (first date +
       holdout, observation end], and compare key sets.
    5. Diagnostics: the weight sensitivity of ``strategic`` (mean top-k
       turnover under Dirichlet-perturbed weights,
       :func:`kamlab.definitions.weight_sensitivity`) and the predicted versus
       actual holdout gross profit of ``future_profit``'s key accounts.

    Parameters
    ----------
    dataset : kamlab.datasets.Dataset
        With transactions; accounts and truth when there are any.
    k, share : int or float
        Number, or share of accounts, of key accounts (give one; default share 0.10).
    calibration_end : date-like, optional
        End of the calibration window; the dataset's own by default.
    n_bootstrap, seed, level
        Bootstrap replicates, seed (also of the random baseline), confidence level.
    programme_cost : float
        Further cost of the programme per key account over the holdout window
        (currency units), beyond the account manager's time, which both
        uplifts already net out (the estimate subtracts the extra
        cost-to-serve measured in the pilot; the synthetic worlds' true uplift
        subtracts the staff time as the world prices it). The ROI divides by
        that measured effort cost plus ``programme_cost``.
    weights : mapping, optional
        Weights of the strategic scorecard.
    pilot_days : int, optional
        Length of the pilot (and of its pre-period), in days; by default the
        documented pilot of a registered synthetic world (:data:`PILOT_DAYS`),
        else 182.
    annual_discount_rate : float
        Discount rate of the CLV of ``future_profit``.
    sensitivity_draws : int
        Perturbed weight vectors for the strategic sensitivity (0 = skip).
    turnover : bool
        Re-score on the next window for the turnover (False saves a second CLV fit).

    Returns
    -------
    Comparison
    """
    from kamlab import rfm

    tx = dataset.transactions
    if tx is None:
        raise ValueError(f"dataset {dataset.name!r} has no transactions (summary-only data cannot be compared)")
    first, last = tx["date"].min(), tx["date"].max()
    obs_end = pd.Timestamp(dataset.observation_end) if dataset.observation_end is not None else last.normalize()
    cal_end = pd.Timestamp(calibration_end if calibration_end is not None else dataset.calibration_end)
    if not first < cal_end < obs_end:
        raise ValueError(
            f"calibration_end {cal_end.date()} must fall inside the data, after the first purchase "
            f"({first.date()}) and before the observation end ({obs_end.date()})"
        )
    if k is None and share is None:
        share = 0.10
    calhold = rfm.calibration_holdout(tx, cal_end, obs_end, freq="W")
    summary = _summary_from(calhold)
    holdout_weeks = float(calhold["duration_holdout"].iloc[0])
    holdout_days = float((obs_end - cal_end).days)
    calibration_days = float((cal_end - first).days + 1)
    accounts, truth = dataset.accounts, dataset.truth

    options: dict[str, dict] = {
        "future_profit": {"horizon": holdout_weeks, "annual_discount_rate": annual_discount_rate},
        "strategic": {"weights": weights},
    }
    if accounts is not None and "kam_pilot" in accounts.columns:
        options["extra_effort"] = {
            "pilot": defs.pilot_outcomes(tx, cal_end, pilot_days=pilot_days or PILOT_DAYS.get(dataset.name, 182)),
            "horizon_days": holdout_days,
        }
    scores = defs.score_all(summary, accounts, truth=truth, seed=seed, options=options)
    fp = scores.get("future_profit")
    expected = None
    if isinstance(fp, DefinitionScore):
        # what each account is expected to bring in the holdout without extra effort (undiscounted):
        # the baseline the pilot's lift applies to, and the prediction checked on the holdout below
        from kamlab import clv

        expected = clv.discounted_clv(fp.details["bgnbd"], fp.details["spend"], summary, horizon=holdout_weeks,
                                      periods_per_year=52.0, annual_discount_rate=0.0) * fp.details["margin"]
        if "extra_effort" in options and isinstance(scores.get("extra_effort"), DefinitionScore):
            scores["extra_effort"] = defs.extra_effort(summary, accounts, baseline=expected,
                                                       **options["extra_effort"])

    outcomes, basis = holdout_outcomes(calhold, accounts, truth, calibration_days=calibration_days,
                                       holdout_days=holdout_days)
    effort_cost = 0.0
    if isinstance(scores.get("extra_effort"), DefinitionScore):
        outcomes["uplift_estimated"] = scores["extra_effort"].scores.reindex(outcomes.index).fillna(0.0)
        effort_cost = max(0.0, scores["extra_effort"].details["extra_cost"])

    later = tx[tx["date"] > first + pd.Timedelta(days=holdout_days)]
    next_summary = rfm.summarise_rfm(later, obs_end, freq="W") if turnover else None
    next_scores = {}
    for name in RESCORABLE if turnover else ():
        if not isinstance(scores.get(name), DefinitionScore):
            continue
        try:
            function = defs.abc_a if name == "abc_a" else getattr(defs, name)
            kwargs = {"horizon": holdout_weeks, "annual_discount_rate": annual_discount_rate} \
                if name == "future_profit" else {}
            next_scores[name] = function(next_summary, None, **kwargs)
        except NotComputable as missing:
            next_scores[name] = missing

    result = compare_definitions(
        scores, outcomes, k=k, share=share, n_bootstrap=n_bootstrap, seed=seed, level=level,
        programme_cost=programme_cost, next_scores=next_scores,
        effort_cost=effort_cost,
    )
    diagnostics: dict = {
        "profit_basis": basis,
        "calibration_end": cal_end,
        "observation_end": obs_end,
        "holdout_days": holdout_days,
        "dataset": dataset.name,
    }
    if isinstance(scores.get("strategic"), DefinitionScore) and sensitivity_draws > 0:
        sens = defs.weight_sensitivity(summary, accounts, k=result.k, weights=weights,
                                       n_draws=sensitivity_draws, seed=seed)
        diagnostics["strategic_weight_turnover"] = float(sens["turnover"].mean())
        diagnostics["strategic_weight_turnover_p90"] = float(sens["turnover"].quantile(0.9))
    if expected is not None:
        chosen = result.selections["future_profit"]
        actual = calhold["profit_holdout"] if "profit_holdout" in calhold.columns else calhold["revenue_holdout"]
        diagnostics["future_profit_predicted"] = float(expected.reindex(chosen).sum())
        diagnostics["future_profit_actual"] = float(actual.reindex(chosen).sum())
    per_account = summary.add_suffix("_cal")
    if accounts is not None:
        per_account = per_account.join(accounts.reindex(per_account.index))
    renamed = {c: f"{c}_holdout" for c in ("revenue", "profit", "gross_profit", "cost_to_serve")}
    per_account = per_account.join(outcomes.rename(columns=renamed))
    for name, scored in scores.items():
        if isinstance(scored, DefinitionScore):
            per_account[f"score_{name}"] = scored.scores.reindex(per_account.index)
    return dataclasses.replace(result, diagnostics=diagnostics, accounts=per_account)


# ----------------------------------------------------------------- plain language


def report_table(result: Comparison) -> pd.DataFrame:
    """The comparison table for reading: shares in %, intervals as text, one row per definition.

    Columns (where the data allow them): ``key accounts``; for revenue,
    profit and true value the captured share in % and its interval
    ("low to high"); ``lift`` (profit, else revenue); ``precision %`` against
    the oracle; ``cost-to-serve %``; ``losing money`` (key accounts with a
    holdout loss); ``net gain (true)``, ``ROI (true)``, ``net gain (est.)``,
    ``ROI (est.)``; ``turnover %`` ("n/a" for definitions that could not be
    re-scored on the next window). Numbers are rounded for display (1
    decimal for %, 2 for ratios, whole currency units).
    """
    t = result.table.set_index("definition")
    out = pd.DataFrame(index=t.index)
    out["key accounts"] = t["n_key"]
    names = {"revenue": "revenue", "profit": "profit", "true_value": "true value"}
    for metric, label in names.items():
        column = f"{metric}_captured"
        if column not in t.columns:
            continue
        out[f"{label} %"] = (100 * t[column]).round(1)
        if f"{column}_low" in t.columns:
            out[f"{label} CI"] = [f"{100 * lo:.1f} to {100 * hi:.1f}"
                                  for lo, hi in zip(t[f"{column}_low"], t[f"{column}_high"])]
    lift = "profit_lift" if "profit_lift" in t.columns else "revenue_lift"
    out["lift"] = t[lift].round(2)
    if "precision" in t.columns:
        out["precision %"] = (100 * t["precision"]).round(1)
    if "cost_to_serve_share" in t.columns:
        out["cost-to-serve %"] = (100 * t["cost_to_serve_share"]).round(1)
    if "losing_accounts" in t.columns:
        out["losing money"] = t["losing_accounts"]
    for source, label in (("true", "true"), ("estimated", "est.")):
        if f"net_gain_{source}" in t.columns:
            out[f"net gain ({label})"] = t[f"net_gain_{source}"].round(0).astype(int)
        if f"roi_{source}" in t.columns:
            out[f"ROI ({label})"] = t[f"roi_{source}"].round(2)
    if not result.turnover.empty:
        turnover = 100 * result.turnover.set_index("definition")["turnover"]
        out["turnover %"] = [f"{turnover[n]:.1f}" if n in turnover.index else "n/a" for n in out.index]
    return out



def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _with_ci(row: pd.Series, metric: str, level: float) -> str:
    text = _pct(row[f"{metric}_captured"])
    if f"{metric}_captured_low" in row.index:
        text += f" ({100 * level:.0f} % CI {_pct(row[f'{metric}_captured_low'])} to {_pct(row[f'{metric}_captured_high'])})"
    return text


def conclusion(result: Comparison) -> str:
    """The comparison in plain language, every number taken from ``result``.

    Says which definition captured the most holdout profit (revenue when
    there is no cost data) with its confidence interval, whether the
    runner-up can be told apart, how far the best is from the oracle and
    from random, which definition did worst, which of the source's risks
    showed up in the numbers (money-losing key accounts, cost-to-serve out of
    proportion, over-valued CLV, key-set turnover, weight sensitivity,
    programme ROI), and which definitions were not computable and why.

    Returns
    -------
    str
        Sentences, one per line; risk findings start with "- ".
    """
    t = result.table.set_index("definition")
    metric = "profit" if "profit_captured" in t.columns else "revenue"
    what = {"profit": "holdout profit", "revenue": "holdout revenue"}[metric]
    col = f"{metric}_captured"
    level = result.level
    expected = result.k / result.n_accounts
    own = t[t["kind"] == "definition"].sort_values(col, ascending=False, kind="stable")
    lines = [
        f"With {result.k} key accounts out of {result.n_accounts} ({_pct(expected)}), "
        f"{len(own)} of the seven definitions could be computed on this dataset."
    ]
    if len(own):
        best = own.iloc[0]
        lines.append(
            f"{own.index[0]} captured the most {what}: {_with_ci(best, metric, level)}, "
            f"{best[f'{metric}_lift']:.1f} times the {_pct(expected)} a random pick of the same size would get on average."
        )
        if len(own) > 1:
            second = own.iloc[1]
            sentence = f"Next came {own.index[1]} with {_with_ci(second, metric, level)}"
            if f"{col}_low" in t.columns:
                overlap = second[f"{col}_high"] >= best[f"{col}_low"]
                sentence += ("; the intervals overlap, so this data cannot rank the two apart."
                             if overlap else "; the intervals do not overlap.")
            else:
                sentence += "."
            lines.append(sentence)
        if len(own) > 2:
            worst = own.iloc[-1]
            sentence = f"{own.index[-1]} captured the least: {_with_ci(worst, metric, level)}"
            if f"{col}_low" in t.columns and worst[f"{col}_low"] <= expected:
                sentence += f", its interval reaching down to what random selection gets ({_pct(expected)})"
            lines.append(sentence + ".")
        if "oracle" in t.index:
            oracle = t.loc["oracle"]
            lines.append(
                f"Knowing the true future value (the oracle) would have captured {_with_ci(oracle, metric, level)}; "
                f"{own.index[0]} picked {_pct(best['precision'])} of the oracle's key accounts."
            )
    if "random" in t.index:
        lines.append(f"Random selection captured {_pct(t.loc['random', col])} (expected {_pct(expected)}).")
    if "abc_a" in t.index:
        lines.append(
            f"The Pareto class A ({int(t.loc['abc_a', 'n_key'])} accounts, {_pct(t.loc['abc_a', 'n_key'] / result.n_accounts)}"
            f" of all) captured {_pct(t.loc['abc_a', col])}."
        )
    if metric == "profit" and (t[col] > 1).any():
        lines.append(
            "Shares above 100 % mean the accounts left out lose money in total: the key accounts "
            "earn more than the whole customer base."
        )

    risks = []
    if "losing_accounts" in t.columns:
        losing = own[own["losing_accounts"] > 0].sort_values("losing_accounts", ascending=False, kind="stable")
        for name, row in losing.head(3).iterrows():
            risks.append(f"{name}: {int(row['losing_accounts'])} of its {int(row['n_key'])} key accounts "
                         "lost money in the holdout.")
    if "cost_to_serve_share" in t.columns:
        costly = own[own["cost_to_serve_share"] > own[col]]
        for name, row in costly.iterrows():
            risks.append(f"{name}: its key accounts take {_pct(row['cost_to_serve_share'])} of the cost-to-serve "
                         f"but bring {_pct(row[col])} of the {what}.")
    d = result.diagnostics
    if "future_profit_predicted" in d and d.get("future_profit_actual", 0) > 0:
        ratio = d["future_profit_predicted"] / d["future_profit_actual"] - 1
        word = "over-valued" if ratio > 0 else "under-valued"
        gross = "gross profit" if metric == "profit" else "revenue"
        risks.append(
            f"future_profit: the model predicted {d['future_profit_predicted']:,.0f} of {gross} for its key accounts "
            f"in the holdout; they delivered {d['future_profit_actual']:,.0f} ({word} by {_pct(abs(ratio))})."
        )
    if not result.turnover.empty:
        top = result.turnover[result.turnover["definition"].isin(own.index)]
        if len(top):
            row = top.sort_values("turnover", ascending=False, kind="stable").iloc[0]
            risks.append(f"{row['definition']}: {_pct(row['turnover'])} of its key accounts were no longer key "
                         "when re-scored one holdout-length later.")
    if "strategic_weight_turnover" in d:
        risks.append(
            f"strategic: perturbing the scorecard weights replaced {_pct(d['strategic_weight_turnover'])} of its key "
            f"accounts on average (up to {_pct(d['strategic_weight_turnover_p90'])} in one draw of ten): the weights "
            "are opinions."
        )
    if "roi_true" in t.columns:
        paying = [n for n in own.index if t.loc[n, "roi_true"] > 0]
        losing_roi = [n for n in own.index if t.loc[n, "roi_true"] <= 0]
        risks.append(
            f"key-account programme (effort {result.effort_cost:,.0f} + further cost {result.programme_cost:,.0f} "
            "per key account): with the true uplift it pays back for "
            f"{', '.join(paying) or 'no definition'}"
            + (f" and loses money for {', '.join(losing_roi)}." if losing_roi else ".")
        )
    if risks:
        lines.append("Risks that showed up:")
        lines.extend("- " + r for r in risks)
    if len(result.not_computable):
        parts = [f"{row.definition} (needs {row.missing})" for row in result.not_computable.itertuples()]
        lines.append("Not computable on this dataset: " + "; ".join(parts) + ".")
    return "\n".join(lines)
