"""Formulas rendered when the report is built, as MathML: no script typesets them on open.

Jupyter writes formulas as TeX between ``$...$`` (inline), ``$$...$$``,
``\\(...\\)`` and ``\\[...\\]`` (display), which nbconvert's templates leave
for MathJax, loaded from a CDN when the page opens. A self-contained report
cannot do that, so the formulas of Markdown cells and Markdown outputs are
converted here with ``latex2mathml`` (pure Python) to MathML, which browsers
draw natively. Each formula is swapped for a placeholder word before nbconvert
renders the Markdown (so Markdown never sees TeX) and the placeholder for its
MathML after. A formula latex2mathml cannot convert is shown as its TeX source.

Which ``$`` opens inline math follows pandoc's rule: the opening ``$`` is
followed by a non-space, the closing one preceded by a non-space and not
followed by a digit, so prices ("$5 and $7") stay text.
"""

from __future__ import annotations

import copy
import html
import re
import uuid

_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
_MATH = re.compile(
    r"(?<![\\$])\$\$(?P<d1>.+?)\$\$"
    r"|\\\[(?P<d2>.+?)\\\]"
    r"|\\\((?P<i2>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<i1>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\d$])",
    re.S,
)


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """One formula as a ``<math>`` element; its TeX source in ``<code>`` when it cannot be converted."""
    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds for TeX it does not know
        return f'<code class="kamlab-tex">{html.escape(tex)}</code>'


class Formulas:
    """Placeholders for the formulas of one notebook, and their MathML."""

    def __init__(self) -> None:
        self.tag = "kamlabmath" + uuid.uuid4().hex[:8]
        self.mathml: dict[str, str] = {}

    def _hold(self, match: re.Match) -> str:
        display = match.group("d1") is not None or match.group("d2") is not None
        tex = next(g for g in (match.group("d1"), match.group("d2"), match.group("i1"), match.group("i2"))
                   if g is not None)
        key = f"{self.tag}x{len(self.mathml)}z"
        self.mathml[key] = tex_to_mathml(tex, display=display)
        return key

    def hold(self, markdown: str) -> str:
        """Markdown with every formula outside code replaced by a placeholder word."""
        parts = _CODE.split(markdown)
        return "".join(part if i % 2 else _MATH.sub(self._hold, part) for i, part in enumerate(parts))

    def restore(self, page: str) -> str:
        """The page with each placeholder replaced by its MathML."""
        if not self.mathml:
            return page
        return re.sub(rf"{self.tag}x\d+z", lambda m: self.mathml.get(m.group(0), m.group(0)), page)


def hold_formulas(nb) -> tuple[object, Formulas]:
    """A copy of the notebook whose Markdown cells and Markdown outputs hold placeholders
    instead of formulas, and the :class:`Formulas` that restores them as MathML.

    A ``text/latex`` output with no HTML form gets one (its MathML)."""
    formulas = Formulas()
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = formulas.hold(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = formulas.hold(data["text/markdown"])
            if "text/latex" in data and "text/html" not in data:
                data["text/html"] = formulas.hold(data["text/latex"])
    return nb, formulas
