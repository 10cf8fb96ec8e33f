"""Customer lifetime value: BTYD models, predictions, holdout checks.

Careful fits of the models of the ``lifetimes`` package, on compressed patterns:

* BG/NBD (Fader, Hardie & Lee 2005a) and Pareto/NBD (Schmittlein, Morrison &
  Colombo 1987) for the number of future purchases of a non-contractual customer;
* Gamma-Gamma (Fader, Hardie & Lee 2005b; Fader & Hardie 2013, note 025) for the
  average spend per purchase;
* BG/BB (Fader, Hardie & Shang 2010) for discrete transaction opportunities.

BG/NBD, Pareto/NBD and Gamma-Gamma are maximised on kamlab's own vectorised
likelihoods (each term once per distinct value it depends on; lifetimes' are the
oracle of the tests), MBG/NBD, BG/BB and penalised fits by lifetimes; every
estimate is checked against a restart and, for the counting models, the NBD
maximum. The fitted object in ``FittedModel.model`` is always a lifetimes fitter.

Modules, one concern each:

=================  =============================================================
``summaries``      column names, checks, compression into patterns, weeks
``results``        ``FittedModel``, ``FitDiagnostics``, ``FitError``, published estimates
``patterns``       weighted patterns and their distinct parts; objectives for the optimisers
``likelihoods``    BG/NBD and Gamma-Gamma log-likelihoods with closed-form gradients
``pareto``         the Pareto/NBD likelihood, P(alive) and expected purchases
``optimise``       multi-start maximisation in log-parameters; gradients, bounds
``fitting``        a first fit checked against a restart and a floor; own search
``nbd``            the NBD model (no dropout), the nested reference
``counting``       BG/NBD, Pareto/NBD, MBG/NBD: maximum or no-dropout (NBD) limit
``discrete``       the BG/BB fit
``spend``          the Gamma-Gamma fit
``expectations``   expected purchases near the boundaries, where lifetimes' forms break
``prediction``     expected purchases, probability alive, spend, discounted CLV
``holdout``        predicted against actual holdout purchases and revenue
``valuation``      the value model that fits (purchase and spend), its value
=================  =============================================================

Every ``fit_*`` takes a per-account summary with the column names of
:mod:`kamlab.rfm` and returns a frozen :class:`FittedModel`. Time is in whatever
period the summary uses (days for ``summarise_rfm(freq="D")``, weeks for
``freq="W"``); every horizon is in that same period.
"""

from kamlab.economics import customer_value as contractual_clv  # noqa: F401  (re-export)

from .counting import fit_bgnbd, fit_mbgnbd, fit_pareto_nbd
from .discrete import fit_bgbb
from .nbd import fit_nbd
from .holdout import HoldoutCheck, holdout_check, holdout_value_check
from .prediction import discounted_clv, expected_purchases, expected_spend, probability_alive
from .results import PUBLISHED, FitDiagnostics, FitError, FittedModel
from .spend import fit_gamma_gamma
from .summaries import SummaryError, as_rfm, compress, in_weeks
from .valuation import ValueModel, account_values, fit_value_model, own_mean_spend, predicted_value

__all__ = [
    "PUBLISHED",
    "SummaryError",
    "FitError",
    "FittedModel",
    "FitDiagnostics",
    "ValueModel",
    "HoldoutCheck",
    "as_rfm",
    "compress",
    "in_weeks",
    "fit_bgnbd",
    "fit_pareto_nbd",
    "fit_mbgnbd",
    "fit_gamma_gamma",
    "fit_bgbb",
    "fit_nbd",
    "fit_value_model",
    "predicted_value",
    "own_mean_spend",
    "account_values",
    "expected_purchases",
    "probability_alive",
    "expected_spend",
    "discounted_clv",
    "holdout_check",
    "holdout_value_check",
    "contractual_clv",
]
