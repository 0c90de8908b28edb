"""A Jupyter kernel that runs the Python of the current environment, boxed or not."""

import os
import uuid

import ipykernel.kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

#: Kernel name that always means "this interpreter", whatever kernelspecs are installed.
CURRENT_ENV = "minprune-current-env"

#: The threads a kernel computes with where the grader's environment names none: one, so
#: kernels graded side by side each keep to their own core instead of spinning on each
#: other's (two-thread kernels beside one busy process on two cores pushed a correct
#: capstone past the cell time limit).
THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def kernel_env(environ=None):
    """The environment a kernel starts with.

    ``environ`` (default ``os.environ``) with one thread for each library (``THREADS``),
    unless it sets any of those counts itself: an instructor's own settings are kept.
    """
    environ = dict(os.environ if environ is None else environ)
    return environ if THREADS.keys() & environ.keys() else {**environ, **THREADS}


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Kernelspecs as usual, plus ``CURRENT_ENV`` for ``sys.executable``."""

    def get_kernel_spec(self, kernel_name):
        """Return the spec for ``kernel_name``; ``CURRENT_ENV`` is this interpreter."""
        if kernel_name == CURRENT_ENV:
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES,
                **ipykernel.kernelspec.get_kernel_dict(),
            )
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(AsyncKernelManager):
    """Kernel manager that understands ``CURRENT_ENV``; pass it to nbclient."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self):
        return CurrentEnvKernelSpecManager(data_dir=self.data_dir)


class SandboxKernelManager(CurrentEnvKernelManager):
    """A kernel started inside a ``sandbox.Sandbox``, talking over sockets in its folder.

    The box has no network, not even loopback, so the kernel's channels are Unix
    sockets (ZeroMQ's ``ipc`` transport) in the box's writable folder, as is the
    connection file. Use ``bound(box)``: a subclass fixed to one box, which nbclient
    can instantiate again after a restart.
    """

    box = None

    @classmethod
    def bound(cls, box):
        """A subclass of this manager that starts its kernels in ``box``."""
        return type("BoxedKernelManager", (cls,), {"box": box})

    def __init__(self, **kwargs):
        folder = self.box.workdir
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(folder, "kernel"))
        super().__init__(**kwargs)
        self.connection_file = os.path.join(folder, f"kernel-{uuid.uuid4().hex[:8]}.json")

    def format_kernel_cmd(self, extra_arguments=None):
        """The kernel's command line, inside the box."""
        return [*self.box.prefix(), *super().format_kernel_cmd(extra_arguments)]
