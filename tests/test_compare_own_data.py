"""Notebooks 06 and 07 on an analyst's file: transactions only, and with cost and an accounts file.

The report engine removes the cells tagged ``teaching`` before it runs an
own-data report; here the notebooks are run the same way with papermill on
files written to a temporary folder, and every section must either show its
numbers or say "not computable on this dataset: needs X -- give it with ...",
never raise.
"""

import json
from pathlib import Path

import pytest

from kamlab import synth

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
COLUMNS = {"customer_id": "Customer No.", "date": "Order date", "amount": "Net amount", "cost": "Cost"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own_data")
    world = synth.b2b_accounts(n_accounts=150, years=3, seed=3)
    tx = world.transactions[list(COLUMNS)].rename(columns=COLUMNS)
    tx.drop(columns="Cost").to_csv(folder / "ledger.csv", index=False)
    tx.to_csv(folder / "ledger_cost.csv", index=False)
    world.accounts.drop(columns="kam_pilot").reset_index().rename(columns={"customer_id": "Customer No."}).to_csv(
        folder / "crm.csv", index=False)
    return folder


def run(notebook, folder, data, **params):
    import nbformat
    import papermill

    from kamlab.reports.own_data import drop_teaching_cells

    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    assert drop_teaching_cells(nb) >= 1  # the exercises are tagged teaching
    source, out = folder / f"{notebook}_in.ipynb", folder / f"{notebook}_{data}.ipynb"
    nbformat.write(nb, source)
    papermill.execute_notebook(str(source), str(out), progress_bar=False, kernel_name="python3", parameters=dict(
        dataset=str(folder / f"{data}.csv"), customer_col="Customer No.", date_col="Order date",
        amount_col="Net amount", **params))
    executed = json.loads(out.read_text())
    return "\n".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))


@pytest.mark.parametrize("notebook", ["06_key_account_definitions", "07_compare_definitions"])
def test_transactions_only(notebook, files):
    text = run(notebook, files, "ledger", cost_col=None, accounts=None)
    assert "Traceback" not in text
    assert "not computable on this dataset: needs staff_hours -- give it with --accounts (column staff_hours)" in text
    assert "give it with --cost-col" in text  # profit needs the cost column
    if notebook.startswith("07"):  # no pilot and no assumed uplift: the decision names what it needs
        assert "Decision: not computable on this dataset: needs kam_pilot" in text


@pytest.mark.parametrize("notebook", ["06_key_account_definitions", "07_compare_definitions"])
def test_with_cost_and_an_accounts_file(notebook, files):
    text = run(notebook, files, "ledger_cost", cost_col="Cost", accounts=str(files / "crm.csv"))
    assert "Traceback" not in text
    assert "needs staff_hours" not in text and "needs cost_to_serve" not in text
    assert "extra_effort" in text and "needs kam_pilot" in text  # the CRM file has no pilot flag


def test_cost_without_an_accounts_file(tmp_path):
    """The case that raised a raw KeyError 'cost_to_serve' in notebook 06."""
    folder = tmp_path
    world = synth.b2b_accounts(n_accounts=120, years=3, seed=5)
    world.transactions[list(COLUMNS)].rename(columns=COLUMNS).to_csv(folder / "ledger_cost.csv", index=False)
    text = run("06_key_account_definitions", folder, "ledger_cost", cost_col="Cost", accounts=None)
    assert "Traceback" not in text
    assert "needs cost_to_serve -- give it with --accounts (column cost_to_serve)" in text
