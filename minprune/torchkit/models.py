"""The small models of the PyTorch topics, written out (no torchvision)."""

import torch
from torch import nn


class DigitsCNN(nn.Module):
    """A small CNN for 8x8 digits: two conv-BN-ReLU blocks, pooling, a linear classifier.

    Input ``(n, 1, 8, 8)``; output logits ``(n, 10)``.
    """

    def __init__(self, channels=(32, 64), num_classes=10):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(c2 * 4 * 4, num_classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        return self.fc(torch.flatten(x, 1))


class BasicBlock(nn.Module):
    """ResNet's two 3x3 convolutions with a shortcut (He et al. 2016).

    ``mid`` is the inner width: channel pruning inside the block shrinks it
    without touching the block's input and output widths.
    """

    def __init__(self, c_in, mid, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, mid, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 for 224x224 images, as in torchvision, with prunable inner widths.

    Parameters
    ----------
    widths : four stage widths (default 64, 128, 256, 512)
    inner : float in (0, 1], the share of each block's inner channels kept, as
        ``keep_fraction`` in ``channel_prune_resnet`` (1.0 = the dense network)
    num_classes : int
    """

    def __init__(self, widths=(64, 128, 256, 512), inner=1.0, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, widths[0], 7, 2, 3, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1),
        )
        blocks, c_in = [], widths[0]
        for i, w in enumerate(widths):
            mid = max(1, round(w * inner))
            blocks += [BasicBlock(c_in, mid, w, 1 if i == 0 else 2), BasicBlock(w, mid, w)]
            c_in = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(widths[-1], num_classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def resnet18(num_classes=1000, inner=1.0):
    """The ResNet-18 of He et al. 2016 (11.7M parameters at 1000 classes)."""
    return ResNet18(num_classes=num_classes, inner=inner)
