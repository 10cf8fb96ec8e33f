"""What a section of a report needs from the data, and how an analyst gives it.

A report on an analyst's file shows a section only when its inputs are
there; otherwise it prints one sentence in the form of the data contract,

    not computable on this dataset: needs cost_to_serve -- give it with --accounts (column cost_to_serve)

(DESIGN, "The data contract"; interface 6 of the reports). Inputs are the
contract's names: ``cost`` (the transactions' cost column), the accounts
columns, ``ground truth`` (synthetic worlds only), ``pilot_days``, or a
definition's own missing inputs.
"""

from __future__ import annotations

from typing import Sequence

from kamlab.definitions import NotComputable

from .result import Comparison

#: Columns of an accounts/CRM file (DESIGN, "The data contract").
ACCOUNT_COLUMNS = ("industry", "acquired", "service_tickets", "staff_hours", "cost_to_serve", "strategic_fit",
                   "influence", "referrals", "kam_pilot", "growth_potential")

#: Per-account columns of ``Comparison.accounts`` -> the inputs they are made from.
COLUMN_NEEDS = {
    "profit_cal": ("cost",), "profit_holdout": ("cost",), "gross_profit_holdout": ("cost",),
    "net_profit_cal": ("cost", "cost_to_serve"), "cost_to_serve_holdout": ("cost_to_serve",),
    "true_value": ("ground truth",), "uplift_true": ("ground truth",), "uplift_estimated": ("kam_pilot",),
}


def fix_for(need: str) -> str:
    """How an analyst gives one input, e.g. "give it with --accounts (column staff_hours)"."""
    if need == "cost":
        return "give it with --cost-col (the cost column of your transactions)"
    if need in ACCOUNT_COLUMNS or need in ("service_tickets or cost_to_serve", "referrals"):
        column = need.split(" or ")[0]
        return f"give it with --accounts (column {column})"
    if need == "ground truth":
        return "known only in the synthetic worlds"
    if need == "pilot_days":
        return "give the pilot's length with -p pilot_days=N"
    return "more or longer data may help"


def needs_sentence(needs: Sequence[str], detail: str = "") -> str:
    """ "not computable on this dataset: needs X -- give it with ..." for one or several inputs."""
    needs = list(dict.fromkeys(needs))
    head = f"not computable on this dataset: needs {', '.join(needs)}" + (f" ({detail})" if detail else "")
    if len(needs) == 1:
        return f"{head} -- {fix_for(needs[0])}"
    return f"{head} -- " + "; ".join(f"{need}: {fix_for(need)}" for need in needs)


def not_computable_sentence(missing: NotComputable) -> str:
    """A definition's "not computable" reason with how to give what it lacks."""
    return needs_sentence(missing.missing, missing.detail)


def not_computable_lines(result: Comparison) -> list[str]:
    """One line per definition that could not be scored: "name: not computable ... -- give it with ..."."""
    return [f"{name}: {not_computable_sentence(scored)}" for name, scored in result.scores.items()
            if isinstance(scored, NotComputable)]


def _present(result: Comparison, need: str) -> bool:
    """Whether the study has ``need``: cost (profit columns), ground truth (true_value) or an accounts column."""
    columns = result.accounts.columns
    if need == "cost":
        return "profit_cal" in columns
    if need == "ground truth":
        return "true_value" in columns or "uplift_true" in columns
    return need in columns


def missing_inputs(result: Comparison, columns: Sequence[str], what: str = "") -> str:
    """Why a section on these per-account columns cannot be shown ("" when it can).

    A ``score_<name>`` column needs that definition to be computable ("name
    is not computable on this dataset: ..." with its own reason); any other
    column needs the inputs :data:`COLUMN_NEEDS` lists for it (or itself, an
    accounts column), of which those the study lacks are named, after
    ``what`` (the section) when given.
    """
    needs: list[str] = []
    for column in columns:
        if column in result.accounts.columns:
            continue
        scored = result.scores.get(column[len("score_"):]) if column.startswith("score_") else None
        if isinstance(scored, NotComputable):
            return f"{scored.definition} is {not_computable_sentence(scored)}"
        needs.extend(need for need in COLUMN_NEEDS.get(column, (column,)) if not _present(result, need))
    if not needs:
        return ""
    return (f"{what}: " if what else "") + needs_sentence(needs)


def holdout_value_column(result: Comparison) -> tuple[str, str]:
    """The holdout outcome a per-account chart shows: gross profit with cost data, else revenue (column, words)."""
    if "gross_profit_holdout" in result.accounts.columns:
        return "gross_profit_holdout", "gross profit"
    return "revenue_holdout", "revenue"


def future_value_column(result: Comparison) -> tuple[str, str]:
    """What an account turned out to be worth: the true future value (synthetic), else what it brought next."""
    if "true_value" in result.accounts.columns:
        return "true_value", "true future value: holdout profit + referrals"
    if "profit_holdout" in result.accounts.columns:
        return "profit_holdout", "holdout profit after cost-to-serve"
    column, words = holdout_value_column(result)
    return column, f"holdout {words}"
