"""The shape of the package (CONTRIBUTING, "The package"): small modules, short functions, imports one way.

These checks read the source; they fail when a module grows past the house
limits or an import runs against the flow data -> rfm -> models ->
definitions -> compare -> exports/plots -> reports/cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kamlab"

#: Most lines a module may have, and most lines of code (docstring, blank and comment lines aside) a function may have.
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

#: Layer of each area of the package: an area imports only areas of a lower layer.
LAYERS = {
    "economics": 0, "data": 0, "display": 0,
    "rfm": 1, "acquisition": 1, "concentration": 1, "client_types": 1, "synth": 1,
    "clv": 2, "survival": 2, "segments": 2, "datasets": 2,
    "segmentation": 3, "notebook": 3, "outofcore": 3,
    "definitions": 4,
    "compare": 5,
    "exports": 6, "plots": 6,
    "reports": 7,
    "cli": 8, "course": 8,
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _area(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _imported(path: Path) -> set[str]:
    """The kamlab modules (and names) a module imports, absolute dotted paths."""
    own = _dotted(path)
    package = own.rsplit(".", 1)[0] if path.name != "__init__.py" else own.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return {t for t in out if t.startswith("kamlab.")}


def _code_lines(path: Path, node: ast.FunctionDef) -> int:
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return 0
    lines = path.read_text().splitlines()[body[0].lineno - 1: node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def test_every_area_has_a_layer():
    areas = {_area(_dotted(p)) for p in _modules()} - {"__init__"}
    assert areas <= set(LAYERS), f"areas without a layer in LAYERS: {sorted(areas - set(LAYERS))}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(PACKAGE)} has {n} lines (house limit {MAX_MODULE_LINES})"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_are_short(path):
    long = [(node.name, _code_lines(path, node)) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _code_lines(path, node) > MAX_FUNCTION_LINES]
    assert not long, f"{path.relative_to(PACKAGE)}: functions over {MAX_FUNCTION_LINES} lines of code: {long}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_downward(path):
    own = _area(_dotted(path))
    if own not in LAYERS:
        pytest.skip("the package's own __init__")
    upward = sorted({_area(t) for t in _imported(path)
                     if _area(t) in LAYERS and _area(t) != own and LAYERS[_area(t)] >= LAYERS[own]})
    assert not upward, f"{path.relative_to(PACKAGE)} ({own}, layer {LAYERS[own]}) imports upward or sideways: {upward}"


def test_economics_imports_nothing_of_kamlab():
    assert not _imported(PACKAGE / "economics.py")
