"""Samples shared by the survival tests: random transaction logs and tied, censored durations."""

import numpy as np
import pandas as pd
from hypothesis import strategies as st

#: Small transaction logs: up to 50 purchases of 8 accounts over 400 days from 2021-01-01.
transactions_strategy = st.lists(
    st.tuples(st.sampled_from(list("abcdefgh")), st.integers(0, 400), st.floats(0.5, 100)), min_size=1, max_size=50,
).map(lambda rows: pd.DataFrame({"customer_id": [r[0] for r in rows],
                                 "date": pd.Timestamp("2021-01-01") + pd.to_timedelta([r[1] for r in rows], unit="D"),
                                 "amount": [r[2] for r in rows]}))


def grouped_sample(seed=3, n=300):
    """Durations of three groups with many ties (whole days) and random censoring."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n)
    scale = np.where(group == "a", 10, np.where(group == "b", 14, 12))
    duration = np.ceil(rng.exponential(scale))                 # integers: many ties
    censor = rng.integers(5, 40, n)
    return pd.DataFrame({"duration_days": np.minimum(duration, censor).astype(float),
                         "churned": duration <= censor, "group": group})
