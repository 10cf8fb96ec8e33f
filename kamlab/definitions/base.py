"""What every definition of a key account shares: its declaration, its result, its refusal.

A definition is declared once, as a frozen :class:`Definition` next to its
score function (the way lifelines' fitters declare their parameters on a
shared base class); :mod:`kamlab.definitions.registry` lists the
declarations in order. A score function returns a :class:`DefinitionScore`
(built with :meth:`Definition.result`), or raises :class:`NotComputable`
naming the inputs the data lack: it never returns zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd


class NotComputable(Exception):
    """A definition whose inputs are not in the data.

    The comparison reports it as "not computable on this dataset: needs X",
    never as zero scores.

    Attributes
    ----------
    definition : str
        The definition's name.
    needs : tuple of str
        Every input the definition uses.
    missing : tuple of str
        Those the data lack.
    detail : str
        Why, or what to do, in a few words ("" when the missing column says it all).
    """

    def __init__(self, definition: str, needs: tuple[str, ...], missing: tuple[str, ...], detail: str = ""):
        self.definition = definition
        self.needs = tuple(needs)
        self.missing = tuple(missing)
        self.detail = detail
        super().__init__(f"{definition}: {self.reason}")

    def __reduce__(self):  # pickled with its own arguments (an Exception pickles only ``args``)
        return type(self), (self.definition, self.needs, self.missing, self.detail)

    @property
    def reason(self) -> str:
        """The short "not computable on this dataset: needs X" sentence."""
        text = f"not computable on this dataset: needs {', '.join(self.missing)}"
        return text + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class DefinitionScore:
    """One definition's score per account.

    Attributes
    ----------
    name : str
        e.g. ``"future_profit"``.
    scores : pd.Series
        One per account, indexed by ``customer_id``, higher = more key; the
        unit depends on the definition (currency, hours, tickets, rank).
    needs : tuple of str
        The columns it used.
    note : str
        The risk this definition carries, in one sentence.
    size : int or None
        For a baseline with its own set size (``abc_a``: the class A
        accounts), the number of accounts the rule selects; None = the caller
        chooses k.

    Definitions with more to report (the fitted models of ``future_profit``,
    the pilot regression of ``extra_effort``, ...) return a subclass with
    those as named fields.
    """

    name: str
    scores: pd.Series
    needs: tuple[str, ...]
    note: str
    size: int | None = None


@dataclass(frozen=True)
class Definition:
    """The declaration of one definition (or baseline) of a key account.

    Attributes
    ----------
    name : str
        The name the reports print, e.g. ``"biggest"``.
    score : callable
        ``score(summary, accounts, **inputs) -> DefinitionScore``; raises
        :class:`NotComputable` when the data lack its inputs.
    needs : tuple of str
        The data it needs, as the reports list them (columns of the data
        contract, or e.g. "ground truth").
    risk : str
        The risk the source material attaches to it, in one sentence.
    rescorable : bool
        True when it is computed from transactions only, so the study can
        re-score it on a later window (key-set turnover).
    baseline : bool
        True for a baseline shown beside the definitions (random, abc_a, oracle).
    inputs : tuple of str
        Keyword arguments :func:`kamlab.definitions.score_all` passes to
        ``score`` from what the study shares (``seed``, ``truth``, ``pilot``,
        ``horizon_days``) or from a definition scored earlier in the
        registry, by that definition's name (``extra_effort`` takes
        ``future_profit``'s result as its baseline).
    """

    name: str
    score: Callable[..., DefinitionScore]
    needs: tuple[str, ...]
    risk: str
    rescorable: bool = False
    baseline: bool = False
    inputs: tuple[str, ...] = ()

    def result(self, scores: pd.Series, needs: tuple[str, ...] | None = None, *,
               kind: type[DefinitionScore] = DefinitionScore, **fields) -> DefinitionScore:
        """This definition's :class:`DefinitionScore` (or ``kind``) for ``scores``.

        Scores are cast to float and named for the definition; ``note`` is its risk.
        """
        scores = scores.astype(float).rename(self.name)
        scores.index.name = "customer_id"
        return kind(name=self.name, scores=scores, needs=self.needs if needs is None else tuple(needs),
                    note=self.risk, **fields)

    def not_computable(self, missing: tuple[str, ...], detail: str = "", needs=None) -> NotComputable:
        """The :class:`NotComputable` of this definition for the ``missing`` inputs."""
        return NotComputable(self.name, self.needs if needs is None else tuple(needs), missing, detail)


# ----------------------------------------------------------------- reading inputs


def attributes(accounts: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    """The accounts table aligned on the scored accounts (empty when there is none)."""
    if accounts is None:
        return pd.DataFrame(index=index)
    return accounts.reindex(index)


def require(definition: Definition, frame: pd.DataFrame, columns: tuple[str, ...], detail: str = "") -> None:
    """Raise ``definition``'s :class:`NotComputable` unless ``frame`` has every one of ``columns``."""
    missing = tuple(c for c in columns if c not in frame.columns)
    if missing:
        raise definition.not_computable(missing, detail, needs=columns)


def numeric_attribute(definition: Definition, attrs: pd.DataFrame, column: str) -> pd.Series:
    """A numeric attribute column; accounts without a value score as missing (ranked last)."""
    require(definition, attrs, (column,))
    values = pd.to_numeric(attrs[column], errors="coerce").astype(float)
    if values.notna().sum() == 0:
        raise definition.not_computable((column,), f"column '{column}' has no values", needs=(column,))
    return values
