"""A Jupyter kernel that runs the Python of the current environment."""

import ipykernel.kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

#: Kernel name that always means "this interpreter", whatever kernelspecs are installed.
CURRENT_ENV = "minprune-current-env"


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
