"""Which column of an accounts/CRM file holds which contract attribute.

Columns are matched by normalised name (:func:`column_key`: lower case, units
in brackets removed, letters and digits only, so 'Staff hours (h)' and
'STAFF_HOURS' are ``staffhours``) against the attribute's own name, then
:data:`SYNONYMS` ('Tickets', 'Customer No.'), then :data:`GENERIC` ('ID');
a column map overrides this per attribute, and two equally good columns are
a problem. Unused columns close to an open attribute get a "did you mean".
Used by :func:`kamlab.data.load_accounts`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .contract import suggest_column


#: Contract attributes of an accounts table (DESIGN, "The data contract").
ATTRIBUTES = ("service_tickets", "staff_hours", "cost_to_serve", "strategic_fit", "influence",
              "referrals", "kam_pilot", "growth_potential", "industry", "acquired")
#: Attributes that cannot be negative: counts, hours, costs.
NON_NEGATIVE = ("service_tickets", "staff_hours", "cost_to_serve", "referrals")
#: Texts of a pilot flag (lower case).
PILOT_VALUES = {"1": 1, "0": 0, "yes": 1, "no": 0, "y": 1, "n": 0, "true": 1, "false": 0}

#: Command-line options the fixes in messages name (the CLI defines them).
ID_FLAG, COLUMN_FLAG, SHEET_FLAG = "--account-id-col", "--account-col", "--accounts-sheet"
DECIMAL_FLAG, DATE_FORMAT_FLAG = "--accounts-decimal", "--accounts-date-format"

#: Normalised column names (see :func:`column_key`) taken for each attribute and the id.
SYNONYMS = {
    "customer_id": ("customerno", "customernumber", "custid", "custno", "clientid", "clientno", "clientnumber",
                    "accountid", "accountno", "accountnumber", "accountcode", "customercode", "debtorno"),
    "service_tickets": ("tickets", "supporttickets", "ticketcount", "numberoftickets", "notickets",
                        "servicerequests", "requests", "cases", "supportcases", "servicecases"),
    "staff_hours": ("hours", "staffhrs", "hrs", "kamhours", "efforthours", "accounthours", "hoursspent",
                    "timespent", "servicehours", "contacthours"),
    "cost_to_serve": ("costtoservice", "servicecost", "servicecosts", "costofservice", "cts", "servingcost"),
    "strategic_fit": ("fit", "fitscore", "strategicscore"),
    "influence": ("influencescore", "reputation"),
    "referrals": ("referral", "referralcount", "numberofreferrals", "noreferrals", "referred"),
    "kam_pilot": ("pilot", "inpilot", "pilotgroup", "pilotflag", "kamgroup", "treatment", "treated"),
    "growth_potential": ("growth", "potential", "growthscore"),
    "industry": ("sector", "branch", "vertical", "industrysector"),
    "acquired": ("acquisitiondate", "acquireddate", "dateacquired", "customersince", "clientsince", "since",
                 "startdate", "signupdate", "onboarded", "onboardingdate", "createdon"),
}


#: Names taken for an attribute only when no column has its name or a synonym ('ID' loses to 'Customer No.').
GENERIC = {"customer_id": ("customer", "client", "account", "debtor", "id")}


def column_key(name: str) -> str:
    """'Staff hours (h)' -> 'staffhours': lower case, bracketed units removed, letters and digits only."""
    text = str(name).lower()
    key = re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)|\[.*?\]", "", text))
    return key or re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class ColumnMatch:
    """One file column used: the contract ``attribute`` (or ``customer_id``), and ``how``: "given", "matched by name" or "matched by synonym"."""

    attribute: str
    column: str
    how: str


@dataclass(frozen=True)
class ColumnMapping:
    """The columns chosen for the id and each attribute, how they were matched, and the columns left unused."""

    id_column: str | None
    attributes: dict           # attribute -> column
    matches: tuple[ColumnMatch, ...]
    unused: tuple[str, ...]
    suggestions: tuple[str, ...]


def fix_flag(attribute: str, column: str = "<column>") -> str:
    """The command-line fix that maps ``column`` to ``attribute`` (``--account-id-col`` for the id)."""
    if attribute == "customer_id":
        return f"{ID_FLAG} {column}"
    return f"{COLUMN_FLAG} {attribute}={column}"


def _best_column(target: str, candidates: list[str]) -> tuple[list[str], str]:
    """The candidates with the best name match for ``target`` (exact name before synonym)."""
    keys = {c: column_key(c) for c in candidates}
    for how, names in (("matched by name", {column_key(target)}), ("matched by synonym", SYNONYMS.get(target, ())),
                       ("matched by synonym", GENERIC.get(target, ()))):
        hits = [c for c in candidates if keys[c] in names]
        if hits:
            return hits, how
    return [], ""


def _given_column(target: str, column: str, available: list[str], problems: list[str]) -> bool:
    if column in available:
        return True
    close = [c for c in (suggest_column(target, column, available),) if c]
    fix = f"did you mean {close[0]!r}? pass {fix_flag(target, repr(close[0]))}" if close else \
        f"pass {fix_flag(target)} naming the column that holds {target}"
    problems.append(f"no column {column!r} (given for {target}); the columns are "
                    f"{', '.join(map(repr, available))}; {fix}")
    return False


def match_columns(available: list[str], id_col: str | None, columns: Mapping[str, str | None],
                   problems: list[str]) -> ColumnMapping:
    """Resolve the id column and the attributes: given ones first, then by name."""
    for key in columns:
        if key not in ATTRIBUTES:
            close = difflib.get_close_matches(str(key), ATTRIBUTES, n=1, cutoff=0.6)
            problems.append(f"the column map names {key!r}, which is not an account attribute"
                            + (f" (did you mean {close[0]!r}?)" if close else "")
                            + f"; the attributes are {', '.join(ATTRIBUTES)}")
    matches, taken = [], {}
    wanted = [("customer_id", id_col)] + [(a, columns[a]) for a in ATTRIBUTES if a in columns]
    for target, column in wanted:
        if column is None:
            continue
        if column in taken:
            problems.append(f"column {column!r} is given for both {taken[column]} and {target}; "
                            "give each its own column")
        elif _given_column(target, column, available, problems):
            taken[column] = target
            matches.append(ColumnMatch(target, column, "given"))
    for target in ("customer_id",) + ATTRIBUTES:
        if target in columns or (target == "customer_id" and id_col is not None):
            continue
        hits, how = _best_column(target, [c for c in available if c not in taken])
        if len(hits) > 1:
            problems.append(f"columns {', '.join(map(repr, hits))} all look like {target}; "
                            f"choose one with {fix_flag(target, repr(hits[0]))}")
        elif hits:
            taken[hits[0]] = target
            matches.append(ColumnMatch(target, hits[0], how))
        elif target == "customer_id":
            close = [c for c in available if difflib.get_close_matches(
                column_key(c), ("customerid",) + SYNONYMS["customer_id"] + GENERIC["customer_id"], n=1, cutoff=0.8)]
            fix = f"did you mean {close[0]!r}? pass {fix_flag(target, repr(close[0]))}" if close else \
                f"name it with {fix_flag(target)}"
            problems.append(f"no column looks like the customer id (the columns are "
                            f"{', '.join(map(repr, available))}); {fix}")
    unused = tuple(c for c in available if c not in taken)
    return ColumnMapping(next((m.column for m in matches if m.attribute == "customer_id"), None),
                    {m.attribute: m.column for m in matches if m.attribute != "customer_id"},
                    tuple(sorted(matches, key=lambda m: (("customer_id",) + ATTRIBUTES).index(m.attribute))),
                    unused, _near_misses(unused, set(taken.values())))


def _near_misses(unused: tuple[str, ...], matched: set[str]) -> tuple[str, ...]:
    """'column 'staf_hours' is not used: did you mean staff_hours? ...' for unused columns close to an open attribute."""
    lookup = {}
    for target in ("customer_id",) + ATTRIBUTES:
        if target not in matched:
            for key in (column_key(target),) + SYNONYMS.get(target, ()) + GENERIC.get(target, ()):
                lookup.setdefault(key, target)
    out = []
    for column in unused:
        close = difflib.get_close_matches(column_key(column), list(lookup), n=1, cutoff=0.8)
        if close:
            target = lookup[close[0]]
            out.append(f"column {column!r} is not used: did you mean {target}? pass {fix_flag(target, repr(column))}")
    return tuple(out)


def column_map(pairs: Iterable[str] | str | None) -> dict[str, str | None]:
    """Command-line pairs 'attribute=column' (a list, one per flag; or one comma-separated str) as a ``columns=`` map.

    ``"staff_hours=Hours logged"`` maps the attribute to that column; an empty
    column (``"industry="``) leaves the attribute out. Whether the names exist
    is checked by :func:`load_accounts`, with every other problem.
    """
    items = pairs.split(",") if isinstance(pairs, str) else list(pairs or ())
    out: dict[str, str | None] = {}
    for item in (text for text in items if text.strip()):
        attribute, sep, column = item.partition("=")
        if not sep or not attribute.strip():
            raise ValueError(f"{COLUMN_FLAG} {item!r}: write attribute=column, e.g. {COLUMN_FLAG} staff_hours='Hours'")
        out[attribute.strip()] = column.strip() or None
    return out
