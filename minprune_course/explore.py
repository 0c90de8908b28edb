"""Sliders in a lesson: move a threshold or a penalty and watch the figure redraw.

    from minprune_course.explore import explore

    def draw(threshold):
        ...  # print and plot what this threshold does

    explore(draw, threshold=(thresholds, 0.05))

``explore`` always draws the figure once, at the defaults, so the saved notebook holds
a plain figure. In a live Jupyter session it also shows one slider per control; moving
one calls ``draw`` again. When the notebook is executed to be saved or checked
(``minprune execute``, nbval, the grader), ``MINPRUNE_STATIC=1`` is set and the sliders
are left out, so the stored outputs are the same on every run and the website loads
nothing from outside. Each control takes a fixed list of values, so a lesson can
compute everything a slider reaches before it draws, and a redraw costs no training.
"""

import os

#: The environment variable that leaves the sliders out (``"1"``).
STATIC = "MINPRUNE_STATIC"


def static():
    """Whether sliders are left out: ``MINPRUNE_STATIC=1`` or no ipywidgets."""
    if os.environ.get(STATIC) == "1":
        return True
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return True
    return False


def _check_control(name, control):
    try:
        values, default = control
        values = list(values)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}={control!r}: expected a pair (values, default), values a list"
        ) from None
    if not values or default not in values:
        raise ValueError(
            f"{name}: default {default!r} is not one of the values {values!r}; "
            "expected a default taken from the list"
        )
    return values, default


def explore(draw, **controls):
    """Draw ``draw(**defaults)``, and in a live notebook add a slider per control.

    Parameters
    ----------
    draw : callable
        called with one keyword argument per control; prints and plots what it shows.
    **controls : (list, value)
        for each keyword of ``draw``, the values its slider steps through and the
        default drawn first (one of the values).

    Returns
    -------
    ipywidgets.interactive or None
        the sliders with their output, or None when they are left out.

    Raises
    ------
    TypeError, ValueError
        If a control is not a pair ``(values, default)`` with the default in the values.
    """
    checked = {name: _check_control(name, c) for name, c in controls.items()}
    if not checked:
        raise ValueError("explore() got no controls; expected at least one name=(values, default)")
    if static():
        draw(**{name: default for name, (_, default) in checked.items()})
        return None
    import ipywidgets
    from IPython.display import display

    sliders = {
        name: ipywidgets.SelectionSlider(
            options=values, value=default, description=name, continuous_update=False
        )
        for name, (values, default) in checked.items()
    }
    panel = ipywidgets.interactive(draw, **sliders)
    display(panel)
    return panel
