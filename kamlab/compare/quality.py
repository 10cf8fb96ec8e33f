"""When the numbers of a comparison cannot carry a conclusion: unstable shares and degenerate data.

Two checks, each a list of sentences the table and the conclusion repeat:

- **unstable shares**: a captured share sum_{i in S} y_i / sum_i y_i is only
  as good as its denominator. For an outcome that takes both signs (profit),
  gains and losses can cancel to a total near zero, and every share of it
  explodes ("453.4 % (95 % CI -3383.0 % to 2421.9 %)"). The share is flagged
  when the net total is less than :data:`MIN_NET_SHARE` of the money moving
  either way, sum_i y_i < MIN_NET_SHARE * sum_i |y_i|; outcomes that never
  go negative (revenue) give 1 and are never flagged, and a total <= 0 makes
  the shares meaningless (they are left out of the table altogether).
- **degenerate candidates or holdout**: fewer than two accounts to choose
  from, every account key, no purchase in the holdout window, or so few
  holdout buyers (< :data:`MIN_HOLDOUT_BUYERS`) that any key set captures
  all or nothing: then "100.0 % (95 % CI 100.0 % to 100.0 %)" says nothing
  about the definitions, and the report says so instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Smallest net total, as a share of sum |y|, whose captured shares the report trusts.
MIN_NET_SHARE = 0.20

#: Fewest accounts with holdout revenue for captured shares to compare definitions.
MIN_HOLDOUT_BUYERS = 10


def net_share(outcome: pd.Series) -> float:
    """sum_i y_i / sum_i |y_i|: 1 when nothing cancels, near 0 when gains and losses cancel (NaN if all 0)."""
    y = outcome.to_numpy(dtype=float)
    gross = np.abs(y).sum()
    return float(y.sum() / gross) if gross > 0 else float("nan")


def unstable_shares(outcomes: pd.DataFrame, metrics: list[str]) -> dict[str, str]:
    """Outcome -> why its captured shares are unstable, for every outcome whose net total nearly cancels."""
    out = {}
    for metric in metrics:
        y = outcomes[metric].to_numpy(dtype=float)
        ratio = net_share(outcomes[metric])
        if ratio < MIN_NET_SHARE:
            gains, losses = y[y > 0].sum(), -y[y < 0].sum()
            out[metric] = (f"the accounts' holdout {metric.replace('_', ' ')} nets gains of {gains:,.0f} against "
                           f"losses of {losses:,.0f} to only {y.sum():,.0f} ({100 * ratio:.1f} % of the money "
                           f"moving), so shares of it are unstable and can fall far outside 0-100 %")
    return out


def degenerate_reasons(outcomes: pd.DataFrame, k: int) -> tuple[str, ...]:
    """Why the candidates or the holdout cannot rank definitions; empty when they can."""
    n = len(outcomes)
    reasons = []
    if n < 2:
        reasons.append(f"only {n} account{'s' if n != 1 else ''} to choose from")
    elif k >= n:
        reasons.append(f"every account is key (k = {k} of {n}), so every definition captures 100 %")
    buyers = int((outcomes["revenue"] > 0).sum()) if "revenue" in outcomes.columns else 0
    if buyers == 0:
        reasons.append("no account bought in the holdout window")
    elif buyers < MIN_HOLDOUT_BUYERS and n >= 2:
        reasons.append(f"only {buyers} of the {n} accounts bought in the holdout window, so a key set captures "
                       "all of it or none")
    return tuple(reasons)


def degenerate_sentence(reasons: tuple[str, ...]) -> str:
    """The warning a report prints instead of shares when the comparison is degenerate."""
    return ("This comparison cannot rank the definitions: " + "; ".join(reasons) + ". Check the calibration end "
            "and the dates in the file (one date far in the future moves the default split), or use more data.")
