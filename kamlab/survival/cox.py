"""Cox proportional hazards regression through statsmodels ``PHReg`` (Efron ties)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kamlab.data import format_rows, require_columns

from ._checks import DURATIONS_HINT, check_durations


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional hazards model."""

    table: pd.DataFrame       # per covariate: coef, se, hazard_ratio, hr_lower, hr_upper, p_value
    n_accounts: int
    n_events: int
    log_likelihood: float
    alpha: float
    results: Any              # statsmodels PHRegResults, for .summary()


def cox_design(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix for Cox regression.

    Numeric columns are kept; booleans become 0/1; text or categorical columns
    become one indicator per level except the first (sorted) level, named
    ``column[level]``, so hazard ratios read "relative to the first level".
    """
    require_columns(frame, list(covariates), what="the covariate frame", hint="Join the account attributes first.")
    parts = []
    for col in covariates:
        x = frame[col]
        if pd.api.types.is_bool_dtype(x):
            parts.append(x.astype(float).rename(col))
        elif pd.api.types.is_numeric_dtype(x):
            parts.append(x.astype(float).rename(col))
        else:
            levels = sorted(x.dropna().astype(str).unique())
            for level in levels[1:]:
                parts.append((x.astype(str) == level).astype(float).where(x.notna()).rename(f"{col}[{level}]"))
    return pd.concat(parts, axis=1)


def cox_regression(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    duration_col: str = "duration_days",
    event_col: str = "churned",
    alpha: float = 0.05,
) -> CoxResult:
    """Cox proportional hazards regression through statsmodels ``PHReg`` (Efron ties).

        h(t | x) = h0(t) exp(x' b),     hazard ratio of a covariate = exp(b)

    b maximises Cox's partial likelihood with Efron's (1977) correction for tied
    event times; the interval is exp(b +- z se). A hazard ratio below 1 means the
    covariate lowers the churn hazard (longer lifetimes).

    Parameters
    ----------
    frame : DataFrame
        One row per account with duration, event and covariate columns.
    covariates : sequence of str
        Columns to use; see :func:`cox_design` for how text columns are coded.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. JRSS B 34, 187-220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored
    data. JASA 72, 557-565.
    """
    from statsmodels.duration.hazard_regression import PHReg

    require_columns(frame, [duration_col, event_col], what="the Cox frame", hint=DURATIONS_HINT)
    if not covariates:
        raise ValueError("give at least one covariate")
    design = cox_design(frame, covariates)
    problems = []
    missing = design.isna().any(axis=1).to_numpy()
    if missing.any():
        cols = list(design.columns[design.isna().any()])
        problems.append(f"covariate(s) {', '.join(cols)} are missing for {missing.sum()} accounts "
                        f"({format_rows(frame.index[missing])}); fill or drop these accounts")
    constant = [c for c in design.columns if design[c].nunique(dropna=True) < 2]
    if constant:
        problems.append(f"covariate(s) {', '.join(constant)} do not vary; drop them (no hazard ratio can be estimated)")
    if problems:
        raise ValueError("Cox regression cannot run:\n  - " + "\n  - ".join(problems))
    time = frame[duration_col].to_numpy(dtype=float)
    status = frame[event_col].to_numpy().astype(float)
    check_durations(time, status, (duration_col, event_col))
    model = PHReg(time, design.to_numpy(), status=status.astype(int), ties="efron")
    results = model.fit(method="newton", tol=1e-10, maxiter=200)
    z = stats.norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(results.params), np.asarray(results.bse)
    table = pd.DataFrame({"coef": coef, "se": se, "hazard_ratio": np.exp(coef),
                          "hr_lower": np.exp(coef - z * se), "hr_upper": np.exp(coef + z * se),
                          "p_value": np.asarray(results.pvalues)}, index=pd.Index(design.columns, name="covariate"))
    return CoxResult(table=table, n_accounts=len(time), n_events=int(status.sum()),
                     log_likelihood=float(results.llf), alpha=alpha, results=results)
