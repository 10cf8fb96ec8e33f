"""kamlab.exports.csvfile: the bytes of pandas' to_csv, checked against pandas itself (and repr for floats)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlab.exports import csvfile


def _same_bytes(frame, tmp_path, **options):
    ours = csvfile.write_csv(frame, tmp_path / "ours.csv", **options).read_bytes()
    theirs = csvfile.pandas_csv(frame, tmp_path / "pandas.csv").read_bytes()
    assert ours == theirs
    return ours


def _floats(n, seed):
    """Doubles of every magnitude and sign, amounts in cents, probabilities, whole numbers, and raw bit patterns."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**64, n, dtype=np.uint64).view(np.float64)
    return np.concatenate([
        10 ** rng.uniform(-330, 308, n) * rng.choice([-1, 1], n), 10 ** rng.uniform(-12, 20, n),
        np.round(rng.gamma(1, 300, n), 2), -np.round(rng.gamma(1, 30, n), 2), rng.random(n), rng.random(n) * 1e-4,
        rng.integers(-10**12, 10**12, n).astype(float), bits[np.isfinite(bits)],
        [0.0, -0.0, np.inf, -np.inf, 5e-324, 1.7976931348623157e308, 1e-4, 1e-5, 1e-6, 1e-7, 1e-9, 1e-10, 1e9,
         1e10, 1e16, 1e21, 0.1, 0.5, 1.0, 100.0, 9.999999999999999e8, 2**53],
    ])


def test_float_text_is_repr_for_doubles_of_every_magnitude():
    values = _floats(20_000, seed=1)
    assert csvfile.float_text(values).to_pylist() == [repr(v) for v in values.tolist()]


def test_float_text_leaves_nan_blank():
    values = np.array([1.5, np.nan, 2e-7, np.nan])
    assert csvfile.float_text(values).to_pylist() == ["1.5", None, "2e-07", None]
    assert csvfile.float_text(np.full(3, np.nan)).null_count == 3


def _mixed_frame(n=3_000, seed=0):
    rng = np.random.default_rng(seed)
    day = pd.to_datetime("1965-03-01") + pd.to_timedelta(rng.integers(0, 30_000, n), unit="D")
    frame = pd.DataFrame({
        "customer_id": pd.array([f"C{i:05d}" for i in range(n)], dtype="string"),
        "money": np.round(rng.gamma(1, 300, n), 2), "share": rng.gamma(1, 1e-6, n),
        "value": _floats(n, seed)[rng.integers(0, 8 * n, n)],
        "some_missing": np.where(rng.random(n) < 0.3, np.nan, 1.0),
        "all_missing": np.full(n, np.nan),
        "count": rng.integers(-1000, 1000, n), "flag": pd.array(np.where(rng.random(n) < 0.2, None,
                                                                          rng.integers(0, 2, n)), dtype="Int64"),
        "yes": rng.random(n) < 0.5, "maybe": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.5),
                                                         dtype="boolean"),
        "when": day + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"),
        "day": pd.Series(day).where(rng.random(n) < 0.8),
        "abc": pd.Categorical(rng.choice(["A", "B", "C"], n), categories=["A", "B", "C"]),
        "tier": pd.Series(rng.choice(["key", "important", None], n), dtype=object),
        "score": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n)), dtype="Float64"),
    })
    frame.loc[5, "abc"] = np.nan
    return frame


@pytest.mark.parametrize("chunk_rows", [1, 700, csvfile.CHUNK_ROWS])
def test_a_frame_of_every_kind_is_written_as_pandas_writes_it(tmp_path, chunk_rows):
    frame = _mixed_frame(300 if chunk_rows == 1 else 3_000)
    text = _same_bytes(frame, tmp_path, chunk_rows=chunk_rows)
    assert text.startswith(csvfile.BOM + b"customer_id,money,") and b"\r" not in text


def test_cells_that_need_quotes_are_quoted_as_the_csv_module_quotes_them(tmp_path):
    frame = _mixed_frame(2_000)
    frame = frame.astype({"tier": object})
    frame.loc[3, "customer_id"] = 'Smith, "Jones" & Co'
    frame.loc[1_500, "tier"] = "two\nlines"
    frame.loc[1_600, "tier"] = "carriage\rreturn"
    text = _same_bytes(frame, tmp_path, chunk_rows=500)
    assert b'"Smith, ""Jones"" & Co"' in text


def test_a_lone_column_with_blank_cells_and_an_empty_frame(tmp_path):
    _same_bytes(pd.DataFrame({"x": [1.0, np.nan, 2.0]}), tmp_path)
    _same_bytes(pd.DataFrame({"x": pd.Series(["a", "", None], dtype=object)}), tmp_path)
    assert _same_bytes(_mixed_frame().iloc[:0], tmp_path).count(b"\n") == 1


def test_columns_it_does_not_format_go_to_pandas(tmp_path):
    frame = pd.DataFrame({"mixed": pd.Series([1, "a", 2.5, None, np.float64(0.1)], dtype=object),
                          "delay": pd.to_timedelta([1, 2, 3, 4, 5], unit="h"),
                          "small": np.arange(5, dtype=np.float32) / 3})
    _same_bytes(frame, tmp_path)
    assert csvfile.column_text(frame["mixed"]) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
                          st.one_of(st.none(), st.integers(-2**62, 2**62)), st.booleans()), max_size=30))
def test_any_small_frame_is_written_as_pandas_writes_it(tmp_path_factory, rows):
    frame = pd.DataFrame(rows, columns=["x", "name", "n", "b"]).astype({"x": float, "n": "Int64", "b": bool})
    frame["name"] = frame["name"].astype(object)
    _same_bytes(frame, tmp_path_factory.mktemp("any"), chunk_rows=7)
