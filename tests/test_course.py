"""The course checks itself: every chapter exercise has a check (or is open-ended), hints and a
worked solution; the solutions pass their checks; known wrong answers fail with their hint.

Exercises are parsed from the chapter notebooks, so an exercise added to a notebook
without its entry in kamlab.course and a solution fails here.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import kamlab.course as course
from kamlab.course.inventory import chapter_notebooks, parse_exercises

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
CHAPTERS = {p.name[:2]: p for p in chapter_notebooks(ROOT / "notebooks")}
LISTED = {ex_id: text for path in CHAPTERS.values() for ex_id, text in parse_exercises(path).items()}
course.load_all()
CHECKED = [ex for ex in course.EXERCISES.values() if not ex.open_ended]


def _solution(chapter: str) -> Path:
    return SOLUTIONS / f"{course.NOTEBOOKS[chapter]}_solutions.ipynb"


def _code(path: Path) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


def _right_answer(ex) -> list:
    """One accepted answer per part (a text part may accept several names: take the first)."""
    values = []
    for part in ex.parts:
        value = part.example() if part.kind == "predicate" else part.expected()
        if part.kind == "text" and not isinstance(value, str):
            value = sorted(value)[0]
        values.append(value)
    return values


def _answer(ex, values: list):
    return values[0] if len(values) == 1 else tuple(values)


# --- every exercise is covered -------------------------------------------------------------


def test_the_chapters_list_exercises():
    assert len(CHAPTERS) == 8 and len(LISTED) >= 41


@pytest.mark.parametrize("ex_id", sorted(LISTED))
def test_every_listed_exercise_has_a_check_hints_and_a_solution(ex_id):
    ex = course.exercise(ex_id)                       # KeyError: not registered
    assert ex.open_ended or ex.parts, f"{ex_id} has neither a check nor an open-ended mark"
    assert 1 <= len(ex.hints) <= 2 and all(h.strip() for h in ex.hints)
    solution = _solution(ex.chapter)
    assert solution.exists(), f"no solutions notebook {solution.name}"
    assert re.search(rf'check\("{re.escape(ex_id)}"[,)]', _code(solution)), f"{solution.name} does not solve {ex_id}"


def test_no_registered_exercise_is_missing_from_its_chapter():
    assert sorted(set(course.EXERCISES) - set(LISTED)) == []


@pytest.mark.parametrize("ex", CHECKED, ids=lambda ex: ex.id)
def test_every_checked_exercise_names_a_known_mistake(ex):
    assert any(p.mistakes for p in ex.parts), f"{ex.id}: no wrong answer with a specific hint"
    assert ex.answer_format, f"{ex.id}: the check cell needs an answer format"


# --- the solutions pass --------------------------------------------------------------------


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_solution_notebook_runs_and_every_check_passes(chapter):
    notebook = nbformat.read(_solution(chapter), as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(SOLUTIONS)}}).execute()
    printed = "\n".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                        for o in c.outputs if o.output_type == "stream" and o.name == "stdout")
    verdicts = dict(re.findall(r"^(\d\d\.\d+): (.*)$", printed, flags=re.MULTILINE))
    for ex_id in (i for i in LISTED if i.startswith(chapter + ".")):
        assert ex_id in verdicts, f"the solution of {ex_id} prints no check"
        wanted = "open-ended" if course.exercise(ex_id).open_ended else "right."
        assert verdicts[ex_id].startswith(wanted), f"{ex_id}: {verdicts[ex_id]}"


# --- right answers pass in their equivalent forms, wrong ones fail with a reason -----------


@pytest.mark.parametrize("ex", CHECKED, ids=lambda ex: ex.id)
def test_the_expected_answer_passes(ex):
    assert course.evaluate(ex.id, _answer(ex, _right_answer(ex))).passed


@pytest.mark.parametrize("case", [(ex, i, j) for ex in CHECKED for i, p in enumerate(ex.parts)
                                  for j in range(len(p.mistakes))],
                         ids=lambda c: f"{c[0].id}-part{c[1] + 1}-mistake{c[2] + 1}")
def test_a_known_mistake_fails_with_its_hint(case):
    ex, i, j = case
    part, mistake = ex.parts[i], ex.parts[i].mistakes[j]
    values = _right_answer(ex)
    values[i] = mistake.value()
    verdict = course.evaluate(ex.id, _answer(ex, values))
    assert verdict.status == "wrong" and verdict.part == part.name
    assert verdict.mistake == mistake.hint and mistake.hint in verdict.message


@pytest.mark.parametrize("case", [(ex, i) for ex in CHECKED for i, p in enumerate(ex.parts) if p.kind == "numeric"],
                         ids=lambda c: f"{c[0].id}-part{c[1] + 1}")
def test_a_number_off_the_mark_says_which_way(case):
    ex, i = case
    values = _right_answer(ex)
    expected = float(values[i])
    delta = 0.25 * abs(expected) + 0.01
    for value, word in ((expected + delta, "too high"), (expected - delta, "too low")):
        values[i] = value
        verdict = course.evaluate(ex.id, _answer(ex, values))
        assert verdict.status == "wrong"
        assert verdict.mistake or word in verdict.message, verdict.message


@pytest.mark.parametrize("case", [(ex, i) for ex in CHECKED for i, p in enumerate(ex.parts) if p.kind == "set"],
                         ids=lambda c: f"{c[0].id}-part{c[1] + 1}")
def test_a_set_is_judged_in_any_order_and_an_incomplete_one_fails(case):
    ex, i = case
    values = _right_answer(ex)
    members = sorted(values[i])
    values[i] = list(reversed([m.upper() for m in members]))
    assert course.evaluate(ex.id, _answer(ex, values)).passed
    values[i] = members[1:] + ["no_such_account"]
    verdict = course.evaluate(ex.id, _answer(ex, values))
    assert verdict.status == "wrong" and "do not belong" in verdict.message


def test_shares_may_be_given_in_per_cent_and_names_in_any_case():
    share = course.exercise("00.1").parts[0].expected()
    assert course.evaluate("00.1", 100 * share).passed
    assert course.evaluate("06.1", course.exercise("06.1").parts[0].expected().replace("_", " ").title()).passed
    assert course.evaluate("05.5", {"Image-Maker", "BREADWINNER", "prospect", "expert", "tiers"}).passed


def test_a_malformed_answer_is_named_not_judged():
    assert course.evaluate("00.1", "half").status == "malformed"
    assert "give 3 values" in course.evaluate("03.1", 4.5).message


def test_unanswered_and_open_ended_checks_print_one_deterministic_line():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        course.check("02.3", None)
        course.check("00.4")
    assert out.getvalue().splitlines() == [
        "02.3: not answered yet — hint('02.3') gives a hint",
        "00.4: open-ended: write your answer, then compare it with the model answer in "
        "solutions/00_start_here_solutions.ipynb"]


def test_hint_names_the_parameter_and_the_report_command():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        course.hint("00.1")
    assert "kamlab report 00_start_here -p top_share=0.1" in out.getvalue()
    assert "00.1 hint 2:" in out.getvalue() and "solutions/00_start_here_solutions.ipynb" in out.getvalue()


def test_no_expected_number_is_written_in_the_checks_source():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "kamlab" / "course").rglob("*.py"))
    for ex in CHECKED:
        for part in ex.parts:
            if part.kind != "numeric":
                continue
            value = float(part.expected())
            if abs(value - round(value, 2)) < 1e-9:      # round numbers (0, 7, 0.5) say nothing
                continue
            shown = {f"{value:.3f}", f"{value:.4f}", f"{100 * value:.1f}" if part.share else f"{value:.3f}"}
            assert not [s for s in shown if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", source)], (ex.id, shown)


# --- the tool that puts the check cells into the chapters ----------------------------------


def test_add_exercise_cells_is_idempotent_and_tags_the_cells_teaching(tmp_path):
    for chapter in ("00", "03"):                            # the chapters as before the tool ran
        notebook = nbformat.read(CHAPTERS[chapter], as_version=4)
        notebook.cells = [c for c in notebook.cells if "exercise-check" not in c.metadata.get("tags", [])]
        nbformat.write(notebook, tmp_path / CHAPTERS[chapter].name)
    tool = [sys.executable, str(ROOT / "tools" / "add_exercise_cells.py")]
    paths = sorted(str(p) for p in tmp_path.glob("*.ipynb"))
    assert subprocess.run(tool + ["--check"] + paths, capture_output=True).returncode == 1
    subprocess.run(tool + paths, check=True, capture_output=True)
    once = {p: Path(p).read_text(encoding="utf-8") for p in paths}
    subprocess.run(tool + paths, check=True, capture_output=True)
    assert {p: Path(p).read_text(encoding="utf-8") for p in paths} == once
    assert subprocess.run(tool + ["--check"] + paths, capture_output=True).returncode == 0
    rerun = nbformat.read(paths[0], as_version=4)          # as after re-execution: new counts and timings
    for cell in rerun.cells:
        if "exercise-check" in cell.metadata.get("tags", []):
            cell.execution_count, cell.metadata["execution"] = 99, {"iopub.status.idle": "later"}
    nbformat.write(rerun, paths[0])
    assert subprocess.run(tool + ["--check"] + paths, capture_output=True).returncode == 0
    for path in paths:
        cells = nbformat.read(path, as_version=4).cells
        checks = [c for c in cells if "exercise-check" in c.metadata.get("tags", [])]
        assert [c.metadata["exercise"] for c in checks] == list(parse_exercises(path))
        for cell in checks:
            assert "teaching" in cell.metadata["tags"] and cell.execution_count is not None   # nbval runs it
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(cell.source, {})
            assert [o.text for o in cell.outputs] == [printed.getvalue()]


def test_own_data_reports_leave_out_every_check_cell(tmp_path):
    from kamlab.reports.own_data import drop_teaching_cells

    path = tmp_path / CHAPTERS["02"].name
    shutil.copy(CHAPTERS["02"], path)
    subprocess.run([sys.executable, str(ROOT / "tools" / "add_exercise_cells.py"), str(path)], check=True,
                   capture_output=True)
    notebook = nbformat.read(path, as_version=4)
    assert any("kamlab.course" in c.source for c in notebook.cells)
    drop_teaching_cells(notebook)
    assert not [c for c in notebook.cells if "kamlab.course" in c.source or re.search(r"\bcheck\(\"", c.source)]


def test_the_report_matrix_never_renders_a_solution():
    from kamlab.reports import load_jobs

    jobs = load_jobs(ROOT / "reports" / "reports.yml", check=False)
    assert jobs and not [j for j in jobs if "solutions" in Path(str(j.notebook)).parts]


def test_the_course_map_and_glossary_cover_the_course():
    course_map = (SOLUTIONS / "COURSE_MAP.md").read_text(encoding="utf-8")
    for stem in course.NOTEBOOKS.values():
        assert f"({stem}.ipynb)" in course_map and f"{stem}_solutions.ipynb" in course_map
    glossary = (ROOT / "notebooks" / "GLOSSARY.md").read_text(encoding="utf-8").lower()
    for term in ("key account", "rfm", "bg/nbd", "pareto/nbd", "gamma-gamma", "p(alive)", "clv", "cohort",
                 "kaplan–meier", "churn", "abc / xyz", "jaccard", "lift", "holdout", "calibration window",
                 "oracle", "breadwinner", "prospect", "image-maker", "expert"):
        assert f"### {term}" in glossary or f", {term}" in glossary, term
    for anchor in re.findall(r"\]\(#([a-z-]+)\)", glossary):
        assert f'<a id="{anchor}"></a>' in glossary, anchor


@pytest.mark.parametrize("ex", [ex for ex in course.EXERCISES.values() if ex.parameters], ids=lambda ex: ex.id)
def test_the_parameters_an_exercise_names_exist_in_its_notebook(ex):
    from kamlab.reports import check_parameters

    assert check_parameters(CHAPTERS[ex.chapter], dict(ex.parameters), origin=f"exercise {ex.id}")
    assert course.report_command(ex).startswith(f"kamlab report {course.NOTEBOOKS[ex.chapter]} -p ")


# --- the course around the notebooks -------------------------------------------------------


def test_the_chapters_carry_their_check_cells():
    tool = [sys.executable, str(ROOT / "tools" / "add_exercise_cells.py"), "--check"]
    done = subprocess.run(tool + [str(p) for p in CHAPTERS.values()], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _markdown(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def test_notebook_00_holds_the_course_map():
    course_map = (SOLUTIONS / "COURSE_MAP.md").read_text(encoding="utf-8")
    table = course_map.split("## 1 · The course map", 1)[1].split("\n## 2", 1)[0].strip()
    cells = [c for c in _markdown(CHAPTERS["00"]) if c.source.startswith("## The course map")]
    assert len(cells) == 1 and table in cells[0].source
    assert "teaching" in cells[0].metadata.get("tags", [])          # it links the solutions


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_each_notebook_ends_with_a_teaching_link_to_the_next(chapter):
    last = nbformat.read(CHAPTERS[chapter], as_version=4).cells[-1]
    assert last.cell_type == "markdown" and "teaching" in last.metadata.get("tags", [])
    following = f"{int(chapter) + 1:02d}"
    target = f"({CHAPTERS[following].name})" if following in CHAPTERS else "(00_start_here.ipynb#The-course-map)"
    assert target in last.source
    assert f"{course.NOTEBOOKS[chapter]}_solutions.ipynb" in last.source


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_glossary_links_name_an_anchor_and_appear_once_per_notebook(chapter):
    glossary = (ROOT / "notebooks" / "GLOSSARY.md").read_text(encoding="utf-8")
    linked = [a for c in _markdown(CHAPTERS[chapter]) for a in re.findall(r"\]\(GLOSSARY\.md#([a-z-]+)\)", c.source)]
    assert linked, "no glossary link"
    assert [a for a in linked if f'<a id="{a}"></a>' not in glossary] == []
    assert len(linked) == len(set(linked))
