"""A validated dataset on disk: named frames as parquet beside one JSON file.

A bundle is a directory holding ``dataset.json`` (the format tag, the named
values of the dataset and the list of frames) and one ``<name>.parquet`` per
frame. It lets a validated load be handed to another process (the CLI hands it
to the notebook kernels) without parsing the original export again. Parquet
keeps the column dtypes and the index (``customer_id``) as they were written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

#: The JSON file that marks a directory as a bundle.
BUNDLE_FILE = "dataset.json"
FORMAT = "kamlab-bundle"
VERSION = 1

_FRAME_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def is_bundle(path: str | Path) -> bool:
    """True when ``path`` is a directory holding a bundle's ``dataset.json``."""
    path = Path(path)
    return path.is_dir() and (path / BUNDLE_FILE).is_file()


def write_frames(directory: str | Path, frames: dict[str, pd.DataFrame], meta: dict[str, Any]) -> Path:
    """Write ``frames`` as ``<name>.parquet`` and ``meta`` (JSON-ready values) as ``dataset.json``.

    The JSON file is written last, so a directory holds a readable bundle only
    once every frame is on disk. Returns the directory.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        if not _FRAME_NAME.match(name):
            raise ValueError(f"frame name {name!r} must be letters, digits and underscores")
        frame.to_parquet(directory / f"{name}.parquet")
    body = {"format": FORMAT, "version": VERSION, "frames": sorted(frames), **meta}
    tmp = directory / (BUNDLE_FILE + ".tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(directory / BUNDLE_FILE)
    return directory


def read_frames(directory: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The frames and the other values of the bundle in ``directory``."""
    directory = Path(directory)
    path = directory / BUNDLE_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{directory} is not a kamlab bundle (no {BUNDLE_FILE}); write one with "
            "kamlab.datasets.write_bundle(dataset, directory)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} cannot be read as a kamlab bundle ({exc}); write it again "
                         "with kamlab.datasets.write_bundle") from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ValueError(f"{path} is not a kamlab bundle of version {VERSION} (format "
                         f"{meta.get('format')!r}, version {meta.get('version')!r}); write it again "
                         "with kamlab.datasets.write_bundle")
    names = meta.pop("frames")
    meta.pop("format"), meta.pop("version")
    frames = {}
    for name in names:
        if not _FRAME_NAME.match(name):
            raise ValueError(f"{path} names a frame {name!r} that is not a plain name")
        frames[name] = pd.read_parquet(directory / f"{name}.parquet")
    return frames, meta
