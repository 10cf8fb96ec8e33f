"""Which exercises a chapter notebook asks: parsed from its final "Exercises" markdown cell.

The cell has a heading ``## Exercises`` followed by a numbered list; item *i* of
notebook ``NN_topic.ipynb`` is exercise ``"NN.i"``. The tests parse the chapters with
this, so an exercise added to a notebook without a check, hint and solution fails CI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_HEADING = re.compile(r"^#{2,3}\s*Exercises\s*$", re.MULTILINE)
_ITEM = re.compile(r"^(\d+)\.\s+", re.MULTILINE)


def exercises_cell_index(notebook: dict) -> int | None:
    """Index of the last markdown cell holding an ``## Exercises`` heading, or None."""
    found = None
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown" and _HEADING.search(_source(cell)):
            found = i
    return found


def parse_exercises(path: str | Path) -> dict[str, str]:
    """Exercise id -> its text (one paragraph), for the chapter notebook at ``path``.

    Returns an empty dict when the notebook has no Exercises cell.
    """
    path = Path(path)
    return exercises_in(json.loads(path.read_text(encoding="utf-8")), path.name[:2])


def exercises_in(notebook: dict, chapter: str) -> dict[str, str]:
    """Exercise id -> text of a notebook already read (a dict or nbformat node) of chapter ``"NN"``."""
    index = exercises_cell_index(notebook)
    if index is None:
        return {}
    text = _HEADING.split(_source(notebook["cells"][index]))[-1]
    starts = list(_ITEM.finditer(text))
    out = {}
    for n, match in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        body = " ".join(line.strip() for line in text[match.end():end].splitlines() if line.strip())
        out[f"{chapter}.{int(match.group(1))}"] = body
    return out


def chapter_notebooks(folder: str | Path) -> list[Path]:
    """The chapter notebooks ``NN_topic.ipynb`` of a folder, in reading order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb") if not p.name.endswith("_solutions.ipynb"))


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)
