"""Pieces shared by the exercises of topic 11: naming a known mistake, probing an answer."""

import importlib
import itertools

from minprune_course import checks


def no_mistake(what, answer, expected, mistakes, hints, rtol=1e-7, atol=1e-9):
    """``checks.expect_no_mistake``, its hint prefixed with ``what`` (which call, which case)."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol, atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")


def distinct(expected, mistakes):
    """True when every mistake's result differs from ``expected`` and from every other's.

    A case drawn this way names each mistake by its own hint: no mistake returns the
    right result, and no two return the same wrong one.
    """
    results = [expected, *mistakes.values()]
    return not any(checks.matches(a, b) for i, a in enumerate(results) for b in results[i + 1 :])


# ------------------------------------------------------------ probes across the wall
# time_fn takes a function to time, which cannot cross the grader's sandbox as plain data.
# Its exercise module has a ``probe(answer, *args)``: a module-level function that builds
# the workload from plain arguments, calls the answer and returns plain data. ``asking``
# runs the probe where the answer lives: here, or in the submission's kernel (``serve``).
# Topics 04 and 08 hold the same three functions (``_t04``, ``_t08``); they want one home
# in ``remote`` (``RemoteAnswer.probe``). Meanwhile this uses ``RemoteAnswer._run`` and
# ``remote._send``, as they do.

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

    call_id = f"probe11-{next(_ids)}"
    plain.dump([list(args), {}], answer.folder, f"{call_id}-in")
    code = (
        "__import__('importlib').import_module('minprune_course.exercises._t11').serve("
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
