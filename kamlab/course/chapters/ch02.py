"""Exercises of notebook 02 (customer lifetime value) on the CDNOW sample."""

from __future__ import annotations

import pandas as pd

from kamlab import clv, rfm
from kamlab.course.data import cached, dataset
from kamlab.course.registry import Exercise, Mistake, Part, register

MARGIN = 0.30      # the notebook's `margin` (CDNOW has no cost column)
HORIZON = 52       # `horizon_periods`
KEY_SHARE = 0.10   # `key_share`


@cached
def _calhold(name: str = "cdnow_sample", period_days: int = 7) -> pd.DataFrame:
    ds = dataset(name)
    return rfm.calibration_holdout(ds.transactions, ds.calibration_end, ds.observation_end,
                                   freq="D", freq_multiplier=period_days)


@cached
def _bgnbd(name: str = "cdnow_sample", period_days: int = 7):
    return clv.fit_bgnbd(_calhold(name, period_days))


@cached
def _gamma_gamma():
    calhold = _calhold()
    return clv.fit_gamma_gamma(calhold[(calhold["frequency_cal"] == 0) | (calhold["monetary_value_cal"] > 0)])


def _alpha_factor() -> float:
    return float(_bgnbd(period_days=1).params["alpha"] / _bgnbd().params["alpha"])


def _se_ratio(invert: bool = False) -> float:
    """Mean over the four BG/NBD parameters of (sample standard error / full-data standard error)."""
    ratio = _bgnbd().table()["std_error"] / _bgnbd("cdnow").table()["std_error"]
    ratio = ratio.dropna()
    return float((1 / ratio).mean() if invert else ratio.mean())


def _size_ratio() -> float:
    return len(_calhold("cdnow")) / len(_calhold())


def _quiet_top(filtered: bool = True) -> set[str]:
    calhold, model = _calhold(), _bgnbd()
    score = clv.probability_alive(model, calhold) * clv.expected_purchases(model, calhold, HORIZON)
    if filtered:
        score = score[calhold["frequency_holdout"] == 0]
    return set(score.nlargest(5).index)


def _clv_key(rate: float) -> pd.Index:
    calhold = _calhold()
    value = clv.discounted_clv(_bgnbd(), _gamma_gamma(), calhold, horizon=HORIZON, periods_per_year=52,
                               annual_discount_rate=rate) * MARGIN
    return value.nlargest(max(1, round(KEY_SHARE * len(value)))).index


def _key_changes() -> int:
    return len(_clv_key(0.0).difference(_clv_key(0.3)))


@cached
def _holdout_error(model: str) -> float:
    fit = clv.fit_mbgnbd(_calhold()) if model == "mbgnbd" else _bgnbd()
    return float(clv.holdout_check(fit, _calhold()).total_error)


register(Exercise(
    "02.1",
    parts=(Part("factor by which alpha changes", _alpha_factor, rtol=0.01,
                mistakes=(Mistake(lambda: 1 / _alpha_factor(), "inverted: alpha in days is the larger one "
                                  "(days-per-period times the weekly alpha)"),
                          Mistake(lambda: 1.0, "r, a and b do not change, but alpha does: it is measured in "
                                  "periods"))),),
    hints=("alpha is a scale of time (the rate is lambda ~ Gamma(r, alpha), in purchases per period); r, a, b "
           "have no units.",
           "Fit `clv.fit_bgnbd` on `rfm.calibration_holdout(..., freq_multiplier=1)` and divide the two alphas."),
    answer_format="alpha in days divided by alpha in weeks",
    parameters={"period_days": 1, "periods_per_year": 365},
    note="The predictions do not change: the model is the same, only its clock is.",
))

register(Exercise(
    "02.2",
    parts=(Part("standard error on the sample / on all of CDNOW", _se_ratio, rtol=0.15,
                too_high="standard errors shrink with the square root of the number of accounts",
                mistakes=(Mistake(_size_ratio, "that is the ratio of the numbers of accounts: standard errors "
                                  "shrink with its square root"),
                          Mistake(lambda: _se_ratio(invert=True), "inverted: divide the sample's standard error "
                                  "by the full data's"))),),
    hints=("Compare the `std_error` columns of `bgnbd.table()` on the two datasets, parameter by parameter.",
           "The full data have ten times the accounts; how does a standard error scale with n?"),
    answer_format="roughly how many times larger the sample's standard errors are (one number)",
    parameters={"dataset": "cdnow"},
))

register(Exercise(
    "02.3",
    parts=(Part("five accounts", _quiet_top, kind="set",
                mistakes=(Mistake(lambda: _quiet_top(filtered=False), "those include accounts that did buy in the "
                                  "holdout: keep only frequency_holdout == 0 first"),)),),
    hints=("score = ranking['p_alive'] * ranking['expected_purchases']; keep the accounts with "
           "calhold['frequency_holdout'] == 0; take the five largest.",
           "Look at their frequency, recency and T: how long had they been silent at the calibration end?"),
    answer_format="the set of the five customer_id values",
    note="What their histories share is in the model answer.",
))

register(Exercise(
    "02.4",
    parts=(Part("key accounts that change between 0 % and 30 %", _key_changes, rtol=0.0,
                too_high="count the accounts in one top-10 % list and not in the other",
                mistakes=(Mistake(lambda: len(_clv_key(0.0)), "that is the size of the key set: count only the "
                                  "accounts in one list and not in the other"),)),),
    hints=("Compute `clv.discounted_clv(..., annual_discount_rate=r)` for r = 0 and 0.3 and compare the "
           f"top {KEY_SHARE:.0%} of each.",
           "Discounting multiplies later periods by a factor that is the same for every account."),
    answer_format="how many of the top-10 % accounts by CLV at a 0 % rate are not in the top 10 % at 30 %",
    parameters={"annual_discount_rate": 0.3},
))

register(Exercise(
    "02.5",
    parts=(Part("MBG/NBD total holdout error", lambda: _holdout_error("mbgnbd"), share=True, rtol=0.0, atol=0.002,
                too_high="the total error is (predicted - actual) / actual: negative when the model under-predicts",
                mistakes=(Mistake(lambda: _holdout_error("bgnbd"), "that is BG/NBD's error: fit "
                                  "clv.fit_mbgnbd(calhold) and run clv.holdout_check on it"),
                          Mistake(lambda: -_holdout_error("mbgnbd"), "right size, wrong sign: the model "
                                  "predicts fewer purchases than happened"))),),
    hints=("`clv.holdout_check(clv.fit_mbgnbd(calhold), calhold).total_error`.",
           "Compare it with BG/NBD's total error in the notebook's summary table: closer to zero is better."),
    answer_format="MBG/NBD's total holdout error, (predicted - actual) / actual (share or per cent)",
))
