"""The box a submission's kernel runs in while it is graded (Linux, bubblewrap).

``Sandbox(workdir)`` describes it; ``Sandbox.prefix()`` is the command line that
starts a program inside it::

    box = Sandbox("/tmp/minprune-grade-x1")
    subprocess.run([*box.prefix(), sys.executable, "-c", "print(1)"])

Inside, the program sees:

- ``workdir``, private and writable: the submission and the kernel's sockets;
- the system (``/usr``, ``/etc``), Python, the virtual environment and the two
  packages ``minprune`` and ``minprune_course``, all read-only; nothing else of the
  repository: no ``solutions/``, no other submission, no report;
- a fresh ``/tmp``, its own ``/proc`` and ``/dev``;
- no network (not even the host's loopback), its own PID namespace, so every process
  it starts dies with the kernel; a new session (no terminal to push keys into);
- limits: address space, processes, open files, CPU seconds and the size of any file;
  a ``/tmp`` and ``/dev/shm`` of fixed size (they live in memory), and a quota on
  its folder kept by ``Sandbox.watch``, so filling a disk costs only the kernel.

``available()`` says whether bubblewrap runs here; where it does not (macOS, a
container without user namespaces) the grader runs the kernel as a plain separate
process and says which protections are missing; on Linux ``no_orphans`` still kills
every process a submission started, detached or not, before the report is written.
"""

import contextlib
import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import minprune

from . import notebooks as nbs
from .kernel import kernel_env

#: Environment variables passed into the box (all others are cleared).
PASSED_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "NPY_DISABLE_CPU_FEATURES",
    "ATEN_CPU_CAPABILITY",
    "DNNL_MAX_CPU_ISA",
    "MKL_ENABLE_INSTRUCTIONS",
    "LANG",
    "LC_ALL",
)
#: What the box protects against, for the grader's one line when it is missing.
PROTECTIONS = (
    "reading or writing the masters and other submissions",
    "the network",
    "memory, process, file-size and disk limits",
)
if not sys.platform.startswith("linux"):
    PROTECTIONS += ("processes that outlive grading",)
PR_SET_CHILD_SUBREAPER = 36


@functools.cache
def available():
    """``(True, "")`` when bubblewrap can start a box here, else ``(False, why)``."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent"]
    probe += ["--size", str(2**20), "--tmpfs", "/tmp", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap does not start ({type(exc).__name__})"
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no reason"
        return False, f"bubblewrap cannot create a box here ({reason})"
    return True, ""


def _root_processes():
    """How many processes the real user already runs (RLIMIT_NPROC counts them too)."""
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                continue
    return count


@dataclass
class Sandbox:
    """A bubblewrap box around ``workdir``, with limits.

    Parameters
    ----------
    workdir : path
        The only writable folder inside; it must exist.
    memory : int
        Bytes of address space a process may map (torch alone maps about 1.5 GB).
    processes : int
        Processes beyond those the user already runs (a fork bomb stops there).
    files : int
        Open files per process.
    cpu_seconds : int
        CPU time per process.
    file_size : int
        Bytes any one file written inside may reach.
    tmp_size : int
        Bytes each of ``/tmp`` and ``/dev/shm`` holds (they are memory).
    disk, entries : int
        Bytes and files the writable folder may hold; ``watch`` enforces them.
    """

    workdir: str
    memory: int = 6 * 2**30
    processes: int = 256
    files: int = 512
    cpu_seconds: int = 1800
    file_size: int = 256 * 2**20
    tmp_size: int = 256 * 2**20
    disk: int = 2**30
    entries: int = 10_000

    def _read_only(self):
        """The paths the box shows read-only: system, Python, venv, the two packages."""
        paths = []
        for name in ("/usr", "/etc", "/opt"):
            if os.path.isdir(name) and not os.path.islink(name):
                paths.append(name)
        packages = [Path(minprune.__file__).parent, Path(nbs.__file__).parent]
        for path in (sys.base_prefix, sys.prefix, *map(str, packages)):
            real = os.path.realpath(path)
            if not any(real == p or real.startswith(p + os.sep) for p in paths):
                paths.append(real)
            if path != real and path not in paths:
                paths.append(path)
        return paths

    def prefix(self):
        """The command line that runs what follows it inside the box."""
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session"]
        argv += ["--cap-drop", "ALL"] if os.getuid() == 0 else []
        # the fresh /tmp first: what is bound later (a repository or venv under /tmp,
        # the box's own folder) is mounted over it, not hidden by it
        size = ["--size", str(self.tmp_size)]
        argv += ["--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/tmp"]
        argv += [*size, "--tmpfs", "/dev/shm"]
        for name in ("/lib", "/lib64", "/bin", "/sbin"):
            if os.path.islink(name):
                argv += ["--symlink", os.readlink(name), name]
            elif os.path.isdir(name):
                argv += ["--ro-bind", name, name]
        for path in self._read_only():
            argv += ["--ro-bind", path, path]
        argv += ["--bind", self.workdir, self.workdir, "--chdir", self.workdir]
        argv += ["--clearenv", "--setenv", "HOME", self.workdir]
        argv += ["--setenv", "PATH", f"{os.path.dirname(sys.executable)}:/usr/bin:/bin"]
        argv += ["--setenv", "MPLBACKEND", "Agg", "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
        env = kernel_env()
        for key in PASSED_ENV:
            if key in env:
                argv += ["--setenv", key, env[key]]
        argv += ["--", "prlimit", f"--as={self.memory}", f"--nofile={self.files}"]
        argv += [f"--nproc={_root_processes() + self.processes}", f"--cpu={self.cpu_seconds}"]
        argv += [f"--fsize={self.file_size}", "--"]
        return argv

    def watch(self, pid, every=0.2):
        """Start a ``Quota`` that kills process ``pid`` (the box) if its folder overflows."""
        quota = Quota(self, pid, every)
        quota.start()
        return quota


def _usage(folder, most):
    """``(bytes, files)`` under ``folder``, counting no further than ``most`` files."""
    used, count, todo = 0, 0, [folder]
    while todo and count <= most:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue
        for entry in entries:
            count += 1
            try:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    used += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return used, count


class Quota(threading.Thread):
    """Polls a box's folder; past its disk or file quota, kills the box and empties it.

    What the folder held when the watch began (the submission, the kernel's
    connection file and sockets) stays, so the next kernel starts in a clean folder.
    ``exceeded`` then says what was exceeded.
    """

    def __init__(self, box, pid, every):
        super().__init__(daemon=True)
        self.box, self.pid, self.every = box, pid, every
        self.exceeded = ""
        self._done = threading.Event()
        self._kept = set(os.listdir(box.workdir))

    def run(self):
        while not self._done.wait(self.every):
            used, count = _usage(self.box.workdir, self.box.entries)
            if used > self.box.disk or count > self.box.entries:
                self.exceeded = (
                    "the kernel was stopped: its folder passed the sandbox's quota "
                    f"({self.box.disk // 2**20} MiB, {self.box.entries} files)"
                )
                with contextlib.suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)
                # A killed process may finish the write it is in, and the box's other
                # processes die only after it: empty the folder once it has stopped,
                # and once more after the namespace has had time to die with it.
                _wait_stopped(self.pid, timeout=2.0)
                self._empty()
                time.sleep(self.every)
                self._empty()
                return

    def _empty(self):
        for name in set(os.listdir(self.box.workdir)) - self._kept:
            path = os.path.join(self.box.workdir, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.remove(path)

    def stop(self):
        """Stop watching."""
        self._done.set()


def _wait_stopped(pid, timeout):
    """Wait until ``pid`` has exited (gone, or a zombie awaiting its parent)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return
        time.sleep(0.01)


def _children(pid):
    """Process ids whose parent is ``pid`` (Linux ``/proc``)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@contextlib.contextmanager
def no_orphans():
    """Kill, when the block ends, every process started in it, however detached.

    This process becomes a child subreaper (Linux ``prctl``): a process that a
    kernel detaches (a new session, a double fork) is re-parented here instead of to
    init, so it is found and killed with its own children. The children this
    process had before the block are left alone. Elsewhere it does nothing.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    me, before = os.getpid(), _children(os.getpid())
    try:
        yield
    finally:
        for _ in range(100):  # each kill re-parents the victim's children here
            strays = _children(me) - before
            if not strays:
                break
            for pid in strays:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            for pid in strays:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
