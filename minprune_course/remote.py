"""A learner's answers called from the grader's process, across the sandbox's wall.

The grader runs a submission's cells in a boxed kernel and its checks in its own
process. A check calls ``RemoteAnswer(runner, folder, "sparsity")`` as if it were the
learner's function: the arguments are written to the box's folder as plain data
(``plain``), the kernel runs ``serve`` on them and writes back the result and the
arguments as they are after the call (so a check still sees an answer that changed
its inputs), and the grader reads them back, unpickling nothing. A value the check
needs that is not a function (a compressed model, a report) is read with ``fetch``.

What the kernel sends back is data, never code, and the verdict is reached only in
the grader's process: a submission that rewrites its kernel can make its answers
wrong, never the check right.
"""

import itertools
import sys

from . import checks, plain

#: Statuses ``serve`` reports.
OK, NOT_ANSWERED, ASSERTION, ERROR, UNSENDABLE, MISSING = (
    "ok",
    "not answered",
    "assertion",
    "error",
    "unsendable",
    "missing",
)


class RemoteFailure(Exception):
    """The kernel did not answer: a timeout, a crash, or the notebook's time limit.

    ``status`` is the runner's (``"timeout"``, ``"kernel died"``, ``"error"``).
    """

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class NotPlain(Exception):
    """A check handed the answer something that cannot cross (a function, an object)."""


class RemoteError(Exception):
    """The learner's function raised an exception other than ``AssertionError``."""

    def __init__(self, ename, message):
        super().__init__(f"{ename}: {message}")
        self.ename = ename


# ------------------------------------------------------------------ kernel side
def _namespace():
    return vars(sys.modules["__main__"])


def _send(folder, call_id, status, result=None, after=None, message=""):
    try:
        plain.dump({"status": status, "result": result, "after": after, "message": message},
                   folder, f"{call_id}-out")  # fmt: skip
    except TypeError as exc:
        plain.dump({"status": UNSENDABLE, "result": None, "after": None, "message": str(exc)},
                   folder, f"{call_id}-out")  # fmt: skip


def _answer(folder, call_id, call, args, kwargs, blocked, hint=None):
    """Run ``call()`` with ``blocked`` switched off; write what happened to ``folder``."""
    try:
        with checks.switched_off(blocked, hint):
            result = call()
    except NotImplementedError as exc:
        return _send(folder, call_id, NOT_ANSWERED, message=str(exc))
    except AssertionError as exc:
        return _send(folder, call_id, ASSERTION, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - the learner's exception becomes data
        return _send(folder, call_id, ERROR, message=f"{type(exc).__name__}\0{exc}")
    return _send(folder, call_id, OK, result, [list(args), kwargs])


def serve(name, folder, call_id, references=()):
    """Run in the kernel: call ``name`` on the arguments in ``folder``, write what happened."""
    fn = _namespace().get(name)
    if fn is None or not callable(fn):
        return _send(folder, call_id, MISSING, message=f"{name} is not defined as a function")
    args, kwargs = plain.load(folder, f"{call_id}-in")
    return _answer(
        folder, call_id, lambda: fn(*args, **kwargs), args, kwargs, checks.public(*references)
    )


def serve_probe(module_name, name, folder, call_id):
    """Run in the kernel: ``probe(name's value, *args)`` of exercise ``module_name`` on the
    arguments in ``folder``, its references switched off; write what happened."""
    import importlib

    exercise = importlib.import_module(module_name)
    namespace = _namespace()
    if name not in namespace:
        return _send(folder, call_id, MISSING, message=f"{name} is not defined")
    args, kwargs = plain.load(folder, f"{call_id}-in")
    return _answer(
        folder,
        call_id,
        lambda: exercise.probe(namespace[name], *args, **kwargs),
        args,
        kwargs,
        blocked(exercise),
        getattr(exercise, "HINT", None),
    )


def blocked(exercise):
    """The functions switched off while ``exercise``'s answer runs: its ``references()``
    where it defines one, else its ``REFERENCE`` names."""
    found = getattr(exercise, "references", None)
    return found() if found is not None else checks.public(*exercise.REFERENCE)


def asking(exercise, answer):
    """A function of plain data returning ``exercise.probe(answer, *args)``, computed where
    ``answer`` lives: here, or in the submission's kernel for a ``RemoteAnswer``.

    An exercise whose answer takes what cannot cross as data (a random generator, a
    training function, a class) defines ``probe(answer, *args)``, which builds those from
    plain arguments; its check passes ``asking(exercise, answer)`` to ``checks.call``.
    """
    if not isinstance(answer, RemoteAnswer):

        def ask(*args):
            return exercise.probe(answer, *args)

        return ask

    def ask_remotely(*args):
        return answer.probe(exercise.__name__, args)

    return ask_remotely


def kind(name, folder, call_id):
    """Run in the kernel: write whether ``name`` is a function, a value, or missing."""
    namespace = _namespace()
    if name not in namespace:
        return _send(folder, call_id, MISSING, message=f"{name} is not defined")
    value = namespace[name]
    return _send(folder, call_id, OK, "function" if callable(value) else "value")


def fetch(name, folder, call_id):
    """Run in the kernel: write the value of ``name`` (plain data) to ``folder``."""
    namespace = _namespace()
    if name not in namespace:
        return _send(folder, call_id, MISSING, message=f"{name} is not defined")
    return _send(folder, call_id, OK, namespace[name])


# ------------------------------------------------------------------ grader side
_ids = itertools.count()


def _write_back(given, after):
    """Copy ``after`` into ``given`` in place; False where it cannot (so it changed shape)."""
    import numpy as np

    if isinstance(given, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != given.shape:
            return False
        given[...] = after
        return given.dtype == after.dtype
    if isinstance(given, list) and isinstance(after, list):
        if len(given) != len(after):
            given[:] = after
        for i, (g, a) in enumerate(zip(given, after, strict=True)):
            if not _write_back(g, a):
                given[i] = a
        return True
    if isinstance(given, dict) and isinstance(after, dict):
        for key in list(given):
            if key not in after:
                del given[key]
        for key, value in after.items():
            if key not in given or not _write_back(given[key], value):
                given[key] = value
        return True
    if isinstance(given, tuple) and isinstance(after, tuple) and len(given) == len(after):
        return all(_write_back(g, a) for g, a in zip(given, after, strict=True))
    if (
        hasattr(given, "layers")
        and hasattr(after, "layers")
        and len(given.layers) == len(after.layers)
    ):
        ok = True
        for g, a in zip(given.layers, after.layers, strict=True):
            for attr in ("W", "b", "mask", "b_mask"):
                ok &= _write_back(getattr(g, attr), getattr(a, attr))
        return ok
    if type(given).__module__.split(".")[0] == "torch" and hasattr(given, "copy_"):
        if tuple(given.shape) != tuple(after.shape):
            return False
        given.detach().copy_(after)
        return True
    return checks.same(given, after)


class RemoteAnswer:
    """The learner's function ``name``, called in the boxed kernel run by ``runner``."""

    def __init__(self, runner, folder, name, references=()):
        self.runner, self.folder, self.name = runner, str(folder), name
        self.references = tuple(references)
        self.__name__ = self.__qualname__ = name

    def _run(self, code, call_id):
        outcome = self.runner.run(code, replay=False)
        if outcome.status != "ok":
            raise RemoteFailure(outcome.status, outcome.evalue or outcome.ename)
        try:
            return plain.load(self.folder, f"{call_id}-out")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AssertionError(
                f"{self.name}: the kernel did not answer the grader's call "
                f"({type(exc).__name__}); does a cell of yours change how cells run?"
            ) from None

    def _send_call(self, code, call_id, args, kwargs):
        try:
            plain.dump([list(args), kwargs], self.folder, f"{call_id}-in")
        except TypeError as exc:
            raise NotPlain(str(exc)) from None
        reply = self._run(code, call_id)
        status, message = reply["status"], reply["message"]
        if status == NOT_ANSWERED:
            raise NotImplementedError(message)
        if status == ASSERTION:
            raise AssertionError(message)
        if status == ERROR:
            ename, _, text = message.partition("\0")
            raise RemoteError(ename, text)
        if status in (MISSING, UNSENDABLE):
            raise AssertionError(f"{self.name}: {message}")
        after_args, after_kwargs = reply["after"]
        pairs = [
            *zip(args, after_args, strict=True),
            *((kwargs[k], after_kwargs[k]) for k in kwargs),
        ]
        for given, after in pairs:
            if not _write_back(given, after):
                raise AssertionError(
                    f"{self.name} changed an argument in place; the exercise asks you to "
                    "leave the inputs as they were and return new values"
                )
        return reply["result"]

    def __call__(self, *args, **kwargs):
        call_id = f"c{next(_ids)}"
        code = (
            "__import__('minprune_course.remote').remote.serve("
            f"{self.name!r}, {self.folder!r}, {call_id!r}, {self.references!r})"
        )
        return self._send_call(code, call_id, args, kwargs)

    def probe(self, module_name, args):
        """``probe(answer, *args)`` of exercise ``module_name``, run in the kernel."""
        call_id = f"p{next(_ids)}"
        code = (
            "__import__('minprune_course.remote').remote.serve_probe("
            f"{module_name!r}, {self.name!r}, {self.folder!r}, {call_id!r})"
        )
        return self._send_call(code, call_id, args, {})

    def _ask(self, verb):
        call_id = f"q{next(_ids)}"
        code = (
            f"__import__('minprune_course.remote').remote.{verb}("
            f"{self.name!r}, {self.folder!r}, {call_id!r})"
        )
        reply = self._run(code, call_id)
        if reply["status"] != OK:
            raise AssertionError(f"{self.name}: {reply['message']}")
        return reply["result"]

    def kind(self):
        """``"function"`` or ``"value"``: what ``name`` is in the kernel."""
        return self._ask("kind")

    def value(self):
        """The value of ``name`` in the kernel, as plain data (not a function)."""
        return self._ask("fetch")
