"""Accounts tables: check one against the contract (DESIGN, "The data contract").

One row per customer: any of ``industry``, ``acquired``, ``service_tickets``,
``staff_hours``, ``cost_to_serve``, ``strategic_fit``, ``influence``,
``referrals``, ``kam_pilot`` (0/1), ``growth_potential``. Every problem is
collected into one :class:`AccountDataError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import ACCOUNT_NUMERIC_COLUMNS, suggest_column
from .errors import AccountDataError
from .messages import is_not, plural
from .parsing import parse_dates, parse_ids, parse_numbers
from .reading import Raw


def validate_accounts(frame: pd.DataFrame, *, customer_col: str = "customer_id",
                      source_name: str | None = None) -> pd.DataFrame:
    """Check an accounts table against the contract and return it indexed by customer_id.

    Rules: the customer id (a column ``customer_col`` or the index of that name)
    is present for every row and unique; the columns of
    ``ACCOUNT_NUMERIC_COLUMNS`` that are present are numbers (``service_tickets``,
    ``staff_hours``, ``cost_to_serve`` and ``referrals`` also >= 0);
    ``kam_pilot`` is 0 or 1, or empty for an account not in the pilot; ``acquired`` is a date. Other columns pass through.

    Returns
    -------
    DataFrame
        A copy indexed by ``customer_id`` (str), numeric columns as float,
        ``kam_pilot`` as int (nullable Int64 when some are empty: not in the pilot), ``acquired`` as datetime64[ns].

    Raises
    ------
    AccountDataError
        Listing every problem found.
    """
    name = source_name or "the accounts table"
    df = frame.copy()
    if customer_col not in df.columns and df.index.name == customer_col:
        df = df.reset_index()
    if customer_col not in df.columns:
        hint = suggest_column("customer_id", customer_col, [str(c) for c in df.columns])
        raise AccountDataError(name, [
            f"missing column {customer_col!r} (expected for customer_id); the columns are "
            f"{', '.join(map(repr, map(str, df.columns)))}"
            + (f"; did you mean {hint!r}? pass customer_col={hint!r}" if hint else "")
        ])
    raw = Raw(df, name, np.asarray(frame.index) if customer_col in frame.columns else np.arange(1, len(df) + 1),
               ("index", "index") if customer_col in frame.columns else ("row", "rows"))
    problems = []
    ids, missing, _ = parse_ids(df[customer_col])
    if missing.any():
        problems.append(f"column {customer_col!r}: {plural(int(missing.sum()), 'row')} without a customer id "
                        f"({raw.where(missing)}); fill them in or remove those rows")
    dup = ids.duplicated(keep=False).to_numpy() & ~missing
    if dup.any():
        problems.append(f"column {customer_col!r}: {plural(int(ids[dup].nunique()), 'customer id')} "
                        f"appear{'s' if ids[dup].nunique() == 1 else ''} more than once "
                        f"({raw.where(dup, ids)}); keep one row per account")
    out = df.drop(columns=customer_col)
    out.index = pd.Index(ids.to_numpy(dtype=object), name="customer_id")
    for col in ACCOUNT_NUMERIC_COLUMNS:
        if col not in out:
            continue
        values, not_number = parse_numbers(df[col], ".")
        not_number &= ~df[col].isna().to_numpy()  # missing attributes are allowed
        if not_number.any():
            problems.append(f"column {col!r}: {is_not(int(not_number.sum()), 'a number', 'numbers')} "
                            f"({raw.where(not_number, df[col])}); use plain numbers, e.g. 12.5")
        if col in ("service_tickets", "staff_hours", "cost_to_serve", "referrals"):
            neg = values < 0
            if neg.any():
                problems.append(f"column {col!r}: {plural(int(neg.sum()), 'negative value')} "
                                f"({raw.where(neg, df[col])}); counts, hours and costs are >= 0")
        out[col] = values
    if "kam_pilot" in out:
        values, not_number = parse_numbers(df["kam_pilot"], ".")
        blank = df["kam_pilot"].isna().to_numpy() | (df["kam_pilot"].astype(str).str.strip() == "").to_numpy()
        wrong = (not_number & ~blank) | (~not_number & ~np.isin(values, (0.0, 1.0)))
        if wrong.any():
            problems.append(f"column 'kam_pilot': {is_not(int(wrong.sum()), '0 or 1', '0 or 1')} "
                            f"({raw.where(wrong, df['kam_pilot'])}); 1 = in the KAM pilot, 0 = control, "
                            "empty = not in the pilot")
        else:  # an empty flag: not in the pilot, as kamlab.definitions.extra_effort and load_accounts read it
            out["kam_pilot"] = (values.astype(int) if not blank.any()
                                else pd.array(np.where(blank, pd.NA, values), dtype="Int64"))
    if "acquired" in out:
        dates = parse_dates(df["acquired"], None, None)
        wrong = dates.bad & df["acquired"].notna().to_numpy()
        if wrong.any():
            problems.append(f"column 'acquired': {is_not(int(wrong.sum()), 'a date', 'dates')} "
                            f"({raw.where(wrong, df['acquired'])}); use ISO dates like 2021-03-31")
        out["acquired"] = dates.values.to_numpy()
    if problems:
        raise AccountDataError(name, problems)
    return out
