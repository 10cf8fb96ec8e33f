"""The analyst's whole flow on a realistic ERP ledger and CRM file, with flags only.

Issue 12's acceptance: with no hand-editing of either file, `kamlab report
07_compare_definitions` computes every definition whose inputs the two files
contain, every notebook with a `dataset` parameter renders on them, and the
exports are written with totals that match the validation report exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kamlab import cli, datasets
from kamlab.definitions import DEFINITIONS
from kamlab.reports.parameters import notebook_parameters

import erp_export

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path, float]:
    folder = tmp_path_factory.mktemp("erp")
    world = datasets.load("b2b")
    return (erp_export.write_ledger(world, folder / "erp_ledger.csv"),
            erp_export.write_crm(world, folder / "crm_accounts.csv"), erp_export.expected_revenue(world))


def _report(notebook: str, ledger: Path, crm: Path | None, out: Path, *params: str) -> int:
    accounts = ["--accounts", str(crm)] if crm is not None else []
    flags = erp_export.FLAGS if crm is not None else erp_export.FLAGS[:-3]  # no accounts flags without a file
    return cli.main(["report", notebook, "--data", str(ledger), *accounts, *flags, *params,
                     "--out", str(out), "--no-progress"])


def _money(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_capstone_computes_every_definition_and_its_exports_add_up(files, tmp_path):
    ledger, crm, expected = files
    assert _report("07_compare_definitions", ledger, crm, tmp_path, "-p", "pilot_days=182") == 0
    page = next(tmp_path.glob("07_compare_definitions*.html")).read_text(encoding="utf-8")
    exports = next(tmp_path.glob("07_compare_definitions*_exports"))
    # the validation report: invoices net of credit memos, postage and the totals row left out
    kept = re.search(r"rows kept\s+[\d,]+\s+\d+ customers, [\d-]+ to [\d-]+, revenue ([\d,]+\.\d\d)", page)
    assert kept and _money(kept.group(1)) == expected
    calibration = re.search(r"calibration to [\d-]+ \(revenue ([\d,]+\.\d\d)\)", page)
    # every definition the two files can feed (all seven; the oracle needs a ground truth)
    table = pd.read_csv(exports / "comparison.csv", encoding="utf-8-sig").set_index("definition")
    assert table.loc[list(DEFINITIONS), "computable"].tolist() == [1] * 7
    assert table.loc["oracle", "computable"] == 0
    # the per-account export adds up to the validation report's calibration revenue, to the cent
    accounts = pd.read_csv(exports / "accounts.csv", encoding="utf-8-sig")
    assert round(accounts["revenue"].sum(), 2) == _money(calibration.group(1))
    assert {"win_back.csv", "at_risk.csv", "README.txt"} <= {p.name for p in exports.iterdir()}
    assert exports.name in page  # linked from the report
    # the exports are the report's own comparison, handed over by the notebook (not run a second time)
    assert list(tmp_path.glob("executed/07_compare_definitions*.bundle/comparison.pickle"))


def _dataset_notebooks() -> list[str]:
    return sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if "dataset" in notebook_parameters(p))


@pytest.mark.parametrize("notebook", [n for n in _dataset_notebooks() if not n.startswith("07")])
def test_every_notebook_with_a_dataset_parameter_renders_on_the_two_files(files, tmp_path, notebook):
    ledger, crm, _ = files
    assert _report(notebook, ledger, crm, tmp_path) == 0
    page = next(tmp_path.glob(f"{notebook}*.html")).read_text(encoding="utf-8")
    assert "Traceback" not in page


@pytest.mark.parametrize("notebook", ["02_customer_lifetime_value", "06_key_account_definitions",
                                      "07_compare_definitions"])
def test_the_notebooks_that_used_to_crash_render_on_transactions_only(files, tmp_path, notebook):
    ledger, _, _ = files
    assert _report(notebook, ledger, None, tmp_path) == 0
    page = next(tmp_path.glob(f"{notebook}*.html")).read_text(encoding="utf-8")
    assert "not computable on this dataset" in page or notebook.startswith("02")
