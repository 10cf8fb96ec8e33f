"""The errors of the report engine: each message names the fix."""

from __future__ import annotations


class ReportConfigError(ValueError):
    """reports.yml (or a parameters file) is malformed; the message names the fix."""


class ReportParameterError(ValueError):
    """A parameter name or value does not fit the notebook's ``parameters`` cell."""
