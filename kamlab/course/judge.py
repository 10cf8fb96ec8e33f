"""Judging one part of an answer: numbers with tolerances, sets in any order, names.

Rules (what counts as "the same answer"):

* numeric: right when |a - e| <= atol + rtol * |e|; for a share, a number above 1.5
  in absolute value is also read as per cent (12 -> 0.12);
* set: the same members in any order, compared as normalised text;
* text: normalised text equal to the expected name or one of several accepted names;
* normalised text: ``str(x)``, stripped, lower-cased, spaces and hyphens turned into
  underscores, then mapped through the part's aliases.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from kamlab.course.registry import Part


#: A share given above this (in absolute value) may be per cent: 12 is read as 0.12 too.
PER_CENT_ABOVE = 1.5


class AnswerShapeError(ValueError):
    """The answer is not the kind of value the part expects (e.g. text for a number)."""


def normalise(value: Any, aliases=None) -> str:
    """Canonical text of a name or id: stripped, lower case, ``_`` for spaces and hyphens."""
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    while "__" in text:
        text = text.replace("__", "_")
    return (aliases or {}).get(text, text)


def as_number(answer: Any) -> float:
    """The answer as a float; raises AnswerShapeError for text, booleans and sequences."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise AnswerShapeError("give a number")
    value = float(answer)
    if math.isnan(value):
        raise AnswerShapeError("the answer is NaN: give a number")
    return value


def as_members(answer: Any, aliases=None) -> frozenset[str]:
    """The answer as a set of normalised names; a single string is one member."""
    if answer is None:
        raise AnswerShapeError("give a set of names or ids")
    if isinstance(answer, str):
        items: Iterable = [answer] if answer.strip() and normalise(answer, aliases) != "none" else []
    elif hasattr(answer, "tolist"):
        items = answer.tolist()
    elif isinstance(answer, Iterable):
        items = list(answer)
    else:
        raise AnswerShapeError("give a set of names or ids")
    members = {normalise(item, aliases) for item in items}
    return frozenset(members - {"none"})


def close(answer: float, expected: float, part: Part) -> bool:
    """Whether a number matches the expected one within the part's tolerance (per cent allowed for shares)."""
    candidates = [answer]
    if part.share and abs(answer) > PER_CENT_ABOVE:
        candidates.append(answer / 100)
    bound = part.atol + part.rtol * abs(expected)
    return any(abs(c - expected) <= bound + 1e-12 for c in candidates)


def same(answer: Any, expected: Any, part: Part) -> bool:
    """Whether ``answer`` is right for ``part`` given the computed ``expected`` value."""
    if part.kind == "numeric":
        return close(as_number(answer), float(expected), part)
    if part.kind == "set":
        return as_members(answer, part.aliases) == as_members(expected, part.aliases)
    if part.kind == "text":
        if not isinstance(answer, str):
            raise AnswerShapeError("give a name, as text")
        accepted = [expected] if isinstance(expected, str) else list(expected)
        return normalise(answer, part.aliases) in {normalise(a, part.aliases) for a in accepted}
    return bool(expected(answer))  # predicate: expected is the acceptance rule


def what_is_off(answer: Any, expected: Any, part: Part) -> str:
    """A short description of how a wrong answer differs, without giving the expected value away."""
    if part.kind == "numeric":
        value = as_number(answer)
        if part.share and abs(value) > PER_CENT_ABOVE and abs(float(expected)) <= PER_CENT_ABOVE:
            value = value / 100
        if value > float(expected):
            return "too high" + (f": {part.too_high}" if part.too_high else "")
        return "too low" + (f": {part.too_low}" if part.too_low else "")
    if part.kind == "set":
        given, wanted = as_members(answer, part.aliases), as_members(expected, part.aliases)
        missing, extra = len(wanted - given), len(given - wanted)
        bits = [f"{len(given & wanted)} of {len(wanted)} right"]
        if missing:
            bits.append(f"{missing} missing")
        if extra:
            bits.append(f"{extra} that do not belong")
        return ", ".join(bits)
    if part.kind == "text":
        return "not that one"
    return "does not meet the condition"
