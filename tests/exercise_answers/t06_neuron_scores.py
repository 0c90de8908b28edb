"""Answers to exercise t06_neuron_scores: its known mistakes and correct alternatives."""

import numpy as np


def _scores(W, W_next, A):
    W, W_next, A = (np.asarray(x, dtype=np.float64) for x in (W, W_next, A))
    return {
        "incoming_l1": np.abs(W).sum(axis=0),
        "incoming_l2": np.sqrt((W**2).sum(axis=0)),
        "outgoing_l1": np.abs(W_next).sum(axis=1),
        "outgoing_l2": np.sqrt((W_next**2).sum(axis=1)),
        "mean_activation": np.abs(A).mean(axis=0),
        "activation_variance": A.var(axis=0),
    }


def _with(**changes):
    def scores(W, W_next, A):
        out = _scores(W, W_next, A)
        W, W_next, A = (np.asarray(x, dtype=np.float64) for x in (W, W_next, A))
        out.update({key: fn(W, W_next, A) for key, fn in changes.items()})
        return out

    return scores


l2_squared = _with(incoming_l2=lambda W, Wn, A: (W**2).sum(axis=0))
signed_mean = _with(mean_activation=lambda W, Wn, A: A.mean(axis=0))
sample_variance = _with(activation_variance=lambda W, Wn, A: A.var(axis=0, ddof=1))
std = _with(activation_variance=lambda W, Wn, A: A.std(axis=0))
swapped = _with(outgoing_l1=lambda W, Wn, A: np.abs(W).sum(axis=0))
rows = _with(incoming_l1=lambda W, Wn, A: np.abs(W).sum(axis=1))
outgoing_columns = _with(outgoing_l1=lambda W, Wn, A: np.abs(Wn).sum(axis=0))
per_sample = _with(mean_activation=lambda W, Wn, A: np.abs(A).mean(axis=1))


def missing_key(W, W_next, A):
    out = _scores(W, W_next, A)
    del out["outgoing_l2"]
    return out


def not_a_dict(W, W_next, A):
    return list(_scores(W, W_next, A).values())


def in_dtype(W, W_next, A):
    """Everything in the inputs' own dtype (float32 stays float32)."""
    return {
        "incoming_l1": np.abs(W).sum(axis=0),
        "incoming_l2": np.linalg.norm(W, axis=0),
        "outgoing_l1": np.abs(W_next).sum(axis=1),
        "outgoing_l2": np.linalg.norm(W_next, axis=1),
        "mean_activation": np.mean(np.abs(A), axis=0),
        "activation_variance": np.mean((A - A.mean(axis=0)) ** 2, axis=0),
    }


def loops(W, W_next, A):
    """One neuron at a time, in Python lists, with an extra key."""
    n = W.shape[1]
    out = {key: [] for key in ("incoming_l1", "incoming_l2", "outgoing_l1", "outgoing_l2")}
    out |= {"mean_activation": [], "activation_variance": []}
    for j in range(n):
        w_in, w_out, a = W[:, j].tolist(), W_next[j].tolist(), A[:, j].tolist()
        out["incoming_l1"].append(sum(abs(x) for x in w_in))
        out["incoming_l2"].append(sum(x * x for x in w_in) ** 0.5)
        out["outgoing_l1"].append(sum(abs(x) for x in w_out))
        out["outgoing_l2"].append(sum(x * x for x in w_out) ** 0.5)
        mean = sum(a) / len(a)
        out["mean_activation"].append(sum(abs(x) for x in a) / len(a))
        out["activation_variance"].append(sum((x - mean) ** 2 for x in a) / len(a))
    out["apoz"] = np.mean(A != 0, axis=0)
    return {key: np.array(value) for key, value in out.items()}


MISTAKES = {
    "l2_squared": l2_squared,
    "signed_mean": signed_mean,
    "sample_variance": sample_variance,
    "std": std,
    "swapped": swapped,
    "rows": rows,
    "outgoing_columns": outgoing_columns,
    "per_sample": per_sample,
    "missing_key": missing_key,
    "not_a_dict": not_a_dict,
}
ALTERNATIVES = {"in_dtype": in_dtype, "loops": loops}
