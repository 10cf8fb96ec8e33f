"""kamlab.outofcore.windows: the default windows from a table of days equal kamlab.data.default_windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlab.data import default_windows
from kamlab.outofcore.windows import file_windows


def _days(tx: pd.DataFrame) -> pd.DataFrame:
    """What an engine computes: one row per day (rows, revenue, first and last instant)."""
    day = tx["date"].dt.normalize()
    return tx.groupby(day).agg(rows=("date", "size"), revenue=("amount", "sum"), first=("date", "min"),
                               last=("date", "max"))


def _instants(tx: pd.DataFrame):
    def instants(wanted):
        rows = tx[tx["date"].dt.normalize().isin(pd.DatetimeIndex(wanted))]
        return rows.groupby("date").size().rename("n").rename_axis("ts").reset_index()
    return instants


def _ledger(seed: int, n: int, strays: int, span_days: int, sub_second: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-03-01")
    offsets = pd.to_timedelta(rng.integers(0, span_days * 86400, n), unit="s")
    if sub_second:
        offsets += pd.to_timedelta(rng.integers(0, 10**9, n), unit="ns")
    dates = start + offsets
    far = pd.to_datetime(["1999-12-31 23:00:00", "2060-02-01 00:00:00", "2010-06-01 00:00:01"])
    stray = pd.DatetimeIndex(rng.choice(far, strays))
    out = pd.DataFrame({"date": dates.append(stray)})
    out["amount"] = rng.gamma(2.0, 10.0, len(out)).round(2)
    return out


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("today", [None, "2022-01-15", "1990-01-01"])
def test_file_windows_equal_default_windows(seed, today):
    rng = np.random.default_rng(100 + seed)
    tx = _ledger(seed, int(rng.integers(1, 400)), int(rng.integers(0, 4)), int(rng.integers(1, 900)),
                 sub_second=bool(seed % 2))
    expected = default_windows(tx, today=today)
    got = file_windows(_days(tx), _instants(tx), today=today)
    assert (got.calibration_end, got.observation_end) == (expected.calibration_end, expected.observation_end)
    assert got.notes == expected.notes
    assert (got.first_date, got.last_date, got.rows) == (tx["date"].min(), tx["date"].max(), len(tx))


def test_given_ends_need_no_instants():
    tx = _ledger(1, 200, 1, 400, sub_second=False)

    def refuse(wanted):
        raise AssertionError("the instants are read only to find a window end")

    got = file_windows(_days(tx), refuse, calibration_end="2021-09-30 18:00", observation_end="2022-03-31")
    assert (got.calibration_end, got.observation_end) == (pd.Timestamp("2021-09-30"), pd.Timestamp("2022-03-31"))
    assert got.notes[0].startswith("windows: calibration to 2021-09-30")
