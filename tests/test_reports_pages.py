"""Self-contained pages (formulas as MathML, a content-security policy, no scripts), the index
at 1,280 px with long paths, teaching cells, the last good report, and `kamlab clean`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kamlab import reports
from kamlab.reports import Job, JobResult
from kamlab.reports.clean import clean_reports
from kamlab.reports.formulas import hold_formulas
from kamlab.reports.own_data import drop_teaching_cells
from kamlab.reports.page import notebook_html
from kamlab.reports.render import without_first_heading


def _page(*cells) -> str:
    return notebook_html(new_notebook(cells=list(cells)), title="t", header="<p>header</p>", hide_input=True)


def test_formulas_are_mathml_built_into_the_page_and_prices_stay_text():
    page = _page(
        new_markdown_cell(r"Value $\frac{r}{1+d-r}$ per year; it costs $5 and $7. $$\sum_i x_i$$ `$code$`"),
        new_code_cell("x", outputs=[new_output("display_data", data={"text/markdown": r"share $p^2$",
                                                                      "text/plain": "x"})]),
    )
    assert page.count("<math ") == 3
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in page
    assert "<mfrac>" in page and "<msup><mi>p</mi><mn>2</mn></msup>" in page
    assert "costs $5 and $7." in page  # not a formula
    assert "<code>$code$</code>" in page  # code is left alone
    assert "kamlabmath" not in page  # every placeholder restored


def test_a_page_loads_nothing_and_forbids_scripts():
    page = _page(new_markdown_cell("# Title\n\n$x$"))
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert "mathjax" not in page.lower() and "mermaid.esm" not in page and "require.js" not in page
    csp = re.search(r'<meta [^>]*http-equiv="Content-Security-Policy"[^>]*>', page).group(0)
    for rule in ("default-src 'none'", "script-src 'none'", "img-src data: blob:", "connect-src 'none'"):
        assert rule in csp
    # nbconvert breaks output text anywhere ("bi / ggest"); the report overrides it with a more specific rule
    assert "word-break: break-all" in page
    assert "body .jp-OutputArea-output pre { word-break: normal; overflow-wrap: break-word; }" in page


def test_hold_formulas_leaves_the_original_notebook_unchanged():
    nb = new_notebook(cells=[new_markdown_cell("$a$")])
    held, formulas = hold_formulas(nb)
    assert nb.cells[0].source == "$a$" and held.cells[0].source != "$a$"
    assert "<mi>a</mi>" in formulas.restore(held.cells[0].source)


def test_teaching_cells_are_dropped_from_a_notebook_node():
    nb = new_notebook(cells=[new_markdown_cell("# t"), new_code_cell("1", metadata={"tags": ["teaching"]}),
                             new_code_cell("2", metadata={"tags": ["parameters"]}), new_code_cell("3")])
    assert drop_teaching_cells(nb) == 1
    assert [c.source for c in nb.cells] == ["# t", "2", "3"]


def _result(name, status, **extra) -> dict:
    base = dict(name=name, title=f"Title {name}", notebook="04_cohort_survival.ipynb", kind="custom",
                dataset="orders.csv", parameters={"k": 5}, status=status, error="", started="2024-01-01T00:00:00+00:00",
                duration_s=1.5, html=None, executed=None, traceback_html=None)
    base.update(extra)
    return base


def test_the_index_shows_file_names_with_the_full_path_on_hover():
    long = "/home/analyst/projects/2024/key-accounts/exports/from-the-erp/weekly/orders_export_2024_final.csv"
    crm = "/home/analyst/projects/2024/key-accounts/exports/from-the-crm/accounts_with_service_tickets.xlsx"
    status = {"run": _result("run", "ok", html="run.html", parameters={"dataset": long, "accounts": crm, "k": 5})}
    page = reports.index_html([], status)
    assert '<td class="dataset" title="' + long + '">orders.csv</td>' in page
    assert 'data-param="dataset"' not in page  # the dataset has its own column
    assert f'data-value="&quot;{crm}&quot;"' in page and f'title="accounts=&quot;{crm}&quot;"' in page
    assert '>accounts=&quot;accounts_with_service_tickets.xlsx&quot;</code>' in page
    assert "table-layout: fixed" in page and "overflow-wrap: anywhere" in page
    assert 'http-equiv="Content-Security-Policy"' in page


def test_a_data_error_is_shown_whole_beside_the_last_good_report(tmp_path):
    nb = tmp_path / "a.ipynb"
    good = JobResult(**_result("run", "ok", html="run.html", started="2024-05-01T10:00:00+00:00"))
    (tmp_path / "run.html").write_text("good report")
    reports.update_index(tmp_path, [Job("run", nb, "T", kind="custom")], [good])
    message = "orders.csv has 2 problems:\n  - column 'net': 1 value is not a number (line 8: 'ten')\n  - x"
    refused = JobResult(**_result("run", "failed", error="orders.csv has 2 problems:", detail=message))
    reports.update_index(tmp_path, [Job("run", nb, "T", kind="custom")], [refused])
    record = reports.read_status(tmp_path)["run"]
    assert record["detail"] == message
    assert record["last_good_html"] == "run.html" and record["last_good_started"] == "2024-05-01T10:00:00+00:00"
    page = (tmp_path / "index.html").read_text()
    assert "line 8: &#x27;ten&#x27;" in page and "<details" in page
    assert '<a class="last-good-link" href="run.html">last good report of 2024-05-01 10:00:00 UTC, kept</a>' in page


def _files(out: Path, names: list[str]) -> None:
    for name in names:
        path = out / name
        if name.endswith(".bundle"):
            path.mkdir(parents=True)
            (path / "dataset.json").write_text("{}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(name)


def test_clean_removes_what_kamlab_generated_for_the_matrix_only(tmp_path):
    out = tmp_path / "reports"
    nb = tmp_path / "a.ipynb"
    _files(out, ["m1.html", "executed/m1.ipynb", "executed/m2.ipynb", "executed/m2.html", "screenshots/index.png",
                 ".tmp-m1.html-x", "mine.html", "executed/mine.ipynb", "executed/mine.bundle",
                 "notes.html", "my_analysis.csv", "reports.yml"])
    status = {"m1": _result("m1", "ok", kind="matrix", html="m1.html", executed="executed/m1.ipynb"),
              "m2": _result("m2", "failed", kind="matrix", executed="executed/m2.ipynb",
                            traceback_html="executed/m2.html"),
              "mine": _result("mine", "ok", html="mine.html", executed="executed/mine.ipynb")}
    (out / "executed" / "status.json").write_text(json.dumps(status))
    clean_reports(out, [Job("m1", nb, "M1"), Job("m2", nb, "M2"), Job("m3", nb, "M3")])
    left = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert left == ["executed/.lock", "executed/mine.bundle/dataset.json", "executed/mine.ipynb",
                    "executed/status.json",
                    "index.html", "mine.html", "my_analysis.csv", "notes.html", "reports.yml"]
    assert set(reports.read_status(out)) == {"mine"}
    index = (out / "index.html").read_text()
    assert 'href="mine.html"' in index and "m1.html" not in index


def test_the_notebook_heading_is_left_out_of_the_page_once_the_header_shows_the_title():
    nb = new_notebook(cells=[new_code_cell("x"), new_markdown_cell("\n# 07 · Compared\n\nWhat you learn."),
                             new_markdown_cell("# 07 · Compared")])
    page_nb = without_first_heading(nb, "07 · Compared")
    assert page_nb.cells[1].source == "What you learn." and page_nb.cells[2].source == "# 07 · Compared"
    assert nb.cells[1].source == "\n# 07 · Compared\n\nWhat you learn."  # the executed notebook keeps it
    other = new_notebook(cells=[new_markdown_cell("# Something else\n\ntext")])
    assert without_first_heading(other, "07 · Compared") is other
