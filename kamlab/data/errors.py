"""The errors of the data contract: every problem of an input, reported at once.

All of them are :class:`DataContractError` (a ``ValueError``): the input is
refused as a whole, and the message lists every problem found, each naming
the column, the first offending rows and the fix (CONTRIBUTING, "Errors").
"""

from __future__ import annotations


class DataContractError(ValueError):
    """Input that does not meet the kamlab data contract; lists every problem found.

    Attributes
    ----------
    source : str
        File name (or description) of the input.
    problems : tuple of str
        One line per problem, each naming the column, rows and fix.
    """

    what = "input"

    def __init__(self, source: str, problems: list[str] | tuple[str, ...]):
        self.source = source
        self.problems = tuple(problems)
        n = len(self.problems)
        lines = [f"{source} has {n} problem{'s' if n != 1 else ''}:"]
        lines += [f"  - {p}" for p in self.problems]
        lines.append("Nothing was loaded.")
        super().__init__("\n".join(lines))


class TransactionDataError(DataContractError):
    """A transactions file or frame that cannot be loaded as it is (see ``problems``)."""


class AccountDataError(DataContractError):
    """An accounts table that does not meet the contract (see ``problems``)."""


class MissingColumnsError(KeyError, ValueError):
    """A frame handed to a kamlab function lacks columns that function needs.

    Raised by :func:`kamlab.data.contract.require_columns` for every module
    (rfm, clv, survival, segments, ...), so that one ``except`` catches a
    missing column wherever it happens. It is both a ``KeyError`` (a column
    looked up and not found) and a ``ValueError`` (bad input).

    Attributes
    ----------
    what : str
        What the frame is, e.g. "transactions" or "fit_bgnbd: the summary".
    missing : tuple of str
        The columns it lacks.
    available : tuple of str
        The columns it has.
    """

    def __init__(self, what: str, missing: tuple[str, ...], available: tuple[str, ...], message: str):
        self.what = what
        self.missing = tuple(missing)
        self.available = tuple(available)
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message
