"""Write the default synthetic worlds as CSV, and read them back.

Files per world ``<name>`` (``b2b`` or ``game``) in one directory:
``<name>_transactions.csv``, ``<name>_accounts.csv`` (``game_players.csv`` for
the game), ``<name>_truth.csv``, ``<name>_params.json`` and, for the game,
``game_events.csv``.  Floats are rounded when the world is generated and
written with Python's shortest round-trip representation, dates as
``YYYY-MM-DD``, line ends ``\\n``: the same world gives the same bytes, and
reading the files gives back frames equal to the generated ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .world import SyntheticWorld

ACCOUNT_FILE = {"b2b": "b2b_accounts.csv", "game": "game_players.csv"}
DATE_COLUMNS = {"transactions": ["date"], "accounts": ["acquired"], "events": ["date"], "truth": []}


def _file_names(name: str) -> dict[str, str]:
    names = {
        "transactions": f"{name}_transactions.csv",
        "accounts": ACCOUNT_FILE[name],
        "truth": f"{name}_truth.csv",
        "params": f"{name}_params.json",
    }
    if name == "game":
        names["events"] = "game_events.csv"
    return names


def write_world(world: SyntheticWorld, directory: str | Path) -> list[Path]:
    """Write ``world`` into ``directory``; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for part, file_name in _file_names(world.name).items():
        path = directory / file_name
        if part == "params":
            path.write_text(json.dumps(world.params, indent=2, sort_keys=True) + "\n")
        else:
            frame = getattr(world, part)
            frame.to_csv(path, index=part in ("accounts", "truth"), date_format="%Y-%m-%d", lineterminator="\n")
        written.append(path)
    return written


def read_world(name: str, directory: str | Path) -> SyntheticWorld:
    """Read a world written by :func:`write_world` (``name`` = "b2b" or "game")."""
    if name not in ACCOUNT_FILE:
        raise ValueError(f"unknown synthetic world {name!r}; choose one of {sorted(ACCOUNT_FILE)}")
    directory = Path(directory)
    files = _file_names(name)
    missing = [f for f in files.values() if not (directory / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"synthetic world {name!r} is missing {missing} in {directory}; "
            "regenerate it with `python -m kamlab.synth --write datasets` (make datasets)"
        )
    params = json.loads((directory / files["params"]).read_text())
    frames = {}
    for part in ("transactions", "accounts", "truth", "events"):
        if part not in files:
            continue
        indexed = part in ("accounts", "truth")
        frame = pd.read_csv(directory / files[part], index_col=0 if indexed else None,
                            parse_dates=DATE_COLUMNS[part], dtype={"customer_id": str, "referred_by": str})
        for col in DATE_COLUMNS[part]:
            frame[col] = frame[col].astype("datetime64[ns]")
        if "kam_pilot" in frame:
            frame["kam_pilot"] = frame["kam_pilot"].astype("Int64")
        if indexed:
            frame.index = frame.index.astype(str)
        frames[part] = frame
    return SyntheticWorld(
        name=name,
        transactions=frames["transactions"],
        accounts=frames["accounts"],
        truth=frames["truth"],
        calibration_end=pd.Timestamp(params["calibration_end"]),
        observation_end=pd.Timestamp(params["observation_end"]),
        params=params,
        events=frames.get("events"),
    )
