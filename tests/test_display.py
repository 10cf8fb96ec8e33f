"""kamlab.display: tables and lists as a reader sees them."""

import numpy as np
import pandas as pd

from kamlab.display import readable, words


def test_readable_formats_numbers_and_shows_missing_values_as_a_dash():
    frame = pd.DataFrame({"accounts": [1450, 3], "revenue": [20321689.04, np.nan], "share": [0.296, np.inf],
                          "cv": [0.51234, 2.0], "name": ["a", "b"]}, index=["A", "B"])
    out = readable(frame, counts=("accounts",), money=("revenue",), shares=("share",), default_decimals=3)
    assert out.loc["A"].tolist() == ["1,450", "20,321,689", "29.6%", "0.512", "a"]
    assert out.loc["B"].tolist() == ["3", "—", "—", "2.000", "b"]


def test_words_joins_a_list_as_a_sentence():
    assert words([]) == "none" and words(["a"]) == "a"
    assert words(["paid_social", "search"]) == "paid_social and search"
    assert words(["a", "b", "c"], conjunction="or") == "a, b or c"


def test_number_and_percent_read_as_words_and_show_missing_values():
    from kamlab.display import number, percent
    assert number(20321689.04) == "20,321,689" and number(1234.5, 2) == "1,234.50"
    assert number(np.nan) == "—" and number(np.inf, missing="not reached") == "not reached"
    assert percent(0.2963) == "29.6%" and percent(-0.0412, sign=True) == "-4.1%"
    assert percent(0.05, sign=True) == "+5.0%" and percent(None) == "—" and percent(np.nan, missing="n/a") == "n/a"
