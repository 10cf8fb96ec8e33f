"""kamlab.survival.cox_regression against lifelines (test-only oracle)."""

import numpy as np
import pytest

from kamlab import survival as sv


from survival_samples import grouped_sample as _grouped_sample  # noqa: E402


def test_cox_equals_lifelines_with_efron_ties_on_rossi():
    from lifelines import CoxPHFitter
    from lifelines.datasets import load_rossi

    rossi = load_rossi()                     # recidivism, weeks: many tied event times
    covariates = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    ref = CoxPHFitter().fit(rossi, duration_col="week", event_col="arrest")
    ours = sv.cox_regression(rossi, covariates, duration_col="week", event_col="arrest")
    np.testing.assert_allclose(ours.table.loc[covariates, "coef"], ref.params_[covariates], atol=1e-4)
    np.testing.assert_allclose(ours.table.loc[covariates, "se"], ref.standard_errors_[covariates], atol=1e-4)
    np.testing.assert_allclose(ours.table["hazard_ratio"], np.exp(ours.table["coef"]))
    assert ours.log_likelihood == pytest.approx(ref.log_likelihood_, abs=1e-6)
    assert ours.n_events == rossi["arrest"].sum()


def test_cox_codes_text_columns_against_the_first_level():
    from lifelines import CoxPHFitter

    frame = _grouped_sample(seed=5).assign(size=lambda f: np.random.default_rng(1).normal(size=len(f)))
    ours = sv.cox_regression(frame, ["group", "size"])
    assert list(ours.table.index) == ["group[b]", "group[c]", "size"]
    dummies = sv.cox_design(frame, ["group", "size"]).assign(d=frame["duration_days"], e=frame["churned"])
    ref = CoxPHFitter().fit(dummies, duration_col="d", event_col="e")
    np.testing.assert_allclose(ours.table["coef"], ref.params_[ours.table.index], atol=1e-4)


def test_cox_rejects_constant_and_missing_covariates():
    frame = _grouped_sample().assign(const=1.0, gap=lambda f: f["duration_days"].where(f.index != 4))
    with pytest.raises(ValueError, match=r"covariate\(s\) const do not vary") as err:
        sv.cox_regression(frame, ["const", "gap"])
    assert "gap are missing for 1 accounts (4)" in str(err.value)   # both problems, together


