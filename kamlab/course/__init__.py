"""Self-checks, hints and worked solutions for the course notebooks.

A student answers an exercise in its chapter and checks it::

    from kamlab.course import check, hint
    answer = 0.51
    check("00.1", answer)      # prints one line: right, or what is off and a way forward
    hint("00.1")               # one or two hints, the parameter to change, where the solution is

Every exercise of notebooks 00-07 is registered in ``kamlab.course.chapters.chNN``
(:class:`~kamlab.course.registry.Exercise`): its kind (numeric, set, text or
open-ended), how to compute the expected answer, the tolerance, known mistakes with
their hints, and the notebook parameters it changes. Worked solutions are in
``solutions/NN_topic_solutions.ipynb``, apart from the chapters; ``tests/test_course.py``
executes them and proves every check passes and that known wrong answers fail.

The expected value is never stored: a check recomputes it from kamlab on the
chapter's data when it runs, so reading this package shows how an answer is found,
not the number, and when kamlab changes a number the check moves with it.

Why not otter-grader or nbgrader
--------------------------------
Both were considered (both are on PyPI). *otter-grader*'s local checks
(``grader.check("q1")``) run test files that assert against values written into
them, readable by the student in ``tests/``; the hidden tests exist only after an
``otter assign`` step that splits a master notebook into student and autograder
copies, which would fork our committed, nbval-checked chapters. Its feedback is
pass/fail per test case, without a direction or a diagnosis of a known mistake.
*nbgrader* is a course-management workflow (generate, release, collect, autograde,
a database, Jupyter server extensions) for an instructor grading submissions; its
hidden tests are stripped from the student version, so a student alone gets no
self-check from them. Neither computes the expected value from the library at check
time. What we need, a few hundred lines over kamlab itself, fits neither, so kamlab
adds no dependency for it.
"""

from kamlab.course.chapters import load_all
from kamlab.course.check import Verdict, check, evaluate, exercise, hint
from kamlab.course.registry import EXERCISES, NOTEBOOKS, Exercise, Mistake, Part, report_command, solution_path

__all__ = ["EXERCISES", "NOTEBOOKS", "Exercise", "Mistake", "Part", "Verdict", "check", "evaluate", "exercise",
           "hint", "load_all", "report_command", "solution_path"]
