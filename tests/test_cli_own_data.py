"""``kamlab report NB --data FILE``: validation in the command's process, loader policies as
flags and params-file keys, teaching cells left out, nothing lost on a failed rerun."""

from __future__ import annotations

import html
import json
import re
import shlex
from pathlib import Path

import pytest

from kamlab import cli, reports
from report_toys import toy_project

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return toy_project(tmp_path_factory.mktemp("own"))


def _csv(path: Path, rows: list[tuple]) -> Path:
    pd.DataFrame(rows, columns=["client", "day", "net"]).to_csv(path, index=False)
    return path


GOOD = [("A", "2024-01-03", 120.0), ("A", "2024-02-10", 80.5), ("B", "2024-01-15", 40.0),
        ("C", "2024-01-20", 300.0), ("C", "2024-03-01", 25.25), ("B", "2024-03-09", 60.0)]
# two problems: an amount that is not a number, and a row without a customer id
BAD = GOOD + [("D", "2024-03-10", "ten"), ("", "2024-03-11", 5.0)]
COLUMNS = ["--customer-col", "client", "--date-col", "day", "--amount-col", "net"]


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if any notebook would be run."""
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(reports, "run_jobs", refuse)


def test_a_data_error_is_printed_whole_recorded_and_exits_2_without_a_kernel(project, tmp_path, capsys,
                                                                              no_kernel):
    bad = _csv(tmp_path / "orders.csv", BAD)
    out = tmp_path / "out"
    code = cli.main(["report", "04_data", "--config", str(project), "--data", str(bad), *COLUMNS,
                     "--no-progress", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "orders.csv has 2 problems:" in err
    assert re.search(r"column 'net'.*not a number.*line 8.*'ten'", err)  # file, column, line, value
    assert re.search(r"no customer id.*line 9", err)
    assert "--bad-rows drop" in err and "bad_rows=" not in err  # the fix, as a flag
    assert "No notebook was run" in err
    status = reports.read_status(out)["04_data-orders"]
    assert status["status"] == "failed" and status["executed"] is None
    assert status["error"] == "orders.csv has 2 problems:"
    assert "not a number" in status["detail"] and "no customer id" in status["detail"]  # stored whole
    index = (out / "index.html").read_text()
    assert html.escape("no customer id", quote=False) in index and "the whole message" in index
    assert not (out / "executed" / "04_data-orders.ipynb").exists()


def test_the_fix_the_message_names_is_accepted_on_the_command_line(project, tmp_path, capsys):
    bad = _csv(tmp_path / "orders.csv", BAD)
    out = tmp_path / "out"
    args = ["report", "04_data", "--config", str(project), "--data", str(bad), *COLUMNS, "--no-progress",
            "--out", str(out), "--name", "fixed"]
    assert cli.main(args) == 2
    fixes = re.findall(r"pass (--[a-z-]+(?: [^\s;,)]+)?)", capsys.readouterr().err)
    assert "--bad-rows drop" in fixes
    assert cli.main(args + shlex.split("--bad-rows drop")) == 0, reports.read_status(out)
    page = (out / "fixed.html").read_text()
    assert f"revenue={sum(r[2] for r in GOOD):.2f} customers=3" in page  # the two bad rows dropped
    assert "(--bad-rows drop)" in html.unescape(page)


def test_a_failed_rerun_keeps_the_last_good_report(project, tmp_path, capsys):
    data = tmp_path / "orders.csv"
    out = tmp_path / "out"
    args = ["report", "04_data", "--config", str(project), "--data", str(data), *COLUMNS, "--no-progress",
            "--out", str(out)]
    _csv(data, GOOD)
    assert cli.main(args) == 0
    good = (out / "04_data-orders.html").read_text()
    _csv(data, BAD)  # the analyst exports again, and this export is broken
    assert cli.main(args) == 2
    assert (out / "04_data-orders.html").read_text() == good
    record = reports.read_status(out)["04_data-orders"]
    assert record["status"] == "failed" and record["last_good_html"] == "04_data-orders.html"
    row = re.search(r'<tr class="job" data-name="04_data-orders".*?</tr>', (out / "index.html").read_text(), re.S)
    assert 'class="last-good-link" href="04_data-orders.html"' in row.group(0)
    assert "failed" in row.group(0)


def test_teaching_cells_are_left_out_on_own_data_only(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    out = tmp_path / "out"
    base = ["report", "05_teaching", "--config", str(project), "--no-progress", "--out", str(out)]
    assert cli.main(base + ["--data", str(data), *COLUMNS]) == 0, reports.read_status(out)
    own = (out / "05_teaching-orders.html").read_text()
    assert "ANALYSIS SECTION own_data=True" in own
    assert "TEACHING SECTION" not in own and "EXERCISE" not in own
    assert "2 teaching cells about other datasets and exercises left out" in own
    executed = (out / "executed" / "05_teaching-orders.ipynb").read_text()
    assert "TEACHING SECTION" not in executed  # removed before execution, not hidden after
    assert cli.main(base + ["-p", "top=4"]) == 0, reports.read_status(out)
    registered = (out / "05_teaching-top4.html").read_text()
    assert "TEACHING SECTION" in registered and "EXERCISE" in registered
    assert "ANALYSIS SECTION own_data=False" in registered


def _job(project, argv):
    args = cli.build_parser().parse_args(["report", *argv, "--config", str(project)])
    config = args.config.resolve()
    return cli._custom_job(args, config, reports.load_jobs(config))


def test_every_loader_policy_is_a_flag_passed_to_the_loader(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    job, spec = _job(project, ["04_data", "--data", str(data), "--bad-rows", "drop", "--returns", "keep",
                               "--monthfirst", "--delimiter", ";", "--date-format", "%d.%m.%Y",
                               "--decimal", ",", "--encoding", "cp1252", "--observation-end", "2024-03-31",
                               "--duplicates", "keep", "--zero-amounts", "drop"])
    assert spec["load_options"] == {"bad_rows": "drop", "returns": "keep", "dayfirst": False, "sep": ";",
                                    "date_format": "%d.%m.%Y", "decimal": ",", "encoding": "cp1252",
                                    "observation_end": "2024-03-31", "duplicates": "keep", "zero_amounts": "drop"}
    assert "--monthfirst" in job.data_options and "--date-format %d.%m.%Y" in job.data_options
    assert job.own_data and job.dataset == "orders.csv"


def test_params_file_keys_are_notebook_parameters_data_keys_and_policies(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    params = tmp_path / "params.yml"
    params.write_text(f"data: {data}\ncustomer_col: client\ntop: 5\nbad_rows: drop\nzero-amounts: drop\n"
                      "dayfirst: true\naccounts: crm.csv\naccount_columns: {staff_hours: Hours}\n")
    job, spec = _job(project, ["04_data", "-f", str(params), "--account-col", "service_tickets=Tickets"])
    assert spec["load_options"] == {"bad_rows": "drop", "zero_amounts": "drop", "dayfirst": True, "returns": "net"}
    assert spec["columns"]["customer_col"] == "client"
    assert spec["accounts"] == {"accounts": "crm.csv",
                                "account_columns": {"staff_hours": "Hours", "service_tickets": "Tickets"}}
    assert job.parameters == {"top": 5}  # the data reach the notebook as the bundle, added when validated
    assert job.shown_parameters["dataset"] == str(data.resolve())
    bad = tmp_path / "bad.yml"
    bad.write_text("returns: sometimes\n")
    with pytest.raises(reports.ReportConfigError, match="returns: 'sometimes' is not one of drop, keep, net"):
        _job(project, ["04_data", "--data", str(data), "-f", str(bad)])


def test_returns_are_netted_by_default_for_analyst_files_and_the_choice_is_kept(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    job, spec = _job(project, ["04_data", "--data", str(data)])
    assert spec["load_options"]["returns"] == "net"
    assert "default for your own files" in job.data_options["--returns net"]
    job, spec = _job(project, ["04_data", "--data", str(data), "--returns", "drop"])
    assert spec["load_options"]["returns"] == "drop" and job.data_options == {"--returns drop": ""}


def test_loading_options_do_not_apply_to_registered_datasets(project, capsys):
    assert cli.main(["report", "04_data", "--config", str(project), "--data", "cdnow", "--bad-rows", "drop"]) == 2
    assert "apply only to your own files" in capsys.readouterr().err


def test_one_off_runs_with_other_parameters_get_their_own_name_and_title(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    first, _ = _job(project, ["04_data", "--data", str(data), "-p", "top=5"])
    second, _ = _job(project, ["04_data", "--data", str(data), "-p", "top=8", "--bad-rows", "drop"])
    same, _ = _job(project, ["04_data", "--data", str(data), "-p", "top=3"])  # 3 is the default
    assert first.name == "04_data-orders-top5" and second.name == "04_data-orders-top8-bad_rowsdrop"
    assert first.title == "Data report (on orders.csv; top=5)"
    assert second.title == "Data report (on orders.csv; top=8; --bad-rows drop)"
    assert same.name == "04_data-orders" and same.title == "Data report (on orders.csv)"
    registered, _ = _job(project, ["04_data", "--data", "b2b", "-p", "top=5"])  # not the default cdnow_sample
    assert registered.name == "04_data-b2b-top5" and registered.title == "Data report (on b2b; top=5)"
    assert not registered.own_data and registered.parameters["dataset"] == "b2b"


def test_an_accounts_file_reaches_the_notebook_through_the_bundle(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    crm = tmp_path / "crm.csv"
    pd.DataFrame({"Customer": ["A", "B", "C"], "Hours logged": [10.0, 2.5, 0.0], "Tickets": [3, 0, 1]}).to_csv(
        crm, index=False)
    out = tmp_path / "out"
    code = cli.main(["report", "04_data", "--config", str(project), "--data", str(data), *COLUMNS,
                     "--accounts", str(crm), "--account-id-col", "Customer", "--account-col",
                     "staff_hours=Hours logged", "--account-col", "service_tickets=Tickets", "--no-progress",
                     "--out", str(out)])
    assert code == 0, reports.read_status(out)
    page = html.unescape((out / "04_data-orders-crm.html").read_text())
    assert "accounts: ['service_tickets', 'staff_hours'] 3" in page
    assert "Data report (on orders.csv with crm.csv)" in page
    assert "--account-col 'staff_hours=Hours logged'" in page  # the settings, as typed, in the header
    header = page[page.index('id="kamlab-header"'):page.index("</section>")]
    assert re.search(r'<pre class="kamlab-validation kamlab-accounts">[^<]*crm\.csv', header)  # what was matched


def test_an_accounts_error_names_the_accounts_flags_and_its_fix_works(project, tmp_path, capsys):
    data = _csv(tmp_path / "orders.csv", GOOD)
    crm = tmp_path / "crm.csv"
    pd.DataFrame({"Client": ["A", "B", "C"], "staff_hours": [1.0, 2.0, 3.0]}).to_csv(crm, index=False)
    out = tmp_path / "out"
    args = ["report", "04_data", "--config", str(project), "--data", str(data), *COLUMNS, "--accounts", str(crm),
            "--account-id-col", "Cliet", "--no-progress", "--out", str(out)]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "crm.csv" in err and "Cliet" in err
    fix = re.search(r"pass (--account-id-col \S+)", err)
    assert fix and "customer_col=" not in err and "--customer-col" not in err, err
    assert cli.main(args + shlex.split(fix.group(1))) == 0, reports.read_status(out)  # the last flag wins


def test_the_accounts_file_reading_options_are_flags_too(project, tmp_path):
    data = _csv(tmp_path / "orders.csv", GOOD)
    job, spec = _job(project, ["04_data", "--data", str(data), "--accounts", "crm.xlsx", "--accounts-sheet", "CRM",
                               "--accounts-decimal", ",", "--accounts-monthfirst"])
    assert spec["accounts"]["account_options"] == {"sheet": "CRM", "decimal": ",", "dayfirst": False}
    assert {"--accounts-sheet CRM", "--accounts-decimal ,", "--accounts-monthfirst"} <= set(job.data_options)
    _, spec = _job(project, ["04_data", "--data", str(data), "--accounts", "crm.xlsx", "--accounts-sheet", "2"])
    assert spec["accounts"]["account_options"] == {"sheet": 2}  # a position
