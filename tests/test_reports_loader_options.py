"""kamlab.reports.loader_options: the loader's policies as flags, and fixes rewritten as flags."""

from __future__ import annotations

import inspect
import re

import pytest

from kamlab import cli
from kamlab.reports import loader_options as lo


def fake_loader(source, *, customer_col="customer_id", returns="drop", title_lines=None, dayfirst=None,
                exclude_values=None, source_name=None):
    """A loader with policies kamlab's does not have (yet).

    Parameters
    ----------
    source : str
        The file.
    customer_col : str
        Column of the customer id.
    returns : {"drop", "keep", "net"}
        Policy for negative amounts. Long explanation follows.
    title_lines : int or None
        Lines above the header to skip; None detects them.
    dayfirst : bool or None
        How to read 01/02/1997.
    exclude_values : list of str or None
        Values of the exclude column that mark lines left out (postage, fees).
    source_name : str
        Name in messages.
    """


def test_a_new_policy_of_the_loader_becomes_a_flag_without_code_here():
    options = {o.name: o for o in lo.options_of(fake_loader)}
    assert list(options) == ["returns", "title_lines", "dayfirst", "exclude_values"]  # column map, source: not
    assert options["returns"].choices == ("drop", "keep", "net") and options["returns"].flag == "--returns"
    assert options["returns"].help == "Policy for negative amounts"
    assert options["title_lines"].kind == "int" and options["title_lines"].flag == "--title-lines"
    assert options["title_lines"].default_text == "detect"
    assert options["exclude_values"].kind == "list"
    parser = cli.argparse.ArgumentParser()
    lo.add_arguments(parser, tuple(options.values()))
    args = parser.parse_args(["--title-lines", "3", "--returns", "net", "--exclude-values", "Postage",
                              "--exclude-values", "Bank fees", "--monthfirst"])
    assert lo.from_args(args, tuple(options.values())) == {
        "returns": "net", "title_lines": 3, "dayfirst": False, "exclude_values": ["Postage", "Bank fees"]}
    with pytest.raises(SystemExit):
        parser.parse_args(["--returns", "sometimes"])


def test_every_keyword_policy_of_load_transactions_is_in_the_help_with_a_meaning(capsys):
    from kamlab.data import load_transactions

    names = [n for n, p in inspect.signature(load_transactions).parameters.items()
             if p.kind is inspect.Parameter.KEYWORD_ONLY and n not in lo.NOT_POLICIES]
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    text = capsys.readouterr().out
    for name in names:
        flag = "--" + lo.RENAMED.get(name, name).replace("_", "-")
        line = re.search(rf"^  {re.escape(flag)}\b.*(\n {{20,}}.*)*", text, re.M)
        assert line, f"{flag} ({name}) is not in `kamlab report --help`"
        meaning = line.group(0).split(maxsplit=1)[1] if len(line.group(0).split()) > 1 else ""
        assert len(meaning) > len(flag) + 5, f"{flag} has no meaning in the help"
    for flag in ("--accounts", "--account-id-col", "--account-col", "--dayfirst", "--monthfirst", "--delimiter"):
        assert re.search(rf"^  {flag}\b", text, re.M), flag


@pytest.mark.parametrize("message, expected", [
    ("pass bad_rows='drop'", "pass --bad-rows drop"),
    ("pass returns='drop', 'net' or 'keep' to choose", "pass --returns drop, net or keep to choose"),
    ("pass duplicates='drop' to drop or duplicates='keep'", "pass --duplicates drop to drop or --duplicates keep"),
    ("ambiguous: pass dayfirst=True if day-first", "ambiguous: pass --dayfirst if day-first"),
    ("they look month-first: pass dayfirst=False", "they look month-first: pass --monthfirst"),
    ("set date_format= (e.g. '%d.%m.%Y') to say", "set --date-format (e.g. '%d.%m.%Y') to say"),
    ("pass sep= if that is wrong", "pass --delimiter if that is wrong"),
    ("pass sep=';'", "pass --delimiter ';'"),
    ("did you mean 'Customer No.'? pass customer_col='Customer No.'",
     "did you mean 'Customer No.'? pass --customer-col 'Customer No.'"),
    ("pass account_columns={'staff_hours': 'Hours'}", "pass --account-col staff_hours=Hours"),
    ("check observation_end= and the policies", "check --observation-end and the policies"),
    ("a word like unreturns='x' or my_returns=1 stays", "a word like unreturns='x' or my_returns=1 stays"),
])
def test_python_style_fixes_are_rewritten_as_flags(message, expected):
    assert lo.flag_form(message, lo.transaction_options()) == expected


def test_a_real_loader_error_names_only_fixes_that_can_be_typed(tmp_path):
    from kamlab.data import DataContractError, load_transactions

    csv = tmp_path / "ledger.csv"
    csv.write_text("client,day,net\nA,2024-01-02,10\nA,2024-01-02,10\n,2024-01-03,5\nB,2024-01-04,-3\n"
                   "C,2024-01-05,0\n")
    with pytest.raises(DataContractError) as err:
        load_transactions(csv, customer_col="client", date_col="day", amount_col="net", duplicates="error",
                          returns="error", zero_amounts="error")
    options = lo.transaction_options()
    rewritten = lo.flag_form(str(err.value), options)
    names = "|".join(o.name for o in options)
    assert not re.search(rf"(?<![\w-])({names})=", rewritten), rewritten
    for flag in ("--duplicates drop", "--returns drop", "--zero-amounts keep", "--bad-rows drop"):
        assert flag in rewritten
