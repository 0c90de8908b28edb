"""Print the engine's own code in a lesson: the one way every notebook shows source.

from minprune_course.source import show_source
show_source(mp.sigmoid)                                  # the whole function
show_source(mp.threshold_masks, docstring=False)         # without its docstring
show_source(mp.SGD.update, between=("if self.mu", "return"))  # an excerpt
"""

import ast
import inspect
import textwrap


def source(obj, between=None, docstring=True):
    """The source of ``obj`` as a string; see ``show_source``."""
    lines = textwrap.dedent(inspect.getsource(obj)).splitlines()
    if not docstring:
        node = ast.parse("\n".join(lines)).body[0]
        first = node.body[0] if getattr(node, "body", None) else None
        if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
            del lines[first.lineno - 1 : first.end_lineno]
    if between is not None:
        start, stop = between
        try:
            i = next(k for k, line in enumerate(lines) if start in line)
            j = next(k for k, line in enumerate(lines) if stop in line and k >= i)
        except StopIteration:
            name = getattr(obj, "__qualname__", repr(obj))
            raise ValueError(
                f"between={between!r}: no such lines in the source of {name}; "
                "expected two strings that occur in it, the first before the second"
            ) from None
        lines = textwrap.dedent("\n".join(lines[i : j + 1])).splitlines()
    return "\n".join(lines)


def show_source(obj, between=None, docstring=True):
    """Print the source of a function, class or method.

    Parameters
    ----------
    obj : function, class or method
        What to show.
    between : (str, str), optional
        Show only the lines from the first one holding ``between[0]`` to the next
        one holding ``between[1]`` (both included), dedented.
    docstring : bool
        ``False`` leaves out the docstring (the code that follows stays).

    Raises
    ------
    ValueError
        If the lines named by ``between`` are not in the source.
    """
    print(source(obj, between, docstring))
