"""The study pipeline of kamlab.compare: windows decided once, definitions scored once, named helpers."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from kamlab import compare, datasets
from kamlab import definitions as defs


@pytest.fixture(scope="module")
def b2b():
    return datasets.load("b2b")


def quick(ds, **kw):
    return compare.run_comparison(ds, share=0.1, n_bootstrap=0, sensitivity_draws=0, turnover=False, **kw)


def test_calibration_end_is_decided_once_and_travels_in_the_windows(b2b):
    result = quick(b2b, calibration_end="2023-06-30")
    w = result.windows
    assert isinstance(w, compare.Windows) and w.calibration_end == pd.Timestamp("2023-06-30")
    assert w.holdout_days == (w.observation_end - w.calibration_end).days
    assert w.summary.index.equals(result.accounts.index)
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.calibration_end = pd.Timestamp("2023-01-01")
    # the pilot is the last pilot_days of that calibration window
    ee = result.scores["extra_effort"]
    pilot = defs.pilot_outcomes(b2b.transactions, w.calibration_end, pilot_days=b2b.pilot_days)
    assert ee.pilot_days == b2b.pilot_days
    assert ee.n_treated + ee.n_control == int((pilot["log_aov_ratio"].notna()
                                               & b2b.accounts["kam_pilot"].reindex(pilot.index).notna()).sum())


def test_each_definition_is_scored_once_and_extra_effort_uses_future_profits_expectation(b2b, monkeypatch):
    from kamlab.definitions import uplift, value

    calls = {"lift": 0, "clv": 0}
    fit, fit_value_model = uplift._fit, value.clv.fit_value_model

    def counting_fit(*args, **kwargs):
        calls["lift"] += 1
        return fit(*args, **kwargs)

    def counting_value_model(*args, **kwargs):
        calls["clv"] += 1
        return fit_value_model(*args, **kwargs)

    monkeypatch.setattr(uplift, "_fit", counting_fit)
    monkeypatch.setattr(value.clv, "fit_value_model", counting_value_model)
    result = quick(b2b)
    assert calls == {"lift": 1, "clv": 1}
    fp, ee = result.scores["future_profit"], result.scores["extra_effort"]
    np.testing.assert_allclose(ee.baseline, fp.expected_value.reindex(ee.baseline.index))
    assert ee.horizon_days == result.windows.holdout_days
    d = result.diagnostics
    assert d.future_profit_predicted == pytest.approx(fp.expected_value.reindex(result.selections["future_profit"]).sum())


def test_pilot_length_comes_from_the_dataset_or_the_caller(b2b):
    assert quick(b2b, pilot_days=91).scores["extra_effort"].pilot_days == 91
    undocumented = dataclasses.replace(b2b, pilot_days=None)
    missing = quick(undocumented).scores["extra_effort"]
    assert isinstance(missing, defs.NotComputable) and missing.missing == ("pilot_days",)


def test_calibration_summary_strips_the_suffix():
    frame = pd.DataFrame({"revenue_cal": [1.0], "T_cal": [5.0], "revenue_holdout": [2.0], "staff_hours": [3.0]})
    out = compare.calibration_summary(frame)
    assert list(out.columns) == ["revenue", "T"] and out.iloc[0].tolist() == [1.0, 5.0]


def test_most_and_least_alike_pairs():
    names = ["a", "b", "c"]
    overlap = pd.DataFrame([[1, .5, .1], [.5, 1, .5], [.1, .5, 1]], index=names, columns=names, dtype=float)
    alike = compare.most_and_least_alike(overlap, names)
    assert alike.most == ("a", "b", 0.5)  # a tie goes to the pair listed first
    assert alike.least == ("a", "c", 0.1) and alike.n_pairs == 3 and alike.median == 0.5
    assert compare.most_and_least_alike(overlap, ["b", "x"]) is None  # one set: no pair
    assert len(compare.pair_overlaps(overlap, ["c", "a"])) == 1


def test_headline_metric_is_profit_when_there_is_profit(b2b):
    result = quick(b2b)
    assert compare.headline_metric(result) == "profit"
    revenue_only = dataclasses.replace(result, table=result.table.drop(
        columns=[c for c in result.table.columns if c.startswith("profit")]))
    assert compare.headline_metric(revenue_only) == "revenue"
    assert "holdout revenue" in compare.conclusion(revenue_only)
