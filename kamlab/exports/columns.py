"""The exported files' columns, in their stable order, and what each column means (README.txt)."""

from __future__ import annotations

from kamlab.data.account_columns import ATTRIBUTES
from kamlab.definitions import BASELINES, DEFINITIONS

#: Definitions and baselines, in the order of every export.
NAMES = DEFINITIONS + BASELINES
#: The four key-client types (kamlab.client_types), columns of accounts.csv.
TYPES = ("breadwinner", "prospect", "image_maker", "expert")
_MONEY = ("revenue", "profit", "clv", "revenue_holdout", "profit_holdout", "value_lost", "cost_to_serve")

#: Unit and meaning of each column (README.txt); {cal}, {end}: the window ends; {window}, {asof},
#: {horizon}: the window a file describes (see :func:`_readme`).
COLUMN_DOCS = {
    "customer_id": "the account's id, as in the data",
    "revenue": "currency units: sum of the amounts in the {window}",
    "profit": "currency units: revenue minus cost of goods in the {window} (blank without a cost column)",
    "orders": "purchase days in the {window} (order lines of one day are one order)",
    "frequency": "repeat purchase days in the {window} (orders - 1), as the BTYD models count",
    "first_purchase": "date of the first purchase",
    "last_purchase": "date of the last purchase in the {window}",
    "recency_days": "days from the last purchase to the end of the calibration window ({cal})",
    "clv": "currency units: predicted discounted revenue over the holdout's length after {cal} "
           "(at the study's discount rate; the purchase and spend models are named in the notes)",
    "p_alive": "probability (0-1) that the account was still a customer on {asof} (1 under NBD: no dropout)",
    "expected_purchases": "purchase weeks the purchase model expects in the {horizon}",
    "revenue_holdout": "currency units: what the account bought in the holdout window, after {cal} to {end}",
    "profit_holdout": "currency units: holdout revenue minus cost of goods, minus cost-to-serve when the "
                      "accounts file gives it (blank without a cost column)",
    "abc": "A, B or C by calibration revenue (A: the largest accounts making 80 %, B: the next 15 %)",
    "xyz": "X, Y or Z by the variability of quarterly revenue (X steady, Z erratic or short history)",
    "breadwinner": "1/0: brings >= 10 % of calibration profit (blank without cost)",
    "prospect": "1/0: top-20 % growth potential, not yet top-20 % revenue (blank without growth_potential)",
    "image_maker": "1/0: top-20 % influence, else referrals (blank without them)",
    "expert": "1/0: top-20 % service tickets, else cost-to-serve (blank without them)",
    "tier": "key, important, customers or difficult, from loyalty and strategic fit (blank without strategic_fit)",
    "days_silent": "days from the last purchase to the observation end ({end})",
    "value_lost": "currency units per year: profit (revenue without cost) of the account's last year as a customer",
    "rank": "1 = the most key account of the definition",
    "score": "the definition's score (unit: see the score_ columns of accounts.csv)",
}
SCORE_UNITS = {
    "biggest": "calibration revenue, currency units",
    "mustnt_lose": "share of total calibration gross profit (0-1)",
    "future_profit": "predicted discounted profit over the holdout's length, currency units",
    "staff_focus": "staff hours",
    "extra_effort": "estimated extra profit from key-account effort in the holdout, currency units",
    "demanding": "service tickets (cost-to-serve, currency units, without tickets)",
    "strategic": "weighted scorecard of percentile ranks (0-1)",
    "random": "a seeded random number (baseline)",
    "abc_a": "calibration revenue; key = the ABC class A (baseline, at its own size)",
    "oracle": "true future value, currency units (synthetic worlds only)",
}
_OUTCOME_WORDS = {"revenue": "holdout revenue", "profit": "holdout profit", "true_value": "true future value (synthetic)"}
#: Unit and meaning of each column of comparison.csv.
COMPARISON_DOCS = {
    "definition": "the definition or baseline", "kind": "definition or baseline",
    "computable": "1/0: could it be scored on this dataset", "reason": "why not (blank when computable)",
    "n_key": "number of key accounts it selected",
    **{f"{o}_captured": f"share (0-1) of the {w} brought by the key accounts" for o, w in _OUTCOME_WORDS.items()},
    **{f"{o}_captured_{b}": f"{b}er bound of the confidence interval of {o}_captured (bootstrap; delta method above 200,000 accounts)"
       for o in _OUTCOME_WORDS for b in ("low", "high")},
    **{f"{o}_lift": f"{o}_captured / share of accounts selected (1 = what random selection gets)"
       for o in _OUTCOME_WORDS},
    "precision": "share of the key accounts among the oracle's top k (synthetic)",
    "recall": "share of the oracle's top k among the key accounts (synthetic)",
    "cost_to_serve_share": "share (0-1) of the holdout cost-to-serve that the key accounts take",
    "losing_accounts": "key accounts with a holdout loss (profit < 0)",
    **{f"uplift_{u}": f"currency units: extra holdout profit if the key accounts get the programme ({w})"
       for u, w in (("true", "the world's truth, synthetic"), ("estimated", "estimated from the pilot"))},
    **{f"net_gain_{u}": f"currency units: uplift_{u} minus the programme's cost" for u in ("true", "estimated")},
    **{f"roi_{u}": f"net_gain_{u} / the programme's cost" for u in ("true", "estimated")},
    "turnover": "share (0-1) of key accounts not key again on the next window (blank: not re-scored)",
}
ACCOUNT_COLUMNS = ("customer_id", "revenue", "profit", "orders", "frequency", "first_purchase", "last_purchase",
                   "recency_days", "clv", "p_alive", "expected_purchases", "revenue_holdout", "profit_holdout",
                   "abc", "xyz") + TYPES + ("tier",) + ATTRIBUTES + tuple(
                       f"{part}_{name}" for name in NAMES for part in ("score", "rank", "key"))
KEY_COLUMNS = ("rank", "customer_id", "score", "revenue", "profit", "clv", "p_alive", "last_purchase",
               "revenue_holdout", "profit_holdout")
WIN_BACK_COLUMNS = ("customer_id", "first_purchase", "last_purchase", "days_silent", "orders", "revenue",
                    "profit", "value_lost")
AT_RISK_COLUMNS = ("customer_id", "p_alive", "last_purchase", "days_silent", "orders", "revenue", "profit",
                   "expected_purchases")
COMPARISON_COLUMNS = ("definition", "kind", "computable", "reason", "n_key") + tuple(
    f"{o}_{part}" for o in ("revenue", "profit", "true_value")
    for part in ("captured", "captured_low", "captured_high", "lift")) + (
    "precision", "recall", "cost_to_serve_share", "losing_accounts", "uplift_true", "net_gain_true", "roi_true",
    "uplift_estimated", "net_gain_estimated", "roi_estimated", "turnover")
