"""Ledger lines that are not sales: totals rows, non-sales lines and credit notes.

ERP ledger exports carry lines that a list of purchases does not:

- a trailing **totals or summary row** (``Total;;;12,345.00``): among the
  last three rows, one whose customer id is a totals word (``Total``, ``Grand
  total``, ``Totals``, ``Sum``, ``Summe``, ``Gesamt``, ``Total EUR``...), or
  whose id is missing while another cell is such a word or its amount equals
  the sum of every row above it (to the cent). A customer named "Total
  Logistics" is not one: the word must be the whole cell. Policy
  ``totals_rows``: "drop" (default, counted), "keep", or "error";
- **non-sales lines** (postage, fees, bank charges): rows whose
  ``exclude_col`` holds one of ``exclude_values`` are dropped and counted;
- **credit notes** given by a document-type column (``credit_note_col``
  holding one of ``credit_note_values``, e.g. ``Credit Memo``) or a
  document-number prefix (``credit_note_prefix``, e.g. ``CN-``): their
  amounts are returns, made negative when the export writes them positive,
  and then follow the ``returns`` policy.

Values are compared after trimming spaces and ignoring case; a string of
values is split on commas (``"Postage, Fee"``), as the command line gives them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contract import suggest_column
from .messages import plural
from .parsing import as_text
from .reading import Raw
from .vectorised import parse_numbers, placeholder_ids, sniff_decimal

_TOTAL = re.compile(r"((grand|sub)[\s-]?)?totals?(\s+\w{1,4})?:?|sum(me)?:?|gesamt(summe)?:?|total\s+g[ée]n[ée]ral:?",
                    re.IGNORECASE)
_TAIL = 3  # rows at the end that may be totals


def as_values(values) -> tuple[str, ...]:
    """None -> (); "a, b" -> ("a", "b"); a sequence -> its items as strings."""
    if values is None:
        return ()
    if isinstance(values, str):
        return tuple(v.strip() for v in values.split(",") if v.strip())
    return tuple(str(v) for v in values)


@dataclass(frozen=True)
class DocumentRules:
    """Which ledger lines are totals, non-sales or credit notes (see the module)."""

    totals_rows: str = "drop"
    exclude_col: str | None = None
    exclude_values: tuple[str, ...] = ()
    credit_note_col: str | None = None
    credit_note_values: tuple[str, ...] = ()
    credit_note_prefix: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns these rules read."""
        return tuple(c for c in (self.exclude_col, self.credit_note_col) if c is not None)

    def problems(self, available: list[str]) -> list[str]:
        """Rules that name a missing column, or a column without values."""
        out = []
        for arg, col, values, names in (
                ("exclude_col", self.exclude_col, self.exclude_values, "exclude_values="),
                ("credit_note_col", self.credit_note_col, self.credit_note_values + self.credit_note_prefix,
                 "credit_note_values= or credit_note_prefix=")):
            if col is None:
                continue
            if col not in available:
                hint = suggest_column(arg, col, available)
                out.append(f"missing column {col!r} (given as {arg}); the columns are "
                           f"{', '.join(map(repr, available))}"
                           + (f"; did you mean {hint!r}? pass {arg}={hint!r}" if hint else ""))
            elif not values:
                out.append(f"{arg}={col!r} is given without {names}: say which values mark the rows")
        return out


def _matches(raw: Raw, col: str | None, values: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> np.ndarray:
    if col is None or not (values or prefixes):
        return np.zeros(len(raw.frame), bool)
    text = as_text(raw.frame[col]).str.casefold()
    mask = text.isin({v.strip().casefold() for v in values}).to_numpy(dtype=bool, copy=True)
    for prefix in prefixes:
        mask |= text.str.startswith(prefix.strip().casefold()).to_numpy(dtype=bool)
    return mask


def excluded_rows(raw: Raw, rules: DocumentRules) -> np.ndarray:
    """Rows whose ``exclude_col`` holds one of ``exclude_values``."""
    return _matches(raw, rules.exclude_col, rules.exclude_values)


def credit_notes(raw: Raw, rules: DocumentRules) -> np.ndarray:
    """Rows marked as credit notes by their document type or document-number prefix."""
    return _matches(raw, rules.credit_note_col, rules.credit_note_values, rules.credit_note_prefix)


def _amounts(raw: Raw, mapping: dict[str, str | None], decimal: str | None) -> np.ndarray:
    """The amount of every row: its amount column, or quantity x unit price (``price_col``)."""
    names = [mapping["amount"]] if mapping.get("amount") else [mapping["quantity"], mapping["price"]]
    columns = [raw.frame[name] for name in names]
    mark = decimal or sniff_decimal(columns)
    values = [parse_numbers(column, mark)[0] for column in columns]
    return values[0] if len(values) == 1 else values[0] * values[1]


def find_totals_rows(raw: Raw, mapping: dict[str, str | None], markers, decimal: str | None,
                skip: np.ndarray) -> np.ndarray:
    """Mask of trailing totals/summary rows (the rule of the module), among rows not in ``skip``."""
    n, mask = len(raw.frame), np.zeros(len(raw.frame), bool)
    near_end = max(n - 64, 0)  # the last rows not skipped, found near the end when they are there
    rows = (np.flatnonzero(~skip[near_end:]) + near_end)[::-1][:_TAIL].tolist()
    if len(rows) < _TAIL and near_end:
        rows = np.flatnonzero(~skip)[::-1][:_TAIL].tolist()
    if n < 2 or not rows:
        return mask
    tail = pd.concat([raw.frame.iloc[i:i + 1] for i in rows])  # slices: no copy of a column
    ids = as_text(tail[mapping["customer_id"]])
    id_missing = (ids == "").to_numpy() | placeholder_ids(ids, markers)
    id_word = ids.str.fullmatch(_TOTAL).to_numpy(dtype=bool)
    word = np.array([any(bool(_TOTAL.fullmatch(v)) for v in as_text(tail.iloc[j]).tolist())
                     for j in range(len(rows))])
    mask[np.array(rows)[id_word | (id_missing & word)]] = True
    if (id_missing & ~mask[rows]).any():  # amount equal to the sum of the rows above
        amounts = _amounts(raw, mapping, decimal)
        for j, i in enumerate(rows):
            if id_missing[j] and not mask[i]:
                above = amounts[:i][~skip[:i] & ~mask[:i]]
                total = float(np.nansum(above))
                if len(above) > 1 and abs(amounts[i] - total) <= 0.005 + 1e-9 * abs(total):
                    mask[i] = True
    return mask


def totals_problem(raw: Raw, mask: np.ndarray) -> str:
    """The message refusing totals rows (``totals_rows='error'``)."""
    k = int(mask.sum())
    return (f"{plural(k, 'row')} at the end {'looks' if k == 1 else 'look'} like a totals or summary row "
            f"({raw.where(mask)}); remove {'it' if k == 1 else 'them'} from the export, or pass "
            "totals_rows='drop' to drop or totals_rows='keep' to keep them")


def negate_credit_notes(tx: pd.DataFrame, marked: np.ndarray) -> np.ndarray:
    """Make the positive amounts (and costs) of credit-note rows negative, in place; the rows changed."""
    amount = tx["amount"].to_numpy(dtype=float, copy=True)
    flip = marked & (amount > 0)
    if flip.any():
        amount[flip] = -amount[flip]
        tx["amount"] = amount
        if "cost" in tx:
            cost = tx["cost"].to_numpy(dtype=float, copy=True)
            cost[flip & (cost > 0)] = -cost[flip & (cost > 0)]
            tx["cost"] = cost
    return flip
