"""The ``kamlab`` command: render reports, show notebook parameters, clean up.

    kamlab report                       render every job of reports/reports.yml
    kamlab report NAME...               render some jobs (names from --list)
    kamlab report NOTEBOOK --data my.csv --customer-col client --date-col day
                  --amount-col net [--cost-col cogs] [--accounts crm.csv ...]
                  [--returns net --bad-rows drop --dayfirst ...] [-p name=value ...] [-f params.yml]
                                        one notebook on your own file, with new parameters
    kamlab report --list                the jobs and the notebooks
    kamlab export --data my.csv [--accounts crm.csv] [loading flags] [-p k=50] --out DIR
                                        the CSV exports (accounts, key accounts, win-back,
                                        at-risk, comparison) without rendering a report
    kamlab params NOTEBOOK              a notebook's parameters: name, type, default, meaning
    kamlab clean                        remove the matrix's generated reports (never a one-off run)

Your own file is read and validated in this process before any kernel starts:
a data error prints every problem (file, column, lines, fix as a flag) and
exits with status 2 in seconds; it is also recorded on the index. A report on
your own file writes, beside its HTML, <name>_exports/ with the CSV files.

Exit status: 0 all reports rendered; 1 a report or its exports failed (the others
are still rendered; see reports/index.html); 2 a usage, configuration, parameter or data
error (no notebook was run); 130 interrupted (finished reports are kept,
nothing partial).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

from kamlab import reports
from kamlab.reports import Job, ReportConfigError, ReportParameterError
from kamlab.reports import loader_options as lo
from kamlab.reports.arguments import EXPORT_NOTEBOOK, build_parser
from kamlab.reports.engine import choose_engine, reads_transactions
from kamlab.reports.export_folder import (export_after_render, exports_link, replaceable, summary_lines,
                                          write_export_folder)
from kamlab.reports.one_off import (
    data_labels,
    differing,
    one_off_name,
    one_off_title,
    own_data_values,
    own_file,
    parse_account_columns,
    refused_result,
    shown_data_options,
)
from kamlab.reports.own_data import OWN_DATA_RETURNS, load_own_data, prepare_data

#: --option -> notebook parameter of the dataset convention (CONTRIBUTING).
DATA_OPTIONS = {
    "data": "dataset",
    "customer_col": "customer_col",
    "date_col": "date_col",
    "amount_col": "amount_col",
    "cost_col": "cost_col",
}
COLUMN_KEYS = ("customer_col", "date_col", "amount_col", "cost_col")
#: Keys of a params file (-f) that describe the data rather than a notebook parameter.
FILE_DATA_KEYS = ("data", "accounts", "account_id_col", "account_columns")
RETURNS_NOTE = (f"default for your own files: credit notes netted against the customer's revenue, so "
                "revenue is not overstated (--returns drop leaves them out, --returns keep keeps them as rows)")
EXIT_USAGE = 2


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
    given = [getattr(args, opt) for opt in DATA_OPTIONS] + [args.params_file, args.name, args.title,
                                                              args.accounts, args.account_id_col]
    policies = lo.from_args(args, lo.transaction_options() + lo.account_options())
    return bool(args.param or args.account_col or policies) or any(value is not None for value in given)


def _values(args, notebook: Path, params, base: Job | None) -> tuple[dict, dict, dict]:
    """(notebook values, loading policies, accounts settings) from the job, -f, -p and the flags."""
    options, account_options = lo.transaction_options(), lo.account_options()
    values: dict[str, Any] = dict(base.parameters) if base else {}
    policies, reading, file_data = {}, {}, {}
    if args.params_file is not None:
        origin = f"-f {args.params_file}"
        from_file = reports.read_parameter_file(args.params_file)
        reading, rest = lo.split_mapping(from_file, account_options, origin=origin)
        policies, rest = lo.split_mapping(rest, options, origin=origin)
        file_data = {k: rest.pop(k) for k in FILE_DATA_KEYS if k in rest}
        if "data" in file_data:
            rest["dataset"] = file_data.pop("data")
        values.update(reports.check_parameters(notebook, rest, origin=origin, params=params))
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
    policies.update(lo.from_args(args, options))
    columns = {**(file_data.get("account_columns") or {}), **parse_account_columns(args.account_col)}
    reading.update(lo.from_args(args, account_options))
    accounts = {"accounts": args.accounts or file_data.get("accounts"),
                "account_id_col": args.account_id_col or file_data.get("account_id_col"),
                "account_columns": columns or None, "account_options": reading or None}
    return values, policies, {k: v for k, v in accounts.items() if v is not None}


def _custom_job(args: argparse.Namespace, config: Path | None, matrix: list[Job]) -> tuple[Job, dict]:
    """The one-off job, and what to validate in this process (empty for a registered dataset)."""
    if len(args.targets) != 1:
        raise ReportConfigError(
            "with --data, -p, -f, --name, --title or a loading option give exactly one notebook, e.g. "
            "`kamlab report 04 --data my.csv -p k=50`"
        )
    by_name = {job.name: job for job in matrix}
    base = by_name.get(args.targets[0])
    notebook = base.notebook if base else reports.find_notebook(args.targets[0], _root(config))
    params = reports.notebook_parameters(notebook)
    values, policies, accounts = _values(args, notebook, params, base)
    own = own_file(values.get("dataset"))
    if own is None and (policies or accounts):
        raise ReportConfigError("loading options and --accounts apply only to your own files (--data FILE); "
                                f"{values.get('dataset', 'this notebook')!r} is not one")
    engine = choose_engine(getattr(args, "engine", "auto"), own, notebook, policies) if own else "pandas"
    defaulted = set() if own is None or "returns" in policies or not reads_transactions(engine, own) else {"returns"}
    if defaulted:
        policies["returns"] = OWN_DATA_RETURNS
    values, shown = own_data_values(values, accounts, params, own)
    label, stem = data_labels(own, values, params, accounts.get("accounts"))
    changed = differing(values, params)
    flags = {k: lo.flag_words(k, v, lo.transaction_options()) for k, v in policies.items() if k not in defaulted}
    name = args.name or one_off_name(notebook, stem, changed, {k: v for k, v in policies.items() if k in flags})
    if name in by_name:
        raise ReportConfigError(f"--name {name!r} is a report of {config}; choose another --name")
    title = args.title or one_off_title(base.title if base else reports.notebook_title(notebook), label, changed, flags)
    job = Job(name=name, notebook=notebook, title=title, parameters=values, hide_input=not args.show_code,
              dataset=own.name if own else (None if values.get("dataset") is None else str(values["dataset"])),
              kind="custom", shown=shown, own_data=own is not None,
              data_options=shown_data_options(policies, accounts, RETURNS_NOTE if defaulted else "") if own else {})
    columns = {k: shown.get(k) for k in COLUMN_KEYS}
    return job, ({"path": own, "columns": columns, "load_options": policies, "accounts": accounts,
                  "engine": engine} if own else {})


def _refusal(err: Exception) -> Exception:
    """A loader error as the command reports it: every problem of the data (DataRefused), or a
    policy value or column map the loader refuses (a usage error); fixes named as flags."""
    from kamlab.data import AccountDataError, DataContractError

    options = lo.transaction_options()
    if isinstance(err, DataContractError):
        return DataRefused(lo.flag_form(str(err), options, accounts=isinstance(err, AccountDataError)))
    return ReportConfigError(lo.flag_form(str(err).strip("'\""), options))


def _validate_own_data(job: Job, spec: dict, out: Path, listed: list[Job]) -> Job:
    """Validate the analyst's file here; the job now reads its bundle and will write its exports.
    A data error is printed whole, recorded on the index, and ends the command (exit 2)."""
    try:
        prepared = prepare_data(spec["path"], columns=spec["columns"], load_options=spec["load_options"],
                                accounts=spec["accounts"], out_dir=out, name=job.name,
                                engine=spec.get("engine", "pandas"))
    except (ValueError, KeyError, TypeError) as err:  # DataContractError is a ValueError
        refused = _refusal(err)
        if isinstance(refused, DataRefused):
            reports.update_index(out, listed, [refused_result(job, str(refused))])
        raise refused from None
    return Job(**{**job.__dict__, "parameters": {**job.parameters, "dataset": str(prepared.bundle)},
                  "own_data": prepared.own_data, "exports": exports_link(job.name)})


class DataRefused(Exception):
    """The analyst's data do not meet the contract; the message lists every problem (as flags)."""


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


def _summary(results: list, out: Path, wall: float) -> int:
    failed = [r for r in results if r.status != "ok"]
    print(f"{len(results) - len(failed)} of {len(results)} report(s) rendered in {wall:.0f} s; "
          f"index: {out / reports.INDEX_NAME}")
    if len(results) == 1 and not failed:
        print(f"report: {out / results[0].html}")
    for r in results:
        if r.exports and not r.exports_error:
            print(f"exports: {out / r.exports.rsplit('/', 1)[0]}")
        elif r.exports_error:
            kept = f"; the last good exports are kept: {out / r.exports}" if r.exports else ""
            print(f"kamlab: {r.name}: the report rendered but its exports failed: {r.exports_error}{kept}",
                  file=sys.stderr)
    if not failed:
        return 1 if any(r.exports_error for r in results) else 0
    print("failed (see the index for links to each executed notebook):", file=sys.stderr)
    for r in failed:
        print(f"  {r.name}: {r.error}", file=sys.stderr)
    return 1


def cmd_report(args: argparse.Namespace) -> int:
    """``kamlab report``: the exit status (0, 1, 2 or 130, see the module docstring)."""
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
    own = {}
    if custom:
        job, own = _custom_job(args, config, matrix)
        jobs = [job]
    else:
        jobs = _selected_jobs(args, config, matrix)
    out = (args.out or (config.parent if config else Path("reports"))).resolve()
    listed = matrix if out == (config.parent.resolve() if config else None) else []
    listed = listed + [job for job in jobs if job.name not in {j.name for j in listed}]
    if own:
        jobs = [_validate_own_data(jobs[0], own, out, listed)]
        listed = [jobs[0] if j.name == jobs[0].name else j for j in listed]
    start = time.perf_counter()
    try:
        results = reports.run_jobs(
            jobs, out, parallel=args.jobs, listed=listed, progress=not args.no_progress, timeout_s=args.timeout
        )
    except reports.Interrupted as stop:
        print(f"kamlab: {stop}; finished reports kept, nothing partial written", file=sys.stderr)
        return 130
    if own:  # the CSV exports, here, from the validated bundle, once the report rendered
        results = export_after_render(results, jobs, out)
        reports.update_index(out, listed, results)
    return _summary(results, out, time.perf_counter() - start)


def cmd_export(args: argparse.Namespace) -> int:
    """``kamlab export``: validate the analyst's file here and write the CSV exports, no kernel."""
    if not replaceable(args.out):
        raise ReportConfigError(f"--out {args.out}: holds other files; the export replaces its folder whole, "
                                "so give a new folder or an earlier export's")
    config = _config(args, required=False)
    notebook = reports.find_notebook(EXPORT_NOTEBOOK, _root(config))
    params = reports.notebook_parameters(notebook)
    values, policies, accounts = _values(args, notebook, params, None)
    own = own_file(values.get("dataset")) if "dataset" in values else None
    if own is None:
        raise ReportConfigError("kamlab export writes the exports of your own file: give --data FILE")
    engine = choose_engine(args.engine, own, notebook, policies)
    if reads_transactions(engine, own):
        policies.setdefault("returns", OWN_DATA_RETURNS)
    values, shown = own_data_values(values, accounts, params, own)
    try:
        ds = load_own_data(own, columns={k: shown.get(k) for k in COLUMN_KEYS}, load_options=policies,
                           accounts=accounts, engine=engine)
    except (ValueError, KeyError, TypeError) as err:  # nothing is written
        raise _refusal(err) from None
    defaults = {p.name: p.default for p in params.values() if p.type_name != "expr"}
    try:
        summary = write_export_folder(ds, args.out.resolve(), {**defaults, **values})
    except Exception as err:  # the comparison or a file: the folder, if any, is as it was
        print(f"kamlab: the export failed: {type(err).__name__}: {err}; {args.out} is as it was", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(summary)))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """``kamlab params``: a notebook's parameters."""
    config = _config(args, required=False)
    matrix = reports.load_jobs(config, check=False) if config else []
    by_name = {job.name: job for job in matrix}
    notebook = by_name[args.notebook].notebook if args.notebook in by_name else \
        reports.find_notebook(args.notebook, _root(config))
    print(f"{notebook.name} parameters (set with -p name=value):")
    print(reports.describe_parameters(notebook))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    """``kamlab clean``: remove the matrix's generated files, keep one-off runs."""
    config = _config(args, required=args.out is None)
    matrix = reports.load_jobs(config, check=False) if config else []
    out = (args.out or config.parent).resolve()
    removed = reports.clean.clean_reports(out, matrix)
    kept = reports.read_status(out)
    print(f"removed {len(removed)} generated file(s) and folder(s) from {out}"
          + (f"; kept {len(kept)} one-off report(s), listed on {out / reports.INDEX_NAME}" if kept else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kamlab`` console script."""
    reports.skip_unneeded_slow_imports()
    args = build_parser().parse_args(argv)

    def _stop(signum, frame):  # `kill` stops as cleanly as Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    commands = {"report": cmd_report, "export": cmd_export, "params": cmd_params, "clean": cmd_clean}
    try:
        return commands[args.command](args)
    except DataRefused as err:
        print(f"kamlab: data error: {err}\nNo notebook was run: fix the file or the options named above "
              "and run the command again.", file=sys.stderr)
        return EXIT_USAGE
    except (ReportConfigError, ReportParameterError, FileNotFoundError) as err:
        print(f"kamlab: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kamlab: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
