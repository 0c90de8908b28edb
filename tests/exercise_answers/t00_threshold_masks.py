"""Answers to exercise t00_threshold_masks: its known mistakes and correct alternatives."""

import numpy as np


def keeps_ties(weights, threshold):
    return [(np.abs(W) >= threshold).astype(float) for W in weights]


def signed(weights, threshold):
    return [(W > threshold).astype(float) for W in weights]


def inverted(weights, threshold):
    return [(np.abs(W) <= threshold).astype(float) for W in weights]


def booleans(weights, threshold):
    return [np.abs(W) > threshold for W in weights]


def where(weights, threshold):
    return [np.where((W > threshold) | (W < -threshold), 1, 0) for W in weights]


MISTAKES = {"keeps_ties": keeps_ties, "signed": signed, "inverted": inverted}
ALTERNATIVES = {"booleans": booleans, "where": where}
