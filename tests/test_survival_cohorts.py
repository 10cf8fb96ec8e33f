"""kamlab.survival.cohort_table by hand and by property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from kamlab import survival as sv


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"]))


transactions_strategy = st.lists(
    st.tuples(st.sampled_from(list("abcdefgh")), st.integers(0, 400), st.floats(0.5, 100)), min_size=1, max_size=50,
).map(lambda rows: pd.DataFrame({"customer_id": [r[0] for r in rows],
                                 "date": pd.Timestamp("2021-01-01") + pd.to_timedelta([r[1] for r in rows], unit="D"),
                                 "amount": [r[2] for r in rows]}))


def test_cohort_table_by_hand():
    tx = _tx([("a", "2020-01-05", 10), ("a", "2020-02-10", 4), ("a", "2020-02-11", 1),
              ("b", "2020-01-20", 20), ("b", "2020-03-01", 30),
              ("c", "2020-02-03", 8),
              ("d", "2020-04-02", 50)])                     # April is incomplete at 2020-04-15: dropped
    table = sv.cohort_table(tx, "M", observation_end="2020-04-15")
    jan = table.loc[pd.Period("2020-01", "M")]
    assert jan["cohort_size"].tolist() == [2, 2, 2]
    assert jan["active"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(jan["revenue"], [30, 5, 30])
    np.testing.assert_allclose(jan["revenue_retention"], [1, 5 / 30, 1])
    feb = table.loc[pd.Period("2020-02", "M")]
    assert feb["active"].tolist() == [1, 0] and feb["retention"].tolist() == [1.0, 0.0]
    assert pd.Period("2020-04", "M") not in table.index.get_level_values("cohort")
    matrix = sv.cohort_matrix(table)
    assert matrix.shape == (2, 3) and np.isnan(matrix.loc["2020-02", 2])   # nobody acquired in March
    # with a complete April, d's cohort appears
    assert sv.cohort_table(tx, "M", observation_end="2020-04-30").loc[pd.Period("2020-04", "M"), "cohort_size"].iloc[0] == 1


@settings(max_examples=60, deadline=None)
@given(transactions_strategy, st.sampled_from(["M", "Q", "W"]))
def test_cohort_tables_conserve_account_counts(tx, period):
    end = tx["date"].max()
    last = pd.Period(end, period)
    if last.end_time.normalize() > end.normalize():
        last -= 1
    kept = tx[tx["date"] <= last.end_time]
    if kept.empty:
        with pytest.raises(ValueError, match="no complete"):
            sv.cohort_table(tx, period)
        return
    table = sv.cohort_table(tx, period)
    sizes = table.groupby(level="cohort")["cohort_size"].first()
    assert sizes.sum() == kept["customer_id"].nunique()
    assert (table.xs(0, level="age")["active"] == table.xs(0, level="age")["cohort_size"]).all()
    assert (table["active"] <= table["cohort_size"]).all()
    assert table["revenue"].sum() == pytest.approx(kept["amount"].sum())
    assert ((table["retention"] >= 0) & (table["retention"] <= 1)).all()


