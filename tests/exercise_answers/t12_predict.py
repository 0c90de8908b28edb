"""Answers to exercise t12_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a list of names: there is no number to nudge (a lying object "
    "fails the type check, tested in tests/test_exercises_t12.py)",
    "mutating": "prediction() takes no arguments",
}


def not_names():
    return "nonzeros, bytes_sparse"


def unknown_name():
    return ["nonzeros", "bytes_sparse", "flops"]


def params_fall():
    return ["params", "nonzeros", "bytes_sparse"]


def macs_fall():
    return ["nonzeros", "macs", "bytes_sparse"]


def bytes_on_disk_fall():
    return ["nonzeros", "bytes_on_disk", "bytes_sparse"]


def nonzeros_missed():
    return ["bytes_sparse"]


def bytes_sparse_missed():
    return ["nonzeros"]


def capitals_in_a_tuple():
    return ("Bytes_Sparse", "NONZEROS")


def spaced_set():
    return {" nonzeros", "bytes_sparse "}


MISTAKES = {
    "not_names": not_names,
    "unknown_name": unknown_name,
    "params_fall": params_fall,
    "macs_fall": macs_fall,
    "bytes_on_disk_fall": bytes_on_disk_fall,
    "nonzeros_missed": nonzeros_missed,
    "bytes_sparse_missed": bytes_sparse_missed,
}
ALTERNATIVES = {"capitals_in_a_tuple": capitals_in_a_tuple, "spaced_set": spaced_set}
