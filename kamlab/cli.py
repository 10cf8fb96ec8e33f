"""The ``kamlab`` command: render reports and show notebook parameters.

    kamlab report                       render every job of reports/reports.yml
    kamlab report NAME...               render some jobs (names from --list)
    kamlab report NOTEBOOK --data my.csv --customer-col client --date-col day
                  --amount-col net [--cost-col cogs] [-p name=value ...] [-f params.yml]
                                        one notebook on your own file, with new parameters
    kamlab report --list                the jobs and the notebooks
    kamlab params NOTEBOOK              a notebook's parameters: name, type, default, meaning

Exit status: 0 all reports rendered; 1 a report failed (the others are still
rendered; see reports/index.html); 2 a usage, configuration or parameter error
(nothing was run); 130 interrupted (finished reports are kept, nothing partial).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from kamlab import reports
from kamlab.reports import Job, ReportConfigError, ReportParameterError

#: --option -> notebook parameter of the dataset convention (CONTRIBUTING).
DATA_OPTIONS = {
    "data": "dataset",
    "customer_col": "customer_col",
    "date_col": "date_col",
    "amount_col": "amount_col",
    "cost_col": "cost_col",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kamlab",
        description="Render kamlab's notebooks into HTML reports (papermill + nbconvert).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,params}")

    rep = sub.add_parser(
        "report",
        help="render reports (all jobs, some jobs, or one notebook on your data)",
        description="Render reports. With no NAME, every job of reports/reports.yml. With "
        "--data/-p/-f, NAME is one notebook (path, stem or number such as 04) rendered on your "
        "data with your parameters.",
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
    data = rep.add_argument_group("your own data (notebooks with a `dataset` parameter)")
    data.add_argument("--data", metavar="FILE", help="CSV or parquet transactions, or a registered dataset name")
    data.add_argument("--customer-col", metavar="COL", help="column holding the customer id")
    data.add_argument("--date-col", metavar="COL", help="column holding the order date")
    data.add_argument("--amount-col", metavar="COL", help="column holding the revenue")
    data.add_argument("--cost-col", metavar="COL", help="column holding the cost (profit = amount - cost)")
    prm = rep.add_argument_group("parameters")
    prm.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a notebook parameter; repeatable; VALUE is parsed to the default's type")
    prm.add_argument("-f", "--params-file", type=Path, metavar="FILE", help="YAML mapping name: value")
    prm.add_argument("--name", help="output file stem for a one-off run (default: notebook-datafile)")
    prm.add_argument("--title", help="report title for a one-off run (default: the notebook's heading)")
    run = rep.add_argument_group("execution")
    run.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                     help="a cell running longer fails its job (default: 600)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")

    par = sub.add_parser("params", help="show a notebook's parameters",
                         description="Show the parameters of a notebook (path, stem, number or job name).")
    par.add_argument("notebook", metavar="NOTEBOOK")
    par.add_argument("--config", type=Path, default=None, metavar="FILE")
    return parser


# --------------------------------------------------------------------------- #


def _config(args: argparse.Namespace, *, required: bool) -> Path | None:
    if args.config is not None:
        if not args.config.is_file():
            raise ReportConfigError(f"--config {args.config}: no such file")
        return args.config.resolve()
    try:
        return reports.find_config()
    except ReportConfigError:
        if required:
            raise
        return None


def _root(config: Path | None) -> Path:
    return reports.project_root(config) if config else Path.cwd()


def _custom_requested(args: argparse.Namespace) -> bool:
    given = [getattr(args, opt) for opt in DATA_OPTIONS] + [args.params_file, args.name, args.title]
    return bool(args.param) or any(value is not None for value in given)


def _absolute_data(value: Any) -> Any:
    """A dataset that is a file: absolute (the kernel runs in the notebook's folder)."""
    if not isinstance(value, str):
        return value
    path = Path(value).expanduser()
    if path.exists():
        return str(path.resolve())
    if path.suffix.lower() in {".csv", ".parquet", ".pq", ".txt", ".gz"} or "/" in value:
        raise ReportConfigError(f"--data {value}: no such file (relative paths are read from {Path.cwd()})")
    return value  # a registered dataset name


def _custom_job(args: argparse.Namespace, config: Path | None, matrix: list[Job]) -> Job:
    if len(args.targets) != 1:
        raise ReportConfigError(
            "with --data, -p, -f, --name or --title give exactly one notebook, e.g. "
            "`kamlab report 04 --data my.csv -p k=50`"
        )
    target = args.targets[0]
    by_name = {job.name: job for job in matrix}
    base = by_name.get(target)
    notebook = base.notebook if base else reports.find_notebook(target, _root(config))
    params = reports.notebook_parameters(notebook)

    values: dict[str, Any] = dict(base.parameters) if base else {}
    if args.params_file is not None:
        from_file = reports.read_parameter_file(args.params_file)
        values.update(reports.check_parameters(notebook, from_file, origin=f"-f {args.params_file}", params=params))
    cli_values = reports.parse_assignments(args.param)
    values.update(reports.check_parameters(notebook, cli_values, origin="-p", text=True, params=params))
    data_values = {DATA_OPTIONS[opt]: getattr(args, opt) for opt in DATA_OPTIONS if getattr(args, opt) is not None}
    clash = sorted(set(data_values) & set(cli_values))
    if clash:
        raise ReportParameterError(f"{', '.join(clash)} given both as -p and as --data/--*-col; give each once")
    if data_values and "dataset" not in params:
        raise ReportParameterError(
            f"{notebook.name} reads no transaction data (it has no `dataset` parameter), so --data and "
            "the column options do not apply. Its parameters are:\n" + reports.describe_parameters(notebook, params)
        )
    values.update(reports.check_parameters(notebook, data_values, origin="--data/--*-col", text=True, params=params))
    if "dataset" in values:
        values["dataset"] = _absolute_data(values["dataset"])

    data_label = Path(args.data).stem if args.data else None
    default_name = "-".join(part for part in (notebook.stem, data_label) if part) + ("" if data_label else "-custom")
    name = args.name or re.sub(r"[^A-Za-z0-9_.-]+", "_", default_name)
    if name in by_name:
        raise ReportConfigError(f"--name {name!r} is a report of {config}; choose another --name")
    title = args.title or reports.notebook_title(notebook) + (f" (on {Path(args.data).name})" if args.data else "")
    return Job(
        name=name,
        notebook=notebook,
        title=title,
        parameters=values,
        dataset=None if values.get("dataset") is None else Path(str(values["dataset"])).name,
        hide_input=not args.show_code,
        kind="custom",
    )


def _selected_jobs(args: argparse.Namespace, config: Path | None, matrix: list[Job]) -> list[Job]:
    if not args.targets:
        return [_show_code(job, args) for job in matrix]
    by_name = {job.name: job for job in matrix}
    chosen, unknown = [], []
    for target in args.targets:
        if target in by_name:
            chosen.append(_show_code(by_name[target], args))
            continue
        try:
            notebook = reports.find_notebook(target, _root(config))
        except ReportConfigError:
            unknown.append(target)
            continue
        chosen.append(Job(name=notebook.stem, notebook=notebook, title=reports.notebook_title(notebook),
                          hide_input=not args.show_code, kind="custom"))
    if unknown:
        raise ReportConfigError(
            f"no job or notebook named {', '.join(map(repr, unknown))}; jobs: "
            f"{', '.join(by_name) or 'none'} (see `kamlab report --list`)"
        )
    return chosen


def _show_code(job: Job, args: argparse.Namespace) -> Job:
    if not args.show_code:
        return job
    return Job(**{**job.__dict__, "hide_input": False})


def _print_list(config: Path, matrix: list[Job]) -> None:
    print(f"Jobs in {config}:")
    width = max((len(job.name) for job in matrix), default=4)
    for job in matrix:
        params = ", ".join(f"{k}={v!r}" for k, v in job.parameters.items()) or "defaults"
        print(f"  {job.name:<{width}}  {job.notebook.name}  [{params}]  {job.title}")
    notebooks = sorted((_root(config) / "notebooks").glob("*.ipynb"))
    print("\nNotebooks (`kamlab params NOTEBOOK` shows parameters):")
    for nb in notebooks:
        print(f"  {nb.stem}")


def cmd_report(args: argparse.Namespace) -> int:
    custom = _custom_requested(args)
    config = _config(args, required=not custom)
    matrix = reports.load_jobs(config) if config else []
    if args.list:
        if config is None:
            raise ReportConfigError("--list needs reports/reports.yml; pass --config")
        _print_list(config, matrix)
        return 0
    if args.jobs is not None and args.jobs < 1:
        raise ReportConfigError("--jobs must be at least 1")
    jobs = [_custom_job(args, config, matrix)] if custom else _selected_jobs(args, config, matrix)
    out = (args.out or (config.parent if config else Path("reports"))).resolve()
    listed = matrix if out == (config.parent.resolve() if config else None) else []
    listed = listed + [job for job in jobs if job.name not in {j.name for j in listed}]
    start = time.perf_counter()
    try:
        results = reports.run_jobs(
            jobs, out, parallel=args.jobs, listed=listed, progress=not args.no_progress, timeout_s=args.timeout
        )
    except reports.Interrupted as stop:
        print(f"kamlab: {stop}; finished reports kept, nothing partial written", file=sys.stderr)
        return 130
    failed = [r for r in results if r.status != "ok"]
    wall = time.perf_counter() - start
    print(f"{len(results) - len(failed)} of {len(results)} report(s) rendered in {wall:.0f} s; "
          f"index: {out / reports.INDEX_NAME}")
    if len(results) == 1 and not failed:
        print(f"report: {out / results[0].html}")
    if failed:
        print("failed (see the index for links to each executed notebook):", file=sys.stderr)
        for r in failed:
            print(f"  {r.name}: {r.error}", file=sys.stderr)
        return 1
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    config = _config(args, required=False)
    matrix = reports.load_jobs(config, check=False) if config else []
    by_name = {job.name: job for job in matrix}
    notebook = by_name[args.notebook].notebook if args.notebook in by_name else \
        reports.find_notebook(args.notebook, _root(config))
    print(f"{notebook.name} parameters (set with -p name=value):")
    print(reports.describe_parameters(notebook))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kamlab`` console script."""
    reports.skip_unneeded_slow_imports()
    args = build_parser().parse_args(argv)

    def _stop(signum, frame):  # `kill` stops as cleanly as Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if args.command == "report":
            return cmd_report(args)
        return cmd_params(args)
    except (ReportConfigError, ReportParameterError, FileNotFoundError) as err:
        print(f"kamlab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kamlab: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
