"""Course machinery: release exercises, execute notebooks, check answers, grade submissions.

Imported by the ``minprune`` command line and by the course notebooks, never by
``import minprune``. Modules:

- ``checks``: helpers the visible check cells call (numpy only).
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

1. a locked setup cell (``locked: true``) importing ``numpy`` and ``checks_NN``;
2. per exercise, an answer cell (``solution: true``) whose answer sits between
   ``### BEGIN SOLUTION`` and ``### END SOLUTION`` inside the ``def``;
3. then its test cell (``grade: true, locked: true, points: N``) calling
   ``checks_NN.check_x(x)``, with extra cases between ``### BEGIN HIDDEN TESTS``
   and ``### END HIDDEN TESTS``. A test cell defines nothing later cells need.

``checks_NN.check_x`` builds fresh random inputs, computes the reference first,
calls the answer with ``checks.call``, compares with ``checks.expect_*`` and ends
with ``checks.passed()``. Then ``minprune execute solutions/NN_topic.ipynb`` and
``minprune release``.
"""
