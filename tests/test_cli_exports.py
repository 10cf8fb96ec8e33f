"""The CSV exports of own-data reports and ``kamlab export``: written in the command's process from the
validated data, atomically, linked from the report's header and the index row, kept on a failed rerun."""

from __future__ import annotations

import json
import shutil
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from kamlab import cli, reports
from kamlab.reports.clean import clean_reports
from report_toys import toy_project

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

COLUMNS = ["--customer-col", "client", "--date-col", "day", "--amount-col", "net"]
#: `kamlab export` takes the parameters of the project's 07_compare_definitions notebook.
PROJECT = Path(__file__).resolve().parents[1] / "reports" / "reports.yml"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return toy_project(tmp_path_factory.mktemp("exports"))


def _orders(path: Path, *, n: int = 30, seed: int = 1) -> Path:
    """Orders of ``n`` accounts over 18 months, amounts in cents, with a credit note of account C000."""
    rng = np.random.default_rng(seed)
    rows = [(f"C{i:03d}", f"{pd.Timestamp('2023-01-02') + pd.Timedelta(days=int(d)):%Y-%m-%d}",
             int(rng.integers(1_000, 90_000)) / 100)
            for i in range(n) for d in rng.integers(0, 540, size=int(rng.integers(1, 7)))]
    rows.append(("C000", "2023-02-15", -12.34))
    pd.DataFrame(rows, columns=["client", "day", "net"]).to_csv(path, index=False)
    return path


def _resolves(base: Path, href: str) -> Path:
    """The file a relative link of a page in ``base`` points to (a link that leaves the folder fails)."""
    assert "://" not in href and not href.startswith("/"), href  # relative, so it works wherever the folder is
    return (base / unquote(href)).resolve()


@pytest.fixture(scope="module")
def own_run(project, tmp_path_factory):
    """`kamlab report 04_data --data orders.csv` once: (exit status, output folder)."""
    data = _orders(tmp_path_factory.mktemp("data") / "orders.csv")
    out = tmp_path_factory.mktemp("out")
    args = ["report", "04_data", "--config", str(project), "--data", str(data), *COLUMNS, "--no-progress",
            "--out", str(out)]
    return cli.main(args), out, args


def test_an_own_data_report_writes_its_exports_and_links_them_from_header_and_index(own_run):
    code, out, _ = own_run
    assert code == 0, reports.read_status(out)
    folder = out / "04_data-orders_exports"
    names = {p.name for p in folder.iterdir()}
    assert {"accounts.csv", "win_back.csv", "at_risk.csv", "comparison.csv", "README.txt",
            "key_accounts_biggest.csv"} <= names
    assert not list(out.glob(".tmp-*"))  # the temporary folder was renamed into place
    page = (out / "04_data-orders.html").read_text()
    header = page[page.index('id="kamlab-header"'):page.index("</section>")]
    link = re.search(r'<a class="exports-link" href="([^"]+)"', header)
    assert link and _resolves(out, link.group(1)) == (folder / "README.txt").resolve()
    row = re.search(r'<tr class="job" data-name="04_data-orders".*?</tr>', (out / "index.html").read_text(), re.S)
    link = re.search(r'<a class="exports-link" href="([^"]+)"', row.group(0))
    assert link and _resolves(out, link.group(1)).is_file()
    assert reports.read_status(out)["04_data-orders"]["exports"] == "04_data-orders_exports/README.txt"


def test_kamlab_export_writes_the_files_and_accounts_add_up_to_the_kept_calibration_revenue(tmp_path, capsys):
    from kamlab import datasets, rfm

    data = _orders(tmp_path / "orders.csv")
    out = tmp_path / "exports"
    code = cli.main(["export", "--config", str(PROJECT), "--data", str(data), *COLUMNS, "-p", "k=5",
                     "-p", "n_bootstrap=20", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    ds = datasets.resolve(str(data), customer_col="client", date_col="day", amount_col="net", returns="net")
    assert ds.report.rows_kept == len(ds.transactions)
    accounts = pd.read_csv(out / "accounts.csv", encoding="utf-8-sig")
    kept = ds.transactions.loc[ds.transactions["date"] < rfm.day_after(ds.calibration_end), "amount"].sum()
    assert round(accounts["revenue"].sum(), 2) == round(kept, 2)  # to the cent
    assert len(pd.read_csv(out / "key_accounts_biggest.csv", encoding="utf-8-sig")) == 5  # -p k=5 reached it
    for name in ("accounts.csv", "win_back.csv", "at_risk.csv", "comparison.csv", "README.txt"):
        assert f"  {name}" in printed
    assert f"rows kept {ds.report.rows_kept:,}" in printed
    assert f"revenue {ds.transactions['amount'].sum():,.2f}" in printed
    assert f"({kept:,.2f} in the calibration window" in printed
    assert f"accounts {len(accounts):,} " in printed
    assert not (tmp_path / "executed").exists()  # no report, no bundle


def test_kamlab_export_refuses_bad_data_whole_with_exit_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the comparison ran on refused data")

    monkeypatch.setattr("kamlab.compare.run_comparison", refuse)
    bad = _orders(tmp_path / "orders.csv")
    with bad.open("a") as handle:
        handle.write("D1,2023-03-10,ten\n,2023-03-11,5.0\n")
    out = tmp_path / "exports"
    assert cli.main(["export", "--config", str(PROJECT), "--data", str(bad), *COLUMNS, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "orders.csv has 2 problems:" in err
    assert re.search(r"column 'net'.*not a number", err) and "no customer id" in err
    assert "--bad-rows drop" in err and "bad_rows=" not in err  # the fix, as a flag
    assert not out.exists()


def test_kamlab_export_never_replaces_a_folder_of_other_files(tmp_path, capsys):
    data = _orders(tmp_path / "orders.csv")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the analyst's notes")
    assert cli.main(["export", "--config", str(PROJECT), "--data", str(data), *COLUMNS, "--out", str(mine)]) == 2
    assert "holds other files" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_export_takes_the_same_loading_flags_as_report(capsys):
    report = {a.dest for a in cli.build_parser()._subparsers._group_actions[0].choices["report"]._actions}
    export = {a.dest for a in cli.build_parser()._subparsers._group_actions[0].choices["export"]._actions}
    only_report = {"targets", "list", "jobs", "show_code", "name", "title", "timeout", "no_progress"}
    assert report - only_report == export


def test_a_failed_export_keeps_the_last_good_folder_and_the_report(own_run, monkeypatch, capsys):
    code, out, args = own_run
    assert code == 0
    folder = out / "04_data-orders_exports"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(comparison, dataset, directory, **kwargs):
        (Path(directory) / "accounts.csv").write_text("half a file")
        raise OSError("disk full (deliberate, for the test)")

    monkeypatch.setattr("kamlab.exports.write_exports", broken)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "exports failed: OSError: disk full" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not list(out.glob(".tmp-*"))
    assert (out / "04_data-orders.html").is_file()
    record = reports.read_status(out)["04_data-orders"]
    assert record["status"] == "ok" and "disk full" in record["exports_error"]
    assert record["exports"] == "04_data-orders_exports/README.txt"  # the kept folder, still linked
    row = re.search(r'<tr class="job" data-name="04_data-orders".*?</tr>', (out / "index.html").read_text(), re.S)
    assert "exports failed" in row.group(0) and "last good export, kept" in row.group(0)


def test_a_first_export_that_fails_leaves_the_report_without_a_dangling_link(project, tmp_path, monkeypatch,
                                                                           capsys):
    def broken(comparison, dataset, directory, **kwargs):
        raise OSError("disk full (deliberate, for the test)")

    monkeypatch.setattr("kamlab.exports.write_exports", broken)
    data = _orders(tmp_path / "orders.csv", n=12)
    out = tmp_path / "out"
    assert cli.main(["report", "04_data", "--config", str(project), "--data", str(data), *COLUMNS, "--no-progress",
                     "--out", str(out)]) == 1
    assert "exports failed: OSError: disk full" in capsys.readouterr().err
    page = (out / "04_data-orders.html").read_text()
    assert "exports-link" not in page and "not written: the export failed" in page
    assert not (out / "04_data-orders_exports").exists() and not list(out.glob(".tmp-*"))
    assert reports.read_status(out)["04_data-orders"]["exports"] is None


def test_clean_removes_generated_exports_and_keeps_one_off_ones(tmp_path):
    out = tmp_path / "reports"
    for rel in ("m1.html", "m1_exports/accounts.csv", "mine.html", "mine_exports/accounts.csv",
                "mine_notes/accounts.csv"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("x")
    base = {"title": "t", "notebook": "a.ipynb", "dataset": None, "parameters": {}, "status": "ok", "error": "",
            "started": "2024-01-01T00:00:00+00:00", "duration_s": 1.0, "executed": None, "traceback_html": None}
    status = {"m1": {**base, "name": "m1", "kind": "matrix", "html": "m1.html"},
              "mine": {**base, "name": "mine", "kind": "custom", "html": "mine.html",
                       "exports": "mine_exports/README.txt"}}
    (out / "executed").mkdir()
    (out / "executed" / "status.json").write_text(json.dumps(status))
    clean_reports(out, [reports.Job("m1", tmp_path / "a.ipynb", "M1")])
    assert not (out / "m1_exports").exists()
    assert (out / "mine_exports" / "accounts.csv").is_file() and (out / "mine_notes" / "accounts.csv").is_file()


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="needs the system Chromium (make browser-test installs it)")
def test_an_own_data_report_with_its_exports_passes_the_browser_check(own_run):
    pytest.importorskip("playwright")
    import browser_check  # tests/browser_check.py: test tooling, beside this file

    _, out, _ = own_run
    chromium = browser_check.find_chromium()
    assert browser_check.check_reports(out, chromium=chromium, screenshots=out / "screenshots") == []
