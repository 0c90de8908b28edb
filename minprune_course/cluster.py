"""Grade a class on a Dask distributed cluster.

``minprune grade FOLDER --scheduler tcp://host:8786`` (``grader.grade_all(...,
scheduler=...)``) hands each submission to the workers of a running Dask
scheduler instead of local processes. Each is still graded by
``grader._grade_safely`` in a fresh kernel in its own box; only where that
happens changes.

The workers must grade on their own: they are started from the same repository
and virtual environment (``minprune_course`` importable), with bubblewrap for the
sandbox, and see the submissions and masters at the same paths (a shared file
system). One thread per worker process keeps one kernel per process. An
institution points this at its machines with dask-jobqueue on Slurm::

    from dask_jobqueue import SLURMCluster

    cluster = SLURMCluster(cores=4, processes=4, memory="16GB",
                           python="/course/minprune/.venv/bin/python")
    cluster.scale(jobs=10)
    print(cluster.scheduler_address)  # give this to --scheduler

or with dask-kubernetes (``KubeCluster(name="grading", image=...)``, the image
holding the repository, its environment and bubblewrap, the submissions on a
shared volume). ``dask scheduler`` on one machine and ``dask worker ADDRESS
--nthreads 1`` on the others does the same by hand. Tasks wait for workers to
join, so a class may be sent before the batch jobs start.
"""

import uuid
from pathlib import Path

from distributed import Client, as_completed

from . import grader

#: Seconds to wait for the scheduler to answer.
CONNECT_TIMEOUT = 10


def grade_on(address, work, on_result=None, timeout=CONNECT_TIMEOUT):
    """Grade ``work`` on the workers of the Dask scheduler at ``address``.

    Parameters
    ----------
    address : str
        The scheduler's address, such as ``tcp://host:8786``.
    work : list of tuple
        ``(path, masters_dir, cell_timeout, notebook_timeout, secret, sandbox)`` per
        submission, as ``grader._grade_safely`` takes them.
    on_result : callable, optional
        Called with each ``Result`` as soon as it arrives (in any order).
    timeout : float
        Seconds to wait for the scheduler to answer.

    Returns
    -------
    list of Result
        One per item of ``work``, in the same order. A task that fails on its worker
        (the worker died, its arguments could not be read) is an error row.

    Raises
    ------
    GradeError
        If no scheduler answers at ``address``.
    """
    report = on_result or (lambda result: None)
    try:
        client = Client(address, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the address's fault
        raise grader.GradeError(
            f"--scheduler {address!r}: cannot connect ({_reason(exc)}); expected the address "
            "of a running Dask scheduler, such as tcp://host:8786"
        ) from None
    run = uuid.uuid4().hex[:8]  # keys are global on a scheduler that others may share
    with client:
        futures = {
            client.submit(
                grader._grade_safely, args, pure=False, key=f"grade-{Path(args[0]).name}-{i}-{run}"
            ): i
            for i, args in enumerate(work)
        }
        results = [None] * len(work)
        for future in as_completed(futures):
            i = futures[future]
            results[i] = result_of(future, work[i][0])
            report(results[i])
    return results


def result_of(future, path):
    """The ``Result`` a finished ``future`` holds, or an error row for ``path`` saying why
    it holds none (``KilledWorker``, a cancelled task, anything it raised)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a lost task costs its row, not the class
        return grader.Result(str(path), status=grader.ERROR, message=_reason(exc))


def _reason(exc):
    return grader.one_line(f"{type(exc).__name__}: {exc}")
