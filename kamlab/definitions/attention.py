"""Definitions 4 and 6, from the accounts (CRM) table: where staff time goes, and who asks for the most."""

from __future__ import annotations

import pandas as pd

from .base import Definition, DefinitionScore, attributes, numeric_attribute


def staff_focus(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 4: where staff spend their time, by staff hours logged.

    score_i = ``staff_hours`` of account i in the calibration window (hours).
    """
    attrs = attributes(accounts, summary.index)
    return STAFF_FOCUS.result(numeric_attribute(STAFF_FOCUS, attrs, "staff_hours"))


STAFF_FOCUS = Definition(
    name="staff_focus", score=staff_focus, needs=("staff_hours",),
    risk="effort follows habit and noise: staff time goes where it went "
    "before, not where the value is",
)


def demanding(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 6: the most demanding accounts, by service demand.

    score_i = ``service_tickets`` of account i in the calibration window
    (count); without that column, ``cost_to_serve`` (currency units).
    """
    attrs = attributes(accounts, summary.index)
    for column in ("service_tickets", "cost_to_serve"):
        if column in attrs.columns:
            return DEMANDING.result(numeric_attribute(DEMANDING, attrs, column), (column,))
    raise DEMANDING.not_computable(("service_tickets or cost_to_serve",))


DEMANDING = Definition(
    name="demanding", score=demanding, needs=("service_tickets", "cost_to_serve"),
    risk="loud is not valuable: service demand and profit are different things",
)
