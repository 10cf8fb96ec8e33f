"""The one registry of key-account definitions, and scoring them all.

:data:`REGISTRY` lists every :class:`~kamlab.definitions.base.Definition`
in the order of the source material, then the baselines; everything else
(the names, the risks, which ones can be re-scored, the rows of the
comparison) is read from it. The order is also the dependency order: a
definition that uses another one's result (``extra_effort`` takes
``future_profit``'s expected value as its baseline) comes after it.

To add a definition: write its score function and its ``Definition`` entry
in a module of this package, and list the entry here.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .attention import DEMANDING, STAFF_FOCUS
from .base import Definition, DefinitionScore, NotComputable
from .baselines import ABC_A, ORACLE, RANDOM
from .revenue import BIGGEST, MUSTNT_LOSE
from .scorecard import STRATEGIC
from .uplift import EXTRA_EFFORT
from .value import FUTURE_PROFIT

#: Every definition, then every baseline, in dependency order.
REGISTRY: tuple[Definition, ...] = (
    BIGGEST, MUSTNT_LOSE, FUTURE_PROFIT, STAFF_FOCUS, EXTRA_EFFORT, DEMANDING, STRATEGIC,
    RANDOM, ABC_A, ORACLE,
)


def check_registry(registry: Sequence[Definition]) -> None:
    """Raise ValueError unless names are unique and every definition an entry uses comes before it."""
    seen: set[str] = set()
    names = {entry.name for entry in registry}
    for entry in registry:
        if entry.name in seen:
            raise ValueError(f"definition {entry.name!r} is registered twice")
        later = [i for i in entry.inputs if i in names and i not in seen]
        if later:
            raise ValueError(f"definition {entry.name!r} uses {later}, which must be registered before it")
        seen.add(entry.name)


check_registry(REGISTRY)

#: Names of the seven definitions, in the order of the source material.
DEFINITIONS: tuple[str, ...] = tuple(e.name for e in REGISTRY if not e.baseline)
#: Baselines shown beside them on every comparison.
BASELINES: tuple[str, ...] = tuple(e.name for e in REGISTRY if e.baseline)
#: The risk each definition (and baseline) carries, one sentence each.
RISKS: dict[str, str] = {e.name: e.risk for e in REGISTRY}
#: Definitions computed from transactions only, which can be re-scored on a later window.
RESCORABLE: tuple[str, ...] = tuple(e.name for e in REGISTRY if e.rescorable)


def score_all(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    truth: pd.DataFrame | None = None,
    seed: int = 0,
    options: Mapping[str, Mapping] | None = None,
    inputs: Mapping[str, Any] | None = None,
    registry: Sequence[Definition] = REGISTRY,
    names: Sequence[str] | None = None,
) -> dict[str, DefinitionScore | NotComputable]:
    """Every definition and baseline of ``registry`` on one calibration window, each once, in order.

    Each entry's score function gets ``summary``, ``accounts``, the shared
    inputs it declares (``Definition.inputs``: ``seed``, ``truth`` and the
    given ``inputs``, e.g. ``pilot`` and ``horizon_days``, or the result of a
    definition scored before it) and its own ``options``.

    Parameters
    ----------
    summary, accounts : pd.DataFrame
        As for each definition.
    truth : pd.DataFrame, optional
        Ground truth for the ``oracle`` (synthetic worlds).
    seed : int
        Seed of the ``random`` baseline.
    options : mapping, optional
        Keyword arguments per definition, e.g.
        ``{"strategic": {"weights": {...}}, "future_profit": {"horizon": 52}}``.
    inputs : mapping, optional
        Further shared inputs, e.g. ``{"pilot": pilot_outcomes(...), "horizon_days": 365}``.
    registry : sequence of Definition
        The definitions to score (default :data:`REGISTRY`).
    names : sequence of str, optional
        Score only these (e.g. :data:`RESCORABLE`).

    Returns
    -------
    dict
        name -> :class:`DefinitionScore`, or the :class:`NotComputable`
        explaining why it could not be computed, in registry order.
    """
    check_registry(registry)
    options = dict(options or {})
    shared: dict[str, Any] = {"truth": truth, "seed": seed, **dict(inputs or {})}
    out: dict[str, DefinitionScore | NotComputable] = {}
    for entry in registry:
        if names is not None and entry.name not in names:
            continue
        given = {key: shared[key] for key in entry.inputs if key in shared}
        given.update(options.get(entry.name, {}))
        try:
            out[entry.name] = entry.score(summary, accounts, **given)
        except NotComputable as missing:
            out[entry.name] = missing
        shared[entry.name] = out[entry.name]
    return out
