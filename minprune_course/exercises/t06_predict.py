"""Exercise 06.5, predict then check: ``prediction()``, the criterion whose cut changes least.

A relu hidden layer holds, among ordinary neurons, three unusual ones: one with tiny
incoming weights and a large bias, one with tiny outgoing weights, and one with large
weights that is dead on the data (its pre-activation is negative on every input). Three
criteria, ``incoming_l2``, ``outgoing_l2`` and ``mean_activation``, each remove the one
neuron they score lowest, with ``mp.remove_neurons``. The learner predicts, before
measuring, whose removal changes the network's outputs on the data the least. The check
builds its layers from its seed, cuts with ``minprune`` and, when the prediction is
wrong, explains why with the output changes it measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t06_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
CHOICES = ("incoming_l2", "outgoing_l2", "mean_activation")
WHY = (
    "the neuron with the lowest mean activation is dead: it outputs exactly 0 on every input, "
    "so the next layer receives nothing from it and cutting it out changes no output at all"
)
MISTAKES = {
    "not_a_choice": "return one of the strings 'incoming_l2', 'outgoing_l2' or 'mean_activation'",
    "incoming_small": "small incoming weights do not make a neuron silent: this one has a "
    "bias of 2, so it outputs about relu(2) = 2 on every input and the next layer adds "
    "2 * W_next[j, :] to every output; removing it loses that constant (fold it into the next "
    "bias instead, section 4 of the lesson). Meanwhile " + WHY,
    "outgoing_small": "small outgoing weights make a small change, not none: the neuron still "
    "sends a_j * W_next[j, :] to every output, while " + WHY,
}
#: ``(n_in, n, n_next, m)``: layer sizes and the number of samples of each case.
VISIBLE = (8, 10, 4, 60)
HIDDEN = ((6, 12, 3, 40), (10, 16, 5, 80), (5, 8, 2, 30))


def _directions(rng, n_vectors, length):
    """``n_vectors`` random unit vectors of ``length``, as the columns of an array."""
    V = rng.normal(size=(length, n_vectors))
    return V / np.linalg.norm(V, axis=0)


def layer(rng, n_in, n, n_next, m):
    """``(net, X, planted)``: a 2-layer relu network in float64 and its data.

    Ordinary neurons have incoming and outgoing norms in [0.8, 1.2] and a bias in
    [0.1, 0.5]; ``planted`` names the three unusual neurons: ``"bias"`` (incoming norm
    0.01, bias 2), ``"quiet"`` (outgoing norm 0.02) and ``"dead"`` (norms 2, and a bias
    that puts its pre-activation below -1 on every row of ``X``).
    """
    X = rng.normal(size=(m, n_in))
    bias, quiet, dead = (int(j) for j in rng.permutation(n)[:3])
    incoming = rng.uniform(0.8, 1.2, size=n)
    outgoing = rng.uniform(0.8, 1.2, size=n)
    incoming[bias], outgoing[quiet] = 0.01, 0.02
    incoming[dead] = outgoing[dead] = 2.0
    W = _directions(rng, n, n_in) * incoming
    W_next = (_directions(rng, n, n_next) * outgoing).T
    b = rng.uniform(0.1, 0.5, size=n)
    b[bias] = 2.0
    b[dead] = -float(np.max(X @ W[:, dead])) - 1.0
    net = mp.Network.from_weights([W, W_next], [b, np.zeros(n_next)], ["relu", "identity"])
    return net, X, {"bias": bias, "quiet": quiet, "dead": dead}


def cases(rng, hidden):
    """``(net, X, planted)``: one layer of 10 neurons; the hidden battery adds three of
    other sizes."""
    for sizes in (VISIBLE, *HIDDEN) if hidden else (VISIBLE,):
        yield layer(rng, *sizes)


def measure(net, X):
    """``{criterion: (neuron removed, largest |output change| on X)}``, cut with minprune."""
    before = net.forward(X)
    out = {}
    for criterion in CHOICES:
        scores = mp.neuron_importance(net, 0, criterion, X=X)
        keep = mp.select_neurons(scores, n_remove=1)
        gone = int(np.setdiff1d(np.arange(scores.size), keep)[0])
        after = mp.remove_neurons(net, 0, keep).forward(X)
        out[criterion] = (gone, float(np.max(np.abs(after - before))))
    return out


def describe(measured):
    """``"incoming_l2 removes neuron 3 and moves the outputs by up to 1.9, ..."``."""
    return ", ".join(
        f"{c} removes neuron {j} and moves the outputs by up to {change:.2g}"
        for c, (j, change) in measured.items()
    )


def _choice(got):
    if not isinstance(got, str):
        checks.fail(f"prediction() returned {type(got).__name__}: {MISTAKES['not_a_choice']}")
    choice = str.lower(str.strip(got)).replace(" ", "_").replace("-", "_")
    if choice not in CHOICES:
        checks.fail(f"prediction() returned {got[:40]!r}: {MISTAKES['not_a_choice']}")
    return choice


def check(answer, hidden=False, seed=None):
    """``answer()`` names the criterion whose cut changes the outputs least, as measured."""
    choice = _choice(checks.call(answer, what="prediction()"))
    mistake = {"incoming_l2": "incoming_small", "outgoing_l2": "outgoing_small"}
    for net, X, _ in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        measured = measure(net, X)
        least = min(CHOICES, key=lambda c: measured[c][1])
        if choice != least:
            where = f"on a relu layer of {net.sizes[1]} neurons, {describe(measured)}"
            checks.fail(f"{where}: {MISTAKES[mistake[choice]]}")
    checks.passed()
