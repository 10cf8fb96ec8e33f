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


def _frames(obj, path="result", seen=None):
    """Every Series and DataFrame reachable through the dataclasses, dicts and tuples of ``obj``, by path."""
    import dataclasses

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (pd.Series, pd.DataFrame)):
        yield path, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            yield from _frames(getattr(obj, field.name), f"{path}.{field.name}", seen)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _frames(value, f"{path}[{key!r}]", seen)
    elif isinstance(obj, (tuple, list)):
        for i, value in enumerate(obj):
            yield from _frames(value, f"{path}[{i}]", seen)


def test_every_table_and_series_reads_back_equal_with_its_dtypes(bundle_and_result):
    folder, result = bundle_and_result
    keep_comparison(result, folder)
    back = dict(_frames(kept_comparison(folder)))
    original = dict(_frames(result))
    assert back.keys() == original.keys() and len(original) > 20
    for path, value in original.items():
        if isinstance(value, pd.Series):
            pd.testing.assert_series_equal(back[path], value, check_exact=True, obj=path)
        else:
            pd.testing.assert_frame_equal(back[path], value, check_exact=True, obj=path)


def test_pickling_a_series_does_not_build_an_engine_for_a_slice_of_its_index():
    """pandas' own reduction slices the index; with the index's hash engine built, the slice builds one too,
    a Python string per id, kept by the pickler's memo until the dump ends."""
    import io
    import tracemalloc

    import numpy as np

    from kamlab.reports.handoff import _Pickler

    ids = pd.Index([f"C{i:07d}" for i in range(200_000)], dtype="str", name="customer_id")
    series = pd.Series(np.arange(len(ids), dtype=float), index=ids)
    ids.get_loc("C0000005")  # builds the engine, as reindexing in the comparison does
    class Discard(io.RawIOBase):
        def write(self, data):
            return len(memoryview(data))

    tracemalloc.start()
    try:
        _Pickler(Discard(), []).dump([series, series * 2, series * 3])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # pandas' own reduction: about 220 bytes per id here (three engines of a Python string per id); now
    # about 16 (a copy of an array at a time)
    assert peak < 25 * len(ids)
