"""What every chapter notebook does first with its dataset, in one place.

The notebooks open with the same few lines: resolve the dataset (a registered
name, a bundle from ``kamlab report``, or an analyst's file) and say where it
comes from and how it was validated. :func:`dataset_preamble` is that text.
"""

from __future__ import annotations

from kamlab.datasets import Dataset

#: What an own-data notebook says instead of repeating the report's header.
REPORT_AT_THE_TOP = ("Validation report of your file: at the top of the report page "
                     "(or print(ds.report) here).")


def dataset_preamble(ds: Dataset) -> str:
    """The dataset's provenance line, then its validation report.

    For an analyst's own file the report page already opens with the
    validation report (and the accounts report), so the notebook points to it
    instead of printing it twice; a registered dataset loaded through the
    validating loader (e.g. CDNOW) shows its report here; the synthetic worlds
    have none.
    """
    lines = [ds.source]
    if ds.own_data:
        lines.append(REPORT_AT_THE_TOP)
    elif ds.report is not None:
        lines.append(str(ds.report))
    return "\n".join(lines)
