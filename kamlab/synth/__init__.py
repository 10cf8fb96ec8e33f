"""Synthetic worlds with known ground truth: B2B key accounts and a free-to-play game.

``b2b_accounts(...)`` and ``game_players(...)`` return a :class:`SyntheticWorld`
(observable transactions and account attributes for the calibration window,
plus the ground truth); ``python -m kamlab.synth --write datasets`` writes the
default worlds as CSV, :func:`read_world` reads them back.
"""

from .b2b import B2BKnobs, b2b_accounts
from .calibration import (account_view, alive_by_silence, b2b_targets, format_measure, game_targets, mean_by_decile,
                          pilot_outcomes, retention_curves, retention_rates, targets_table, window_totals)
from .game import GameKnobs, game_players
from .io import read_world, write_world
from .world import ORACLE_COLUMN, SyntheticWorld

__all__ = ["ORACLE_COLUMN", "B2BKnobs", "account_view", "alive_by_silence", "GameKnobs", "SyntheticWorld", "b2b_accounts", "b2b_targets", "default_worlds", "format_measure", "game_players",
           "game_targets", "mean_by_decile", "pilot_outcomes", "read_world", "retention_curves", "retention_rates", "targets_table", "window_totals", "write_world"]


def default_worlds() -> list[SyntheticWorld]:
    """The worlds committed in ``datasets/``: every argument at its default."""
    return [b2b_accounts(), game_players()]
