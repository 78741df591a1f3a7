"""The course's data, all offline: scikit-learn's bundled digits and generated 2-D sets.

- ``split``: train / validation / test rows, stratified by label, the same for the same seed.
- ``load_digits_split``: the 1797 8×8 digits, pixels scaled to [0, 1], already split.
- ``make_2d``: moons, circles, blobs and spirals for pictures of decision boundaries,
  standardised so that one learning rate suits them all.
- ``one_hot`` and ``minibatches``: the two helpers a training loop needs.

Examples sit in the rows of X (N, D), labels in y (N,), as everywhere in the course.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

__all__ = ["Split", "split", "load_digits_split", "make_2d", "DATASETS_2D", "one_hot",
           "minibatches", "make_bars", "recurrent_params", "adding_problem",
           "delayed_recall"]


@dataclass
class Split:
    """Three disjoint parts of one data set.

    X_* (n_part, ...) float arrays and y_* (n_part, ...) labels; the parts together hold
    every row of the data set exactly once.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, 'X_' + name).shape}"
                          for name in ("train", "val", "test"))
        return f"Split({parts})"


def _check_fraction(name: str, value) -> float:
    try:
        fraction = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}") from None
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return fraction


def _stratified_order(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A permutation of the rows in which every prefix holds each class in proportion.

    Row i of a class with n_c rows, shuffled to rank r inside its class, gets the key
    (r + u_c) / n_c with one random offset u_c in [0, 1) per class; sorting by the key
    interleaves the classes, so the first k rows hold about k·n_c/N rows of class c.
    """
    labels = y.reshape(len(y), -1) if y.ndim > 1 else y
    _, inverse = np.unique(labels, axis=0 if y.ndim > 1 else None, return_inverse=True)
    inverse = inverse.reshape(-1)
    key = np.empty(len(y), dtype=np.float64)
    for c in range(int(inverse.max()) + 1):
        rows = np.flatnonzero(inverse == c)
        ranks = rng.permutation(len(rows))
        key[rows] = (ranks + rng.random()) / len(rows)
    # A random tie-break keeps classes of equal size from always coming in label order.
    return np.lexsort((rng.random(len(y)), key))


def split(X, y, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True) -> Split:
    """Split the rows of X (N, ...) and y (N, ...) into train, validation and test parts.

    val_fraction, test_fraction: shares of the N rows, each in [0, 1), together below 1;
    the part sizes are round(N·fraction), the rest is training data.
    seed: the same seed gives the same split.  stratify: keep the label proportions of y
    in every part (up to rounding).  The rows of each part keep their original order.
    Returns a ``Split`` of copies; X and y are not modified.
    """
    val_fraction = _check_fraction("val_fraction", val_fraction)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"val_fraction + test_fraction must be below 1 to leave training data, got "
            f"{val_fraction} + {test_fraction} = {val_fraction + test_fraction:g}"
        )
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y need one row per example; got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows: X has {len(X)}, "
                         f"y has {len(y)}")
    n = len(X)
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    if n - n_val - n_test < 1:
        raise ValueError(f"{n} rows leave no training data with val_fraction={val_fraction} "
                         f"and test_fraction={test_fraction}; use smaller fractions")
    rng = np.random.default_rng(seed)
    order = _stratified_order(y, rng) if stratify and n else rng.permutation(n)
    test = np.sort(order[:n_test])
    val = np.sort(order[n_test:n_test + n_val])
    train = np.sort(order[n_test + n_val:])
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


def load_digits_split(seed=0, val_fraction=0.15, test_fraction=0.15) -> Split:
    """scikit-learn's 1797 handwritten digits, split with ``split`` (stratified).

    X_* (n_part, 64) float64 in [0, 1] (the 8×8 pixels, 0..16, divided by 16, row by row);
    y_* (n_part,) int64 in 0..9.
    """
    X, y = _digits()
    return split(X, y, val_fraction=val_fraction, test_fraction=test_fraction, seed=seed)


_DIGITS: list = []


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits, read once per process (reading the file took 0.1 s a call).

    Read from scikit-learn's own file (sklearn/datasets/data/digits.csv.gz) as its
    ``load_digits`` reads it, without importing scikit-learn (0.8 s); its loader if the
    file is not where it has always been."""
    if not _DIGITS:
        import gzip
        import importlib.util

        spec = importlib.util.find_spec("sklearn")
        folders = list(spec.submodule_search_locations or []) if spec else []
        files = [f for f in (Path(d) / "datasets" / "data" / "digits.csv.gz" for d in folders)
                 if f.is_file()]
        if files:
            with gzip.open(files[0], mode="rt", encoding="utf-8") as f:
                table = np.loadtxt(f, delimiter=",")
            pixels, labels = table[:, :-1], table[:, -1].astype(int)
        else:
            from sklearn.datasets import load_digits

            digits = load_digits()
            pixels, labels = digits.data, digits.target
        X = pixels.astype(np.float64) / 16.0
        y = labels.astype(np.int64)
        X.flags.writeable = y.flags.writeable = False   # split() returns copies
        _DIGITS.append((X, y))
    return _DIGITS[0]


# --- 2-D toy sets -----------------------------------------------------------------

#: Names accepted by ``make_2d``, with the default number of classes.
DATASETS_2D = {"moons": 2, "circles": 2, "blobs": 3, "spiral": 3}

# Blobs: centres on a circle of this radius, each cluster this wide before noise.
_BLOB_RADIUS = 2.0
_BLOB_SPREAD = 0.5


def _class_sizes(n: int, classes: int) -> np.ndarray:
    return np.array([n // classes + (k < n % classes) for k in range(classes)])


def _spiral(n, classes, noise, rng):
    """``classes`` arms, each one full turn from the centre out to radius 1."""
    X, y = [], []
    for k, size in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.05, 1.0, size)
        angle = 2 * np.pi * k / classes + 2 * np.pi * r
        arm = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        X.append(arm + noise * rng.standard_normal((size, 2)))
        y.append(np.full(size, k))
    X, y = np.concatenate(X), np.concatenate(y)
    order = rng.permutation(n)
    return X[order], y[order]


# Moons, circles and blobs are scikit-learn's make_moons, make_circles (factor 0.5) and
# make_blobs, point for point from the same seed (tests/test_data.py compares them),
# made here: importing scikit-learn takes most of a second.

def _shuffled(X, y, rng):
    order = np.arange(len(y))
    rng.shuffle(order)
    return X[order], y[order]


def _two_arcs(outer, inner, noise, rng):
    X = np.column_stack([np.concatenate([outer[0], inner[0]]),
                         np.concatenate([outer[1], inner[1]])])
    y = np.concatenate([np.zeros(len(outer[0]), dtype=np.intp),
                        np.ones(len(inner[0]), dtype=np.intp)])
    X, y = _shuffled(X, y, rng)
    return X + rng.normal(scale=noise, size=X.shape), y


def _moons(n, noise, rng):
    """Two interleaved half circles: the upper of radius 1 about (0, 0), the lower
    about (1, 0.5)."""
    t_out, t_in = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    return _two_arcs((np.cos(t_out), np.sin(t_out)),
                     (1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5), noise, rng)


def _circles(n, noise, rng, factor=0.5):
    """A circle of radius 1 around one of radius ``factor``, points evenly spaced."""
    t_out = np.linspace(0, 2 * np.pi, n // 2, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n - n // 2, endpoint=False)
    return _two_arcs((np.cos(t_out), np.sin(t_out)),
                     (np.cos(t_in) * factor, np.sin(t_in) * factor), noise, rng)


def _blobs(n, centres, std, rng):
    """Gaussian clusters around ``centres``, as equal in size as n allows (the first
    ones one larger)."""
    k = len(centres)
    sizes = [n // k + (i < n % k) for i in range(k)]
    X = np.concatenate([rng.normal(loc=centres[i], scale=std, size=(size, centres.shape[1]))
                        for i, size in enumerate(sizes)])
    y = np.repeat(np.arange(k), sizes)
    return _shuffled(X, y, rng)


def make_2d(name, n=300, noise=0.1, seed=0, classes=None):
    """A generated 2-D classification set: X (n, 2) float64, y (n,) int64 in 0..classes−1.

    name: "moons" and "circles" (2 classes), "blobs" (default 3 Gaussian clusters with
    centres evenly spaced on a circle), "spiral" (default 3 interleaved arms).
    noise: standard deviation of the Gaussian noise added to each point, in the units of
    the shape before scaling (moons span about 3 × 1.5, circles and spirals radius 1).
    The classes are as equal in size as n allows.  X is shifted to zero mean and divided
    by one common scale (the root mean variance of its columns), so the shape is kept and
    the same learning rates work across the sets.
    """
    if name not in DATASETS_2D:
        raise ValueError(f"unknown data set {name!r}; use one of "
                         f"{', '.join(repr(k) for k in DATASETS_2D)}")
    default = DATASETS_2D[name]
    classes = default if classes is None else classes
    if name in ("moons", "circles") and classes != 2:
        raise ValueError(f"{name!r} has exactly 2 classes, got classes={classes!r}")
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be an integer ≥ 2, got {classes!r}")
    if not isinstance(n, (int, np.integer)) or n < classes:
        raise ValueError(f"n must be an integer ≥ the number of classes ({classes}), got {n!r}")
    if not isinstance(noise, (int, float, np.number)) or not noise >= 0:
        raise ValueError(f"noise must be ≥ 0, got {noise!r}")
    if name == "moons":
        X, y = _moons(n, noise, np.random.RandomState(seed))
    elif name == "circles":
        X, y = _circles(n, noise, np.random.RandomState(seed))
    elif name == "blobs":
        angle = 2 * np.pi * np.arange(classes) / classes + np.pi / 2
        centres = _BLOB_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
        # Independent spread and noise add in variance.
        std = float(np.hypot(_BLOB_SPREAD, noise))
        X, y = _blobs(n, centres, std, np.random.RandomState(seed))
    else:
        X, y = _spiral(n, classes, noise, np.random.default_rng(seed))
    X = np.asarray(X, dtype=np.float64)
    X = X - X.mean(axis=0)
    scale = np.sqrt(X.var(axis=0).mean())
    if scale > 0:
        X = X / scale
    return X, np.asarray(y, dtype=np.int64)


# --- helpers for training -----------------------------------------------------------


def one_hot(y, num_classes=None) -> np.ndarray:
    """Integer labels y (N,) in 0..C−1 -> float64 (N, C) with a single 1 per row.

    num_classes: C; defaults to max(y) + 1.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot expects labels of shape (N,), got {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"one_hot expects integer labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    C = (int(y.max()) + 1 if y.size else 0) if num_classes is None else int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= C):
        raise ValueError(f"labels must lie in 0..{C - 1} for num_classes={C}; "
                         f"got labels from {y.min()} to {y.max()}")
    out = np.zeros((len(y), C), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out


def minibatches(X, y, batch_size, seed=None, shuffle=True) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (Xb (B, ...), yb (B, ...)) covering every row of X (N, ...), y (N, ...) once.

    B = batch_size except for the last batch, which holds the N mod batch_size rows left
    over (when there are any).  shuffle: a new random order on every call, fixed by seed
    (None: a fresh one each time); otherwise the rows in order.  The batches are copies.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows: X has {len(X)}, "
                         f"y has {len(y)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n = len(X)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    # A generator made here, so that bad arguments fail at the call, not at the first batch.
    return ((X[order[start:start + batch_size]], y[order[start:start + batch_size]])
            for start in range(0, n, batch_size))


# --- Day 4: oriented bars at random positions ----------------------------------------------

#: The classes of ``make_bars``, in label order.
BAR_ORIENTATIONS = ("horizontal", "vertical", "diagonal", "anti-diagonal")


def make_bars(n=1100, size=12, length=4, noise=0.15, seed=0):
    """Images of one short bar each, at a random position; the label is its orientation.

    A bar of ``length`` pixels of one brightness in [0.6, 1] is drawn horizontally (label 0),
    vertically (1), along the diagonal ↘ (2) or the anti-diagonal ↙ (3), anywhere it fits
    inside a ``size``×``size`` image; Gaussian pixel noise of standard deviation ``noise`` is
    added everywhere.  The classes come in equal numbers (n mod 4 of them one more).
    What decides the class is a local pattern that can be anywhere: easy for a convolution,
    hard for a dense layer that must learn it at every position separately.
    Returns X float64 (n, 1, size, size) (NCHW) and y int64 (n,).
    """
    if length < 2 or length > size:
        raise ValueError(f"length must lie in 2..size={size}, got {length}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 4).astype(np.int64)
    X = np.zeros((n, 1, size, size))
    steps = ((0, 1), (1, 0), (1, 1), (1, -1))
    t = np.arange(length)
    for i in range(n):
        dr, dc = steps[y[i]]
        r0 = rng.integers(0, size - (length - 1) * dr)
        c0 = rng.integers((length - 1) if dc < 0 else 0, size - (length - 1) * max(dc, 0))
        X[i, 0, r0 + dr * t, c0 + dc * t] = rng.uniform(0.6, 1.0)
    X += noise * rng.standard_normal(X.shape)
    return X, y


# --- Day 5: recurrent networks ----------------------------------------------------------


def recurrent_params(D, H, spectral_radius, input_scale=0.02, gates=1, seed=0) -> dict:
    """Weights of a recurrent cell in torch's layout, with a chosen spectral radius of W_hh.

    W_hh = spectral_radius · Q with Q a random orthogonal (H, H) matrix, so every
    eigenvalue and every singular value of W_hh has size exactly spectral_radius (and
    ‖W_hh^k‖₂ = spectral_radius^k).  W_ih (gates·H, D) is normal with standard deviation
    input_scale/√D; the biases are zero.  gates: 1 (RNN), 4 (LSTM) or 3 (GRU); for
    gates > 1 every gate block of W_hh gets its own Q.
    Returns {"W_ih", "W_hh", "b_ih", "b_hh"}, float64.
    """
    if D < 1 or H < 1 or gates < 1:
        raise ValueError(f"D, H and gates must be at least 1, got D={D}, H={H}, gates={gates}")
    if not spectral_radius > 0:
        raise ValueError(f"spectral_radius must be positive, got {spectral_radius!r}")
    rng = np.random.default_rng(seed)
    blocks = [np.linalg.qr(rng.normal(size=(H, H)))[0] for _ in range(gates)]
    return {"W_ih": rng.normal(0.0, input_scale / np.sqrt(D), size=(gates * H, D)),
            "W_hh": float(spectral_radius) * np.concatenate(blocks, axis=0),
            "b_ih": np.zeros(gates * H), "b_hh": np.zeros(gates * H)}


def adding_problem(n, T, seed=0):
    """The adding problem (Hochreiter & Schmidhuber 1997), a long-range sequence task.

    Each of the n sequences has T steps of two numbers: a value drawn uniformly from [0, 1]
    and a marker, 1 at exactly two steps (one in the first half, one in the second half of
    the sequence) and 0 elsewhere.  The target is the sum of the two marked values, so the
    network must remember the first marked value for up to T − 1 steps.  Predicting the
    constant 1 (the mean target) gives a mean squared error of 1/6.
    Returns X (n, T, 2) float64 and y (n,) float64.
    """
    if T < 2 or n < 1:
        raise ValueError(f"need n ≥ 1 sequences of length T ≥ 2, got n={n}, T={T}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    markers = np.zeros((n, T))
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    return np.stack([values, markers], axis=2), values[np.arange(n), first] + values[np.arange(n), second]


def delayed_recall(n, delay, symbols=4, seed=0):
    """A delayed-recall task: remember the symbol of step 1 and name it after ``delay`` steps.

    Each of the n sequences has T = delay + 1 steps of D = symbols + 1 inputs, one-hot: step 1
    shows the symbol to remember (one of ``symbols``), steps 2 … delay show random distractor
    symbols from the same set, and the last step shows the cue (input ``symbols``).  The target
    is the first symbol, an int in 0 … symbols − 1; guessing gives an accuracy of 1/symbols.
    Returns X (n, delay + 1, symbols + 1) float64 and y (n,) int64.
    """
    if int(delay) < 1 or int(n) < 1 or int(symbols) < 2:
        raise ValueError(f"need n ≥ 1, delay ≥ 1 and symbols ≥ 2, got n={n}, delay={delay}, "
                         f"symbols={symbols}")
    n, T, K = int(n), int(delay) + 1, int(symbols)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, size=n).astype(np.int64)
    X = np.zeros((n, T, K + 1))
    X[np.arange(n), 0, y] = 1.0
    if T > 2:
        distractors = rng.integers(0, K, size=(n, T - 2))
        rows, steps = np.meshgrid(np.arange(n), np.arange(1, T - 1), indexing="ij")
        X[rows, steps, distractors] = 1.0
    X[:, -1, K] = 1.0
    return X, y


# --- Day 1: one neuron's curve and XOR ------------------------------------------------


def make_neuron_curve(n=60, noise=0.1, w=1.5, b=-0.5, seed=0) -> Split:
    """1-D data that one tanh neuron can fit: x uniform in [−3, 3], y = tanh(w·x + b) + noise.

    noise: standard deviation of the Gaussian noise on y.  Returns a ``Split`` (60 % train,
    20 % validation, 20 % test, not stratified: y is a number, not a label) with X_* of
    shape (n_part, 1) and y_* of shape (n_part,), both float64.
    """
    if not isinstance(n, (int, np.integer)) or n < 5:
        raise ValueError(f"n must be an integer ≥ 5 (every part needs a point), got {n!r}")
    if not isinstance(noise, (int, float, np.number)) or not noise >= 0:
        raise ValueError(f"noise must be ≥ 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))
    y = np.tanh(w * x[:, 0] + b) + noise * rng.standard_normal(n)
    return split(x, y, val_fraction=0.2, test_fraction=0.2, seed=seed, stratify=False)


def make_xor(n=200, noise=0.15, seed=0):
    """Noisy XOR: X (n, 2) float64, y (n,) int64, not standardised.

    Each point is a random corner of the unit square (0 or 1 in each coordinate) plus
    Gaussian noise of standard deviation ``noise`` in each coordinate; its label is 1 for
    the corners (0, 1) and (1, 0), 0 for (0, 0) and (1, 1): x1 XOR x2.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(noise, (int, float, np.number)) or not noise >= 0:
        raise ValueError(f"noise must be ≥ 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X.astype(np.float64), (corners[:, 0] ^ corners[:, 1]).astype(np.int64)

__all__ += ["make_neuron_curve", "make_xor"]
