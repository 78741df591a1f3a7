"""Helpers that more than one test file uses: hypothesis strategies for the references'
inputs, an elementwise comparison within a bound, and what a headless widget panel shows.

Imported as ``helpers``: ``tests/`` has no ``__init__.py``, so pytest (in its default
"prepend" import mode) puts the folder itself first on ``sys.path`` before it imports
``conftest.py`` and the test files.
"""

import base64

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# --- strategies ----------------------------------------------------------------------


def float_arrays(shape, bound):
    """float64 arrays with values in [-bound, bound], exact zeros drawn often."""
    return hnp.arrays(np.float64, shape,
                      elements=st.one_of(st.just(0.0), st.floats(-bound, bound)))


@st.composite
def networks(draw, sides, min_layers=1):
    """X (N, n_0) and params [(W1, b1), ..., (WL, bL)], Wl (n_l, n_{l−1}), min_layers ≤ L ≤ 4;
    N and every n_l drawn from ``sides``."""
    sizes = draw(st.lists(sides, min_size=min_layers + 1, max_size=5))
    X = draw(float_arrays((draw(sides), sizes[0]), 3.0))
    params = [(draw(float_arrays((n_out, n_in), 2.0)), draw(float_arrays((n_out,), 2.0)))
              for n_in, n_out in zip(sizes, sizes[1:])]
    return X, params


def numpy_of(tensor):
    return tensor.detach().numpy()


def assert_within(ours, expected, bound, name):
    """|ours − expected| ≤ bound elementwise, bound a number or an array of expected's shape;
    the message names the first element outside it (nan is never within)."""
    ours, expected = np.asarray(ours), np.asarray(expected)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), expected.shape)
    ok = np.abs(ours - expected) <= bound  # nan compares False, so it fails too
    if not ok.all():
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise AssertionError(f"{name}{list(idx)}: got {ours[idx]!r}, expected {expected[idx]!r} "
                             f"(allowed {bound[idx]:.3g})")


# --- widgets, headless -----------------------------------------------------------------


def png_of(panel):
    """The PNG bytes of the figure in the panel's Output (AssertionError if it shows none)."""
    (output,) = panel.output.outputs
    assert "image/png" in output["data"], output["data"]
    return base64.b64decode(output["data"]["image/png"])


def text_of(panel):
    """The text the panel's Output shows (a note instead of a figure, a status)."""
    return " ".join(str(o["data"].get("text/plain", "")) for o in panel.output.outputs)


def notebook_function(wrong, module):
    """A wrong answer as the notebook runs it: its source under the target's name, with the
    day's reference module's names in scope."""
    namespace = dict(vars(module))
    exec(compile(wrong.source(), f"<wrong {wrong.name}>", "exec"), namespace)
    return namespace[wrong.target]


def differs(a, b, tol=1e-6):
    """True when two results differ in structure, shape, or by a relative error > tol."""
    from course import checks

    if isinstance(b, str):
        return a != b
    if isinstance(b, dict):
        return not isinstance(a, dict) or set(a) != set(b) or any(differs(a[k], b[k], tol)
                                                                   for k in b)
    if isinstance(b, (list, tuple)):
        return (not isinstance(a, (list, tuple)) or len(a) != len(b)
                or any(differs(x, y, tol) for x, y in zip(a, b)))
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return True
    return not checks.relative_error(a, b) <= tol  # nan or inf counts as a difference


def or_error(f, *args):
    """f(*args), or the name of the exception it raised (a wrong answer may not handle every case)."""
    try:
        return f(*args)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__


def differs_at_the_edge(result, reference):
    """differs() held to 1e-13 (the wrong answers copy the reference but for their bug);
    an error (or_error's name of it) against a result is a difference."""
    if isinstance(result, str) or isinstance(reference, str):
        return not (isinstance(result, str) and isinstance(reference, str) and result == reference)
    return differs(result, reference, tol=1e-13)


def twice(f, *args, **kwargs):
    """The second of two identical calls: state kept between calls shows."""
    f(*args, **kwargs)
    return f(*args, **kwargs)
