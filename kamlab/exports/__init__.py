"""Exports an account team can use: the study's per-account table and lists, as CSV files.

:func:`write_exports` writes, from a :class:`kamlab.compare.Comparison` and its
dataset, a folder of CSV files with stable columns in a stable order (a column
the data cannot fill is blank, never 0) and a README.txt naming every file and
column with its unit:

=========================  ==================================================
file                       one row per
=========================  ==================================================
accounts.csv               account that bought in the calibration window
key_accounts_<name>.csv    key account of each computable definition
win_back.csv               account lost by the inactivity rule, at the end of
                           the data (:func:`kamlab.survival.win_back_list`)
at_risk.csv                account still buying at the end of the data whose
                           probability of being alive (under the purchase model
                           that fits) is below a threshold
comparison.csv             definition and baseline (the comparison table)
=========================  ==================================================

The accounts table and the key lists describe the study: the calibration
window the definitions saw, and the holdout outcomes they are judged on. The
win-back and at-risk lists are for action: they look at all the data, up to
the observation end. Money is in the data's currency units, rounded to cents,
so that the exported revenue adds up to the validation report's kept revenue
of the window (when the file's amounts are in cents). Files are UTF-8 with a
byte-order mark, which Excel needs to show accents; dates are YYYY-MM-DD.

At a million accounts the work is done on integer account codes
(:mod:`kamlab.exports.ledger`: the ids factorised once) and the files are
written by :mod:`kamlab.exports.csvfile`, which gives the bytes pandas'
``to_csv`` gives, column by column in Arrow instead of cell by cell.
"""

from .columns import (ACCOUNT_COLUMNS, AT_RISK_COLUMNS, COLUMN_DOCS, COMPARISON_COLUMNS, COMPARISON_DOCS,  # noqa: F401
                      KEY_COLUMNS, NAMES, SCORE_UNITS, TYPES, WIN_BACK_COLUMNS)
from .files import write_exports  # noqa: F401
from .tables import account_table, at_risk_list, comparison_table, key_account_list  # noqa: F401
