"""``check(id, answer)`` and ``hint(id)``: the student's side of the course.

A check prints one short, deterministic line (notebooks are compared by nbval):

    02.5: right.
    02.5: not yet: too low: ... — hint('02.5') gives a hint
    02.5: not answered yet — hint('02.5') gives a hint

The expected value is computed when the check runs (see ``kamlab.course.registry``);
an unanswered check (``answer = None``) computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kamlab.course.judge import AnswerShapeError, same, what_is_off
from kamlab.course.registry import EXERCISES, Exercise, Part, report_command, solution_path

#: Placeholder for "no answer given" (the chapters' check cells start with None).
UNANSWERED = None


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes
    ----------
    exercise : str
        The exercise id.
    status : str
        ``right``, ``wrong``, ``unanswered``, ``open-ended`` or ``malformed``.
    message : str
        The line ``check`` prints.
    part : str
        The first part that is not right ("" when all are, or none was judged).
    mistake : str
        The specific hint of a known mistake the answer matches ("" otherwise).
    """

    exercise: str
    status: str
    message: str
    part: str = ""
    mistake: str = ""

    @property
    def passed(self) -> bool:
        """True when every part of the answer is right."""
        return self.status == "right"


def exercise(exercise_id: str) -> Exercise:
    """The registered exercise ``exercise_id`` (e.g. ``"02.3"``), with a clear error otherwise."""
    from kamlab.course import chapters

    chapters.load(str(exercise_id).split(".")[0])
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        chapters.load_all()
        raise KeyError(f"no exercise {exercise_id!r}; the course has {', '.join(EXERCISES)}") from None


def evaluate(exercise_id: str, answer: Any = UNANSWERED) -> Verdict:
    """Judge ``answer`` for an exercise and say why, without printing.

    A multi-part answer is a tuple or list in the order of the parts, or a dict by
    part name. Parts are judged in order; the first wrong part is reported, with
    the hint of a known mistake when the answer matches one.
    """
    ex = exercise(exercise_id)
    tail = f" — hint('{ex.id}') gives a hint"
    if ex.open_ended:
        return Verdict(ex.id, "open-ended", f"{ex.id}: open-ended: write your answer, then compare it with "
                                            f"the model answer in {solution_path(ex.id)}")
    if answer is UNANSWERED:
        return Verdict(ex.id, "unanswered", f"{ex.id}: not answered yet{tail}")
    try:
        values = _split(ex, answer)
    except AnswerShapeError as error:
        return Verdict(ex.id, "malformed", f"{ex.id}: {error}{tail}")
    for part, value in zip(ex.parts, values):
        verdict = _judge_part(ex, part, value, tail)
        if verdict is not None:
            return verdict
    return Verdict(ex.id, "right", f"{ex.id}: right." + (f" {ex.note}" if ex.note else ""))


def check(exercise_id: str, answer: Any = UNANSWERED) -> None:
    """Check an answer and print one line: right, or what is wrong and a way forward.

    Examples
    --------
    >>> check("03.2", 0.5)        # doctest: +SKIP
    03.2: right.
    """
    print(evaluate(exercise_id, answer).message)


def hint(exercise_id: str) -> None:
    """Print the exercise's hints, the parameters to change (with the report command) and where the solution is."""
    ex = exercise(exercise_id)
    lines = [f"{ex.id} hint {i}: {text}" for i, text in enumerate(ex.hints, start=1)]
    if ex.parameters:
        settings = ", ".join(f"{name} = {value!r}" for name, value in ex.parameters.items())
        lines.append(f"{ex.id} set in the parameters cell: {settings} (or run: {report_command(ex)})")
    if ex.answer_format:
        lines.append(f"{ex.id} answer: {ex.answer_format}")
    lines.append(f"{ex.id} worked solution: {solution_path(ex.id)}")
    print("\n".join(lines))


def _split(ex: Exercise, answer: Any) -> list[Any]:
    if len(ex.parts) == 1:
        return [answer]
    names = [p.name for p in ex.parts]
    if isinstance(answer, dict):
        missing = [n for n in names if n not in answer]
        if missing:
            raise AnswerShapeError(f"the dict has no {', '.join(repr(m) for m in missing)}; keys: {names}")
        return [answer[n] for n in names]
    if isinstance(answer, (tuple, list)) and len(answer) == len(names):
        return list(answer)
    raise AnswerShapeError(f"give {len(names)} values in this order: {'; '.join(names)}")


def _judge_part(ex: Exercise, part: Part, value: Any, tail: str) -> Verdict | None:
    where = f"{part.name}: " if len(ex.parts) > 1 else ""
    expected = part.expected()
    try:
        if same(value, expected, part):
            return None
    except AnswerShapeError as error:
        return Verdict(ex.id, "malformed", f"{ex.id}: {where}{error}{tail}", part=part.name)
    for mistake in part.mistakes:
        try:
            if same(value, mistake.value(), part):
                return Verdict(ex.id, "wrong", f"{ex.id}: not yet: {where}{mistake.hint}{tail}",
                               part=part.name, mistake=mistake.hint)
        except AnswerShapeError:
            continue
    return Verdict(ex.id, "wrong", f"{ex.id}: not yet: {where}{what_is_off(value, expected, part)}{tail}",
                   part=part.name)
