"""Answers to exercise t00_sparsity: its known mistakes and correct alternatives."""

import numpy as np


def sum_of_ratios(weights):
    return float(sum(np.mean(W == 0) for W in weights))


def mean_of_ratios(weights):
    return float(np.mean([np.mean(W == 0) for W in weights]))


def density(weights):
    return sum(int(np.count_nonzero(W)) for W in weights) / sum(W.size for W in weights)


def concatenated(weights):
    return float(np.mean(np.concatenate([W.ravel() for W in weights]) == 0))


def counted_nonzeros(weights):
    total = sum(W.size for W in weights)
    return 1.0 - sum(np.count_nonzero(W) for W in weights) / total


MISTAKES = {
    "sum_of_ratios": sum_of_ratios,
    "mean_of_ratios": mean_of_ratios,
    "density": density,
}
ALTERNATIVES = {"concatenated": concatenated, "counted_nonzeros": counted_nonzeros}
