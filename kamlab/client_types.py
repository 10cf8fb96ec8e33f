"""The four key-client types and the five tiers of the source material, each as a rule.

The **key-client types** (breadwinner, prospect, image-maker, expert) name
kinds of customer that deserve special attention for different reasons; an
account can have several types or none. The **five tiers** (key, important,
customers, difficult, non-customers) sort the whole base by loyalty and fit.

Both need more than transactions: cost (for profit) and account attributes
from a CRM file. A type or tier whose input is missing is reported as not
computable, with the sentence :func:`not_computable_sentence` builds, never as
"nobody qualifies".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kamlab.data import MissingColumnsError, require_columns

__all__ = [
    "TIERS",
    "TYPES",
    "KeyClientTypes",
    "customer_tiers",
    "key_client_types",
    "not_computable_sentence",
    "tiers_need",
]

#: The four key-client types, in the order the source material names them.
TYPES = ("breadwinner", "prospect", "image_maker", "expert")
#: The five tiers, from most to least attention.
TIERS = ("key", "important", "customers", "difficult", "non-customers")


def not_computable_sentence(what: str, needs: tuple[str, ...]) -> str:
    """The sentence a report prints for a type or tier whose input is missing.

    ``"expert: not computable on this dataset: needs service_tickets or
    cost_to_serve -- give it with --accounts (column service_tickets or
    cost_to_serve)"``. The order cost is a column of the transactions, so
    ``cost`` points at ``--cost-col`` instead of the accounts file.

    Parameters
    ----------
    what : str
        The type or section, e.g. "breadwinner" or "tiers".
    needs : tuple of str
        The missing inputs, as in ``KeyClientTypes.not_computable``.
    """
    hints = []
    for need in needs:
        if need == "cost":
            hints.append("give the order cost with --cost-col (a column of the transactions)")
        else:
            hints.append(f"give it with --accounts (column {need})")
    return f"{what}: not computable on this dataset: needs {' and '.join(needs)} -- {'; '.join(hints)}"


@dataclass(frozen=True)
class KeyClientTypes:
    """The four key-client types of each account, with what could not be decided.

    Attributes
    ----------
    table : pd.DataFrame
        Indexed by ``customer_id``, one boolean column per computable type
        (``breadwinner``, ``prospect``, ``image_maker``, ``expert``).
    not_computable : dict
        Type -> the columns it needs that the data lacks.
    notes : tuple of str
        Plain-language remarks, e.g. that no account reaches the breadwinner share.
    """

    table: pd.DataFrame
    not_computable: dict[str, tuple[str, ...]]
    notes: tuple[str, ...]

    def missing_sentences(self) -> tuple[str, ...]:
        """One :func:`not_computable_sentence` per type that could not be computed ("image-maker: ...")."""
        return tuple(not_computable_sentence(name.replace("_", "-"), needs) for name, needs in self.not_computable.items())

    def empty_types(self) -> tuple[str, ...]:
        """Computed types that no account has (e.g. no breadwinner among many accounts)."""
        return tuple(c for c in self.table.columns if not self.table[c].any())


def _top_share_flag(values: pd.Series, top: float) -> pd.Series:
    """True for accounts whose value is positive and at least the (1 - top) quantile."""
    threshold = values.quantile(1 - top)
    return (values >= threshold) & (values > 0)


def _breadwinners(profit: pd.Series, share: float) -> tuple[pd.Series, str | None]:
    """profit_i / sum_j profit_j >= share, and the note to print when nobody qualifies."""
    total = profit.sum()
    if total <= 0:
        return (pd.Series(False, index=profit.index),
                f"total profit is {total:,.0f}, not positive: no account can be a breadwinner.")
    ratio = profit / total
    flag = ratio >= share
    if flag.any():
        return flag, None
    return flag, (f"no account reaches {share:.0%} of total profit "
                  f"(the largest brings {ratio.max():.1%}): there is no breadwinner.")


def _first_column(attrs: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in attrs.columns), None)


def key_client_types(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    breadwinner_share: float = 0.10,
    top: float = 0.20,
) -> KeyClientTypes:
    """The four key-client types of the source material, each as a rule.

    With "top" meaning a positive value at or above the (1 - ``top``) quantile
    across the accounts (default: the top 20 %):

    - **breadwinner**: brings at least ``breadwinner_share`` (10 %) of total
      profit, profit_i / sum_j profit_j >= 0.10 (needs ``profit``, i.e. cost).
      With many accounts often nobody qualifies, which the notes say.
    - **prospect**: high growth potential but not yet big: top
      ``growth_potential`` and revenue below the top-``top`` revenue threshold
      ("tomorrow's oak trees"; needs ``growth_potential``).
    - **image_maker**: top ``influence`` (or, without it, top ``referrals``):
      value that lies outside their own revenue.
    - **expert**: top service demand, measured by ``service_tickets`` (or,
      without it, ``cost_to_serve``): demanding quality requirements.

    An account can have several types or none. Types whose columns are
    missing are reported in ``not_computable``, never as all-False.

    Parameters
    ----------
    summary : pd.DataFrame
        Calibration-window summary indexed by ``customer_id`` with ``revenue``
        and, if cost is known, ``profit`` (as from ``kamlab.rfm.summarise_rfm``).
    accounts : pd.DataFrame, optional
        Account attributes indexed by ``customer_id`` (DESIGN data contract).
    breadwinner_share : float
        Share of total profit that makes a breadwinner, in (0, 1].
    top : float
        Share of accounts counted as "top" on a signal, in (0, 1).

    Returns
    -------
    KeyClientTypes
    """
    if not 0 < breadwinner_share <= 1:
        raise ValueError(f"breadwinner_share must be in (0, 1], got {breadwinner_share}")
    if not 0 < top < 1:
        raise ValueError(f"top must be in (0, 1), got {top}")
    require_columns(summary, ["revenue"], what="summary", hint="Build it with kamlab.segments.account_table.")
    idx = summary.index
    attrs = accounts.reindex(idx) if accounts is not None else pd.DataFrame(index=idx)
    table = pd.DataFrame(index=idx)
    missing: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []

    if "profit" in summary.columns:
        table["breadwinner"], note = _breadwinners(summary["profit"].astype(float), breadwinner_share)
        notes.extend([note] if note else [])
    else:
        missing["breadwinner"] = ("cost",)

    revenue = summary["revenue"].astype(float)
    if "growth_potential" in attrs.columns:
        growth = attrs["growth_potential"].astype(float).fillna(0.0)
        big = revenue >= revenue.quantile(1 - top)
        table["prospect"] = _top_share_flag(growth, top) & ~big
    else:
        missing["prospect"] = ("growth_potential",)

    for name, candidates in (("image_maker", ("influence", "referrals")),
                             ("expert", ("service_tickets", "cost_to_serve"))):
        column = _first_column(attrs, candidates)
        if column:
            table[name] = _top_share_flag(attrs[column].astype(float).fillna(0.0), top)
        else:
            missing[name] = (" or ".join(candidates),)

    table.index.name = "customer_id"
    return KeyClientTypes(table=table.astype(bool), not_computable=missing, notes=tuple(notes))


def tiers_need(accounts: pd.DataFrame | None) -> tuple[str, ...]:
    """The account columns :func:`customer_tiers` needs that ``accounts`` lacks (empty when it can run)."""
    return () if accounts is not None and "strategic_fit" in accounts.columns else ("strategic_fit",)


def customer_tiers(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    loyalty_cut: float = 0.5,
    fit_cut: float = 0.5,
) -> pd.Series:
    """Five tiers of accounts from loyalty and fit: key, important, customers, difficult, non-customers.

    Signals, each turned into a percentile rank in (0, 1] among the buying
    accounts (ties share the average rank):

    - loyalty = rank of repeat purchases (``frequency``) in the calibration
      window; "loyal" if rank >= ``loyalty_cut``;
    - fit = rank of ``strategic_fit`` (account attribute); "fits" if rank >=
      ``fit_cut``.

    Rules, first match wins:

    1. **non-customers**: in the accounts table but no purchase in the window;
    2. **difficult**: buys but loses money: ``profit`` < 0 (pass profit after
       cost-to-serve, as ``kamlab.segments.account_table`` gives it); without
       cost data nobody is classed difficult;
    3. **key**: loyal and fits;
    4. **important**: loyal or fits, not both;
    5. **customers**: the rest.

    This operationalises the source material's tiering of the customer base
    by loyalty and strategic fit; the cut points are parameters.

    Parameters
    ----------
    summary : pd.DataFrame
        Calibration summary indexed by ``customer_id`` with ``frequency`` and
        optionally ``profit``.
    accounts : pd.DataFrame
        Account attributes indexed by ``customer_id``; needs ``strategic_fit``.
        Accounts listed here but absent from ``summary`` are non-customers.
    loyalty_cut, fit_cut : float
        Percentile-rank thresholds in (0, 1).

    Returns
    -------
    pd.Series
        Categorical tier per account (the union of both indexes), named ``tier``.

    Raises
    ------
    kamlab.data.MissingColumnsError
        Without an accounts table holding ``strategic_fit`` (:func:`tiers_need`
        says so beforehand), or a summary without ``frequency``.
    """
    for name, cut in (("loyalty_cut", loyalty_cut), ("fit_cut", fit_cut)):
        if not 0 < cut < 1:
            raise ValueError(f"{name} must be in (0, 1), got {cut}")
    hint = "Give an accounts (CRM) file with it: --accounts (column strategic_fit)."
    if accounts is None:
        raise MissingColumnsError("accounts", ("strategic_fit",), (),
                                  f"customer_tiers needs an accounts table with a 'strategic_fit' column; "
                                  f"there is none. {hint}")
    require_columns(accounts, ["strategic_fit"], what="accounts", hint=hint)
    require_columns(summary, ["frequency"], what="summary", hint="Build it with kamlab.segments.account_table.")
    buyers = summary.index
    everyone = buyers.union(accounts.index)
    loyal = summary["frequency"].rank(pct=True) >= loyalty_cut
    fit_rank = accounts["strategic_fit"].reindex(buyers).astype(float).rank(pct=True)
    fits = fit_rank.fillna(0.0) >= fit_cut
    tier = pd.Series("customers", index=buyers, dtype=object)
    tier[loyal ^ fits] = "important"
    tier[loyal & fits] = "key"
    if "profit" in summary.columns:
        tier[summary["profit"].astype(float) < 0] = "difficult"
    tier = tier.reindex(everyone).fillna("non-customers")
    tier.index.name = "customer_id"
    return pd.Series(pd.Categorical(tier.to_numpy(), categories=list(TIERS)), index=tier.index, name="tier")
