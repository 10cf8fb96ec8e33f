"""The loader's policies as command-line flags and params-file keys, read from its signature.

Every keyword policy of :func:`kamlab.data.load_transactions` (returns, bad
rows, duplicates, day-first, delimiter, ...) becomes one ``kamlab report`` flag
named like the policy (``bad_rows`` -> ``--bad-rows``; ``sep`` is
``--delimiter``; ``dayfirst`` is ``--dayfirst``/``--monthfirst``), with the
first sentence of its docstring entry as the one-line help and, for a policy
with a fixed set of values (``{"drop", "keep"}`` in the docstring), those
choices. A policy the loader gains appears on the command line without a change
here. The same names are keys of the YAML params file (``bad_rows: drop``).

:func:`flag_form` rewrites the Python-style fixes in a loader message
(``pass bad_rows='drop'``) into the flags a user types (``pass --bad-rows drop``).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import shlex
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import ReportConfigError

#: Loader arguments that are not policies: the source, and the column map, which
#: has its own flags (--customer-col ...) because it is also a notebook parameter.
NOT_POLICIES = ("source", "customer_col", "date_col", "amount_col", "cost_col", "source_name")
#: Flag names that differ from the policy name.
RENAMED = {"sep": "delimiter"}
#: The flag that sets a boolean policy to False, when it has a better name than --no-X.
FALSE_FLAGS = {"dayfirst": "monthfirst"}
#: One-line meanings where the docstring's first sentence does not say what the flag does.
HELP = {
    "quantity_col": "Column holding the units of each row (quantity)",
    "price_col": "Column holding the unit price, for an export with no line amount: amount = quantity × price "
                 "of each row (with --quantity-col)",
    "profit_col": "Column holding each row's gross profit, for an export with no cost: cost = amount - profit",
    "exclude_col": "Column whose values mark rows that are not sales (postage, fees), with --exclude-values",
    "exclude_values": "Values of --exclude-col that mark the rows left out (dropped and counted)",
    "credit_note_col": "Column marking credit notes: a document type (with --credit-note-values) or a "
                       "document number (with --credit-note-prefix)",
    "credit_note_values": "Values of --credit-note-col that mark a credit note or cancellation, e.g. 'Credit Memo'",
    "credit_note_prefix": "Prefix of the document number in --credit-note-col that marks a credit note, e.g. CN-",
    "dayfirst": "Read dates like 01/02/1997 as day/month/year (--monthfirst: month/day/year; default: detect)",
    "sheet": "Workbook sheet, by name or 0-based position (default: the first)",
}
#: The same for the accounts file's options (--accounts-*).
ACCOUNT_HELP = {
    "encoding": "Text encoding of the accounts file",
    "delimiter": "Field delimiter of the accounts file",
    "decimal": "Decimal mark of the accounts file's numbers",
    "dayfirst": "Read the accounts file's dates (acquired) as day/month/year (--accounts-monthfirst: month/day/year)",
}
#: Column-map arguments and their flags, for rewriting messages.
COLUMN_FLAGS = {"customer_col": "--customer-col", "date_col": "--date-col", "amount_col": "--amount-col",
                "cost_col": "--cost-col", "account_id_col": "--account-id-col", "accounts": "--accounts"}


@dataclass(frozen=True)
class LoaderOption:
    """One keyword policy of the loader as a flag.

    kind is "choice" (``choices`` lists the values), "bool", "int", "float",
    "list" (repeatable flag), "text" or "text-or-number" (digits are read as a number,
    e.g. a sheet by name or position).
    """

    name: str  # the loader's keyword, e.g. "bad_rows"
    flag: str  # e.g. "--bad-rows"
    kind: str
    choices: tuple[str, ...]
    default: Any
    help: str  # one line
    default_text: str = ""  # the default as --help states it ("" says nothing)
    prefix: str = ""  # "accounts-" for the accounts file's options

    @property
    def dest(self) -> str:
        """The argparse attribute holding the value."""
        return "load_" + self.prefix.replace("-", "_") + self.name

    @property
    def false_flag(self) -> str:
        """The flag that sets a boolean option to False (``--monthfirst``, else ``--no-<name>``)."""
        return "--" + self.prefix + FALSE_FLAGS.get(self.name, "no-" + self.name).replace("_", "-")


def _docstring_entries(func: Callable) -> dict[str, tuple[str, str]]:
    """name -> (type text, description) from a numpy-style Parameters section."""
    doc = inspect.getdoc(func) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?:^\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
    entries: dict[str, tuple[str, str]] = {}
    current: list[str] = []
    for line in (match.group(1) if match else "").splitlines():
        head = re.match(r"^(\w+(?:\s*,\s*\w+)*)\s*:\s*(.*)$", line)
        if head:
            current = [name.strip() for name in head.group(1).split(",")]
            for name in current:
                entries[name] = (head.group(2).strip(), "")
        elif current and line.strip():
            for name in current:
                kind, text = entries[name]
                entries[name] = (kind, (text + " " + line.strip()).strip())
    return entries


def _first_sentence(text: str) -> str:
    """The first sentence (up to '.' or ';' outside brackets), without markup; long ones lose their brackets."""
    text = re.sub(r":\w+:`~?([^`]*)`", r"\1", re.sub(r"``([^`]*)``", r"\1", text))
    depth, end = 0, len(text)
    for i, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        abbreviation = text.endswith(("e.g", "i.e"), 0, i)
        bullets = char == ":" and text[i + 1:i + 4] == " - "
        if depth == 0 and (char in ".;" or bullets) and text[i + 1:i + 2] in ("", " ") and not abbreviation:
            end = i
            break
    sentence = text[:end].strip()
    if len(sentence) > 110:
        sentence = re.sub(r"\s*\([^()]*\)", "", sentence)
    return sentence


def _kind(parameter: inspect.Parameter, type_text: str) -> tuple[str, tuple[str, ...]]:
    """The flag's kind: the docstring's ``{...}`` choices, else the annotation, else the docstring type."""
    choices = re.match(r"^\{(.*?)\}", type_text)
    if choices:
        values = tuple(ast.literal_eval(f"[{choices.group(1)}]"))
        return "choice", tuple(str(v) for v in values)
    annotation = "" if parameter.annotation is inspect.Parameter.empty else str(parameter.annotation)
    words = (annotation or type_text).lower()
    for kind, marks in (("list", ("list", "sequence", "iterable", "tuple")), ("bool", ("bool",)),
                        ("int", ("int",)), ("float", ("float",))):
        if any(re.search(rf"\b{m}\b", words) for m in marks):
            textual = kind in ("int", "float") and re.search(r"\bstr\b", words)
            return ("text-or-number" if textual else kind), ()
    if isinstance(parameter.default, bool):
        return "bool", ()
    return "text", ()


def options_of(loader: Callable, *, skip: tuple[str, ...] = NOT_POLICIES, prefix: str = ""
               ) -> tuple[LoaderOption, ...]:
    """The keyword policies of ``loader`` (all keyword-only arguments but ``skip``) as
    :class:`LoaderOption`, in signature order; flags start with ``--<prefix>``."""
    entries = _docstring_entries(loader)
    options = []
    for name, parameter in inspect.signature(loader).parameters.items():
        if name in skip or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        type_text, text = entries.get(name, ("", ""))
        kind, choices = _kind(parameter, type_text)
        meaning = (ACCOUNT_HELP.get(name) if prefix else None) or HELP.get(name) or _first_sentence(text) \
            or f"loader option {name}"
        default = None if parameter.default is inspect.Parameter.empty else parameter.default
        flag = "--" + prefix + RENAMED.get(name, name).replace("_", "-")
        detects = re.search(r"\bdetect", text) is not None
        default_text = ("detect" if detects else "") if default is None else str(default)
        options.append(LoaderOption(name, flag, kind, choices, default, meaning, default_text, prefix))
    return tuple(options)


def transaction_options() -> tuple[LoaderOption, ...]:
    """The policies of :func:`kamlab.data.load_transactions`, as it is installed now."""
    from kamlab.data import load_transactions

    return options_of(load_transactions)


def _text_or_int(text: str) -> str | int:
    return int(text) if text.strip().isdigit() else text


def _metavar(name: str) -> str:
    for ending, word in (("_col", "COL"), ("_date", "DATE"), ("_end", "DATE"), ("_format", "FORMAT"),
                         ("encoding", "NAME"), ("sheet", "SHEET")):
        if name.endswith(ending):
            return word
    return "CHAR" if name in ("sep", "delimiter") else "TEXT"


#: Arguments of the accounts loader that are not reading options (the CLI has flags for the map).
ACCOUNT_NOT_OPTIONS = ("source", "id_col", "columns", "transaction_ids", "source_name")


def account_options() -> tuple[LoaderOption, ...]:
    """The reading options of :func:`kamlab.data.accounts_file.load_accounts` as ``--accounts-*`` flags
    (``--accounts-sheet``, ``--accounts-decimal``, ...); none when this kamlab has no accounts loader."""
    try:
        from kamlab.data.accounts_file import load_accounts
    except ImportError:
        return ()
    return options_of(load_accounts, skip=ACCOUNT_NOT_OPTIONS, prefix="accounts-")


def add_arguments(group, options: tuple[LoaderOption, ...], *, defaults: Mapping[str, str] = {}) -> None:
    """One flag per option on an argparse group; ``defaults`` overrides the default named in the help."""
    for opt in options:
        shown = defaults.get(opt.name, opt.default_text)
        meaning = (opt.help + (f" (default: {shown})" if shown and opt.kind != "bool" else "")
                   ).replace("%", "%%")  # argparse formats help with %
        if opt.kind == "bool":
            group.add_argument(opt.flag, dest=opt.dest, action="store_true", default=None, help=meaning)
            group.add_argument(opt.false_flag, dest=opt.dest, action="store_false", default=None,
                               help=f"the opposite of {opt.flag}")
        elif opt.kind == "list":
            group.add_argument(opt.flag, dest=opt.dest, action="append", default=None, metavar="VALUE",
                               help=meaning + "; repeatable")
        else:
            number = {"int": int, "float": float, "text-or-number": _text_or_int}.get(opt.kind)
            metavar = None if opt.kind == "choice" else "N" if opt.kind in ("int", "float") else _metavar(opt.name)
            group.add_argument(opt.flag, dest=opt.dest, default=None, type=number, metavar=metavar,
                               choices=list(opt.choices) or None, help=meaning)


def from_args(args: argparse.Namespace, options: tuple[LoaderOption, ...]) -> dict[str, Any]:
    """The policies given on the command line: loader keyword -> value."""
    return {o.name: getattr(args, o.dest) for o in options if getattr(args, o.dest, None) is not None}


def _coerce(opt: LoaderOption, value: Any, origin: str) -> Any:
    """A params-file value checked against the option's kind (YAML gives typed values)."""
    if opt.kind == "choice":
        if str(value) not in opt.choices:
            raise ReportConfigError(f"{origin}: {opt.name}: {value!r} is not one of {', '.join(opt.choices)}")
        return str(value)
    if opt.kind == "bool" and not isinstance(value, bool):
        raise ReportConfigError(f"{origin}: {opt.name}: expected true or false, got {value!r}")
    if opt.kind == "list":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if opt.kind in ("int", "float"):
        try:
            return int(value) if opt.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise ReportConfigError(f"{origin}: {opt.name}: expected a number, got {value!r}") from None
    if opt.kind == "text-or-number" and isinstance(value, int) and not isinstance(value, bool):
        return value
    return value if opt.kind == "bool" else str(value)


def split_mapping(values: Mapping[str, Any], options: tuple[LoaderOption, ...], *, origin: str
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a params file into (loader policies, the rest); keys may be policy or flag names
    (prefixed options, e.g. ``accounts_sheet``, by their flag name only)."""
    by_key = {}
    for opt in options:
        flag = opt.flag.lstrip("-")
        for key in ((flag, flag.replace("-", "_")) if opt.prefix else (opt.name, flag, flag.replace("-", "_"))):
            by_key[key] = opt
    policies, rest = {}, {}
    for key, value in values.items():
        opt = by_key.get(key)
        if opt is None:
            rest[key] = value
        elif value is not None:
            policies[opt.name] = _coerce(opt, value, origin)
    return policies, rest


def flag_words(name: str, value: Any, options: tuple[LoaderOption, ...],
               column_flags: Mapping[str, str] = COLUMN_FLAGS) -> str:
    """The command-line form of one setting: ('bad_rows', 'drop') -> '--bad-rows drop'."""
    opt = next((o for o in options if o.name == name), None)
    flag = opt.flag if opt else column_flags.get(name, "--" + name.replace("_", "-"))
    if opt is not None and opt.kind == "bool" and isinstance(value, bool):
        return flag if value else opt.false_flag
    if value is None:
        return flag
    if isinstance(value, (list, tuple)):
        return " ".join(f"{flag} {shlex.quote(str(v))}" for v in value)
    return f"{flag} {shlex.quote(str(value))}"


_LITERAL = r"""'[^']*'|"[^"]*"|True|False|None|\{[^{}]*\}|[-+\w.%]+"""


def flag_form(message: str, options: tuple[LoaderOption, ...], *, accounts: bool = False) -> str:
    """Rewrite Python-style fixes in a message into command-line flags.

    ``pass bad_rows='drop'`` -> ``pass --bad-rows drop``; ``dayfirst=True`` ->
    ``--dayfirst``; ``set date_format=`` -> ``set --date-format``; the
    alternatives after a fix lose their quotes (``returns='drop', 'net' or
    'keep'`` -> ``--returns drop, net or keep``); ``account_columns={'a': 'b'}``
    -> ``--account-col a=b``. For a message about the accounts file
    (``accounts=True``) ``customer_col`` is its id column, ``--account-id-col``.
    """
    column_flags = {**COLUMN_FLAGS, "customer_col": "--account-id-col"} if accounts else COLUMN_FLAGS
    names = sorted({o.name for o in options} | set(COLUMN_FLAGS) | {"account_columns"}, key=len, reverse=True)
    pattern = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, names))})=({_LITERAL})?"
                         rf"((?:(?:,\s*|\s+or\s+)(?:'[^']*'|\"[^\"]*\"))*)")

    def replace(match: re.Match) -> str:
        name, raw, alternatives = match.group(1), match.group(2), match.group(3) or ""
        if name == "account_columns":
            try:
                pairs = ast.literal_eval(raw) if raw else {}
            except (ValueError, SyntaxError):
                pairs = {}
            if isinstance(pairs, dict) and pairs:
                return " ".join(f"--account-col {shlex.quote(f'{k}={v}')}" for k, v in pairs.items())
            return "--account-col ATTRIBUTE=COLUMN"
        try:
            value = ast.literal_eval(raw) if raw else None
        except (ValueError, SyntaxError):
            value = raw
        words = flag_words(name, value, options, column_flags)
        return words + re.sub(r"""['"]([^'"]*)['"]""", lambda m: shlex.quote(m.group(1)), alternatives)

    return pattern.sub(replace, message)
