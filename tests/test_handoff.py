"""The capstone's comparison handed from the notebook kernel to the CSV exports (kamlab.reports.handoff)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kamlab import compare, datasets
from kamlab.reports import export_folder
from kamlab.reports.handoff import COMPARISON_FILE, keep_comparison, kept_comparison


@pytest.fixture(scope="module")
def bundle_and_result(tmp_path_factory):
    ds = datasets.load("b2b")
    folder = tmp_path_factory.mktemp("bundle") / "job.bundle"
    datasets.write_bundle(ds, folder)
    return folder, compare.run_comparison(ds, n_bootstrap=50, sensitivity_draws=0)


def test_a_kept_comparison_reads_back_equal(bundle_and_result):
    folder, result = bundle_and_result
    assert keep_comparison(result, str(folder)) == folder / COMPARISON_FILE
    back = kept_comparison(folder)
    assert back.k == result.k
    pd.testing.assert_frame_equal(back.table, result.table)
    pd.testing.assert_frame_equal(back.accounts, result.accounts)
    assert {n: list(s) for n, s in back.selections.items()} == {n: list(s) for n, s in result.selections.items()}


def test_nothing_is_kept_for_a_registered_dataset_or_a_plain_file(bundle_and_result, tmp_path):
    _, result = bundle_and_result
    assert keep_comparison(result, "b2b") is None
    plain = tmp_path / "orders.csv"
    plain.write_text("customer_id,date,amount\nA,2020-01-01,1\n")
    assert keep_comparison(result, plain) is None and not list(tmp_path.glob("*.pickle"))


def test_a_comparison_older_than_its_bundle_is_ignored(bundle_and_result):
    folder, result = bundle_and_result
    keep_comparison(result, folder)
    stamp = (folder / "dataset.json").stat().st_mtime
    os.utime(folder / COMPARISON_FILE, (stamp - 60, stamp - 60))
    assert kept_comparison(folder) is None


def test_the_exports_use_the_kept_comparison_without_running_it_again(bundle_and_result, tmp_path, monkeypatch):
    folder, result = bundle_and_result
    keep_comparison(result, folder)

    def refuse(*args, **kwargs):
        raise AssertionError("the comparison ran again")

    monkeypatch.setattr(compare, "run_comparison", refuse)
    summary = export_folder.write_export_folder(folder, tmp_path / "exports", {},
                                                comparison=kept_comparison(folder))
    assert summary.accounts == len(result.accounts)
    table = pd.read_csv(tmp_path / "exports" / "comparison.csv", encoding="utf-8-sig").set_index("definition")
    for name, chosen in result.selections.items():
        keyed = pd.read_csv(tmp_path / "exports" / f"key_accounts_{name}.csv", encoding="utf-8-sig")
        assert set(keyed["customer_id"]) == set(map(str, chosen)), name
    assert set(result.table["definition"]) <= set(table.index)


def test_a_not_computable_definition_survives_the_hand_off():
    import pickle

    from kamlab.definitions import NotComputable

    back = pickle.loads(pickle.dumps(NotComputable("staff_focus", ("staff_hours",), ("staff_hours",), "no CRM file")))
    assert (back.definition, back.missing, back.reason) == (
        "staff_focus", ("staff_hours",), "not computable on this dataset: needs staff_hours (no CRM file)")


def test_equal_account_indexes_are_written_once(bundle_and_result, monkeypatch):
    from kamlab.reports import handoff

    folder, result = bundle_and_result
    monkeypatch.setattr(handoff, "_SHARED_INDEX_SIZE", 10)
    keep_comparison(result, folder)
    back = kept_comparison(folder)
    assert back.accounts.index.equals(result.accounts.index)
    assert back.accounts.index is back.windows.calhold.index  # one object where the original had equal copies
    pd.testing.assert_series_equal(back.scores["biggest"].scores, result.scores["biggest"].scores)
