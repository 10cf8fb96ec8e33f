"""Exercises of notebook 00 (start here): concentration on CDNOW, the validation report."""

from __future__ import annotations

from kamlab import concentration
from kamlab.course.data import cached, dataset, revenue_per_customer
from kamlab.course.registry import Exercise, Mistake, Part, register


def _top(name: str, share: float, until: str | None = None) -> float:
    return concentration.top_share(revenue_per_customer(name, until), share)


def _calibration_end() -> str:
    return str(dataset("cdnow").calibration_end.date())


@cached
def _orders_gini(repeat_only: bool = False, days: bool = False) -> float:
    tx = dataset("cdnow").transactions
    counts = tx.groupby("customer_id")["date"].nunique() if days else tx.groupby("customer_id").size()
    return concentration.gini(counts - 1 if repeat_only else counts)


register(Exercise(
    "00.1",
    parts=(Part("top 10 % share of revenue", lambda: _top("cdnow", 0.1), share=True,
                too_high="is it the top 10 % of customers, not the top 20 %?",
                too_low="did you sort customers from largest to smallest?",
                mistakes=(Mistake(lambda: _top("cdnow", 0.2), "that is the top 20 % share of the default "
                                  "parameters: set top_share = 0.1 and rerun"),
                          Mistake(lambda: _top("cdnow", 0.5), "that is the top half's share (top_share = 0.5)"))),),
    hints=("The printed line after the Pareto curve reads the curve at `top_share`.",
           "`kamlab.concentration.top_share(revenue, 0.1)` gives it directly."),
    answer_format="the share of revenue the top 10 % of customers bring (0.xx or per cent)",
    parameters={"top_share": 0.1},
    note="Compare with the 80/20 rule in the model answer.",
))

register(Exercise(
    "00.2",
    parts=(Part("top 20 % share of calibration revenue", lambda: _top("cdnow", 0.2, _calibration_end()), share=True,
                too_high="did you keep only the rows dated on or before ds.calibration_end?",
                mistakes=(Mistake(lambda: _top("cdnow", 0.2), "that is the share over all 18 months: filter "
                                  "ds.transactions to dates <= ds.calibration_end first"),)),),
    hints=("Filter the transactions first, then sum revenue per customer, then take the top share.",
           "`kamlab.concentration.top_share(window.groupby('customer_id')['amount'].sum(), 0.2)`."),
    answer_format="the top-20 % share of revenue over the 9-month calibration window (0.xx or per cent)",
    note="The model answer explains why a short window is less concentrated.",
))

register(Exercise(
    "00.3",
    parts=(Part("Gini of orders per customer", lambda: _orders_gini(), rtol=0.0, atol=0.002,
                too_high="did you count orders (rows), not revenue?",
                mistakes=(Mistake(lambda: concentration.gini(revenue_per_customer("cdnow")),
                                  "that is the Gini of revenue: count orders per customer instead"),
                          Mistake(lambda: _orders_gini(repeat_only=True),
                                  "that counts repeat orders only (orders - 1): count every order"),
                          Mistake(lambda: _orders_gini(days=True),
                                  "that counts days with an order: count rows (`.size()`), as the exercise says"))),),
    hints=("`ds.transactions.groupby('customer_id').size()` counts the orders of each customer.",
           "Pass that Series to `kamlab.concentration.gini`."),
    answer_format="the Gini coefficient of the number of orders per customer (0-1)",
))

register(Exercise(
    "00.4",
    open_ended=True,
    hints=("Rename the header `Client` to `Clinet` and load again with customer_col='Client': read the message.",
           "Load with returns='net' and bad_rows='drop' and read the 'dropped' line about returns."),
))

register(Exercise(
    "00.5",
    parts=(Part("top 20 % share on cdnow_sample", lambda: _top("cdnow_sample", 0.2), share=True,
                mistakes=(Mistake(lambda: _top("cdnow", 0.2), "that is the full dataset's share: set "
                                  "dataset = \"cdnow_sample\" and rerun"),)),),
    hints=("Only the `dataset` parameter changes; the printed top-share line gives the answer.",
           "`kamlab.datasets.load('cdnow_sample')` is the 10 % sample."),
    answer_format="the top-20 % share of revenue on the 10 % sample (0.xx or per cent)",
    parameters={"dataset": "cdnow_sample"},
))
