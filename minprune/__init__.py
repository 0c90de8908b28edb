"""minprune: a small NumPy engine for learning neural-network pruning.

Everything public is importable from here::

    import minprune as mp
    net = mp.Network([64, 128, 10], activation="relu", rng=0)
"""

from .activations import (
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from .data import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .layers import Dense, dense_backward, dense_forward
from .losses import log_softmax, mse, softmax_cross_entropy
from .metrics import *  # noqa: F403
from .network import Network
from .optim import *  # noqa: F403
from .penalties import *  # noqa: F403
from .pruning import *  # noqa: F403
from .quantization import *  # noqa: F403
from .schedules import *  # noqa: F403
from .selection import *  # noqa: F403
from .storage import *  # noqa: F403
from .structured import *  # noqa: F403
from .train import *  # noqa: F403

__version__ = "0.1.0"
