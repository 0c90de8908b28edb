"""Run code cells one at a time in a kernel that outlives timeouts and crashes.

nbclient runs each cell; this module adds what grading needs:

- a per-cell timeout and a deadline for the whole notebook;
- after a cell times out or kills its kernel, a fresh kernel that re-runs the
  startup code and every earlier cell that completed (so later cells still find
  the names they need), skipping the culprit;
- a cap on the output kept from each cell, so a cell printing 50 MB costs nothing.

    with Runner(cwd, cell_timeout=30, total_timeout=600) as runner:
        result = runner.run("x = 1")          # CellRun(status="ok", ...)
"""

import math
import subprocess
import time
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .kernel import CURRENT_ENV, CurrentEnvKernelManager, SandboxKernelManager, kernel_env

#: Statuses of a cell run.
OK, ERROR, TIMEOUT, DIED = "ok", "error", "timeout", "kernel died"


@dataclass
class CellRun:
    """What happened when a cell ran.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"error"``, ``"timeout"`` or ``"kernel died"``.
    ename, evalue : str
        The exception's class name and message when ``status == "error"``.
    outputs : list
        The cell's outputs, at most ``max_output`` characters of them.
    """

    status: str
    ename: str = ""
    evalue: str = ""
    outputs: list = field(default_factory=list)


def _size(content):
    """Characters of text in an output message's content."""
    if "text" in content:
        return len(content["text"])
    if "traceback" in content:
        return sum(len(line) for line in content["traceback"])
    return sum(len(str(value)) for value in content.get("data", {}).values())


class _CappedClient(NotebookClient):
    """An nbclient that keeps at most ``max_output`` characters of each cell's output."""

    def __init__(self, nb, max_output, **kwargs):
        super().__init__(nb, **kwargs)
        self.max_output = max_output
        self.kept = 0
        self.reply = None
        self.on_cell_executed = self._keep_reply

    def _keep_reply(self, cell, cell_index, execute_reply):
        self.reply = execute_reply

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output only while the cell is under its cap; note the cut once."""
        content = msg.get("content", {})
        size = _size(content)
        room = self.max_output - self.kept
        if size <= room:
            self.kept += size
            return super().output(outs, msg, display_id, cell_index)
        if room > 0 and "text" in content:
            cut = {**msg, "content": {**content, "text": content["text"][:room]}}
            super().output(outs, cut, display_id, cell_index)
        if room >= 0:
            note = f"\n[output cut: more than {self.max_output} characters]\n"
            outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
            self.kept = self.max_output + 1
        return None


class Runner:
    """A kernel, run cell by cell, restarted and replayed after a timeout or a crash.

    Parameters
    ----------
    cwd : path
        Working directory of the kernel.
    cell_timeout : float
        Seconds one cell may run.
    total_timeout : float
        Seconds all cells together may run, restarts and replays included.
    startup : str
        Code run (silently) first in every kernel this runner starts.
    max_output : int
        Characters of output kept per cell.
    sandbox : sandbox.Sandbox, optional
        The box every kernel starts in (its folder should be ``cwd``); ``None`` runs
        the kernel as a plain child process.
    """

    def __init__(
        self, cwd, cell_timeout=60, total_timeout=600, startup="", max_output=100_000, sandbox=None
    ):
        self.cwd = str(cwd)
        self.cell_timeout = cell_timeout
        self.deadline = time.monotonic() + total_timeout
        self.startup = startup
        self.history = []
        self.starts = 0
        self._broken = True
        self._context = None
        self.sandbox = sandbox
        self._quota = None
        self.client = _CappedClient(
            nbformat.v4.new_notebook(),
            max_output,
            kernel_name=CURRENT_ENV,
            kernel_manager_class=(
                CurrentEnvKernelManager if sandbox is None else SandboxKernelManager.bound(sandbox)
            ),
            allow_errors=True,
            interrupt_on_timeout=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": self.cwd}},
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Shut the kernel down."""
        self._stop_quota()
        if self._context is not None:
            context, self._context = self._context, None
            context.__exit__(None, None, None)

    def _stop_quota(self):
        """Stop the quota's watch, waiting while a quota that fired empties the folder.

        Until it is done, files the killed kernel wrote may still be there, and the
        next kernel's connection file must not be written.
        """
        if self._quota is not None:
            self._quota.stop()
            self._quota.join(timeout=10)

    def remaining(self):
        """Seconds left before the whole-notebook deadline."""
        return self.deadline - time.monotonic()

    def _execute(self, source):
        """Run ``source`` in the current kernel; never raises for the cell's own failures."""
        budget = min(self.cell_timeout, self.remaining())
        if budget <= 0:
            return CellRun(TIMEOUT, evalue="the notebook's time limit was reached")
        cell = nbformat.v4.new_code_cell(source)
        client = self.client
        client.nb.cells = [cell]
        client._display_id_map = {}
        client.kept, client.reply = 0, None
        client.timeout = max(1, math.ceil(budget))
        try:
            client.execute_cell(cell, 0, store_history=False)
        except CellTimeoutError:
            self._broken = True
            limit = "cell" if budget == self.cell_timeout else "notebook"
            return CellRun(TIMEOUT, evalue=f"ran past the {limit} time limit ({budget:.0f} s)")
        except DeadKernelError:
            self._broken = True
            self._stop_quota()
            why = self._quota.exceeded if self._quota is not None else ""
            return CellRun(
                DIED, evalue=why or "the kernel died (a crash, os._exit or out of memory)"
            )
        content = (client.reply or {}).get("content", {})
        if content.get("status") == "error":
            return CellRun(ERROR, content.get("ename", ""), content.get("evalue", ""), cell.outputs)
        return CellRun(OK, outputs=cell.outputs)

    def _start(self):
        """Start a fresh kernel, run the startup code and replay the history."""
        while self._broken:
            if self.remaining() <= 0:
                return False
            self.close()
            # the kernel's own stdout and stderr (not the cells' outputs) are not wanted
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            self._context = self.client.setup_kernel(env=kernel_env(), **quiet)
            self._context.__enter__()
            if self.sandbox is not None:
                self._quota = self.sandbox.watch(self.client.km.provisioner.pid)
            self._broken = False
            if self.startup:
                self._execute(self.startup)
            for source in list(self.history):
                if self._broken:
                    break
                if self._execute(source).status in (TIMEOUT, DIED):
                    self.history.remove(source)
            self.starts += 1
        return True

    def run(self, source, replay=True):
        """Run one cell.

        Parameters
        ----------
        source : str
            The code.
        replay : bool
            Whether to run this cell again in a kernel started after a later crash.

        Returns
        -------
        CellRun
        """
        if not self._start():
            return CellRun(TIMEOUT, evalue="the notebook's time limit was reached")
        result = self._execute(source)
        if replay and result.status not in (TIMEOUT, DIED):
            self.history.append(source)
        return result
