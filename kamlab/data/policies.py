"""The ledger of a load and its row policies: duplicates, observation end, amounts.

A :class:`Ledger` holds the parsed rows, which are still in, the report items
and the problems. Each policy marks rows dropped, changed or flagged, or adds a
problem naming the rows and the option that resolves it; nothing leaves the
ledger without a report item that counts it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import format_rows
from .documents import DocumentRules, credit_notes, negate_credit_notes, totals_problem
from .errors import TransactionDataError
from .messages import plural
from .outliers import date_bulk
from .reading import Raw
from .report import LoadedTransactions, ReportItem, ValidationReport
from .returns import net_returns
from .ordering import ContractOrder, contract_order, duplicated_rows



class Ledger:
    """The rows still in, the report items and the problems, as the policies run."""

    def __init__(self, raw: Raw, tx: pd.DataFrame, problems: list[str], notes: list[str]):
        self.raw, self.tx, self.problems, self.notes = raw, tx, problems, notes
        self.alive = np.ones(len(tx), bool)
        self.items: list[ReportItem] = []
        self._order: ContractOrder | None = None

    @property
    def order(self) -> ContractOrder:
        """The rows in contract order (ids and dates never change after parsing, so it is computed once)."""
        if self._order is None:
            tx = self.tx if self.tx["_row"].is_monotonic_increasing else self.tx.sort_values("_row")
            self._order = contract_order(tx["customer_id"], tx["date"].to_numpy())
        return self._order

    def _revenue(self, mask: np.ndarray) -> float:
        return float(self.tx["amount"].to_numpy()[mask].sum())

    def drop(self, mask: np.ndarray, reason: str, lines: str = "", revenue: bool = False) -> None:
        """Remove the live rows in ``mask`` and count them under ``reason`` (naming ``lines``; their amount when ``revenue``)."""
        mask = mask & self.alive
        if mask.any():
            amount = self._revenue(mask) if revenue else None
            self.items.append(ReportItem("dropped", reason, int(mask.sum()), lines, amount))
            self.alive[mask] = False

    def flag(self, mask: np.ndarray, action: str, reason: str, lines: str = "", revenue: bool = False) -> None:
        """Count the live rows in ``mask`` as changed or flagged (naming ``lines``; their amount when ``revenue``)."""
        mask = mask & self.alive
        if mask.any():
            amount = self._revenue(mask) if revenue else None
            self.items.append(ReportItem(action, reason, int(mask.sum()), lines, amount))

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise TransactionDataError(self.raw.name, self.problems)

    def result(self, mapping: dict[str, str | None], also_used: tuple[str, ...] = ()) -> LoadedTransactions:
        """The kept rows in contract order, with the report; refuses if problems remain or nothing is left."""
        self.refuse_if_problems()
        name, tx = self.raw.name, self.tx
        order = self.order
        if order.in_place and self.alive.all() and tx["_row"].is_monotonic_increasing:
            out, n_customers = tx, order.n_ids  # already in contract order, every row kept
        else:
            kept = order.rows[self.alive[order.rows]]   # input rows, in contract order
            position = np.empty(len(tx), np.int64)
            position[tx["_row"].to_numpy()] = np.arange(len(tx))
            out = tx.iloc[position[kept]]
            n_customers = int(np.count_nonzero(np.bincount(order.codes[kept]))) if len(kept) else 0
        out = out.drop(columns="_row").reset_index(drop=True)
        out["date"] = out["date"].astype("datetime64[ns]")
        if "quantity" in out and np.array_equal(out["quantity"], np.round(out["quantity"])):
            out["quantity"] = out["quantity"].astype(np.int64)
        if not len(out):
            reasons = "; ".join(f"{i.rows:,} {i.reason}" for i in self.items if i.action == "dropped")
            raise TransactionDataError(name, [f"no rows are left after validation ({reasons}); "
                                              "check observation_end= and the policies"])
        used = set(mapping.values()) | set(also_used)
        unused = [c for c in self.raw.frame.columns if c not in used]
        notes = self.notes + (["columns not used: " + format_rows(map(repr, unused), limit=10)] if unused else [])
        report = ValidationReport(
            source=name, rows_read=len(self.raw.frame), rows_kept=len(out), items=tuple(self.items),
            columns=tuple((c, col) for c, col in mapping.items() if col is not None),
            notes=tuple(notes), n_customers=n_customers,
            first_date=out["date"].min(), last_date=out["date"].max(),
            revenue_kept=round(float(out["amount"].sum()), 2),
        )
        return LoadedTransactions(out, report)


def apply_document_rows(ledger: Ledger, rules: DocumentRules, excluded: np.ndarray, totals: np.ndarray) -> None:
    """Drop the non-sales lines, then the totals rows (or refuse them: ``totals_rows='error'``)."""
    if excluded.any():
        values = ", ".join(map(repr, rules.exclude_values))
        ledger.drop(excluded, f"not sales: {rules.exclude_col!r} is {values} (exclude_col=, exclude_values=)",
                    ledger.raw.where(excluded, ledger.raw.frame[rules.exclude_col]))
    totals = totals & ledger.alive
    if not totals.any():
        return
    if rules.totals_rows == "error":
        ledger.problems.append(totals_problem(ledger.raw, totals))
    else:
        ledger.drop(totals, "totals or summary rows at the end of the file (totals_rows='drop'); "
                    "pass totals_rows='keep' to keep them", ledger.raw.where(totals))


def apply_credit_notes(ledger: Ledger, rules: DocumentRules) -> None:
    """Credit notes marked by document type or number: positive amounts made negative, then returns apply."""
    marked = credit_notes(ledger.raw, rules) & ledger.alive
    if not marked.any():
        return
    by = (f"{rules.credit_note_col!r} is " + ", ".join(map(repr, rules.credit_note_values + tuple(
        f"{p}..." for p in rules.credit_note_prefix))))
    flipped = negate_credit_notes(ledger.tx, marked)
    ledger.flag(marked, "flagged", f"credit notes: {by} (credit_note_col=); their amounts follow the returns policy",
                ledger.raw.where(marked))
    ledger.flag(flipped, "changed", "credit notes written with a positive amount made negative (credit_note_col=)")


def apply_duplicates(ledger: Ledger, policy: str) -> None:
    """Exact duplicates: identical in every input column (first copy is the original)."""
    dup = duplicated_rows(ledger.raw.frame, ledger.order) & ledger.alive
    if not dup.any():
        return
    if policy == "error":
        ledger.problems.append(f"{plural(int(dup.sum()), 'exact duplicate row')} ({ledger.raw.where(dup)}); "
                               "pass duplicates='drop' to drop or duplicates='keep' to keep them")
    elif policy == "drop":
        ledger.drop(dup, "exact duplicate rows, first copy kept (duplicates='drop')")
    else:
        ledger.flag(dup, "flagged", "exact duplicate rows, kept (duplicates='keep')")


def apply_observation_end(ledger: Ledger, observation_end) -> None:
    """Drop rows after the end; an end without a time of day includes that whole day."""
    end = pd.Timestamp(observation_end)
    if end.tzinfo is not None:
        end = end.tz_convert("UTC").tz_localize(None)
    dates = ledger.tx["date"]
    if end == end.normalize():
        late, label = dates >= end + pd.Timedelta(days=1), f"{end:%Y-%m-%d}"
    else:
        late, label = dates > end, f"{end:%Y-%m-%d %H:%M:%S}"
    ledger.drop(late.to_numpy(), f"dated after the observation end {label}")


def apply_outlying_dates(ledger: Ledger, date_col: str, policy: str, export_date=None) -> None:
    """Dates far from the bulk of the file, or after the export date (default today): flag, drop or refuse.

    The bulk is :func:`kamlab.data.date_bulk` of the live rows' dates (Tukey's
    far-out fences on the quartiles).
    """
    dates = ledger.tx["date"] if ledger.alive.all() else ledger.tx["date"].where(ledger.alive)
    bulk = date_bulk(dates, today=export_date)
    out = bulk.outlying & ledger.alive
    if not out.any():
        return
    after = f"the export date {bulk.today:%Y-%m-%d}" if export_date is not None else f"today ({bulk.today:%Y-%m-%d})"
    what = f"dates far from the bulk of the file (outside {bulk.band}) or after {after}"
    lines = ledger.raw.where(out, ledger.raw.frame[date_col])
    if policy == "error":
        ledger.problems.append(
            f"column {date_col!r}: {plural(int(out.sum()), 'row')} with {what} ({lines}); correct them, or pass "
            "outlying_dates='drop' to drop them or outlying_dates='flag' to keep them")
    elif policy == "drop":
        ledger.drop(out, f"{what} (outlying_dates='drop')", lines)
    else:
        ledger.flag(out, "flagged", f"{what}, kept (outlying_dates='flag'); correct them or pass "
                    "outlying_dates='drop' to drop them", lines)


def apply_amount_policies(ledger: Ledger, amount_col: str, *, returns: str, zero_amounts: str) -> None:
    """Zero amounts, then returns (negative amounts), each by its policy.

    ``amount_col`` names the amount's column, or how it was computed ("'Quantity' × 'Price'").
    """
    amount = ledger.tx["amount"].to_numpy()
    negative, zero = (amount < 0) & ledger.alive, (amount == 0) & ledger.alive
    where = ledger.raw.where
    read = amount_col in ledger.raw.frame.columns
    what = f"column {amount_col!r}" if read else f"amount ({amount_col})"
    if negative.any() and returns == "error":
        ledger.problems.append(
            f"{what}: {plural(int(negative.sum()), 'negative amount')} (returns or refunds; "
            f"{where(negative, ledger.raw.frame[amount_col] if read else ledger.tx['amount'])}); pass "
            "returns='drop', 'net' or 'keep' to choose a policy")
    if zero.any() and zero_amounts == "error":
        ledger.problems.append(f"{what}: {plural(int(zero.sum()), 'amount')} of 0 "
                               f"({where(zero)}); pass zero_amounts='keep' or 'drop'")
    ledger.refuse_if_problems()
    if zero_amounts == "drop":
        ledger.drop(zero, "amount is 0 (zero_amounts='drop')")
    else:
        ledger.flag(zero, "flagged", "amount is 0, kept (zero_amounts='keep')")
    if returns == "drop":
        ledger.drop(negative, "negative amounts: returns or refunds (returns='drop')", revenue=True)
    elif returns == "keep":
        ledger.flag(negative, "flagged", "negative amounts: returns or refunds, kept (returns='keep')", revenue=True)
    elif negative.any():  # net
        live = ledger.tx.loc[ledger.alive]
        netted, n_returns, n_reduced, n_removed, unmatched = net_returns(live)
        rest = f"; {unmatched:,.2f} of returns found no earlier purchase and were discarded" if unmatched > 0 else ""
        ledger.items.append(ReportItem(
            "dropped", f"returns netted against the customer's earlier purchases (returns='net'){rest}", n_returns))
        if n_removed:
            ledger.items.append(ReportItem("dropped", "purchases returned in full (returns='net')", n_removed))
        if n_reduced:
            ledger.items.append(ReportItem("changed", "purchases reduced by later returns (returns='net')", n_reduced))
        ledger.alive[:] = False
        ledger.alive[netted["_row"].to_numpy()] = True
        ledger.tx = pd.concat([netted, ledger.tx.loc[~ledger.tx["_row"].isin(netted["_row"])]]).sort_values("_row")


