"""Exercises of notebook 05 (Pareto, ABC and XYZ) on the B2B world, and CDNOW as the contrast."""

from __future__ import annotations

import pandas as pd

from kamlab import segments
from kamlab.course.data import cached, dataset
from kamlab.course.registry import Exercise, Mistake, Part, register
from kamlab.rfm import day_after

ABC_B_CUT, XYZ_CUTS, MIN_PERIODS, TOP = 0.95, (0.5, 1.0), 3, 0.20   # the notebook's defaults
TARGET_A, TARGET_SLACK = 50, 5          # exercise 1: "a class A of about 50 accounts"


@cached
def _table(name: str = "b2b", period: str = "Q") -> pd.DataFrame:
    ds = dataset(name)
    end = ds.calibration_end
    return segments.account_table(ds.transactions[ds.transactions["date"] < day_after(end)], ds.accounts, end=end, freq=period)


def _class_a(cut: float) -> pd.Series:
    table = _table()
    return segments.abc_classes(table["revenue"], cuts=(cut, ABC_B_CUT)) == "A"


def _a_count(cut: float) -> int:
    return int(_class_a(cut).sum())


def _a_revenue_share(cut: float) -> float:
    revenue = _table()["revenue"]
    return float(revenue[_class_a(cut)].sum() / revenue.sum())


def _about_fifty(cut) -> bool:
    return 0 < float(cut) < ABC_B_CUT and abs(_a_count(float(cut)) - TARGET_A) <= TARGET_SLACK


def _x_count(period: str) -> int:
    return int((segments.xyz_classes(_table(period=period), cuts=XYZ_CUTS, min_periods=MIN_PERIODS) == "X").sum())


@cached
def _types(share: float, name: str = "b2b"):
    return segments.key_client_types(_table(name), dataset(name).accounts, breadwinner_share=share, top=TOP)


def _breadwinners(share: float, experts_too: bool = False) -> int:
    types = _types(share).table
    found = types["breadwinner"] & types["expert"] if experts_too else types["breadwinner"]
    return int(found.sum())


def _prospect_growth(base: str = "year", prospects: bool = True) -> float:
    """Holdout-year revenue / revenue of the last calibration year (or the whole calibration window) - 1."""
    ds = dataset("b2b")
    tx, end = ds.transactions, ds.calibration_end
    ids = _table().index[_types(0.10).table["prospect"]]
    ids = ids if prospects else _table().index.difference(ids)
    start = end - pd.Timedelta(days=365) if base == "year" else tx["date"].min() - pd.Timedelta(days=1)
    mine = tx[tx["customer_id"].isin(ids)]
    before = mine.loc[(mine["date"] > start) & (mine["date"] < day_after(end)), "amount"].sum()
    after = mine.loc[mine["date"] >= day_after(end), "amount"].sum()
    return float(after / before - 1)


def _not_computable(name: str = "cdnow", with_tiers: bool = True) -> set[str]:
    sections = set(_types(0.10, name).not_computable)
    accounts = dataset(name).accounts
    if with_tiers and (accounts is None or "strategic_fit" not in accounts):
        sections.add("tiers")
    return sections


register(Exercise(
    "05.1",
    parts=(Part("class A accounts at abc_a_cut = 0.5", lambda: _a_count(0.5), rtol=0.0,
                mistakes=(Mistake(lambda: _a_count(0.8), "that is class A at the default cut 0.8"),)),
           Part("their share of revenue", lambda: _a_revenue_share(0.5), share=True,
                mistakes=(Mistake(lambda: _a_revenue_share(0.8), "that is class A's share at the default cut"),
                          Mistake(lambda: _a_count(0.5) / len(_table()), "that is their share of *accounts*"))),
           Part("a cut giving about 50 class-A accounts", lambda: _about_fifty, kind="predicate",
                example=lambda: next(c / 100 for c in range(5, 95) if _about_fifty(c / 100)))),
    hints=("The printed line under the ABC table gives class A's count and revenue share.",
           "Class A grows with the cut; try a few cuts with `segments.abc_classes(table['revenue'], cuts=(c, 0.95))`."),
    answer_format="(class-A accounts at 0.5, their share of revenue, a cut giving 45-55 class-A accounts)",
    parameters={"abc_a_cut": 0.5},
))

register(Exercise(
    "05.2",
    parts=(Part("class X accounts with months", lambda: _x_count("M"), rtol=0.0,
                mistakes=(Mistake(lambda: _x_count("Q"), "that is the count with quarters: set xyz_period = \"M\""),)),),
    hints=("Read the X row of the XYZ table after setting `xyz_period = \"M\"`.",
           "An account that orders a few times a year has many empty months: its monthly revenue is erratic."),
    answer_format="how many accounts are class X with monthly periods (a count)",
    parameters={"xyz_period": "M"},
    note="Which period fits eight orders a year is in the model answer.",
))

register(Exercise(
    "05.3",
    parts=(Part("breadwinners at 2 %", lambda: _breadwinners(0.02), rtol=0.0,
                mistakes=(Mistake(lambda: _breadwinners(0.10), "that is the count at the default 10 %: set "
                                  "breadwinner_share = 0.02"),)),
           Part("of them also experts", lambda: _breadwinners(0.02, experts_too=True), rtol=0.0,
                mistakes=(Mistake(lambda: _breadwinners(0.10, experts_too=True), "that is the count at the default "
                                  "10 %: set breadwinner_share = 0.02"),))),
    hints=("`types.table` has one boolean column per type: `types.table['breadwinner'] & types.table['expert']`.",
           "An expert is in the top 20 % by service tickets."),
    answer_format="(number of breadwinners at 2 %, how many of them are also experts)",
    parameters={"breadwinner_share": 0.02},
))

register(Exercise(
    "05.4",
    parts=(Part("prospects' revenue growth", _prospect_growth, share=True, rtol=0.0, atol=0.002,
                mistakes=(Mistake(lambda: _prospect_growth(base="window"), "that compares one holdout year with "
                                  "the two-year calibration window: compare one year with one year"),
                          Mistake(lambda: _prospect_growth(prospects=False), "that is the other accounts' growth"))),),
    hints=("Prospects: `types.table['prospect']`. Sum their revenue after `ds.calibration_end` and in the "
           "365 days up to it.",
           "Growth = holdout-year revenue / last calibration year's revenue - 1; compare with the other accounts."),
    answer_format="prospects' revenue growth from the last calibration year to the holdout year (share or per cent)",
))

register(Exercise(
    "05.5",
    parts=(Part("sections not computable on cdnow", _not_computable, kind="set",
                aliases={"image-maker": "image_maker", "imagemaker": "image_maker", "breadwinners": "breadwinner",
                         "prospects": "prospect", "experts": "expert", "five_tiers": "tiers", "tier": "tiers"},
                mistakes=(Mistake(lambda: _not_computable(with_tiers=False), "the five tiers need an accounts "
                                  "table too"),)),),
    hints=("CDNOW has transactions only: no cost, no accounts table.",
           "Name the key-client types and the other sections that print 'not computable' (e.g. 'tiers')."),
    answer_format="the set of sections that say 'not computable': key-client type names and/or 'tiers'",
    parameters={"dataset": "cdnow", "second_dataset": ""},
))
