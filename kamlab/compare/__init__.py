"""Comparing the definitions of a key account against what happened next.

Each definition sees only the calibration window and picks its key accounts;
the holdout window (and, on synthetic worlds, the ground truth) says how good
the pick was. :func:`compare_definitions` judges given scores on given
outcomes; :func:`run_comparison` does the whole study on a dataset in one
call; :func:`conclusion` writes the result in plain language from the numbers.

Modules: ``metrics`` (overlap, gain curves), ``intervals`` (the bootstrap,
and the delta method above 200,000 accounts), ``positions`` (scores, key sets
and gain curves as arrays over one index of accounts),
``evaluation`` (compare_definitions, one step per group of columns),
``outcomes`` (the holdout outcomes), ``quality`` (unstable shares,
degenerate data), ``availability`` (what a section needs and how to give it), ``decision``
(net gain by number of key accounts, the recommendation), ``study`` (run_comparison: split ->
score -> outcomes -> re-score -> compare -> diagnostics -> per-account
table), ``result`` (Windows, Diagnostics, Comparison), ``narrative``
(headline_metric, report_table, conclusion, and their Markdown) and ``tables``
(the tables a reader sees first and second, formatted for reading).
"""

from .availability import (fix_for, future_value_column, holdout_value_column, missing_inputs, needs_sentence,
                           not_computable_lines, not_computable_sentence)
from .decision import Decision, decide, decision_markdown, decision_text, programme_uplift
from .evaluation import compare_definitions
from .metrics import (AlikePairs, bootstrap_captures, gain_curve, most_and_least_alike, overlap_matrix,
                      pair_overlaps, percentile_interval)
from .intervals import BOOTSTRAP_MAX_ACCOUNTS, delta_method_interval
from .narrative import (alike_sentence, capture_lines, capture_markdown, conclusion, conclusion_markdown,
                        headline_metric, interval_sentence, report_table)
from .outcomes import holdout_outcomes
from .result import Comparison, Diagnostics, Windows
from .tables import definitions_overview, main_table, markdown_table, other_table
from .study import (calibration_summary, next_window_summary, per_account_table, rescore_next_window,
                    run_comparison, score_definitions, split_windows, study_diagnostics, summary_windows)

__all__ = [
    "fix_for", "future_value_column", "holdout_value_column", "missing_inputs", "needs_sentence",
    "not_computable_lines", "not_computable_sentence",
    "Decision", "decide", "decision_markdown", "decision_text", "programme_uplift",
    "capture_markdown", "conclusion_markdown", "definitions_overview", "main_table", "markdown_table", "other_table",
    "BOOTSTRAP_MAX_ACCOUNTS", "delta_method_interval", "interval_sentence", "next_window_summary",
    "summary_windows",
    "AlikePairs", "Comparison", "Diagnostics", "Windows", "alike_sentence", "bootstrap_captures",
    "calibration_summary", "capture_lines", "compare_definitions", "conclusion", "gain_curve", "headline_metric",
    "holdout_outcomes", "most_and_least_alike", "overlap_matrix", "pair_overlaps", "per_account_table",
    "percentile_interval", "report_table", "rescore_next_window", "run_comparison", "score_definitions",
    "split_windows", "study_diagnostics",
]
