"""The validation report: what a load read, kept, dropped, changed and flagged.

Nothing is dropped or changed silently: the :class:`ValidationReport` returned
with the data counts every row read, kept, dropped (with the reason), changed
or flagged. Always ``rows_read == rows_kept + rows_dropped``.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterator

import pandas as pd


@dataclass(frozen=True)
class ReportItem:
    """One line of a validation report.

    action : "dropped" (rows removed), "changed" (rows kept with a value altered)
        or "flagged" (rows kept unchanged but worth knowing about).
    reason : what happened and which option controls it.
    rows : number of rows concerned.
    lines : which rows, when worth naming (e.g. "lines 14, 87: '2099-01-01', ..."),
        else "".
    amount : the rows' total amount (currency units) where it matters, e.g.
        the returns a policy dropped or kept; None elsewhere.
    """

    action: str
    reason: str
    rows: int
    lines: str = ""
    amount: float | None = None

    @property
    def text(self) -> str:
        """The reason, followed by the rows concerned when they are named."""
        return f"{self.reason} ({self.lines})" if self.lines else self.reason


@dataclass(frozen=True, repr=False)
class ValidationReport:
    """What :func:`load_transactions` read, kept, dropped and changed, and why.

    Invariant: ``rows_read == rows_kept + rows_dropped``; every dropped row is
    in exactly one ``dropped`` item. ``changed`` and ``flagged`` items count
    the rows still in at that step (a later step may drop them, e.g. a credit
    note made negative and then netted).
    """

    source: str
    rows_read: int
    rows_kept: int
    items: tuple[ReportItem, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()   # (contract column, source column)
    notes: tuple[str, ...] = ()
    n_customers: int = 0
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None
    revenue_kept: float | None = None        # sum of the kept rows' amount, currency units

    def __post_init__(self):
        if self.rows_read != self.rows_kept + self.rows_dropped:
            raise AssertionError(
                f"validation report does not add up: {self.rows_read} read != "
                f"{self.rows_kept} kept + {self.rows_dropped} dropped"
            )

    @property
    def rows_dropped(self) -> int:
        """Rows removed, summed over the ``dropped`` items."""
        return sum(i.rows for i in self.items if i.action == "dropped")

    @property
    def rows_changed(self) -> int:
        """Row changes, summed over the ``changed`` items (a row may count twice)."""
        return sum(i.rows for i in self.items if i.action == "changed")

    def to_frame(self) -> pd.DataFrame:
        """The report as a table: one row per step, columns action, reason, rows."""
        rows = [("read", f"rows in {self.source}", self.rows_read)]
        rows += [(i.action, i.text, i.rows) for i in self.items]
        rows.append(("kept", self._kept_text(), self.rows_kept))
        return pd.DataFrame(rows, columns=["action", "reason", "rows"])

    def _kept_text(self) -> str:
        if self.first_date is None:
            return "rows in the contract"
        revenue = "" if self.revenue_kept is None else f", revenue {self.revenue_kept:,.2f}"
        return (f"{self.n_customers:,} customers, {self.first_date:%Y-%m-%d} "
                f"to {self.last_date:%Y-%m-%d}{revenue}")

    def __str__(self) -> str:
        width = max(9, len(f"{self.rows_read:,}"))
        lines = [f"Validation report for {self.source}"]
        lines.append(f"  {'rows read':<10}{self.rows_read:>{width},}")
        for item in self.items:
            lines.append(f"  {item.action:<10}{item.rows:>{width},}  {item.text}")
        lines.append(f"  {'rows kept':<10}{self.rows_kept:>{width},}  {self._kept_text()}")
        if self.columns:
            mapping = ", ".join(f"{c} <- {s!r}" for c, s in self.columns)
            lines.append(f"  columns   {mapping}")
        lines += [f"  note      {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (dates as ISO 8601 text); inverse of :meth:`from_dict`."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["items"] = [asdict(i) for i in self.items]
        out["columns"] = [list(pair) for pair in self.columns]
        out["notes"] = list(self.notes)
        for key in ("first_date", "last_date"):
            out[key] = None if out[key] is None else pd.Timestamp(out[key]).isoformat()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        """The report written by :meth:`to_dict` (e.g. read back from JSON)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"not a validation report: unknown keys {unknown}")
        values = dict(data)
        values["items"] = tuple(ReportItem(**i) for i in data.get("items", ()))
        values["columns"] = tuple(tuple(pair) for pair in data.get("columns", ()))
        values["notes"] = tuple(data.get("notes", ()))
        for key in ("first_date", "last_date"):
            if values.get(key) is not None:
                values[key] = pd.Timestamp(values[key])
        return cls(**values)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td style='text-align:right'>{r:,}</td>"
            f"<td style='text-align:left'>{html.escape(t)}</td></tr>"
            for a, t, r in self.to_frame().itertuples(index=False)
        )
        extra = ""
        if self.columns:
            extra += "<p>columns: " + html.escape(", ".join(f"{c} ← {s!r}" for c, s in self.columns)) + "</p>"
        if self.notes:
            extra += "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>"
        return (f"<p><b>Validation report for {html.escape(self.source)}</b></p>"
                f"<table><tr><th>action</th><th>rows</th><th>reason</th></tr>{body}</table>{extra}")


@dataclass(frozen=True)
class LoadedTransactions:
    """Result of :func:`load_transactions`: the contract frame and its report.

    Unpacks as ``transactions, report = load_transactions(...)``.
    """

    transactions: pd.DataFrame
    report: ValidationReport

    def __iter__(self) -> Iterator:
        return iter((self.transactions, self.report))


