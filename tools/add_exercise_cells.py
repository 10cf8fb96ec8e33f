"""Insert one self-check cell per exercise after each chapter's "Exercises" cell.

    .venv/bin/python tools/add_exercise_cells.py                 # every notebooks/NN_*.ipynb
    .venv/bin/python tools/add_exercise_cells.py notebooks/02_customer_lifetime_value.ipynb
    .venv/bin/python tools/add_exercise_cells.py --check         # exit 1 if a notebook is not up to date

Each inserted code cell reads

    from kamlab.course import check, hint
    answer = None  # <what the answer should hold>
    check("02.3", answer)
    # set <parameter> = <value> in the parameters cell, or run: kamlab report ... -p ...   (when it has one)

and is tagged ``exercise-check`` and ``teaching`` (own-data reports leave teaching
cells out). Its output is filled with what the unanswered check prints ("02.3: not
answered yet — hint('02.3') gives a hint"), so nbval passes before and after
re-execution. Idempotent: cells tagged ``exercise-check`` are removed and rebuilt
from the notebook's Exercises list, so running it twice changes nothing and an
exercise added later gets its cell on the next run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kamlab.course import evaluate, exercise, report_command  # noqa: E402
from kamlab.course.inventory import chapter_notebooks, exercises_cell_index, exercises_in  # noqa: E402

TAGS = ["exercise-check", "teaching"]


def check_cell(exercise_id: str) -> nbformat.NotebookNode:
    """The self-check cell of one exercise, with the output of its unanswered check."""
    ex = exercise(exercise_id)
    if ex.open_ended:
        source = (f"from kamlab.course import check, hint\n"
                  f"check(\"{ex.id}\")  # open-ended: write your answer in a markdown cell below")
    else:
        source = (f"from kamlab.course import check, hint\n"
                  f"answer = None  # {ex.answer_format}\n"
                  f"check(\"{ex.id}\", answer)")
    if ex.parameters:
        settings = ", ".join(f"{name} = {value!r}" for name, value in ex.parameters.items())
        source += f"\n# set {settings} in the parameters cell, or run: {report_command(ex)}"
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(TAGS), "exercise": ex.id})
    cell["id"] = "exercise-check-" + ex.id.replace(".", "-")
    cell["outputs"] = [nbformat.v4.new_output("stream", name="stdout", text=evaluate(ex.id).message + "\n")]
    return cell


class UnregisteredExercise(KeyError):
    """A chapter lists an exercise that kamlab.course does not register."""


def with_check_cells(notebook: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """The notebook with its exercise-check cells rebuilt after the Exercises cell."""
    old = {c.metadata.get("exercise"): c for c in notebook.cells if _is_check(c)}
    cells = [c for c in notebook.cells if not _is_check(c)]
    notebook.cells = cells
    index = exercises_cell_index(notebook)
    if index is None:
        return notebook
    ids = list(exercises_in(notebook, path.name[:2]))
    unknown = [i for i in ids if not _registered(i)]
    if unknown:
        raise UnregisteredExercise(f"{path.name}: exercises {', '.join(unknown)} have no entry in kamlab.course; "
                                   "register them (kamlab/course/chapters) first")
    counts = [c.get("execution_count") or 0 for c in cells[:index + 1] if c.cell_type == "code"]
    fresh = []
    for n, ex_id in enumerate(ids, start=1):
        cell, previous = check_cell(ex_id), old.get(ex_id)
        if previous is not None and previous.source == cell.source and previous.outputs == cell.outputs:
            cell = previous                                            # unchanged (perhaps re-executed): keep it
        elif cell.get("execution_count") is None:
            cell["execution_count"] = max(counts, default=0) + n      # nbval skips cells never run
        fresh.append(cell)
    notebook.cells = cells[:index + 1] + fresh + cells[index + 1:]
    return notebook


def _is_check(cell) -> bool:
    return "exercise-check" in cell.get("metadata", {}).get("tags", [])


def _registered(exercise_id: str) -> bool:
    try:
        exercise(exercise_id)
    except KeyError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapter notebooks (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs cells")
    args = parser.parse_args(argv)
    paths = args.notebooks or chapter_notebooks(ROOT / "notebooks")
    stale = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        try:
            notebook = with_check_cells(nbformat.reads(before, as_version=4), path)
        except UnregisteredExercise as error:
            print(error.args[0], file=sys.stderr)
            return 2
        after = nbformat.writes(notebook) + "\n"
        if after.rstrip("\n") != before.rstrip("\n"):
            stale.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    verb = "need" if args.check else "updated"
    print(f"{len(stale)} of {len(paths)} notebooks {verb} exercise-check cells" +
          (": " + ", ".join(p.name for p in stale) if stale else ""))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
