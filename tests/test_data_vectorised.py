"""The vectorised parsers and the contract order, each against the pandas code it replaces.

Oracles: :mod:`kamlab.data.parsing` on the same values as Python strings (the
careful path), ``DataFrame.sort_values(kind="mergesort")`` and
``DataFrame.duplicated``.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kamlab.data import parsing, vectorised
from kamlab.data.arrow import text_series
from kamlab.data.ordering import contract_order, duplicated_rows

# no negative zero: a column holding one is read by the careful parser whole (see the test of it)
NUMBERS = ["12.50", "0.1", "7", "-3.25", "+4", "1e5", "3E91", "+3E91", "0", "0.00", "inf", "nan", "", "  8.5 ",
           "$1234.50",
           "1,234.50", "1.234,50", "12,50", "(12.50)", "12.50-", "ten", "1 234,5", "5.", ".5", "٣", "1_000",
           "12345678901234567890", "0.30000000000000004", "€ 9,99", "1'000.25"]
DATES = ["2021-08-21 11:47:03", "2021-08-21", "2021-08-21T11:47", "2021-08-21 11", "2021-02-29", "2020-02-29",
         "2021-08-21 11:47:03.123456789", "2021-08-21T11:47:03Z", "2021-08-21 11:47:03+02:00", "13/02/2021",
         "02/13/2021", "05/06/2021", "5.6.21", "20210821", "44927", "", " 2021-08-21 ", "soon", "2021-13-01",
         "2021-08-21 24:00:00", "1999-12-31 23:59:59", "Aug 21, 2021", "2021/08/21"]
IDS = ["C1", " C1", "C1 ", "\u00a0C2\u3000", "", "  ", "NULL", "null", "N/A", "n/a", "-", "Müller", "\u212a", "K",
       "k", "(null)", "#N/A", "None", "ß", "SS", "C\x00 1"]


def sample(pool, n, seed, weights_first=0.0):
    """``n`` values from ``pool``; ``weights_first`` of them the first value (a mostly clean column)."""
    rng = np.random.default_rng(seed)
    values = rng.choice(np.array(pool, dtype=object), n)
    values[rng.random(n) < weights_first] = pool[0]
    return list(values)


def arrow_and_objects(values):
    return text_series(pa.array(values, pa.string())), pd.Series(np.array(values, dtype=object), dtype=object)


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("seed, clean", [(0, 0.0), (1, 0.9), (2, 0.999)])
def test_numbers_equal_the_careful_parser(decimal, seed, clean):
    fast, careful = arrow_and_objects(sample(NUMBERS, 20_000, seed, clean))
    got, expected = vectorised.parse_numbers(fast, decimal), parsing.parse_numbers(careful, decimal)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(np.signbit(got[0]), np.signbit(expected[0]))
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("odd", NUMBERS[1:])
def test_one_odd_number_in_a_clean_column(decimal, odd):
    values = ["12.50" if decimal == "." else "12,50"] * 3_000
    values[1_234] = odd  # a block the cast reads whole, or one it must split
    fast, careful = arrow_and_objects(values)
    got, expected = vectorised.parse_numbers(fast, decimal), parsing.parse_numbers(careful, decimal)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("odd", DATES[1:])
def test_one_odd_date_in_a_clean_column(odd):
    values = ["2021-08-21 11:47:03"] * 3_000
    values[2_345] = odd
    fast, careful = arrow_and_objects(values)
    got, expected = vectorised.parse_dates(fast, None, None), parsing.parse_dates(careful, None, None)
    pd.testing.assert_series_equal(got.values, expected.values, check_index=False)
    np.testing.assert_array_equal(got.tz_converted, expected.tz_converted)
    assert (got.notes, got.hint) == (expected.notes, expected.hint)


def test_a_negative_zero_reads_as_pandas_reads_it_in_its_column():
    for values in (["-0", "5"], ["-0", "5.5"], ["-0", ""], ["-0.0", "5"]):
        got = vectorised.parse_numbers(arrow_and_objects(values)[0], ".")[0]
        expected = parsing.parse_numbers(arrow_and_objects(values)[1], ".")[0]
        assert np.signbit(got[0]) == np.signbit(expected[0]), values


@pytest.mark.parametrize("dayfirst", [None, True, False])
@pytest.mark.parametrize("seed, clean", [(0, 0.0), (1, 0.95)])
def test_dates_equal_the_careful_parser(dayfirst, seed, clean):
    fast, careful = arrow_and_objects(sample(DATES, 20_000, seed, clean))
    got, expected = vectorised.parse_dates(fast, dayfirst, None), parsing.parse_dates(careful, dayfirst, None)
    pd.testing.assert_series_equal(got.values, expected.values, check_index=False)
    np.testing.assert_array_equal(got.bad, expected.bad)
    np.testing.assert_array_equal(got.tz_converted, expected.tz_converted)
    assert (got.notes, got.hint) == (expected.notes, expected.hint)


def test_day_first_is_detected_from_all_such_dates_however_few():
    values = ["2021-08-21 10:00:00"] * 5000 + ["03/04/2021", "25/04/2021"]
    fast, careful = arrow_and_objects(values)
    got, expected = vectorised.parse_dates(fast, None, None), parsing.parse_dates(careful, None, None)
    assert got.notes == expected.notes and "day/month/year" in got.notes[0]
    pd.testing.assert_series_equal(got.values, expected.values, check_index=False)


def test_ids_placeholders_and_control_characters_equal_the_careful_ones():
    fast, careful = arrow_and_objects(sample(IDS, 5_000, 3))
    got, expected = vectorised.parse_ids(fast), parsing.parse_ids(careful)
    assert got[0].tolist() == expected[0].tolist()
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[2], expected[2])
    for markers in (parsing.MISSING_ID_MARKERS, ("k", "ss"), ()):
        np.testing.assert_array_equal(vectorised.placeholder_ids(got[0], markers),
                                      parsing.placeholder_ids(expected[0], markers))
    np.testing.assert_array_equal(vectorised.control_characters(fast), parsing.control_characters(careful))


def test_missing_values_in_arrow_text_read_as_empty():
    values = ["C1", None, " 7.5", None]
    fast = text_series(pa.array(values, pa.string()))
    careful = pd.Series(values, dtype=object)
    assert vectorised.parse_ids(fast)[0].tolist() == parsing.parse_ids(careful)[0].tolist()
    np.testing.assert_array_equal(vectorised.parse_numbers(fast, ".")[1], parsing.parse_numbers(careful, ".")[1])


def test_first_distinct_values_and_the_decimal_mark():
    values = sample(NUMBERS, 30_000, 5) + [f"{i},50" for i in range(5_000)] + [None]
    fast, careful = arrow_and_objects(values)
    assert vectorised.first_distinct(fast).tolist() == careful.drop_duplicates().head(2000).tolist()
    assert vectorised.sniff_decimal([fast]) == parsing.sniff_decimal([careful])
    comma = [f"{i},{i % 100:02d}" for i in range(3_000)]
    assert vectorised.sniff_decimal([arrow_and_objects(comma)[0]]) == "," == parsing.sniff_decimal(
        [arrow_and_objects(comma)[1]])


def frame_of(seed, n=6_000, order="shuffled", unit="s", ids=200):
    rng = np.random.default_rng(seed)
    names = np.array([f"C{i:04d}" for i in range(ids)] + ["Ä1", "a", "B", "b0", "zz"], dtype=object)
    frame = pd.DataFrame({
        "customer_id": names[rng.integers(0, len(names), n)],
        "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 3 * 10**7, n) *
                                                              (1 if unit == "s" else 10**9 + 7), unit=unit),
    })
    frame.loc[rng.random(n) < 0.01, "date"] = pd.NaT
    if order == "sorted":
        frame = frame.sort_values(["customer_id", "date"], kind="mergesort")
    elif order == "by date":
        frame = frame.sort_values("date", kind="mergesort")
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("order", ["shuffled", "sorted", "by date"])
@pytest.mark.parametrize("unit", ["s", "ns"])
@pytest.mark.parametrize("arrow_ids", [False, True])
def test_contract_order_is_the_mergesort_of_pandas(order, unit, arrow_ids):
    frame = frame_of(7, order=order, unit=unit)
    ids = text_series(pa.array(frame["customer_id"].tolist())) if arrow_ids else frame["customer_id"]
    got = contract_order(ids, frame["date"].to_numpy())
    expected = frame.assign(_row=np.arange(len(frame))).sort_values(["customer_id", "date", "_row"],
                                                                    kind="mergesort").index.to_numpy()
    np.testing.assert_array_equal(got.rows, expected)
    assert got.n_ids == frame["customer_id"].nunique()
    assert got.in_place == (order == "sorted" and not frame["date"].isna().any())


def test_contract_order_without_missing_dates_in_place_and_overflowing_a_key():
    sorted_frame = frame_of(8, order="sorted").dropna().reset_index(drop=True)
    assert contract_order(sorted_frame["customer_id"], sorted_frame["date"].to_numpy()).in_place
    wide = frame_of(9, n=20_000, unit="ns", ids=5_000)  # ns over years times 5,000 ids: no 64-bit key
    got = contract_order(wide["customer_id"], wide["date"].to_numpy())
    expected = wide.assign(_row=np.arange(len(wide))).sort_values(["customer_id", "date", "_row"],
                                                                  kind="mergesort").index.to_numpy()
    np.testing.assert_array_equal(got.rows, expected)


def test_contract_order_of_dates_centuries_apart():
    frame = frame_of(10, n=3_000)
    frame.loc[[5, 6, 7], "date"] = pd.to_datetime(["1678-01-02", "2261-12-30", "1900-01-01"])
    got = contract_order(frame["customer_id"], frame["date"].to_numpy())
    expected = frame.assign(_row=np.arange(len(frame))).sort_values(["customer_id", "date", "_row"],
                                                                    kind="mergesort").index.to_numpy()
    keep = frame["date"].notna().to_numpy()  # where missing dates go does not matter: they are never kept
    np.testing.assert_array_equal(got.rows[keep[got.rows]], expected[keep[expected]])


@pytest.mark.parametrize("arrow_text", [False, True])
def test_duplicated_rows_equal_pandas_duplicated(arrow_text):
    rng = np.random.default_rng(11)
    n = 8_000
    raw = pd.DataFrame({"customer_id": rng.choice(["A", " A", "B", "C"], n),
                        "date": rng.choice(["2021-01-01", "2021-01-01 00:00:00", "2021-01-02"], n),
                        "amount": rng.choice(["5", "5.0", "6"], n), "note": rng.choice(["x", "y", ""], n)})
    if arrow_text:
        raw = raw.astype(pd.ArrowDtype(pa.string()))
    ids = raw["customer_id"].astype(object).str.strip()
    order = contract_order(ids, pd.to_datetime(raw["date"].astype(object), format="ISO8601").to_numpy())
    np.testing.assert_array_equal(duplicated_rows(raw, order), raw.duplicated(keep="first").to_numpy())
