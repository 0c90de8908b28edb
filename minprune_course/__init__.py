"""Course machinery: release exercises, execute notebooks, check answers, grade submissions.

This package sits beside the engine: it teaches and grades, ``minprune`` prunes.
It is imported by the ``minprune`` command line and by the course notebooks, never
by ``import minprune``. Modules:

- ``checks``: the machinery every exercise check shares (numpy only): calling an
  answer on copies with the references switched off, comparing as plain arrays,
  naming known mistakes, the seeds of the hidden cases.
- ``exercises``: one module per graded exercise, all with the same API (see its
  docstring for the contract, plain data in and out).
- ``capstone``: the capstone's baseline and thresholds.
- ``gpu_results``: GPU measurements recorded by ``benchmarks/bench_gpu.py``, read back.
- ``notebooks``: reading notebooks and nbgrader cell metadata.
- ``release``: ``solutions/`` masters to ``exercises/`` notebooks.
- ``execute``: run notebooks in place and save their outputs.
- ``runner``: run cells one by one in a kernel that survives timeouts and crashes.
- ``guard``: undo a learner's monkeypatching before each graded cell.
- ``grader``: score submissions against their masters; ``report`` prints and saves scores.
- ``cli``: the ``minprune`` command.

Writing a topic's exercises
---------------------------
``solutions/NN_topic.ipynb`` is the master; every graded cell carries nbgrader v3
metadata with a grade_id unique across the course:

1. a locked setup cell (``locked: true``) importing ``numpy`` and the topic's
   exercise modules (``from minprune_course.exercises import t03_threshold, ...``);
2. per exercise, an answer cell (``solution: true``) whose answer sits between
   ``### BEGIN SOLUTION`` and ``### END SOLUTION`` inside the ``def``;
3. then its test cell (``grade: true, locked: true, points: N``) calling
   ``tNN_x.check(answer)``, and ``tNN_x.check(answer, hidden=True)`` between
   ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. A test cell defines
   nothing later cells need.
4. a cell that only demonstrates an answer carries ``"minprune": {"demo": true}``
   in its metadata: grading skips it.

Write ``exercises/tNN_x.py`` after an existing module, its known mistakes and correct
alternatives in ``tests/exercise_answers/tNN_x.py``; ``tests/test_exercises.py``
tests it. Then ``minprune execute solutions/NN_topic.ipynb`` and ``minprune release``.
"""
