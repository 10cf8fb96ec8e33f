"""Notebook parameters: read a notebook's ``parameters`` cell, parse and check values.

Parameter values are checked against the notebook's ``parameters`` cell
(papermill's ``inspect_notebook``, completed by a Python parse of the cell): an
unknown name is an error that lists the notebook's parameters, and a value is
converted to the type of the default.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from .errors import ReportConfigError, ReportParameterError

#: The notebook parameters of the dataset convention (see CONTRIBUTING).
DATA_PARAMETERS = ("dataset", "customer_col", "date_col", "amount_col", "cost_col", "accounts")

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
}


@dataclass(frozen=True)
class NotebookParameter:
    """One assignment of a notebook's ``parameters`` cell.

    ``type_name`` is the annotation when the cell has one (``k: int = 5``),
    otherwise the type of the default literal (``"None"`` when the default is
    None, ``"expr"`` when the default is an expression rather than a literal).
    """

    name: str
    source: str  # the default as written in the cell, e.g. '"cdnow_sample"'
    default: Any  # its Python value (the source text when it is not a literal)
    type_name: str
    help: str  # the comment after the assignment


def _cell_assignments(source: str) -> dict[str, dict[str, str]] | None:
    """Top-level ``name = value  # help`` assignments of a cell, parsed as Python.

    papermill's line parser skips any line holding two '=' signs (a comment such as
    ``# 0.2 = top 20 %``) and multi-line values it cannot join; Python's own parser
    does not. None when the cell is not plain Python (e.g. holds %magics).
    """
    try:
        tree = ast.parse(source)
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return None
    comments = {tok.start[0]: tok.string.lstrip("#").strip() for tok in tokens if tok.type == tokenize.COMMENT}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, "None"
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, ast.unparse(node.annotation)
        else:
            continue
        found[name] = {"default": ast.get_source_segment(source, node.value) or "",
                       "inferred_type_name": annotation, "help": comments.get(node.end_lineno, "")}
    return found


def notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters of a notebook, in cell order.

    papermill's ``inspect_notebook`` reads the cell tagged ``parameters``; the
    assignments its line parser skips are completed from a Python parse of the
    same cell (:func:`_cell_assignments`), so every name papermill would inject
    is known.
    """
    import logging

    import nbformat
    import papermill

    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist")
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # its "Unable to parse line" warnings are handled below
    try:
        inspected = papermill.inspect_notebook(str(path))
    finally:
        papermill_log.setLevel(level)
    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    parsed = _cell_assignments(cells[0].source) if cells and cells[0].cell_type == "code" else None
    merged = {name: inspected.get(name, raw) for name, raw in parsed.items()} if parsed is not None else inspected
    params = {}
    for name, raw in merged.items():
        source = str(raw["default"]).strip()
        try:
            default = ast.literal_eval(source)
            literal_type = "None" if default is None else type(default).__name__
        except (ValueError, SyntaxError):
            default, literal_type = source, "expr"
        annotated = str(raw.get("inferred_type_name") or "None")
        type_name = annotated if annotated in _TYPES else literal_type
        params[name] = NotebookParameter(name, source, default, type_name, str(raw.get("help") or ""))
    return params


def describe_parameters(notebook: str | Path, params: Mapping[str, NotebookParameter] | None = None) -> str:
    """One line per parameter: ``name: type = default  # help``."""
    params = notebook_parameters(notebook) if params is None else params
    if not params:
        return f"  ({notebook} has no cell tagged 'parameters')"
    width = max(len(p.name) for p in params.values())
    lines = []
    for p in params.values():
        line = f"  {p.name:<{width}} : {p.type_name:<5} = {p.source}"
        lines.append(line + (f"   # {p.help}" if p.help else ""))
    return "\n".join(lines)


def parse_parameter(param: NotebookParameter, text: str) -> Any:
    """Convert command-line text to the type of the parameter's default.

    str -> the text as is; int, float -> the number; bool -> true/false, yes/no,
    1/0; list, tuple, dict -> a Python or YAML literal; a default of None -> a
    Python literal when the text is one (``None``, ``3``, ``[1, 2]``), else the text.
    """
    kind = param.type_name
    if kind == "str":
        return text
    if kind == "bool":
        word = text.strip().lower()
        if word in {"true", "yes", "1", "on"}:
            return True
        if word in {"false", "no", "0", "off"}:
            return False
        raise ValueError("expected true or false")
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise ValueError(f"not {'an integer' if kind == 'int' else 'a number'}") from None
    if kind in ("list", "tuple", "dict"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = yaml.safe_load(text)
        if not isinstance(value, _TYPES[kind]):
            raise ValueError(f"expected a {kind} literal such as {param.source}")
        return list(value) if kind == "list" else value
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def coerce_parameter(param: NotebookParameter, value: Any) -> Any:
    """Check a typed value (from YAML) against the default's type; text is parsed."""
    kind = param.type_name
    if isinstance(value, str) and kind != "str":
        return parse_parameter(param, value)
    if kind not in _TYPES or value is None and kind != "str":
        return value  # default None or an expression: any value goes
    if isinstance(value, bool) and kind in ("int", "float"):
        raise ValueError(f"expected {kind}, got a boolean")
    if not isinstance(value, _TYPES[kind]):
        raise ValueError(f"expected {kind}, got {type(value).__name__}")
    return float(value) if kind == "float" else value


def check_parameters(
    notebook: str | Path,
    values: Mapping[str, Any],
    *,
    origin: str,
    text: bool = False,
    params: Mapping[str, NotebookParameter] | None = None,
) -> dict[str, Any]:
    """Validate parameter values for a notebook; all problems reported together.

    Parameters
    ----------
    notebook : path
        The notebook whose ``parameters`` cell defines names and types.
    values : mapping
        name -> value; text (``text=True``, from ``-p name=value``) is parsed to the
        default's type, typed values (YAML) are checked against it.
    origin : str
        Where the values came from, for the error message (e.g. ``"-p"``).

    Raises
    ------
    ReportParameterError
        Unknown names (the message lists the notebook's parameters) or values that
        do not convert.
    """
    params = notebook_parameters(notebook) if params is None else params
    checked, problems = {}, []
    unknown = [name for name in values if name not in params]
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        problems.append(f"unknown parameter{'s' if len(unknown) > 1 else ''} {names}")
    for name, value in values.items():
        if name not in params:
            continue
        try:
            checked[name] = parse_parameter(params[name], value) if text else coerce_parameter(params[name], value)
        except ValueError as err:
            problems.append(f"parameter {name!r} = {value!r}: {err} (default {params[name].source})")
    if problems:
        raise ReportParameterError(
            f"{origin} for {Path(notebook).name}: " + "; ".join(problems)
            + f".\n{Path(notebook).name} has these parameters:\n"
            + describe_parameters(notebook, params)
        )
    return checked


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``["k=5", "dataset=my.csv"]`` -> ``{"k": "5", "dataset": "my.csv"}``."""
    out = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ReportParameterError(f"-p {item!r}: write parameters as name=value, e.g. -p k=50")
        out[name.strip()] = value
    return out


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """A YAML mapping of parameter name -> value (``-f params.yml``)."""
    path = Path(path)
    if not path.is_file():
        raise ReportConfigError(f"parameters file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ReportConfigError(f"parameters file {path} is not valid YAML: {err}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ReportConfigError(f"parameters file {path} must be a mapping of name: value, e.g. 'k: 50'")
    return data


def notebook_title(notebook: str | Path) -> str:
    """The first Markdown heading of a notebook, else its file stem."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return Path(notebook).stem

