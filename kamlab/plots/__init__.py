"""Figures for the notebooks and reports.

Every function takes data and returns a ``matplotlib.figure.Figure`` built
without pyplot (so nothing is shown or kept in global state); every figure has a
title and axis labels with units. One submodule per topic; the names are
re-exported here. The house style (titles, unit labels, legends off the data,
money formatting) lives in :mod:`kamlab.plots.style`.
"""
from . import style
from .pareto import pareto_curve
from .survival import survival_curves, cohort_heatmap, sbg_projection
from .clv import holdout_by_frequency, holdout_value_by_group, clv_concentration
from .economics import margin_multiple_curves, improvement_sensitivity, payback_curve, channel_value_vs_cost
from .synth import (size_vs_profit, demand_vs_profit, staff_hours_habit, oak_trees, referral_value_vs_profit,
                    uplift_distribution, silence_vs_alive, retention_curve)
from .segments import abc_xyz_heatmap, key_client_type_profile
from .compare import (gain_curves, overlap_heatmap, capture_bars, key_account_scatter,
                      weight_sensitivity_histogram, net_gain_curves, identical_key_sets)
