"""kamlab.economics: every formula against numbers worked by hand (shown in comments)."""

import math

import pytest

from kamlab import economics as ec


def test_margin_multiple_gupta_lehmann_table():
    # r = 0.8, d = 0.10: 0.8 / (1.1 - 0.8) = 2.667 (Gupta & Lehmann 2003, Table 1)
    assert ec.margin_multiple(0.8, 0.10) == pytest.approx(2.6667, abs=1e-4)
    # r = 0.9, d = 0.10: 0.9 / 0.2 = 4.5
    assert ec.margin_multiple(0.9, 0.10) == pytest.approx(4.5)
    # with 5 % margin growth: 0.8 / (1.1 - 0.84) = 3.0769
    assert ec.margin_multiple(0.8, 0.10, growth=0.05) == pytest.approx(3.0769, abs=1e-4)


def test_customer_value_infinite_and_finite():
    assert ec.customer_value(100, 0.8, 0.10) == pytest.approx(266.667, abs=1e-3)
    # 3 years: 100 (0.8/1.1 + 0.64/1.21 + 0.512/1.331) = 72.7273 + 52.8926 + 38.4673
    assert ec.customer_value(100, 0.8, 0.10, years=3) == pytest.approx(164.0872, abs=1e-4)
    assert ec.customer_value(100, 0.8, 0.10, years=0) == 0
    # the finite sum converges to the perpetuity
    assert ec.customer_value(100, 0.8, 0.10, years=400) == pytest.approx(ec.customer_value(100, 0.8, 0.10))
    # with growth, term t is m (1+g)^(t-1) r^t / (1+d)^t: 100*0.8/1.1 + 105*0.64/1.21 = 72.7273 + 55.5372
    assert ec.customer_value(100, 0.8, 0.10, years=2, growth=0.05) == pytest.approx(128.2645, abs=1e-4)
    # r = 1 and d = 0: q = 1, the value is m * years
    assert ec.customer_value(100, 1.0, 0.0, years=5) == pytest.approx(500)


def test_customer_value_rejects_infinite_value():
    with pytest.raises(ValueError, match="infinite"):
        ec.customer_value(100, 0.95, 0.10, growth=0.2)
    with pytest.raises(ValueError, match=r"retention must be in \[0, 1\)"):
        ec.margin_multiple(1.0, 0.1)


def test_cac_payback():
    # 500 (1 - 0.9^n) = 300  =>  n = ln 0.4 / ln 0.9 = 8.6967 months
    assert ec.cac_payback_periods(300, 50, 0.9) == pytest.approx(math.log(0.4) / math.log(0.9))
    assert ec.cac_payback_periods(300, 50, 0.9) == pytest.approx(8.6967, abs=1e-4)
    assert ec.cac_payback_periods(300, 50) == pytest.approx(6.0)
    # the cohort can never repay 500 or more: m / (1 - r) = 500
    assert ec.cac_payback_periods(500, 50, 0.9) == math.inf


def test_retention_versus_acquisition_improvement():
    c = ec.retention_vs_acquisition_improvement(100, 0.8, 0.10, 200)
    # base 266.667 - 200 = 66.667; r = 0.81: 81/0.29 = 279.310 -> gain 12.644; 1 % of CAC = 2
    assert c.base_value == pytest.approx(66.6667, abs=1e-4)
    assert c.retention_gain == pytest.approx(12.6437, abs=1e-4)
    assert c.acquisition_gain == pytest.approx(2.0)
    assert c.ratio == pytest.approx(6.3218, abs=1e-4)
    assert c.retention_gain_pct == pytest.approx(18.966, abs=1e-3)
    assert c.acquisition_gain_pct == pytest.approx(3.0)


def test_break_even_retention_spend():
    # like-for-like replacement: spend up to success * CAC
    assert ec.break_even_retention_spend(1000, 200, success=0.5) == pytest.approx(100)
    # the kept customer is worth 400 more than its replacement: 1000 - 600 + 200
    assert ec.break_even_retention_spend(1000, 200, value_new=600) == pytest.approx(600)
    # a replacement worth far more than the customer: better to let it go
    assert ec.break_even_retention_spend(100, 50, value_new=400) < 0


def test_acquisition_to_retention_cost_ratio():
    # 20 per targeted customer, 1 in 4 saved: 80 per saved customer; CAC 400 -> 5x
    assert ec.acquisition_to_retention_cost_ratio(400, 20, 0.25) == pytest.approx(5.0)
    # a campaign that saves 1 in 20 makes retention dearer than acquisition here
    assert ec.acquisition_to_retention_cost_ratio(400, 20, 0.05) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="save_rate"):
        ec.acquisition_to_retention_cost_ratio(400, 20, 0)


def test_breadwinner_decision():
    # budget 10 x 1000; keep 50000 - 10000 = 40000 vs acquire 10 x 3000 - 10000 = 20000
    d = ec.breadwinner_decision(50_000, 3_000, 1_000)
    assert (d.budget, d.keep_net, d.acquire_net, d.decision) == (10_000, 40_000, 20_000, "keep")
    assert d.break_even_value == 30_000
    assert ec.breadwinner_decision(25_000, 3_000, 1_000).decision == "acquire"
    # a 50 % chance of keeping halves the breadwinner's worth: break-even doubles
    assert ec.breadwinner_decision(50_000, 3_000, 1_000, success=0.5).break_even_value == 60_000
    assert ec.breadwinner_decision(5_000, 500, 1_000).decision == "neither"


def test_economics_figures_have_titles_and_labels():
    import pandas as pd

    from kamlab import plots

    figures = [
        plots.margin_multiple_curves(retention=0.8),
        plots.improvement_sensitivity(100, 0.10, 200, retention=0.8),
        plots.payback_curve(300, 50, 0.9),
        plots.channel_value_vs_cost(pd.DataFrame({"cost_per_install": [2.0, 5.0], "value_per_install": [3.0, 1.0]},
                                                 index=["organic", "paid"])),
    ]
    for fig in figures:
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    # the payback figure marks the payback computed by the formula: 8.7 months
    assert any("8.7 months" in t.get_text() for t in figures[2].axes[0].get_legend().get_texts())


def test_cumulative_margin_meets_the_acquisition_cost_at_payback():
    # hand-worked: m = 10, r = 0.5 -> 0, 10, 15, 17.5; payback of CAC 15 after exactly 2 periods
    assert ec.cumulative_margin(10, 0.5, 3) == pytest.approx([0, 10, 15, 17.5])
    assert ec.cac_payback_periods(15, 10, 0.5) == pytest.approx(2.0)
    assert ec.cumulative_margin(4, 1.0, 2) == [0, 4, 8]
    with pytest.raises(ValueError, match="retention"):
        ec.cumulative_margin(10, 0.0, 3)
