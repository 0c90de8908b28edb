"""Answers to exercise t04_predict: its known mistakes and correct alternatives."""

import numpy as np

NOT_APPLICABLE = {
    "mutating": "prediction() takes no arguments",
}


def not_a_list():
    return 2


def not_layer_indices():
    return [2, 3]


def every_layer():
    return [0, 1, 2]


def hidden_layers():
    return [1, 0]


def keeps_a_hidden_layer():
    return [0, 2]


def no_layer():
    return []


def as_tuple():
    return (2,)


def as_set():
    return {2}


def numpy_ints():
    return np.array([2])


MISTAKES = {
    "not_a_list": not_a_list,
    "not_layer_indices": not_layer_indices,
    "every_layer": every_layer,
    "hidden_layers": hidden_layers,
    "keeps_a_hidden_layer": keeps_a_hidden_layer,
    "no_layer": no_layer,
}
ALTERNATIVES = {"as_tuple": as_tuple, "as_set": as_set, "numpy_ints": numpy_ints}
