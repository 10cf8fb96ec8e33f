"""The one registry of key-account definitions (kamlab.definitions.registry)."""

import numpy as np
import pandas as pd
import pytest

from kamlab import compare
from kamlab import definitions as defs
from kamlab.definitions import Definition, DefinitionScore, NotComputable


def toy_summary(n=40):
    idx = pd.Index([f"c{i:03d}" for i in range(n)], name="customer_id")
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "frequency": rng.integers(0, 6, n).astype(float),
        "recency": rng.uniform(0, 50, n).round(), "T": 52.0,
        "monetary_value": rng.gamma(2, 50, n), "revenue": rng.gamma(2, 500, n),
    }, index=idx)


def most_orders(summary, accounts=None):
    """A toy eighth definition: the accounts with the most repeat purchases."""
    return MOST_ORDERS.result(summary["frequency"] + 1e-6 * summary["revenue"])


MOST_ORDERS = Definition(name="most_orders", score=most_orders, needs=("amount",), rescorable=True,
                         risk="a toy: frequent is not the same as valuable")


def test_registry_lists_every_definition_once_in_the_source_order():
    assert defs.DEFINITIONS == ("biggest", "mustnt_lose", "future_profit", "staff_focus", "extra_effort",
                                "demanding", "strategic")
    assert defs.BASELINES == ("random", "abc_a", "oracle")
    assert set(defs.RISKS) == set(defs.DEFINITIONS + defs.BASELINES)
    assert set(defs.RESCORABLE) == {"biggest", "mustnt_lose", "future_profit", "abc_a"}
    for entry in defs.REGISTRY:  # the public function of each entry is the one it declares
        public = defs.random_pick if entry.name == "random" else getattr(defs, entry.name)
        assert entry.score is public


def test_an_eighth_definition_is_scored_and_compared():
    summary = toy_summary()
    registry = defs.REGISTRY + (MOST_ORDERS,)
    scored = defs.score_all(summary, None, registry=registry)
    assert list(scored)[-1] == "most_orders" and isinstance(scored["most_orders"], DefinitionScore)
    assert scored["most_orders"].note == MOST_ORDERS.risk
    outcomes = pd.DataFrame({"revenue": summary["frequency"] * 100 + 1}, index=summary.index)
    result = compare.compare_definitions(scored, outcomes, k=5, n_bootstrap=0, registry=registry)
    row = result.table.set_index("definition").loc["most_orders"]
    assert row["kind"] == "definition"
    top = defs.select(scored["most_orders"], k=5)
    assert row["revenue_captured"] == pytest.approx(outcomes.loc[top, "revenue"].sum() / outcomes["revenue"].sum())
    assert "most_orders" in result.overlap.index and "most_orders" in set(result.gains["definition"])


def test_a_definition_must_come_after_the_ones_it_uses():
    uses_later = Definition(name="early", score=most_orders, needs=(), risk="", inputs=("most_orders",))
    with pytest.raises(ValueError, match="must be registered before it"):
        defs.check_registry((uses_later, MOST_ORDERS))
    with pytest.raises(ValueError, match="registered twice"):
        defs.check_registry((MOST_ORDERS, MOST_ORDERS))
    defs.check_registry((MOST_ORDERS, uses_later))


def test_score_all_passes_each_entry_only_its_declared_inputs():
    summary = toy_summary()
    scored = defs.score_all(summary, None, seed=7, inputs={"pilot": None})
    assert scored["random"].scores.equals(defs.random_pick(summary, seed=7).scores)
    assert isinstance(scored["oracle"], NotComputable)  # no truth given
    only = defs.score_all(summary, None, names=("biggest", "abc_a"))
    assert list(only) == ["biggest", "abc_a"]


def test_extra_effort_takes_future_profits_expectation_as_its_baseline():
    from test_definitions import pilot_world, simulated_summary

    summary_fp = simulated_summary(n=400)
    _, accounts, pilot, _ = pilot_world(n=400)
    summary = summary_fp.set_axis(accounts.index)
    fp = defs.future_profit(summary, horizon=26)
    linked = defs.extra_effort(summary, accounts, pilot=pilot, future_profit=fp)
    np.testing.assert_allclose(linked.baseline, fp.expected_value)
    assert linked.horizon_days == pytest.approx(fp.horizon_days) == pytest.approx(365 * 26 / 52)
    np.testing.assert_allclose(linked.scores, linked.lift * fp.expected_value)
    # a future_profit that could not be computed leaves the run-rate baseline
    missing = defs.extra_effort(summary, accounts, pilot=pilot, future_profit=NotComputable("future_profit", (), ()))
    assert missing.baseline_source.startswith("run-rate")


def test_future_profit_returns_its_models_by_name():
    from test_definitions import simulated_summary

    from kamlab import clv

    summary = simulated_summary(seed=2)
    fp = defs.future_profit(summary, horizon=30, annual_discount_rate=0.1)
    assert isinstance(fp, defs.FutureProfitScore) and fp.purchase_model == "BG/NBD"
    assert fp.spend_model == "Gamma-Gamma" and isinstance(fp.spend, clv.FittedModel)
    undiscounted = clv.discounted_clv(fp.purchases, fp.spend, summary, horizon=30, periods_per_year=52,
                                      annual_discount_rate=0.0)
    np.testing.assert_allclose(fp.expected_value, undiscounted * fp.margin)
    assert (fp.expected_value >= fp.scores - 1e-9).all()  # discounting only lowers the value
    assert not hasattr(fp, "details")


def test_pilot_outcomes_needs_the_pilot_length():
    tx = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2023-01-01"]), "amount": [1.0]})
    with pytest.raises(TypeError):
        defs.pilot_outcomes(tx, "2023-12-31")  # no default length: it is a fact of the data
    with pytest.raises(ValueError, match="pilot_days must be >= 1"):
        defs.pilot_outcomes(tx, "2023-12-31", pilot_days=0)
