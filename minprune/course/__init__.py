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
"""
