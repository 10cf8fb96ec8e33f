"""kamlab.reports without running kernels: parameters, job list, atomic files,
header and index. End-to-end renders (papermill kernels) are in test_cli.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kamlab import reports
from kamlab.reports import Job, JobResult, ReportConfigError, ReportParameterError
from report_toys import toy_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return toy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def toy(project) -> Path:
    return project.parent.parent / "notebooks" / "01_toy.ipynb"


@pytest.fixture(scope="module")
def toy_params(toy):
    return reports.notebook_parameters(toy)


def test_parameters_are_read_with_types_defaults_and_help(toy_params):
    assert list(toy_params) == ["n", "label", "rate", "verbose", "weights", "limit", "cutoff"]
    kinds = {name: p.type_name for name, p in toy_params.items()}
    assert kinds == {"n": "int", "label": "str", "rate": "float", "verbose": "bool",
                     "weights": "list", "limit": "None", "cutoff": "float"}
    assert toy_params["n"].default == 3 and toy_params["n"].help == "multiplier, a count"
    assert toy_params["label"].source == '"abc"'
    # a comment holding '=' defeats papermill's line parser; the Python parse recovers it
    assert toy_params["cutoff"].default == 0.2
    assert toy_params["cutoff"].help == "share kept (0.2 = top 20 %); papermill's own parser skips this line"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("n", "12", 12),
        ("label", "12", "12"),  # a str parameter keeps the text, even when it looks like a number
        ("rate", "3", 3.0),
        ("rate", "0.25", 0.25),
        ("verbose", "yes", True),
        ("verbose", "False", False),
        ("weights", "[3, 4.5]", [3, 4.5]),
        ("weights", "(1, 2)", [1, 2]),
        ("limit", "None", None),
        ("limit", "40", 40),
        ("limit", "cost", "cost"),
    ],
)
def test_command_line_text_is_parsed_to_the_type_of_the_default(toy_params, name, text, expected):
    value = reports.parse_parameter(toy_params[name], text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("name, text", [("n", "2.5"), ("n", "many"), ("rate", "half"),
                                        ("verbose", "maybe"), ("weights", "3")])
def test_text_that_does_not_fit_the_type_is_refused(toy_params, name, text):
    with pytest.raises(ValueError):
        reports.parse_parameter(toy_params[name], text)


def test_unknown_parameter_is_an_error_listing_every_parameter(toy):
    with pytest.raises(ReportParameterError) as err:
        reports.check_parameters(toy, {"nn": "4", "n": "x"}, origin="-p", text=True)
    message = str(err.value)
    assert "unknown parameter 'nn'" in message
    assert "parameter 'n' = 'x': not an integer" in message  # both problems at once
    for name in ("n", "label", "rate", "verbose", "weights", "limit", "cutoff"):
        assert f"\n  {name} " in message
    assert "multiplier, a count" in message  # the help comment is shown too


def test_yaml_values_are_checked_against_the_default_type(toy):
    checked = reports.check_parameters(toy, {"rate": 1, "n": 4, "weights": [5]}, origin="-f p.yml")
    assert checked == {"rate": 1.0, "n": 4, "weights": [5]} and type(checked["rate"]) is float
    with pytest.raises(ReportParameterError, match="'n' = True: expected int, got a boolean"):
        reports.check_parameters(toy, {"n": True}, origin="-f p.yml")
    with pytest.raises(ReportParameterError, match="'label' = 5: expected str"):
        reports.check_parameters(toy, {"label": 5}, origin="-f p.yml")


def test_parameter_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("- k\n- 5\n")
    with pytest.raises(ReportConfigError, match="must be a mapping"):
        reports.read_parameter_file(path)
    path.write_text("n: 4\nlabel: x\n")
    assert reports.read_parameter_file(path) == {"n": 4, "label": "x"}


def test_assignments_need_an_equals_sign():
    assert reports.parse_assignments(["k=5", "expr=a=b"]) == {"k": "5", "expr": "a=b"}
    with pytest.raises(ReportParameterError, match="name=value"):
        reports.parse_assignments(["k5"])


def test_jobs_are_read_with_titles_and_checked_parameters(project):
    jobs = reports.load_jobs(project)
    assert [j.name for j in jobs] == ["toy_default", "toy_five", "broken"]
    five = jobs[1]
    assert five.parameters == {"n": 5, "label": "five"}
    assert five.title == "Toy report with n = 5"
    assert jobs[0].title == "Toy report"  # from the notebook's first heading
    assert five.notebook == jobs[0].notebook and five.hide_input


def test_every_problem_of_the_job_list_is_reported_at_once(project, tmp_path):
    bad = project.parent / "bad.yml"
    bad.write_text(
        "jobs:\n"
        "  - name: a\n    notebook: 01_toy\n    parameters: {n: many}\n"
        "  - name: a\n    notebook: 01_toy\n"
        "  - name: c\n    notebook: 99_missing\n"
        "  - name: d\n    notebook: 01_toy\n    colour: blue\n"
        "  - notebook: 01_toy\n"
    )
    with pytest.raises(ReportConfigError) as err:
        reports.load_jobs(bad)
    message = str(err.value)
    assert "5 problem(s)" in message
    assert "'n' = 'many': not an integer" in message
    assert "name 'a' is used twice" in message
    assert "no notebook '99_missing'" in message and "01_toy" in message
    assert "unknown keys ['colour']" in message
    assert "'name' must be a file stem" in message


def test_notebooks_are_found_by_path_stem_or_number(project):
    root = reports.project_root(project)
    by_path = reports.find_notebook("notebooks/01_toy.ipynb", root)
    assert reports.find_notebook("01_toy", root) == by_path
    assert reports.find_notebook("01", root) == by_path
    with pytest.raises(ReportConfigError, match="notebooks in"):
        reports.find_notebook("07", root)


def test_atomic_write_keeps_the_old_file_when_the_rename_never_happens(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    reports.atomic_write_text(target, "old report")

    def interrupted(src, dst):
        raise KeyboardInterrupt  # as if Ctrl-C arrived between writing and renaming

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        reports.atomic_write_text(target, "new report " * 1000)
    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left


def _result(name, status, **extra) -> dict:
    base = dict(name=name, title=f"Title {name}", notebook="01_toy.ipynb", kind="matrix", dataset="cdnow",
                parameters={"n": 5}, status=status, error="", started="2024-01-01T00:00:00+00:00",
                duration_s=1.5, html=None, executed=None, traceback_html=None)
    base.update(extra)
    return base


def test_index_links_reports_and_marks_failures(tmp_path):
    listed = [Job("good", tmp_path / "a.ipynb", "Title good"), Job("bad", tmp_path / "a.ipynb", "Title bad"),
              Job("later", tmp_path / "a.ipynb", "Title later")]
    status = {
        "good": _result("good", "ok", html="good.html"),
        "bad": _result("bad", "failed", error="ValueError: deliberate <b>", executed="executed/bad.ipynb",
                       traceback_html="executed/bad.html"),
        "mine": _result("mine", "ok", kind="custom", html="mine.html"),
    }
    page = reports.index_html(listed, status)
    assert '<a class="report-link" href="good.html">Title good</a>' in page
    assert 'href="bad.html"' not in page
    assert "ValueError: deliberate &lt;b&gt;" in page  # escaped
    assert 'href="executed/bad.ipynb"' in page and 'href="executed/bad.html"' in page
    assert 'data-name="later" data-status="none"' in page and "not rendered yet" in page
    assert "mine.html" in page and "one-off run" in page
    assert page.index('data-name="good"') < page.index('data-name="bad"') < page.index('data-name="mine"')
    assert "1 failed" in page


def test_update_index_keeps_earlier_results_and_drops_removed_jobs(tmp_path):
    nb = tmp_path / "a.ipynb"
    first = [JobResult(**_result(n, "ok", html=f"{n}.html")) for n in ("a", "b", "gone")]
    reports.update_index(tmp_path, [Job("a", nb, "A"), Job("b", nb, "B"), Job("gone", nb, "G")], first)
    again = [JobResult(**_result("a", "failed", error="E: x"))]
    reports.update_index(tmp_path, [Job("a", nb, "A"), Job("b", nb, "B")], again)
    status = reports.read_status(tmp_path)
    assert set(status) == {"a", "b"}
    assert status["a"]["status"] == "failed" and status["b"]["status"] == "ok"
    assert not list(tmp_path.rglob(".tmp*"))


def test_header_says_how_the_amount_was_computed_with_price_col():
    from kamlab.reports.header import _parameter_rows
    from kamlab.reports.parameters import notebook_parameters

    params = notebook_parameters(Path("notebooks/07_compare_definitions.ipynb"))
    job = Job("x", Path("notebooks/07_compare_definitions.ipynb"), "X", parameters={}, dataset="retail.csv",
              data_options={"--quantity-col Quantity": "", "--price-col 'Unit Price'": "", "--bad-rows drop": ""})
    row = next(r for r in _parameter_rows(job, params) if 'data-param="amount_col"' in r)
    assert 'class="set"' in row and "&#x27;Quantity&#x27; × &#x27;Unit Price&#x27; (--price-col)" in row
    plain = Job("y", job.notebook, "Y", parameters={}, dataset="orders.csv", data_options={"--bad-rows drop": ""})
    row = next(r for r in _parameter_rows(plain, params) if 'data-param="amount_col"' in r)
    assert 'class="default"' in row and "×" not in row


def test_header_shows_set_values_defaults_and_the_validation_summary(toy, toy_params):
    job = Job("toy", toy, "Toy <report>", parameters={"n": 5, "label": "x y"}, dataset="my.csv")
    meta = {"name": "my", "source": "analyst file my.csv", "shape": "10 transactions",
            "report": "Validation report for my.csv\n  rows read 10"}
    page = reports.header_html(job, toy_params, meta, started="2024-05-01T10:00:00+00:00",
                               duration_s=2.345, status="ok")
    assert "<h1 class=\"kamlab-title\">Toy &lt;report&gt;</h1>" in page
    assert '<tr data-param="n" class="set"><td><code>n</code></td><td><code>5</code></td>' in page
    assert '<tr data-param="label" class="set"><td><code>label</code></td><td><code>&quot;x y&quot;</code></td>' in page
    assert '<tr data-param="rate" class="default"><td><code>rate</code></td><td><code>0.5</code></td>' in page
    assert "Validation report for my.csv" in page and "10 transactions" in page
    assert "2024-05-01 10:00:00 UTC, 2.3 s" in page
    assert f"version {reports.kamlab.__version__}" in page
