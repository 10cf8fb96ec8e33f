"""The exercises of every chapter, one module per chapter (``ch00`` ... ``ch07``).

Importing a chapter module registers its exercises in ``kamlab.course.EXERCISES``.
Chapters are imported on demand, so a check of chapter 00 does not import the
models of chapter 02.
"""

from __future__ import annotations

import importlib

from kamlab.course.registry import NOTEBOOKS


def load(chapter: str) -> None:
    """Register the exercises of one chapter (``"00"`` ... ``"07"``)."""
    if chapter not in NOTEBOOKS:
        raise KeyError(f"no chapter {chapter!r}; the chapters are {', '.join(NOTEBOOKS)}")
    importlib.import_module(f"kamlab.course.chapters.ch{chapter}")


def load_all() -> None:
    """Register the exercises of every chapter."""
    for chapter in NOTEBOOKS:
        load(chapter)
