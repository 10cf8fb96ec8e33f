"""Customer lifetime value: BTYD models through lifetimes, predictions, holdout checks.

Thin, careful adapters over the ``lifetimes`` fitters:

* BG/NBD (Fader, Hardie & Lee 2005a) and Pareto/NBD (Schmittlein, Morrison &
  Colombo 1987) for the number of future purchases of a non-contractual customer;
* Gamma-Gamma (Fader, Hardie & Lee 2005b; Fader & Hardie 2013, note 025) for the
  average spend per purchase;
* BG/BB (Fader, Hardie & Shang 2010) for discrete transaction opportunities.

Modules, one concern each:

===============  =============================================================
``summaries``    column names, checks, compression into patterns, weeks
``results``      ``FittedModel``, ``FitError``, the published estimates
``fitting``      BG/NBD, Pareto/NBD, MBG/NBD and BG/BB fits
``spend``        the Gamma-Gamma fit
``prediction``   expected purchases, probability alive, spend, discounted CLV
``holdout``      predicted against actual holdout purchases and revenue
===============  =============================================================

Every ``fit_*`` takes a per-account summary with the column names of
:mod:`kamlab.rfm` and returns a frozen :class:`FittedModel`. Time is in whatever
period the summary uses (days for ``summarise_rfm(freq="D")``, weeks for
``freq="W"``); every horizon is in that same period.
"""

from kamlab.economics import customer_value as contractual_clv  # noqa: F401  (re-export)

from .fitting import fit_bgbb, fit_bgnbd, fit_mbgnbd, fit_pareto_nbd
from .holdout import HoldoutCheck, holdout_check, holdout_value_check
from .prediction import discounted_clv, expected_purchases, expected_spend, probability_alive
from .results import PUBLISHED, FitError, FittedModel
from .spend import fit_gamma_gamma
from .summaries import SummaryError, as_rfm, compress, in_weeks

__all__ = [
    "PUBLISHED",
    "SummaryError",
    "FitError",
    "FittedModel",
    "HoldoutCheck",
    "as_rfm",
    "compress",
    "in_weeks",
    "fit_bgnbd",
    "fit_pareto_nbd",
    "fit_mbgnbd",
    "fit_gamma_gamma",
    "fit_bgbb",
    "expected_purchases",
    "probability_alive",
    "expected_spend",
    "discounted_clv",
    "holdout_check",
    "holdout_value_check",
    "contractual_clv",
]
