"""Execute notebooks in place: a fresh kernel each, saved with their outputs."""

import multiprocessing
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import notebooks as nbs
from .explore import STATIC
from .kernel import CURRENT_ENV, CurrentEnvKernelManager


class ExecuteError(Exception):
    """A notebook that did not run top to bottom, with a one-line reason."""


def expand(paths):
    """Notebooks named by ``paths``: files as given, folders searched (sorted).

    Raises
    ------
    ExecuteError
        If a path does not exist.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += nbs.find_notebooks(path)
        elif path.exists():
            found.append(path)
        else:
            raise ExecuteError(f"{path}: no such file or folder")
    return found


def execute_notebook(path, timeout=600):
    """Run ``path`` top to bottom in a fresh kernel (cwd: its folder) and save it.

    The current environment's Python runs it, whatever kernelspec the notebook
    names, with ``MINPRUNE_STATIC=1`` so that lessons save figures, not sliders. A notebook that fails is left unchanged on disk.

    Raises
    ------
    ExecuteError
        If a cell raises (unless tagged ``raises-exception``), times out or kills the kernel.
    """
    path = Path(path)
    try:
        nb = nbs.read_notebook(path)
    except nbs.NotebookError as exc:
        raise ExecuteError(str(exc)) from None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=CURRENT_ENV,
        kernel_manager_class=CurrentEnvKernelManager,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        # the kernel process's own chatter (not the cells' outputs) is not wanted; the
        # saved outputs hold static figures, not live sliders (minprune_course.explore)
        env = {**os.environ, STATIC: "1"}
        client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    except CellExecutionError as exc:
        raise ExecuteError(f"{path}: a cell raised {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise ExecuteError(f"{path}: a cell ran past {timeout} s") from None
    except DeadKernelError:
        raise ExecuteError(f"{path}: the kernel died") from None
    nbs.write_notebook(nb, path)
    return path


def _execute_or_say(args):
    """Execute one notebook; return the failure's message, or ``None``."""
    try:
        execute_notebook(*args)
    except ExecuteError as exc:
        return str(exc)
    return None


def execute_all(paths, jobs=1, timeout=600):
    """Execute every notebook in ``paths``, ``jobs`` at a time (in separate processes).

    Returns
    -------
    list of str
        One message per notebook that failed (empty when all ran).
    """
    work = [(path, timeout) for path in expand(paths)]
    if jobs <= 1 or len(work) <= 1:
        messages = [_execute_or_say(args) for args in work]
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            messages = list(pool.map(_execute_or_say, work))
    return [msg for msg in messages if msg]
