"""Answers to exercise t02_predict: its known mistakes and correct alternatives."""

import numpy as np

NOT_APPLICABLE = {
    "mutating": "prediction() takes no arguments",
}


def perturbed(answer):
    """The master's fractions moved by more than the tolerance of 0.05 (a nudge of 1e-3 stays
    within it, and must)."""

    def moved():
        return {k: v + 0.1 for k, v in answer().items()}

    return moved


def not_a_dict():
    return [0.0, 0.0, 0.5]


def percent():
    return {"l2": 0, "subgradient": 0, "proximal": 50}


def l2_zeros():
    return {"l2": 0.5, "subgradient": 0.0, "proximal": 0.5}


def subgradient_zeros():
    return {"l2": 0.0, "subgradient": 0.5, "proximal": 0.5}


def proximal_wrong():
    return {"l2": 0.0, "subgradient": 0.0, "proximal": 0.0}


def capitals_and_spaces():
    return {" L2": 0, "Subgradient ": 0, "PROXIMAL": 0.5}


def numpy_numbers():
    return {"l2": np.float32(0.0), "subgradient": np.int64(0), "proximal": np.float64(0.52)}


MISTAKES = {
    "not_a_dict": not_a_dict,
    "percent": percent,
    "l2_zeros": l2_zeros,
    "subgradient_zeros": subgradient_zeros,
    "proximal_wrong": proximal_wrong,
}
ALTERNATIVES = {"capitals_and_spaces": capitals_and_spaces, "numpy_numbers": numpy_numbers}
