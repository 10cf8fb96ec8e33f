"""A realistic ERP ledger export and CRM accounts file, built from the synthetic B2B world.

What a wholesaler's system gives an analyst, not what kamlab would like:

- the ledger (``erp_ledger.csv``): two title lines and a blank line above the
  header, ``;`` as delimiter, "Customer No." / "Posting Date" / "Document Type" /
  "Document No." / "Description" / "Amount" / "Cost Amount" columns, dates as
  dd/mm/yyyy, amounts with a thousands dot and a decimal comma, credit memos
  written as *positive* amounts with document type "Credit Memo" (and a "CN-"
  document number), postage lines that are not sales, a blank line in the
  middle, and a totals row at the end;
- the CRM table (``crm_accounts.csv``): its own column names ("Service Tickets",
  "Staff hours (h)", "Cost to serve (EUR)", "KAM pilot" as yes/no/empty,
  "Customer since" as dd/mm/yyyy, ...), ``;`` and decimal commas.

:func:`expected_revenue` is what a correct load keeps: invoices net of credit
memos, postage left out, computed here directly from the world.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: The flags that load both files (no hand-editing of either file).
FLAGS = [
    "--customer-col", "Customer No.", "--date-col", "Posting Date", "--amount-col", "Amount",
    "--cost-col", "Cost Amount", "--dayfirst",
    "--credit-note-col", "Document Type", "--credit-note-values", "Credit Memo",
    "--exclude-col", "Description", "--exclude-values", "Postage",
    "--account-col", "acquired=Customer since", "--accounts-dayfirst",
]


def _money(values: np.ndarray) -> list[str]:
    """1234.5 -> '1.234,50' (thousands dot, decimal comma)."""
    return [f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") for v in values]


def _ledger_rows(world) -> pd.DataFrame:
    """Invoices, credit memos against some of them, and postage lines, in posting order."""
    rng = np.random.default_rng(7)
    tx = world.transactions.reset_index(drop=True)
    invoices = pd.DataFrame({"customer": tx["customer_id"], "date": tx["date"], "type": "Invoice",
                             "number": [f"INV-{i + 1:05d}" for i in range(len(tx))],
                             "description": "Goods", "amount": tx["amount"].round(2),
                             "cost": tx["cost"].round(2)})
    returned = invoices.sample(frac=0.03, random_state=3)
    share = rng.uniform(0.2, 1.0, len(returned)).round(2)
    credits = returned.assign(
        date=returned["date"] + pd.to_timedelta(rng.integers(3, 20, len(returned)), unit="D"),
        type="Credit Memo", number=[f"CN-{i + 1:04d}" for i in range(len(returned))],
        description="Goods returned", amount=(returned["amount"] * share).round(2),
        cost=(returned["cost"] * share).round(2))
    credits = credits[credits["date"] <= world.observation_end]
    postage = invoices.sample(frac=0.02, random_state=4).assign(
        type="Invoice", description="Postage", amount=9.95, cost=9.95,
        number=lambda f: [f"INV-P{i + 1:04d}" for i in range(len(f))])
    rows = pd.concat([invoices, credits, postage], ignore_index=True)
    return rows.sort_values(["date", "number"], kind="mergesort").reset_index(drop=True)


def write_ledger(world, path: Path) -> Path:
    rows = _ledger_rows(world)
    body = [";".join(values) for values in zip(
        rows["customer"], rows["date"].dt.strftime("%d/%m/%Y"), rows["type"], rows["number"],
        rows["description"], _money(rows["amount"].to_numpy()), _money(rows["cost"].to_numpy()))]
    body.insert(len(body) // 2, "")  # a blank line in the middle of the export
    total = _money(np.array([rows["amount"].sum()]))[0]
    lines = ["Sales ledger -- customer invoice lines;;;;;;", "Printed 05/01/2025 by ERP;;;;;;", "",
             "Customer No.;Posting Date;Document Type;Document No.;Description;Amount;Cost Amount",
             *body, "", f";;;;Total;{total};"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_crm(world, path: Path) -> Path:
    acc = world.accounts.reset_index()
    pilot = acc["kam_pilot"].map({1: "yes", 0: "no"}).fillna("")
    table = pd.DataFrame({
        "Customer No.": acc["customer_id"], "Industry": acc["industry"],
        "Customer since": pd.to_datetime(acc["acquired"]).dt.strftime("%d/%m/%Y"),
        "Service Tickets": acc["service_tickets"].astype(int),
        "Staff hours (h)": _money(acc["staff_hours"].to_numpy(dtype=float)),
        "Cost to serve (EUR)": _money(acc["cost_to_serve"].to_numpy(dtype=float)),
        "Strategic fit (1-5)": acc["strategic_fit"], "Influence": acc["influence"],
        "Referrals": acc["referrals"], "KAM pilot": pilot, "Growth potential": acc["growth_potential"],
    })
    path.write_text(table.to_csv(sep=";", index=False), encoding="utf-8")
    return path


def expected_revenue(world) -> float:
    """Revenue a correct load keeps: every invoice, minus the credit memos, without postage."""
    rows = _ledger_rows(world)
    sales = rows[rows["description"] != "Postage"]
    sign = np.where(sales["type"] == "Credit Memo", -1.0, 1.0)
    return round(float((sign * sales["amount"]).sum()), 2)
