"""The comparison written for reading (kamlab.compare.narrative, .tables, .decision): Markdown prose and tables."""

import dataclasses
import math
import re

import numpy as np
import pytest

from kamlab import compare, datasets, synth
from kamlab.compare import narrative, tables
from kamlab.compare.decision import decision_markdown
from kamlab.datasets import Dataset

#: What must never show in text for a reader: Python's missing values and containers.
RAW = re.compile(r"\b(nan|inf|infinity|NaT|None)\b|[\[\]{}]", re.IGNORECASE)


@pytest.fixture(scope="module")
def small():
    world = synth.b2b_accounts(n_accounts=150, years=2, seed=3)
    ds = Dataset(name="b2b", transactions=world.transactions, accounts=world.accounts, truth=world.truth,
                 calibration_end=world.calibration_end, observation_end=world.observation_end,
                 pilot_days=int(world.params["pilot_days"]))
    return compare.run_comparison(ds, share=0.1, n_bootstrap=50, sensitivity_draws=10, seed=0)


@pytest.fixture(scope="module")
def revenue_only():
    return compare.run_comparison(datasets.load("cdnow_sample"), k=200, n_bootstrap=50, turnover=False)


def all_markdown(result, decision):
    return {
        "conclusion": narrative.conclusion_markdown(result),
        "captions": narrative.capture_markdown(result),
        "decision": decision_markdown(decision),
        "main table": tables.markdown_table(tables.main_table(result)),
        "other table": tables.markdown_table(tables.other_table(result)),
        "overview": tables.markdown_table(tables.definitions_overview(result)),
    }


def test_formatting_for_reading():
    assert narrative.number(156080) == "156,080" and narrative.number(20321689.04, 2) == "20,321,689.04"
    assert narrative.percent(0.829) == "82.9 %" and narrative.percent(-0.151) == "-15.1 %"
    assert narrative.money(1364.4) == "1,364 currency units" and narrative.money(5, "EUR") == "5 EUR"
    assert narrative.money(5, "$") == "5 \\$"  # a dollar sign is not the start of a formula on the page
    for missing in (float("nan"), float("inf"), -math.inf, None, np.nan):
        assert narrative.number(missing) == narrative.percent(missing) == narrative.money(missing) == "—"
    assert narrative.names_sentence(["mustnt_lose", "future_profit", "strategic"]) == \
        "mustnt_lose, future_profit and strategic"
    assert narrative.names_sentence(["a", "b"]) == "a and b" and narrative.names_sentence(["a"]) == "a"
    assert narrative.names_sentence([]) == ""
    assert tables.currency_of(datasets.Dataset(name="x")) == "currency units"
    assert tables.currency_of(dataclasses.make_dataclass("D", [("currency", str)])("EUR")) == "EUR"


def test_prose_and_tables_have_no_raw_python(small):
    texts = all_markdown(small, compare.decide(small, n_bootstrap=50))
    for what, text in texts.items():
        assert text and not RAW.search(text.replace("—", "")), (what, RAW.search(text))
    # money and counts of thousands carry separators
    assert re.search(r"\d,\d{3} currency units", texts["conclusion"])
    assert re.search(r"\d,\d{3} currency units", texts["decision"])


def test_conclusion_markdown_is_the_conclusion_as_markdown(small):
    text = narrative.conclusion_markdown(small)
    t = small.table.set_index("definition")
    own = t[t["kind"] == "definition"]
    best = own["profit_captured"].idxmax()
    assert f"{best} captured the most holdout profit: {narrative.percent(own.loc[best, 'profit_captured'])}" in text
    # the risks are a Markdown bullet list after a blank line, one bullet per plain-text risk line
    plain_risks = [line for line in compare.conclusion(small).splitlines() if line.startswith("- ")]
    assert "**Risks that showed up:**\n\n- " in text
    assert len([line for line in text.splitlines() if line.startswith("- ")]) == len(plain_risks) > 0
    # lists of definitions read as sentences
    paying = [n for n in own.index if t.loc[n, "roi_true"] > 0]
    if len(paying) > 1:
        ordered = [n for n in own.sort_values("profit_captured", ascending=False, kind="stable").index if n in paying]
        assert narrative.names_sentence(ordered) in text
    # change the numbers and the prose follows
    flipped = small.table.copy()
    flipped.loc[flipped["definition"] == "demanding", "profit_captured"] = 5.0
    assert "demanding captured the most holdout profit: 500.0 %" in narrative.conclusion_markdown(
        dataclasses.replace(small, table=flipped))


def test_missing_values_read_as_a_dash_with_a_footnote(small):
    holed = small.table.copy()
    holed.loc[holed["definition"] == "oracle", "precision"] = np.nan
    holed.loc[holed["definition"] == "biggest", "profit_captured_low"] = np.nan
    holed.loc[holed["definition"] == "biggest", "net_gain_estimated"] = np.inf
    result = dataclasses.replace(small, table=holed)
    for text in (narrative.capture_markdown(result), tables.markdown_table(tables.main_table(result)),
                 tables.markdown_table(tables.other_table(result))):
        assert "—" in text and narrative.MISSING_NOTE in text and not RAW.search(text.replace("—", ""))
    main = tables.main_table(result).set_index("definition")
    assert main.loc["biggest", "programme net gain (est., currency units)"] == "—"
    assert main.loc["biggest", "share of holdout profit captured (95 % CI)"].endswith("(— to " + narrative.number(
        100 * small.table.set_index("definition").loc["biggest", "profit_captured_high"], 1) + ")")
    # nothing missing, no footnote
    assert narrative.MISSING_NOTE not in narrative.capture_markdown(small)


def test_main_table_has_what_a_reader_needs_first_in_order(small):
    main = tables.main_table(small, currency="EUR")
    columns = list(main.columns)
    assert columns[:2] == ["definition", "key accounts"]
    assert columns[2] == "share of holdout profit captured (95 % CI)"
    assert columns[3:5] == ["lift", "losing accounts"]
    assert columns[5] == "programme net gain (est., EUR)"
    t = small.table.set_index("definition")
    assert list(main["definition"]) == list(t.index)
    row, shown = t.loc["mustnt_lose"], main.set_index("definition").loc["mustnt_lose"]
    assert shown.iloc[1] == (f"{100 * row['profit_captured']:.1f} % ({100 * row['profit_captured_low']:.1f} to "
                             f"{100 * row['profit_captured_high']:.1f})")
    assert shown.iloc[2] == f"{row['profit_lift']:.2f}" and shown.iloc[3] == f"{int(row['losing_accounts'])}"
    assert list(main[columns[5]]) == [f"{x:,.0f}" for x in t["net_gain_estimated"]]
    assert any("," in cell for cell in main[columns[5]])  # thousands separators


def test_other_table_holds_the_rest(small):
    other = tables.other_table(small)
    assert other.columns[0] == "definition" and "profit captured" not in other.columns  # the headline is in main
    assert {"revenue captured", "true value captured", "precision", "cost-to-serve share", "ROI (true)",
            "ROI (est.)", "turnover"} <= set(other.columns)
    assert "programme net gain (true, currency units)" in other.columns
    turnover = other.set_index("definition")["turnover"]
    rescored = set(small.turnover["definition"])
    assert all((turnover[n] == "—") != (n in rescored) for n in turnover.index)


def test_revenue_only_data_keep_the_main_columns(revenue_only):
    main = tables.main_table(revenue_only)
    assert list(main.columns[:2]) == ["definition", "key accounts"]
    assert main.columns[2] == "share of holdout revenue captured (95 % CI)"
    assert main.columns[5] == "programme net gain (currency units)"  # no uplift: neither est. nor true
    assert (main["losing accounts"] == "—").all() and (main[main.columns[5]] == "—").all()
    text = narrative.conclusion_markdown(revenue_only)
    assert "mustnt_lose (needs cost)" in text and not RAW.search(text.replace("—", ""))
    assert decision_markdown(compare.decide(revenue_only)).startswith("**Decision:** not computable")


def test_markdown_table_shows_every_cell_whole():
    import pandas as pd

    long = "pleasing a breadwinner's whims can become unprofitable, and depending on a few accounts is a risk"
    frame = pd.DataFrame({"definition": ["a|b", "c"], "risk": [long, "short"], "n": ["1,234", "—"]})
    text = tables.markdown_table(frame)
    lines = text.splitlines()
    assert lines[0] == "| definition | risk | n |" and lines[1] == "|:---|:---|---:|"
    assert long in text and "a\\|b" in text and "…" not in text
    assert "\\$" in tables.markdown_table(pd.DataFrame({"cost": ["$ 5"]}))
    assert text.endswith(f"*{narrative.MISSING_NOTE}*")
    assert tables.markdown_table(frame.set_index("definition"), index=True).splitlines()[0] == lines[0]


def test_decision_markdown_follows_the_numbers(small):
    cheap = compare.decide(small, uplift_share=0.3, n_bootstrap=50)
    text = decision_markdown(cheap, currency="EUR")
    assert cheap.recommended is not None
    row = cheap.best.loc[cheap.recommended]
    assert (f"**Recommended: {cheap.recommended} with {cheap.n_recommended:,} key account" in text
            and f"a net gain of {row['net_gain']:,.0f} EUR" in text)
    assert f"**{cheap.managers} key-account manager" in text
    assert "assumed: each key account's business grows by 30.0 %" in text
    dear = compare.decide(dataclasses.replace(small, programme_cost=1e7), uplift_share=0.3, n_bootstrap=50)
    never = decision_markdown(dear)
    assert dear.recommended is None and "**The programme does not pay at any number of key accounts**" in never
    assert "Recommended" not in never
    # a different uplift gives a different plan, and the text says so
    other = compare.decide(small, uplift_share=0.1, n_bootstrap=50)
    other_text = decision_markdown(other, currency="EUR")
    assert other_text != text
    if other.recommended is not None:
        assert f"a net gain of {other.best.loc[other.recommended, 'net_gain']:,.0f} EUR" in other_text
    else:
        assert "does not pay" in other_text
    assert decision_markdown("not computable on this dataset: needs kam_pilot") == \
        "**Decision:** not computable on this dataset: needs kam_pilot."


def test_plain_text_keeps_its_form(small):
    """The printed conclusion is unchanged in form: one sentence per line, "- " risks, no Markdown."""
    text = compare.conclusion(small)
    assert "**" not in text and "Risks that showed up:\n- " in text
    assert narrative.MISSING_NOTE not in text
