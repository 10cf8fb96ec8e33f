"""The ``kamlab`` command line: its argument parser (``report``, ``export``, ``params``, ``clean``).

The data, accounts, loading-policy and parameter options are defined once
(:func:`data_arguments`) and shared by ``kamlab report`` and ``kamlab export``;
the loading flags are generated from the loader's signature (``loader_options``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import clean
from . import loader_options as lo
from .engine import ENGINES
from .own_data import OWN_DATA_RETURNS

#: The notebook whose parameters (-p, -f) `kamlab export` takes: it writes what this report's run would.
EXPORT_NOTEBOOK = "07_compare_definitions"


def data_arguments(parser) -> argparse._ArgumentGroup:
    """The options naming the data, the accounts file, the loading policies and -p/-f: shared by
    `report` and `export`; the "parameters" group, returned."""
    data = parser.add_argument_group("your own data (notebooks with a `dataset` parameter)")
    data.add_argument("--data", metavar="FILE", help="CSV, parquet or Excel transactions, or a registered dataset name")
    data.add_argument("--customer-col", metavar="COL", help="column holding the customer id")
    data.add_argument("--date-col", metavar="COL", help="column holding the order date")
    data.add_argument("--amount-col", metavar="COL", help="column holding the revenue")
    data.add_argument("--cost-col", metavar="COL", help="column holding the cost (profit = amount - cost)")
    data.add_argument("--engine", choices=ENGINES, default="auto",
                      help="read the file with the validating loader (pandas, in memory) or summarise it out of "
                           "core (duckdb: a clean file larger than memory, capstone only); auto: duckdb above "
                           "1 GiB (or an eighth of the memory) when no loading policy is given")
    acc = parser.add_argument_group("accounts / CRM file (one row per customer)")
    acc.add_argument("--accounts", metavar="FILE", help="CSV, parquet or Excel accounts file")
    acc.add_argument("--account-id-col", metavar="COL", help="its column holding the customer id")
    acc.add_argument("--account-col", action="append", default=[], metavar="ATTRIBUTE=COLUMN",
                     help="map a contract attribute to a column, e.g. staff_hours='Hours logged'; repeatable")
    lo.add_arguments(acc, lo.account_options())
    policies = parser.add_argument_group(
        "loading policies (kamlab.data.load_transactions; also keys of the -f params file)")
    lo.add_arguments(policies, lo.transaction_options(), defaults={"returns": f"{OWN_DATA_RETURNS} for your files"})
    prm = parser.add_argument_group("parameters")
    prm.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a notebook parameter; repeatable; VALUE is parsed to the default's type")
    prm.add_argument("-f", "--params-file", type=Path, metavar="FILE",
                     help="YAML mapping name: value (notebook parameters, data keys and loading policies)")
    return prm


def _report_parser(sub) -> None:
    rep = sub.add_parser(
        "report",
        help="render reports (all jobs, some jobs, or one notebook on your data)",
        description="Render reports. With no NAME, every job of reports/reports.yml. With "
        "--data/-p/-f, NAME is one notebook (path, stem or number such as 04) rendered on your "
        "data with your parameters. Exit status: 0 rendered, 1 a report failed, 2 a usage, "
        "parameter or data error (nothing run), 130 interrupted.",
    )
    rep.add_argument("targets", nargs="*", metavar="NAME", help="job names (see --list) or one notebook")
    rep.add_argument("--list", action="store_true", help="list the jobs and notebooks, render nothing")
    rep.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                     help="reports rendered at once (default: number of cores)")
    rep.add_argument("--show-code", action="store_true", help="keep the code cells in the HTML")
    rep.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="output folder (default: the reports/ folder of the project)")
    rep.add_argument("--config", type=Path, default=None, metavar="FILE",
                     help="job list (default: reports/reports.yml of the project)")
    prm = data_arguments(rep)
    prm.add_argument("--name", help="output file stem for a one-off run (default: notebook-datafile-changes)")
    prm.add_argument("--title", help="report title for a one-off run (default: heading, dataset and changes)")
    run = rep.add_argument_group("execution")
    run.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                     help="a cell running longer fails its job (default: 600)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The ``kamlab`` argument parser (loading flags generated from the loader's signature)."""
    parser = argparse.ArgumentParser(
        prog="kamlab",
        description="Render kamlab's notebooks into HTML reports (papermill + nbconvert).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,export,params,clean}")
    _report_parser(sub)
    exp = sub.add_parser(
        "export", help="write the CSV exports of your data, without rendering a report",
        description="Validate your file (and accounts file) as `kamlab report` does and write the CSV exports "
        "(accounts, key accounts of each definition, win-back and at-risk lists, the comparison, README.txt) "
        f"into --out, without a kernel. -p/-f take the parameters of {EXPORT_NOTEBOOK} (k, key_share, "
        "n_bootstrap, seed, confidence, programme_cost, calibration_end, pilot_days). Exit status: 0 written, "
        "1 the export failed, 2 a usage, parameter or data error (nothing written).")
    exp.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder the files are written to")
    exp.add_argument("--config", type=Path, default=None, metavar="FILE",
                     help="job list, to find the project's notebooks (default: reports/reports.yml)")
    data_arguments(exp)
    par = sub.add_parser("params", help="show a notebook's parameters",
                         description="Show the parameters of a notebook (path, stem, number or job name).")
    par.add_argument("notebook", metavar="NOTEBOOK")
    par.add_argument("--config", type=Path, default=None, metavar="FILE", help="job list (default: reports.yml)")
    cln = sub.add_parser("clean", help="remove the generated matrix reports (one-off runs are kept)",
                         description=clean.__doc__.split("\n\n")[1].replace("\n", " "))
    cln.add_argument("--out", type=Path, default=None, metavar="DIR", help="reports folder (default: reports/)")
    cln.add_argument("--config", type=Path, default=None, metavar="FILE", help="job list (default: reports.yml)")
    return parser
