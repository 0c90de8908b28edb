"""PyTorch reference code for the course's PyTorch topics (08 to 13).

Topic 13's tiny GPT and its post-training pruning stay in their own modules,
``torchkit.gpt`` and ``torchkit.posttraining`` (their ``train``, ``shrink`` and
scores would read ambiguously here).

Only these topics import it: ``import minprune`` itself needs NumPy alone, and
``import minprune.torchkit`` is where torch comes in.
"""

from . import gpt, posttraining
from .cnn import (
    filter_sensitivity,
    mask_filters,
    nonzero_macs,
    prune_filters,
    prune_last_conv_into_linear,
    slimming_keep,
    slimming_penalty,
)
from .counting import count_macs, count_nonzeros, count_parameters
from .models import DigitsCNN, ResNet18, resnet18
from .porting import ThresholdPruning, from_torch, threshold_unstructured, to_torch
from .report import (
    bytes_on_disk,
    bytes_sparse,
    compare,
    copy_model,
    measure,
    pareto_front,
    table,
)
from .rnn import (
    GATES,
    DigitsRNN,
    GradualRNNPruning,
    gate_rows,
    mask_units,
    rnn_macs,
    shrink_rnn,
    unit_scores,
)
from .semistructured import is_2to4, mask_2to4
from .surgery import (
    bn_scale_scores,
    channel_prune_resnet,
    keep_count,
    keep_top,
    l1_filter_scores,
    prune_conv_bn_conv,
    slice_bn,
    slice_conv,
)
from .timing import Timing, benchmark, cuda_event_time
from .training import accuracy, as_tensors, fit

__all__ = [
    "gpt",
    "posttraining",
    "DigitsCNN",
    "ResNet18",
    "resnet18",
    "count_parameters",
    "count_nonzeros",
    "count_macs",
    "mask_2to4",
    "l1_filter_scores",
    "keep_top",
    "keep_count",
    "slice_conv",
    "slice_bn",
    "prune_conv_bn_conv",
    "channel_prune_resnet",
    "is_2to4",
    "Timing",
    "benchmark",
    "cuda_event_time",
    "as_tensors",
    "accuracy",
    "fit",
    "to_torch",
    "from_torch",
    "ThresholdPruning",
    "threshold_unstructured",
    "GATES",
    "DigitsRNN",
    "GradualRNNPruning",
    "gate_rows",
    "unit_scores",
    "mask_units",
    "shrink_rnn",
    "rnn_macs",
    "prune_last_conv_into_linear",
    "prune_filters",
    "mask_filters",
    "bn_scale_scores",
    "slimming_penalty",
    "slimming_keep",
    "filter_sensitivity",
    "nonzero_macs",
    "bytes_on_disk",
    "bytes_sparse",
    "compare",
    "copy_model",
    "measure",
    "pareto_front",
    "table",
]
