"""Inputs shared by the exercises of topic 04: teacher networks, grids, mistakes that show.

The networks are small random tanh networks and the labels are their own
predictions, so a dense network scores 1.0 and every pruned weight can cost accuracy.
It also holds ``asking``: how a check reaches an answer through a probe of plain data,
in this process or across the grader's sandbox (topic 05's loop uses it too).
"""

import importlib
import itertools

import numpy as np

import minprune as mp
from minprune_course import checks


def teacher(rng, n=None, n_hidden=None, dtype="float64"):
    """``(net, X, y)``: a random tanh network and ``n`` inputs labelled by it."""
    n_hidden = int(rng.integers(1, 3)) if n_hidden is None else n_hidden
    sizes = [int(rng.integers(4, 9))]
    sizes += [int(rng.integers(6, 13)) for _ in range(n_hidden)]
    sizes += [int(rng.integers(2, 5))]
    net = mp.Network(sizes, activation="tanh", dtype=dtype, rng=rng)
    n = int(rng.integers(60, 120)) if n is None else n
    X = rng.normal(size=(n, sizes[0])).astype(dtype)
    return net, X, net.predict(X)


def grid(rng, low, high, size, shuffled=False):
    """``size`` distinct values of a grid of 0.05 steps in ``[low, high]``, sorted or not."""
    values = np.round(np.arange(low, high + 1e-9, 0.05), 2)
    chosen = rng.choice(values, size=min(size, values.size), replace=False)
    return chosen if shuffled else np.sort(chosen)


def distinct(expected, mistakes, atol):
    """True when every mistake's result differs from ``expected`` and from every other's.

    A case drawn until this holds fails each mistake with its own hint: none of them
    passes, and none is taken for another.
    """
    results = [expected, *mistakes.values()]
    return not any(
        checks.matches(a, b, rtol=0.0, atol=atol)
        for i, a in enumerate(results)
        for b in results[i + 1 :]
    )


def no_mistake(what, answer, expected, mistakes, hints, atol):
    """``checks.expect_no_mistake`` with exact comparison up to ``atol``, its hint after ``what``."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol=0.0, atol=atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")


# ------------------------------------------------------------ probes across the wall
# Some answers take what cannot cross the grader's sandbox as plain data: a random
# generator (kfold_indices), a training function (cross_val_accuracy), a data split
# (prune_retrain). Their exercise module then has a ``probe(answer, *args)``: a
# module-level function that builds those from plain arguments, calls the answer and
# returns what it returns. ``asking`` runs the probe where the answer lives: here, or in
# the submission's kernel (``serve``), so that only plain data crosses. Topic 08's
# ``_t08.asking`` does the same for its objects; the two want one home in ``remote``
# (``RemoteAnswer.probe``). Meanwhile this uses ``RemoteAnswer._run`` and ``remote._send``.

_ids = itertools.count()


def asking(exercise, answer):
    """A function of plain data returning ``exercise.probe(answer, *args)``, computed where
    ``answer`` lives; pass it to ``checks.call`` in place of the answer."""
    from minprune_course import remote

    if not isinstance(answer, remote.RemoteAnswer):

        def ask(*args):
            return exercise.probe(answer, *args)

        return ask

    def ask_remotely(*args):
        return _remote_probe(exercise.__name__, answer, args)

    return ask_remotely


def _remote_probe(module_name, answer, args):
    """Have the kernel run ``serve`` on ``args``, as ``RemoteAnswer.__call__`` does a call."""
    from minprune_course import plain, remote

    call_id = f"probe04-{next(_ids)}"
    plain.dump([list(args), {}], answer.folder, f"{call_id}-in")
    code = (
        "__import__('importlib').import_module('minprune_course.exercises._t04').serve("
        f"{module_name!r}, {answer.name!r}, {answer.folder!r}, {call_id!r})"
    )
    reply = answer._run(code, call_id)
    status, message = reply["status"], reply["message"]
    if status == remote.NOT_ANSWERED:
        raise NotImplementedError(message)
    if status == remote.ASSERTION:
        raise AssertionError(message)
    if status == remote.ERROR:
        ename, _, text = message.partition("\0")
        raise remote.RemoteError(ename, text)
    if status != remote.OK:
        raise AssertionError(f"{answer.name}: {message}")
    after, _ = reply["after"]
    for given, back in zip(args, after, strict=True):
        if not remote._write_back(given, back):
            raise AssertionError(
                f"{answer.name} changed an argument in place; the exercise asks you to leave "
                "the inputs as they were and return new values"
            )
    return reply["result"]


def serve(module_name, name, folder, call_id):
    """Run in the kernel: ``probe(name's function, *args)`` of exercise ``module_name`` on
    the arguments in ``folder``, its references switched off; write what happened."""
    from minprune_course import plain, remote

    exercise = importlib.import_module(module_name)
    namespace = remote._namespace()
    if not callable(namespace.get(name)):
        return remote._send(folder, call_id, remote.MISSING, message=f"{name} is not a function")
    args, kwargs = plain.load(folder, f"{call_id}-in")
    try:
        with checks.switched_off(checks.public(*exercise.REFERENCE)):
            result = exercise.probe(namespace[name], *args, **kwargs)
    except NotImplementedError as exc:
        return remote._send(folder, call_id, remote.NOT_ANSWERED, message=str(exc))
    except AssertionError as exc:
        return remote._send(folder, call_id, remote.ASSERTION, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - the learner's exception becomes data
        return remote._send(folder, call_id, remote.ERROR, message=f"{type(exc).__name__}\0{exc}")
    return remote._send(folder, call_id, remote.OK, result, [list(args), kwargs])
