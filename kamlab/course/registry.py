"""What an exercise is: its parts, how to compute the expected answer, hints and mistakes.

An :class:`Exercise` is registered once, in the chapter module of ``kamlab.course``
(``ch00`` ... ``ch07``). Nothing here stores an answer: every expected value is a
function that recomputes it from kamlab on the chapter's data when a check runs, so
reading this package shows *how* the answer is found, never the number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

#: The kinds of part a check can judge.
KINDS = ("numeric", "set", "text", "predicate")


@dataclass(frozen=True)
class Mistake:
    """A wrong answer that a known mistake produces, and what to say about it.

    ``value`` computes the wrong answer (e.g. the default-parameter value) at check
    time, the same way ``Part.expected`` computes the right one; an answer that
    matches it (with the part's tolerance) gets ``hint`` instead of "too high/low".
    """

    value: Callable[[], Any]
    hint: str


@dataclass(frozen=True)
class Part:
    """One value of an answer.

    Attributes
    ----------
    name : str
        What the value is, in words ("top 10 % share of revenue").
    expected : callable
        Computes the expected value at check time. For ``kind="predicate"`` it
        returns a function ``accepts(answer) -> bool`` instead (any answer meeting a
        stated condition is right, e.g. "a cut that gives about 50 class-A accounts").
    kind : str
        ``numeric`` (a number), ``set`` (ids or names in any order), ``text`` (a
        name, case-insensitive) or ``predicate``.
    rtol, atol : float
        Numeric tolerance: right when |answer - expected| <= atol + rtol * |expected|.
    share : bool
        The value is a share: 0.12 and 12 (per cent) are both accepted.
    aliases : mapping
        Text and set answers: other spellings mapped to the canonical one
        (after lower-casing and turning spaces and hyphens into underscores).
    too_high, too_low : str
        What to ask a student whose number is above / below the expected value.
    mistakes : tuple of Mistake
        Known wrong answers with their specific hints.
    example : callable or None
        Predicate parts: computes one accepted answer (for the tests).
    """

    name: str
    expected: Callable[[], Any]
    kind: str = "numeric"
    rtol: float = 0.005
    atol: float = 0.0
    share: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)
    too_high: str = ""
    too_low: str = ""
    mistakes: tuple[Mistake, ...] = ()
    example: Callable[[], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"part {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "predicate" and self.example is None:
            raise ValueError(f"part {self.name!r}: a predicate part needs an example answer")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter's final "Exercises" cell.

    Attributes
    ----------
    id : str
        ``"NN.i"``: chapter number and the exercise's number in the list.
    parts : tuple of Part
        The checked values, in the order a tuple answer gives them. Empty for an
        open-ended exercise.
    hints : tuple of str
        One or two hints, printed by ``hint(id)``.
    answer_format : str
        What ``answer`` should hold, shown in the chapter's check cell.
    parameters : mapping
        Notebook parameters to change for this exercise (name -> value); the hint
        prints them with the matching ``kamlab report`` command.
    open_ended : bool
        An "explain why" exercise: ``check`` points to the model answer in solutions/.
    note : str
        For checked exercises with a further open question, what the model answer adds.
    """

    id: str
    parts: tuple[Part, ...] = ()
    hints: tuple[str, ...] = ()
    answer_format: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    open_ended: bool = False
    note: str = ""

    @property
    def chapter(self) -> str:
        """The two-digit chapter number, e.g. ``"02"``."""
        return self.id.split(".")[0]

    @property
    def kind(self) -> str:
        """``open-ended``, or the kinds of the parts joined by ``+`` (``numeric+set``)."""
        if self.open_ended:
            return "open-ended"
        return "+".join(dict.fromkeys(p.kind for p in self.parts))


#: Chapter number -> notebook stem; solutions live in solutions/<stem>_solutions.ipynb.
NOTEBOOKS = {
    "00": "00_start_here",
    "01": "01_synthetic_worlds",
    "02": "02_customer_lifetime_value",
    "03": "03_retention_vs_acquisition",
    "04": "04_cohort_survival",
    "05": "05_pareto_abc_xyz",
    "06": "06_key_account_definitions",
    "07": "07_compare_definitions",
}

#: Every registered exercise, by id, in registration order.
EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to :data:`EXERCISES`; an id may be registered once."""
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise {exercise.id} is registered twice")
    if exercise.chapter not in NOTEBOOKS:
        raise ValueError(f"exercise {exercise.id}: no chapter {exercise.chapter}")
    if not exercise.open_ended and not exercise.parts:
        raise ValueError(f"exercise {exercise.id}: a checked exercise needs at least one part")
    if not 1 <= len(exercise.hints) <= 2:
        raise ValueError(f"exercise {exercise.id}: give one or two hints")
    EXERCISES[exercise.id] = exercise
    return exercise


def solution_path(exercise_id: str) -> str:
    """Where the worked solution of an exercise is, relative to the project folder."""
    return f"solutions/{NOTEBOOKS[exercise_id.split('.')[0]]}_solutions.ipynb"


def report_command(exercise: Exercise) -> str:
    """The ``kamlab report`` command that renders the exercise's chapter with its parameters."""
    params = " ".join(f"-p {name}={_cli_value(value)}" for name, value in exercise.parameters.items())
    return f"kamlab report {NOTEBOOKS[exercise.chapter]} {params}".rstrip()


def _cli_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if (" " in value or value == "") else value
    if isinstance(value, (list, tuple)):
        return "'" + repr(list(value)).replace("'", '"') + "'"
    return repr(value)
