"""Tiny notebooks and a project layout for the report and CLI tests.

The tests render these instead of the course notebooks, so they stay fast and
do not depend on other modules. Not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_notebook(path: Path, title: str, parameters: str, *cells: str | tuple[str, list[str]]) -> Path:
    """A notebook: a title cell, the parameters cell, then code cells (``(source, tags)`` for tagged ones)."""
    nb = new_notebook(metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    nb.cells = [new_markdown_cell(f"# {title}\n\nA toy notebook for the report tests.")]
    nb.cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    for cell in cells:
        source, tags = cell if isinstance(cell, tuple) else (cell, [])
        nb.cells.append(new_code_cell(source, metadata={"tags": tags} if tags else {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


TOY_PARAMETERS = """\
n = 3  # multiplier, a count
label = "abc"  # text printed beside the result
rate = 0.5  # a share in [0, 1]
verbose = False  # print more
weights = [1, 2]  # a list of numbers
limit = None  # optional cap
cutoff = 0.2  # share kept (0.2 = top 20 %); papermill's own parser skips this line
"""

TOY_FIGURE = """\
%matplotlib inline
from matplotlib.figure import Figure
fig = Figure(figsize=(8, 4))  # 800 px: the browser check wants figures of 600 px or more
ax = fig.subplots()
ax.plot(range(n), [w * i for i, w in enumerate(range(n))])
ax.set_title("toy figure"); ax.set_xlabel("i (count)"); ax.set_ylabel("value (units)")
fig"""

DATA_PARAMETERS = """\
dataset = "cdnow_sample"  # registered dataset name, or path to a CSV/parquet file
customer_col = "customer_id"  # column holding the customer id
date_col = "date"  # column holding the order date
amount_col = "amount"  # column holding the revenue
cost_col = None  # column holding the cost, if any
top = 3  # accounts listed
n_bootstrap = 20  # bootstrap draws of the comparison the CSV exports come from (few: fast tests)
"""


def toy_project(root: Path) -> Path:
    """notebooks/ with toy, broken, slow, data and teaching notebooks; reports/reports.yml.

    Returns the path of reports.yml."""
    nbdir = root / "notebooks"
    write_notebook(nbdir / "01_toy.ipynb", "Toy report", TOY_PARAMETERS,
                   'print(f"result={n * 7} label={label} rate={rate}")', TOY_FIGURE)
    write_notebook(nbdir / "02_broken.ipynb", "Broken report", "x = 1  # anything",
                   'print("before the error")', 'raise ValueError("deliberate failure for the test")')
    write_notebook(nbdir / "03_slow.ipynb", "Slow report", "seconds = 120  # how long to sleep",
                   'print("started", flush=True)', "import time\ntime.sleep(seconds)")
    write_notebook(
        nbdir / "04_data.ipynb", "Data report", DATA_PARAMETERS,
        "import kamlab.datasets\n"
        "ds = kamlab.datasets.resolve(dataset, customer_col=customer_col, date_col=date_col,\n"
        "                             amount_col=amount_col, cost_col=cost_col)\n"
        "if ds.report is not None:\n    print(ds.report)",
        "tx = ds.transactions\n"
        'print(f"revenue={tx[\'amount\'].sum():.2f} customers={tx[\'customer_id\'].nunique()}")\n'
        "if 'cost' in tx:\n"
        '    print(f"profit={(tx[\'amount\'] - tx[\'cost\']).sum():.2f}")\n'
        "print(tx.groupby('customer_id')['amount'].sum().nlargest(top).round(2).to_string())\n"
        "if ds.accounts is not None:\n"
        "    print(f\"accounts: {sorted(ds.accounts.columns)} {len(ds.accounts)}\")",
    )
    write_notebook(
        nbdir / "05_teaching.ipynb", "Teaching report", DATA_PARAMETERS,
        ('print("TEACHING SECTION about the game world")', ["teaching"]),
        "import kamlab.datasets\n"
        "ds = kamlab.datasets.resolve(dataset, customer_col=customer_col, date_col=date_col,\n"
        "                             amount_col=amount_col, cost_col=cost_col)\n"
        'print(f"ANALYSIS SECTION own_data={ds.own_data}")',
        ('print("EXERCISE for the reader")', ["teaching", "exercise"]),
    )
    config = root / "reports" / "reports.yml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "jobs:\n"
        "  - name: toy_default\n"
        "    notebook: notebooks/01_toy.ipynb\n"
        "  - name: toy_five\n"
        "    notebook: 01_toy\n"
        "    title: Toy report with n = 5\n"
        "    parameters: {n: 5, label: five}\n"
        "  - name: broken\n"
        "    notebook: 02_broken\n"
    )
    return config
