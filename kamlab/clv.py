"""Customer lifetime value: BTYD models through lifetimes, predictions, holdout checks.

Thin, careful adapters over the ``lifetimes`` fitters:

* BG/NBD (Fader, Hardie & Lee 2005a) and Pareto/NBD (Schmittlein, Morrison &
  Colombo 1987) for the number of future purchases of a non-contractual customer;
* Gamma-Gamma (Fader, Hardie & Lee 2005b; Fader & Hardie 2013, note 025) for the
  average spend per purchase;
* BG/BB (Fader, Hardie & Shang 2010) for discrete transaction opportunities.

Every ``fit_*`` takes a per-account summary with the column names of
:mod:`kamlab.rfm` (``frequency``, ``recency``, ``T``, ``monetary_value``; or the
``*_cal`` columns of a calibration/holdout split, see :func:`as_rfm`), checks it
and names the offending accounts, fits on the unique rows with their counts as
weights (identical maximum-likelihood estimates, much faster), and returns a
frozen :class:`FittedModel`. Time is in whatever period the summary uses (days
for ``summarise_rfm(freq="D")``, weeks for ``freq="W"``); every horizon below is
in that same period.

The rough edges of lifetimes 0.11 on current pandas/scipy are handled here:
Pareto/NBD gets standard errors and a log-likelihood (lifetimes' ``summary``
raises), its random starting point is replaced by a fixed one (deterministic
fits), and log-likelihoods are reported on the caller's time scale (lifetimes
fits on time rescaled to max(T) = 1).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from kamlab.acquisition import value_per_install  # noqa: F401  (moved; re-export until callers move)
from kamlab.economics import customer_value as contractual_clv  # noqa: F401  (re-export)

__all__ = [
    "PUBLISHED",
    "SummaryError",
    "FitError",
    "FittedModel",
    "HoldoutCheck",
    "as_rfm",
    "compress",
    "in_weeks",
    "fit_bgnbd",
    "fit_pareto_nbd",
    "fit_mbgnbd",
    "fit_gamma_gamma",
    "fit_bgbb",
    "expected_purchases",
    "probability_alive",
    "expected_spend",
    "discounted_clv",
    "holdout_check",
    "holdout_value_check",
    "value_per_install",
    "contractual_clv",
]

_RFM = ("frequency", "recency", "T")
_BGBB = ("frequency", "recency", "periods")


#: Published estimates, for side-by-side tables. BG/NBD and Pareto/NBD on the
#: 2,357-customer CDNOW sample, weeks (Fader, Hardie & Lee 2005a, section 5);
#: Gamma-Gamma on its 946 repeat buyers (Fader & Hardie 2013, note 025); BG/BB on
#: the donations data (Fader, Hardie & Shang 2010, Table 2).
PUBLISHED: dict[str, dict[str, float]] = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4},
    "pareto_nbd": {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67, "log_likelihood": -9595.0},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
    "bgbb": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783, "log_likelihood": -33225.6},
}


class SummaryError(ValueError):
    """A per-account summary that a model cannot use; the message lists every problem."""


@dataclass(frozen=True)
class FittedModel:
    """A fitted BTYD or spend model.

    Attributes
    ----------
    name : str
        ``"bgnbd"``, ``"pareto_nbd"``, ``"mbgnbd"``, ``"gamma_gamma"`` or ``"bgbb"``.
    params : Series
        Maximum-likelihood estimates, named as in the papers (``r, alpha, a, b``;
        ``r, alpha, s, beta``; ``p, q, v`` with ``v`` = the paper's gamma;
        ``alpha, beta, gamma, delta``). Rate parameters are in the summary's period.
    standard_errors : Series or None
        Asymptotic standard errors from the inverse Hessian of the negative
        log-likelihood at the estimate: lifetimes' own (autograd) where it has
        them, a numerical Hessian (statsmodels ``approx_hess``) for Pareto/NBD,
        where lifetimes has none. None if the Hessian is not positive definite
        (the estimate sits on a flat ridge; the errors are not available).
    log_likelihood : float
        Maximised log-likelihood on the caller's time scale (summed over accounts).
    n_accounts : int
        Accounts the model was fitted on (sum of the weights).
    n_patterns : int
        Distinct rows actually passed to the optimiser after compression.
    model : object
        The fitted lifetimes fitter, for anything this module does not wrap.
    """

    name: str
    params: pd.Series
    standard_errors: pd.Series | None
    log_likelihood: float
    n_accounts: int
    n_patterns: int
    model: Any

    def table(self) -> pd.DataFrame:
        """Estimates and standard errors side by side (NaN where not available)."""
        se = self.standard_errors if self.standard_errors is not None else np.nan
        return pd.DataFrame({"estimate": self.params, "std_error": se})

    def beside(self, published: dict[str, float]) -> pd.DataFrame:
        """Estimates, standard errors and published values side by side, with the log-likelihood as a last row."""
        table = self.table()
        table.loc["log_likelihood", "estimate"] = self.log_likelihood
        table["published"] = pd.Series(published, dtype=float)
        return table


# --------------------------------------------------------------------------- input


def as_rfm(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with kamlab.rfm column names, renaming calibration columns.

    ``kamlab.rfm.calibration_holdout`` names its calibration columns
    ``frequency_cal, recency_cal, T_cal, monetary_value_cal``; models are fitted on
    the calibration window, so those become ``frequency, recency, T,
    monetary_value``. A summary that already has the plain names is returned as is
    (holdout columns are kept under their own names).
    """
    if not isinstance(summary, pd.DataFrame):
        raise SummaryError(f"expected a DataFrame summary, got {type(summary).__name__}")
    if "frequency" in summary.columns:
        return summary
    renames = {
        f"{c}_cal": c for c in ("frequency", "recency", "T", "monetary_value") if f"{c}_cal" in summary
    }
    return summary.rename(columns=renames)


def _check(summary: pd.DataFrame, needs: tuple[str, ...], what: str) -> pd.DataFrame:
    """Validate a summary for a model; raise SummaryError listing every problem."""
    summary = as_rfm(summary)
    missing = [c for c in needs if c not in summary.columns]
    if missing:
        raise SummaryError(
            f"{what}: summary lacks column(s) {missing}; it has {list(summary.columns)}. "
            "Build it with kamlab.rfm.summarise_rfm (or calibration_holdout) or rename your columns."
        )
    if len(summary) == 0:
        raise SummaryError(f"{what}: the summary is empty (no accounts); nothing to fit.")
    problems: list[str] = []

    def accounts(mask: pd.Series) -> str:
        ids = list(summary.index[mask.to_numpy()][:5])
        more = f" and {int(mask.sum()) - 5} more" if mask.sum() > 5 else ""
        return f"{int(mask.sum())} account(s) ({', '.join(map(str, ids))}{more})"

    for col in needs:
        values = pd.to_numeric(summary[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0))
        if bad.any():
            problems.append(f"column {col!r}: {accounts(bad)} have a missing or non-numeric value")
        neg = values < 0
        if neg.any() and col != "monetary_value":  # spend is checked by fit_gamma_gamma
            problems.append(f"column {col!r}: {accounts(neg)} are negative")
    if not problems:
        f = summary["frequency"].astype(float)
        nonint = f != np.floor(f)
        if nonint.any():
            problems.append(f"column 'frequency': {accounts(nonint)} are not whole numbers of repeat purchases")
        if "recency" in needs:
            longer = "T" if "T" in needs else "periods"
            late = summary["recency"] > summary[longer]
            if late.any():
                problems.append(
                    f"recency > {longer} for {accounts(late)}: the last purchase cannot come after the "
                    "end of observation; check the observation end date and the time unit of both columns"
                )
            odd = (f == 0) & (summary["recency"] != 0)
            if odd.any():
                problems.append(
                    f"frequency 0 but recency != 0 for {accounts(odd)}: with no repeat purchase the "
                    "recency must be 0 (lifetimes convention)"
                )
    if problems:
        raise SummaryError(f"{what}: the summary has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return summary


def compress(summary: pd.DataFrame, columns: tuple[str, ...] = _RFM) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- fitting


def _standard_errors(nll_total: Callable[[np.ndarray], float], params: np.ndarray, names) -> pd.Series | None:
    """Standard errors from the numerical Hessian of the total negative log-likelihood.

    The Hessian is taken in log-parameters (all parameters are positive), then
    transformed: Var(theta) = diag(theta) H_log^-1 diag(theta) (delta method),
    which equals the inverse of the Hessian in theta at the maximum.
    """
    from statsmodels.tools.numdiff import approx_hess

    log_p = np.log(params)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hess = approx_hess(log_p, lambda lp: nll_total(np.exp(lp)))
    try:
        cov_log = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    var = np.diag(cov_log) * params**2
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        return None
    return pd.Series(np.sqrt(var), index=names)


class FitError(ValueError):
    """The optimiser found no maximum of the likelihood (too few or degenerate data)."""


def _run_fit(fit: Callable[[], Any], what: str, n_accounts: float, n_patterns: int) -> Any:
    """Run a lifetimes fit quietly; turn its ConvergenceError (printed, then raised) into FitError."""
    from lifetimes.utils import ConvergenceError

    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return fit()
        except ConvergenceError as failure:
            raise FitError(
                f"{what}: the likelihood maximisation did not converge on {int(n_accounts):,} accounts "
                f"({n_patterns:,} distinct patterns). The data may be too few or too uniform for the model; "
                "collect a longer calibration window, or pass penalizer=0.001 to regularise the fit."
            ) from failure


def _lifetimes_standard_errors(fitter) -> pd.Series | None:
    """lifetimes' standard errors (autograd Hessian in log-parameters, delta method), or None if not finite."""
    se = pd.Series(fitter.standard_errors_, dtype=float)
    return se if np.all(np.isfinite(se.to_numpy())) and np.all(se.to_numpy() > 0) else None


def _fit_counting(
    name: str,
    summary: pd.DataFrame,
    *,
    compressed: bool,
    penalizer: float,
) -> FittedModel:
    """Shared fitting path of BG/NBD, Pareto/NBD and MBG/NBD."""
    import lifetimes

    summary = _check(summary, _RFM, f"fit_{name}")
    data = compress(summary) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1
    )
    x = data["frequency"].to_numpy().astype(int)
    tx = data["recency"].to_numpy().astype(float)
    T = data["T"].to_numpy().astype(float)
    w = data["weights"].to_numpy().astype(float)

    what, n = f"fit_{name}", len(data)
    if name == "pareto_nbd":
        cls = lifetimes.ParetoNBDFitter

        def nll_total(p):
            return cls._negative_log_likelihood(p, x, tx, T, w, 0.0) * w.mean()

        # lifetimes starts from a random point; a fixed one makes fits reproducible.
        # BFGS reaches the same maximum as lifetimes' default Nelder-Mead in about a
        # third of the likelihood evaluations; Nelder-Mead is the fallback.
        fitter = _run_fit(lambda: cls(penalizer_coef=penalizer).fit(
            x, tx, T, weights=w, initial_params=np.ones(4), tol=1e-6, fit_method="BFGS"), what, w.sum(), n)
        with np.errstate(all="ignore"):
            ok = np.all(fitter.params_ > 0) and np.isfinite(nll_total(fitter.params_.to_numpy()))
        if not ok:
            fitter = _run_fit(lambda: cls(penalizer_coef=penalizer).fit(
                x, tx, T, weights=w, initial_params=np.ones(4), tol=1e-6), what, w.sum(), n)
    else:
        cls = lifetimes.BetaGeoFitter if name == "bgnbd" else lifetimes.ModifiedBetaGeoFitter
        fitter = _run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, tx, T, weights=w), what, w.sum(), n)

        def nll_total(p):
            return float(cls._negative_log_likelihood(np.log(p), x, tx, T, w, 0.0)) * w.sum()

    params = fitter.params_.astype(float).copy()
    p = params.to_numpy()
    return FittedModel(
        name=name,
        params=params,
        standard_errors=_standard_errors(nll_total, p, params.index) if name == "pareto_nbd"
        else _lifetimes_standard_errors(fitter),
        log_likelihood=-float(nll_total(p)),
        n_accounts=int(round(w.sum())),
        n_patterns=len(data),
        model=fitter,
    )


def fit_bgnbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the BG/NBD model of repeat purchasing (lifetimes ``BetaGeoFitter``).

    While active, account i buys at Poisson rate lambda_i ~ Gamma(r, alpha); after
    each repeat purchase it drops out with probability p_i ~ Beta(a, b). The
    likelihood of (x, t_x, T) is

        L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
            + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))

    (Fader, Hardie & Lee 2005a, eq. 6).

    Parameters
    ----------
    summary : DataFrame
        One row per account with ``frequency`` (repeat purchases), ``recency`` (age
        at last purchase) and ``T`` (age at the end of observation), in one time
        unit; the ``*_cal`` columns of a calibration/holdout split are accepted.
    compressed : bool
        Fit on unique (frequency, recency, T) rows weighted by their counts (same
        estimate, faster). False passes every account to lifetimes.
    penalizer : float
        lifetimes' L2 penalty on the parameters; 0 gives the maximum-likelihood fit.

    Returns
    -------
    FittedModel
        ``params`` r, alpha (in the summary's time unit), a, b.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
    the easy way: An alternative to the Pareto/NBD model. Marketing Science 24(2).
    """
    return _fit_counting("bgnbd", summary, compressed=compressed, penalizer=penalizer)


def fit_pareto_nbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the Pareto/NBD model (lifetimes ``ParetoNBDFitter``).

    While alive, account i buys at Poisson rate lambda_i ~ Gamma(r, alpha); its
    unobserved lifetime is exponential with rate mu_i ~ Gamma(s, beta). The
    likelihood of (x, t_x, T) is eq. (18) of Fader & Hardie (2005, note 009).
    Unlike lifetimes alone, the result has standard errors (numerical Hessian)
    and a log-likelihood, and the optimiser (BFGS, falling back to lifetimes'
    Nelder-Mead) starts from a fixed point (r = alpha = s = beta = 1), so fits are
    reproducible.

    Parameters and returns as :func:`fit_bgnbd`; ``params`` are r, alpha, s, beta
    (alpha and beta in the summary's time unit).

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your
    customers: Who are they and what will they do next? Management Science 33(1).
    """
    return _fit_counting("pareto_nbd", summary, compressed=compressed, penalizer=penalizer)


def fit_mbgnbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the MBG/NBD model (lifetimes ``ModifiedBetaGeoFitter``).

    As BG/NBD, but an account can also drop out right after its first purchase,
    so zero-repeat accounts may be inactive (Batislam, Denizel & Filiztekin 2007;
    Wagner & Hoppe 2008). Parameters and returns as :func:`fit_bgnbd`.
    """
    return _fit_counting("mbgnbd", summary, compressed=compressed, penalizer=penalizer)


def fit_gamma_gamma(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the Gamma-Gamma model of spend per purchase (lifetimes ``GammaGammaFitter``).

    Each purchase of account i has value z ~ Gamma(p, nu_i), nu_i ~ Gamma(q, v);
    the mean spend m_x of x purchases has density (Fader & Hardie 2013, note 025)

        f(m_x | p, q, v, x) = Gamma(px+q) / (Gamma(px) Gamma(q))
                              * v^q m_x^(px-1) x^(px) / (v + m_x x)^(px+q)

    Fitted on accounts with at least one repeat purchase (frequency > 0) only,
    whose ``monetary_value`` is the mean value of their repeat purchases; the
    model assumes spend is independent of purchase frequency (check the
    correlation before relying on it).

    Parameters
    ----------
    summary : DataFrame
        ``frequency`` and ``monetary_value`` (currency units per purchase).
    compressed, penalizer
        As :func:`fit_bgnbd`.

    Returns
    -------
    FittedModel
        ``params`` p, q, v (v is the paper's gamma, in currency units).

    Raises
    ------
    SummaryError
        If a repeat buyer has a non-positive monetary value (returns netted out),
        naming the accounts, or if no account has a repeat purchase.
    """
    import lifetimes

    summary = _check(summary, ("frequency", "monetary_value"), "fit_gamma_gamma")
    repeat = summary[summary["frequency"] > 0]
    if len(repeat) == 0:
        raise SummaryError("fit_gamma_gamma: no account has a repeat purchase (frequency > 0); nothing to fit.")
    bad = repeat["monetary_value"] <= 0
    if bad.any():
        ids = ", ".join(map(str, repeat.index[bad.to_numpy()][:5]))
        raise SummaryError(
            f"fit_gamma_gamma: {int(bad.sum())} repeat buyer(s) have monetary_value <= 0 ({ids}); "
            "the Gamma-Gamma model needs positive spend per purchase. Net returns against the "
            "purchases they belong to, or leave those accounts out before fitting."
        )
    cols = ("frequency", "monetary_value")
    data = compress(repeat, cols) if compressed else repeat.assign(
        weights=repeat["weights"] if "weights" in repeat else 1
    )
    x = data["frequency"].to_numpy().astype(float)
    m = data["monetary_value"].to_numpy().astype(float)
    w = data["weights"].to_numpy().astype(float)
    cls = lifetimes.GammaGammaFitter
    fitter = _run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, m, weights=w), "fit_gamma_gamma", w.sum(), len(data))

    def nll_total(p):
        return float(cls._negative_log_likelihood(np.log(p), x, m, w, 0.0)) * w.sum()

    params = fitter.params_.astype(float).copy()
    return FittedModel(
        name="gamma_gamma",
        params=params,
        standard_errors=_lifetimes_standard_errors(fitter),
        log_likelihood=-nll_total(params.to_numpy()),
        n_accounts=int(round(w.sum())),
        n_patterns=len(data),
        model=fitter,
    )


def fit_bgbb(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the BG/BB model for discrete transaction opportunities (lifetimes ``BetaGeoBetaBinomFitter``).

    At each of n opportunities an alive account transacts with probability
    p ~ Beta(alpha, beta) and, after each opportunity, dies with probability
    theta ~ Beta(gamma, delta). The likelihood of (x, t_x, n) is eq. (5) of
    Fader, Hardie & Shang (2010).

    Parameters
    ----------
    summary : DataFrame
        ``frequency`` (opportunities with a transaction, after the first),
        ``recency`` (opportunity of the last one) and ``periods`` (n); an optional
        ``weights`` column counts accounts per row (published pattern tables).
    compressed, penalizer
        As :func:`fit_bgnbd`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in
    a discrete-time noncontractual setting. Marketing Science 29(6).
    """
    import lifetimes

    summary = _check(summary, _BGBB, "fit_bgbb")
    data = compress(summary, _BGBB) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1
    )
    x = data["frequency"].to_numpy().astype(int)
    tx = data["recency"].to_numpy().astype(int)
    n = data["periods"].to_numpy().astype(int)
    w = data["weights"].to_numpy().astype(float)
    cls = lifetimes.BetaGeoBetaBinomFitter
    fitter = _run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, tx, n, weights=w), "fit_bgbb", w.sum(), len(data))

    def nll_total(p):
        return float(cls._negative_log_likelihood(np.log(p), x, tx, n, w, 0.0)) * w.sum()

    params = fitter.params_.astype(float).copy()
    return FittedModel(
        name="bgbb",
        params=params,
        standard_errors=_lifetimes_standard_errors(fitter),
        log_likelihood=-nll_total(params.to_numpy()),
        n_accounts=int(round(w.sum())),
        n_patterns=len(data),
        model=fitter,
    )


# --------------------------------------------------------------------------- predictions


def _per_pattern(summary: pd.DataFrame, columns: tuple[str, ...], func) -> pd.Series:
    """Evaluate func(*columns as arrays) once per unique row, mapped back to accounts."""
    keys = summary.loc[:, list(columns)].astype(float)
    unique = keys.drop_duplicates()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = np.asarray(func(*(unique[c].to_numpy() for c in columns)), dtype=float)
    unique = unique.assign(_value=values)
    merged = keys.merge(unique, on=list(columns), how="left")
    return pd.Series(merged["_value"].to_numpy(), index=summary.index)


def _require(fit: FittedModel, names: tuple[str, ...], what: str) -> None:
    if not isinstance(fit, FittedModel):
        raise TypeError(f"{what}: expected a FittedModel from kamlab.clv.fit_*, got {type(fit).__name__}")
    if fit.name not in names:
        raise ValueError(f"{what}: needs a fit from {', '.join('fit_' + n for n in names)}, got fit_{fit.name}")


def expected_purchases(fit: FittedModel, summary: pd.DataFrame, horizon: float) -> pd.Series:
    """Expected number of purchases of each account in the next ``horizon`` periods.

    E[X(T, T + t) | x, t_x, T]: BG/NBD eq. (10) of Fader, Hardie & Lee (2005a);
    Pareto/NBD eq. (41) of Fader & Hardie (note 009); BG/BB eq. (13) of Fader,
    Hardie & Shang (2010), where ``horizon`` counts transaction opportunities.

    Parameters
    ----------
    fit : FittedModel
        From :func:`fit_bgnbd`, :func:`fit_pareto_nbd`, :func:`fit_mbgnbd` or :func:`fit_bgbb`.
    summary : DataFrame
        Accounts to predict for, same columns and time unit as the fit.
    horizon : float
        Length of the future window, in the summary's period (e.g. 39 for 39 weeks).

    Returns
    -------
    Series
        Expected purchases per account (a count), indexed like ``summary``.
    """
    _require(fit, ("bgnbd", "pareto_nbd", "mbgnbd", "bgbb"), "expected_purchases")
    if horizon < 0:
        raise ValueError(f"expected_purchases: horizon must be >= 0 periods, got {horizon}")
    if fit.name == "bgbb":
        s = _check(summary, _BGBB, "expected_purchases")
        out = _per_pattern(
            s, _BGBB, lambda x, tx, n: fit.model.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, n)
        )
    else:
        s = _check(summary, _RFM, "expected_purchases")
        out = _per_pattern(
            s, _RFM, lambda x, tx, T: fit.model.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, T)
        )
    return out.rename("expected_purchases")


def probability_alive(fit: FittedModel, summary: pd.DataFrame) -> pd.Series:
    """Probability that each account is still active at the end of observation.

    P(alive | x, t_x, T): BG/NBD eq. (11) of Fader, Hardie & Lee (2005b, note 021),
    Pareto/NBD eq. (37) of note 009, BG/BB eq. (A10) of Fader, Hardie & Shang (2010).
    """
    _require(fit, ("bgnbd", "pareto_nbd", "mbgnbd", "bgbb"), "probability_alive")
    if fit.name == "bgbb":
        s = _check(summary, _BGBB, "probability_alive")
        out = _per_pattern(s, _BGBB, lambda x, tx, n: fit.model.conditional_probability_alive(0, x, tx, n))
    else:
        s = _check(summary, _RFM, "probability_alive")
        out = _per_pattern(s, _RFM, lambda x, tx, T: fit.model.conditional_probability_alive(x, tx, T))
    return out.rename("probability_alive")


def expected_spend(fit: FittedModel, summary: pd.DataFrame) -> pd.Series:
    """Expected value of each account's future purchases (currency units per purchase).

    E[Z | m_x, x] = (q - 1)/(p x + q - 1) * p v/(q - 1) + p x/(p x + q - 1) * m_x
    (Fader & Hardie 2013, note 025, eq. 5): a weighted average of the population
    mean p v/(q - 1) and the account's own mean spend m_x, with more weight on
    m_x the more repeat purchases x it has. Accounts with x = 0 get the
    population mean.
    """
    _require(fit, ("gamma_gamma",), "expected_spend")
    p, q, v = (float(fit.params[k]) for k in ("p", "q", "v"))
    if q <= 1:
        raise ValueError(
            f"expected_spend: the fitted q = {q:.3f} <= 1, so the population mean spend p v/(q-1) "
            "is not defined; the spend data are too heavy-tailed for Gamma-Gamma"
        )
    s = _check(summary, ("frequency",), "expected_spend")
    x = s["frequency"].astype(float)
    m = s["monetary_value"].astype(float).where(x > 0, 0.0) if "monetary_value" in s else None
    if m is None:
        raise SummaryError("expected_spend: summary lacks column 'monetary_value' (mean spend per repeat purchase)")
    weight = p * x / (p * x + q - 1)
    return ((1 - weight) * p * v / (q - 1) + weight * m).rename("expected_spend")


def discounted_clv(
    purchases: FittedModel,
    spend: FittedModel | pd.Series,
    summary: pd.DataFrame,
    *,
    horizon: float,
    periods_per_year: float,
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    steps_per_year: int = 12,
) -> pd.Series:
    """Discounted expected margin of each account over the next ``horizon`` periods.

    CLV_i = margin * E[spend_i] * sum_k (E[X_i(t_k)] - E[X_i(t_{k-1})]) / (1 + d)^(t_k / P)

    with t_k = min(k * P / steps_per_year, horizon) the end of step k (in periods),
    P = ``periods_per_year`` and d = ``annual_discount_rate``: purchases expected in
    each step are valued at the expected spend and discounted from the end of that
    step (lifetimes' ``customer_lifetime_value`` uses the same scheme with monthly
    steps).

    Parameters
    ----------
    purchases : FittedModel
        A counting model (BG/NBD, Pareto/NBD, MBG/NBD) for E[X(t)].
    spend : FittedModel or Series
        A Gamma-Gamma fit (expected spend per purchase, :func:`expected_spend`) or
        a Series of spend per purchase per account in currency units.
    summary : DataFrame
        Accounts, with the columns of both models.
    horizon : float
        Length of the future window, in the summary's period (e.g. 365 days, 52 weeks).
    periods_per_year : float
        Periods in a year for the summary's unit: 365 for days, 52 for weeks, 12 for months.
    annual_discount_rate : float
        Discount rate per year, e.g. 0.10 (10 %).
    margin : float
        Share of spend kept as profit, in (0, 1]; 1 gives discounted revenue.
    steps_per_year : int
        Discounting steps per year (12 = monthly).

    Returns
    -------
    Series
        Discounted CLV per account in currency units, indexed like ``summary``.
    """
    _require(purchases, ("bgnbd", "pareto_nbd", "mbgnbd"), "discounted_clv")
    if horizon <= 0 or periods_per_year <= 0 or steps_per_year < 1:
        raise ValueError("discounted_clv: horizon, periods_per_year and steps_per_year must be positive")
    if annual_discount_rate <= -1:
        raise ValueError(f"discounted_clv: annual_discount_rate must be > -1, got {annual_discount_rate}")
    s = _check(summary, _RFM, "discounted_clv")
    value = expected_spend(spend, s) if isinstance(spend, FittedModel) else spend.reindex(s.index)
    if value.isna().any():
        missing = list(value.index[value.isna()][:5])
        raise SummaryError(f"discounted_clv: no spend value for {int(value.isna().sum())} account(s) ({missing})")
    step = periods_per_year / steps_per_year
    ends = np.minimum(np.arange(1, math.ceil(horizon / step - 1e-9) + 1) * step, horizon)
    factors = (1 + annual_discount_rate) ** (-ends / periods_per_year)

    def discounted_count(x, tx, T):
        previous, total = 0.0, 0.0
        for end, factor in zip(ends, factors):
            cum = purchases.model.conditional_expected_number_of_purchases_up_to_time(end, x, tx, T)
            total = total + (cum - previous) * factor
            previous = cum
        return total

    counts = _per_pattern(s, _RFM, discounted_count)
    return (margin * value * counts).rename("clv")


# --------------------------------------------------------------------------- holdout


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted versus actual holdout purchases.

    Attributes
    ----------
    accounts : DataFrame
        Per account: ``frequency_cal``, ``predicted``, ``actual``, ``error`` (predicted - actual).
    by_frequency : DataFrame
        Mean actual and predicted holdout purchases and account count per
        calibration frequency, the last row pooling frequency >= ``max_frequency``.
    mae : float
        Mean absolute error per account (purchases).
    total_predicted, total_actual : float
        Aggregate holdout purchases.
    total_error : float
        (total_predicted - total_actual) / total_actual, a share.
    """

    accounts: pd.DataFrame
    by_frequency: pd.DataFrame
    mae: float
    total_predicted: float
    total_actual: float
    total_error: float


def holdout_check(fit: FittedModel, calhold: pd.DataFrame, *, horizon: float | None = None,
                  max_frequency: int = 7) -> HoldoutCheck:
    """Compare a counting model's predictions with the purchases made in the holdout.

    predicted_i = E[X_i(T_i, T_i + h_i) | calibration history], h_i the holdout
    length (``duration_holdout`` per account, or ``horizon`` for all), against
    actual_i = ``frequency_holdout``. The per-frequency table is the standard
    "conditional expectations" validation of Fader, Hardie & Lee (2005a, Fig. 4).

    Parameters
    ----------
    fit : FittedModel
        A counting model fitted on the calibration window.
    calhold : DataFrame
        From ``kamlab.rfm.calibration_holdout``: ``frequency_cal``, ``recency_cal``,
        ``T_cal``, ``frequency_holdout`` and ``duration_holdout`` (same time unit).
    horizon : float, optional
        Holdout length in periods, overriding ``duration_holdout``.
    max_frequency : int
        Calibration frequencies at or above this are pooled in ``by_frequency``.
    """
    _require(fit, ("bgnbd", "pareto_nbd", "mbgnbd"), "holdout_check")
    needs = ["frequency_holdout"] + ([] if horizon is not None else ["duration_holdout"])
    missing = [c for c in needs if c not in calhold.columns]
    if missing:
        raise SummaryError(
            f"holdout_check: calhold lacks {missing}; build it with kamlab.rfm.calibration_holdout "
            "or pass horizon= for the holdout length"
        )
    s = _check(calhold, _RFM, "holdout_check")
    h = pd.Series(float(horizon), index=s.index) if horizon is not None else s["duration_holdout"].astype(float)
    frame = s.loc[:, list(_RFM)].astype(float).assign(h=h.to_numpy())
    predicted = _per_pattern(
        frame,
        (*_RFM, "h"),
        lambda x, tx, T, hh: fit.model.conditional_expected_number_of_purchases_up_to_time(hh, x, tx, T),
    )
    actual = s["frequency_holdout"].astype(float)
    accounts = pd.DataFrame(
        {
            "frequency_cal": s["frequency"].astype(int),
            "predicted": predicted,
            "actual": actual,
            "error": predicted - actual,
        }
    )
    group = accounts["frequency_cal"].clip(upper=max_frequency)
    by = accounts.groupby(group).agg(
        accounts=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    by.index.name = "frequency_cal"
    total_p, total_a = float(predicted.sum()), float(actual.sum())
    return HoldoutCheck(
        accounts=accounts,
        by_frequency=by,
        mae=float(accounts["error"].abs().mean()),
        total_predicted=total_p,
        total_actual=total_a,
        total_error=(total_p - total_a) / total_a if total_a else float("nan"),
    )


def holdout_value_check(
    purchases: FittedModel, spend: FittedModel, calhold: pd.DataFrame, *, groups: int = 10
) -> pd.DataFrame:
    """Predicted versus actual holdout revenue, by group of predicted value.

    predicted_i = E[X_i(holdout) | calibration] * E[spend_i | calibration], compared
    with actual_i = ``revenue_holdout``. Accounts are ranked by predicted value and
    cut into ``groups`` equal-count groups (1 = highest predicted); a ratio
    predicted / actual above 1 means the model over-values that group. This is
    where a ranking by CLV (the "future profit" definition) pays for its errors.

    Parameters
    ----------
    purchases, spend : FittedModel
        A counting model and a Gamma-Gamma fit, both on the calibration window.
    calhold : DataFrame
        From ``kamlab.rfm.calibration_holdout`` (needs ``revenue_holdout`` and
        ``duration_holdout`` besides the calibration columns).
    groups : int
        Number of groups (10 = deciles).

    Returns
    -------
    DataFrame
        Indexed by ``group`` (1..groups): ``accounts``, ``predicted`` and ``actual``
        (mean holdout revenue per account, currency units), ``ratio``
        (predicted / actual) and ``share_with_no_purchase`` (share of the group's
        accounts that bought nothing in the holdout).
    """
    if "revenue_holdout" not in calhold.columns:
        raise SummaryError("holdout_value_check: calhold lacks 'revenue_holdout'; build it with kamlab.rfm.calibration_holdout")
    check = holdout_check(purchases, calhold)
    s = as_rfm(calhold)
    predicted = check.accounts["predicted"] * expected_spend(spend, s)
    actual = s["revenue_holdout"].astype(float)
    rank = predicted.rank(method="first", ascending=False)
    group = np.ceil(rank * groups / len(rank)).astype(int).rename("group")
    frame = pd.DataFrame({"predicted": predicted, "actual": actual, "none": check.accounts["actual"] == 0})
    out = frame.groupby(group).agg(
        accounts=("predicted", "size"),
        predicted=("predicted", "mean"),
        actual=("actual", "mean"),
        share_with_no_purchase=("none", "mean"),
    )
    out.insert(3, "ratio", out["predicted"] / out["actual"])
    return out
