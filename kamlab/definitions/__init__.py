"""The seven definitions of a key account, each a score per account.

The source material says "a key account" can mean any of seven things, and
that each carries a risk (DESIGN, "The seven definitions"). Here each meaning
is a function from what a company knows at the end of a calibration window
to a score per account, higher = more key:

=============== ===================================================== =====================
name            score                                                 needs
=============== ===================================================== =====================
biggest         calibration revenue                                   transactions
mustnt_lose     share of total gross profit (loss impact if it left)  cost
future_profit   discounted predicted CLV (the value model that fits)  transactions
staff_focus     staff hours logged                                    staff_hours
extra_effort    estimated uplift from extra effort (pilot regression) kam_pilot + outcome
demanding       service demand (tickets, else cost-to-serve)          service_tickets
strategic       weighted scorecard of growth, influence, fit, profit  scorecard columns
=============== ===================================================== =====================

plus the baselines ``random`` (:func:`random_pick`, seeded), ``abc_a`` (the
Pareto class A by revenue, at its own size) and ``oracle`` (true future
value; synthetic worlds only). :func:`select` turns a score into a set of
key accounts.

Inputs: ``summary`` is the calibration-window RFM summary indexed by
``customer_id`` (``kamlab.rfm.summarise_rfm``: ``frequency``, ``recency``,
``T``, ``monetary_value``, ``revenue`` and, with cost, ``profit``);
``accounts`` is the accounts table of the data contract (attributes measured
on the calibration window). Scores are indexed like ``summary``: the accounts
that bought in the calibration window. A definition whose inputs are missing
raises :class:`NotComputable` naming what it needs; it never returns zeros.

Modules: ``base`` (Definition, DefinitionScore, NotComputable), ``registry``
(the one registry and :func:`score_all`), ``selection`` (ranking, count,
select), ``revenue`` (biggest, mustnt_lose), ``value`` (future_profit),
``attention`` (staff_focus, demanding), ``uplift`` (extra_effort), ``pilot``
(pilot_outcomes), ``scorecard`` (strategic, weight_sensitivity),
``baselines`` (random_pick, abc_a, oracle).
"""

from .attention import demanding, staff_focus
from .base import Definition, DefinitionScore, NotComputable
from .baselines import ORACLE_COLUMNS, OracleScore, abc_a, oracle, oracle_column, random_pick
from .pilot import pilot_outcomes
from .registry import BASELINES, DEFINITIONS, REGISTRY, RESCORABLE, RISKS, check_registry, score_all
from .revenue import biggest, mustnt_lose
from .scorecard import STRATEGIC_WEIGHTS, StrategicScore, scorecard_signals, strategic, weight_sensitivity
from .selection import key_account_count, ranking, ranking_positions, select, tie_ranks, top_positions
from .uplift import UPLIFT_COVARIATES, ExtraEffortScore, extra_effort
from .value import FutureProfitScore, future_profit

__all__ = [
    "BASELINES", "DEFINITIONS", "ORACLE_COLUMNS", "REGISTRY", "RESCORABLE", "RISKS", "STRATEGIC_WEIGHTS",
    "UPLIFT_COVARIATES", "Definition", "DefinitionScore", "ExtraEffortScore", "FutureProfitScore",
    "NotComputable", "OracleScore", "StrategicScore", "abc_a", "biggest", "check_registry", "demanding",
    "extra_effort", "future_profit", "key_account_count", "mustnt_lose", "oracle", "oracle_column",
    "pilot_outcomes", "random_pick", "ranking", "ranking_positions", "score_all", "tie_ranks", "top_positions", "scorecard_signals", "select", "staff_focus",
    "strategic", "weight_sensitivity",
]
