"""`course.data`: shapes, dtypes, ranges, determinism, disjoint splits and clear errors.

The rows of the split tests carry their own index (X[i] = i), so every part can be
traced back to the rows it came from.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import data

PROPERTY = settings(max_examples=60, deadline=None)


def indexed(n, classes=3, seed=0):
    """X (n, 2) whose rows are (i, −i), labels y (n,) in 0..classes−1 drawn at random."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.arange(n), -np.arange(n)]).astype(np.float64)
    return X, rng.integers(0, classes, size=n)


def row_ids(part_X):
    return part_X[:, 0].astype(np.int64)


# --- split ---------------------------------------------------------------------------


@PROPERTY
@given(n=st.integers(3, 400), val=st.floats(0.0, 0.45), test=st.floats(0.0, 0.45),
       seed=st.integers(0, 2**32 - 1), stratify=st.booleans())
def test_split_parts_are_disjoint_and_cover_every_row(n, val, test, seed, stratify):
    X, y = indexed(n, seed=seed % 7)
    if n - round(n * val) - round(n * test) < 1:
        return
    s = data.split(X, y, val_fraction=val, test_fraction=test, seed=seed, stratify=stratify)
    ids = [row_ids(s.X_train), row_ids(s.X_val), row_ids(s.X_test)]
    assert np.array_equal(np.sort(np.concatenate(ids)), np.arange(n))
    assert len(ids[1]) == round(n * val) and len(ids[2]) == round(n * test)
    for part_X, part_y in ((s.X_train, s.y_train), (s.X_val, s.y_val), (s.X_test, s.y_test)):
        # Every label still belongs to its row.
        assert np.array_equal(part_y, y[row_ids(part_X)])


def test_split_is_the_same_for_the_same_seed_and_differs_for_another():
    X, y = indexed(200)
    a = data.split(X, y, seed=3)
    b = data.split(X, y, seed=3)
    c = data.split(X, y, seed=4)
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.X_test, c.X_test)


def test_split_keeps_label_proportions_when_stratified():
    # 80 % / 20 % labels: a stratified 15 % test part holds 24 ± 1 and 6 ± 1 of them.
    X = np.arange(200, dtype=np.float64)[:, None]
    y = np.r_[np.zeros(160, int), np.ones(40, int)]
    for seed in range(20):
        s = data.split(X, y, seed=seed)
        for part in (s.y_val, s.y_test):
            assert abs(np.sum(part == 1) - 6) <= 1, (seed, np.bincount(part))
            assert abs(np.sum(part == 0) - 24) <= 1, (seed, np.bincount(part))


def test_split_without_stratify_does_not_balance_labels():
    # Over many seeds an unstratified test part of a 50/50 set is sometimes off by more than 1.
    X = np.arange(200, dtype=np.float64)[:, None]
    y = np.r_[np.zeros(100, int), np.ones(100, int)]
    counts = [np.sum(data.split(X, y, seed=s, stratify=False).y_test) for s in range(30)]
    assert max(abs(c - 15) for c in counts) > 1


def test_split_leaves_its_inputs_alone_and_returns_copies():
    X, y = indexed(50)
    X0, y0 = X.copy(), y.copy()
    s = data.split(X, y)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    s.X_train[:] = -1
    assert np.array_equal(X, X0)


def test_split_accepts_images_and_keeps_their_shape():
    X = np.zeros((40, 8, 8))
    s = data.split(X, np.arange(40) % 2)
    assert s.X_train.shape[1:] == (8, 8) and len(s.X_train) + len(s.X_val) + len(s.X_test) == 40


@pytest.mark.parametrize("kwargs, value", [
    (dict(val_fraction=1.2), "1.2"),
    (dict(val_fraction=-0.1), "-0.1"),
    (dict(test_fraction=1.0), "1.0"),
    (dict(test_fraction="a lot"), "a lot"),
])
def test_split_rejects_a_bad_fraction_naming_it_and_the_range(kwargs, value):
    X, y = indexed(20)
    with pytest.raises(ValueError) as info:
        data.split(X, y, **kwargs)
    message = str(info.value)
    assert next(iter(kwargs)) in message and value in message and "[0, 1)" in message


def test_split_rejects_fractions_that_leave_no_training_data():
    X, y = indexed(20)
    with pytest.raises(ValueError, match=r"0\.6 \+ 0\.4"):
        data.split(X, y, val_fraction=0.6, test_fraction=0.4)


def test_split_rejects_mismatched_lengths_naming_both():
    with pytest.raises(ValueError) as info:
        data.split(np.zeros((10, 2)), np.zeros(9))
    assert "10" in str(info.value) and "9" in str(info.value)


# --- digits --------------------------------------------------------------------------


def test_load_digits_split_shapes_dtypes_and_ranges():
    s = data.load_digits_split()
    n = [len(s.X_train), len(s.X_val), len(s.X_test)]
    assert sum(n) == 1797
    assert n[1] == n[2] == round(1797 * 0.15)
    for X, y in ((s.X_train, s.y_train), (s.X_val, s.y_val), (s.X_test, s.y_test)):
        assert X.dtype == np.float64 and X.shape[1:] == (64,)
        assert y.dtype == np.int64 and y.shape == (len(X),)
        assert X.min() >= 0.0 and X.max() <= 1.0
        assert set(np.unique(y)) == set(range(10))
    assert s.X_train.max() == 1.0  # pixel 16 / 16: scaled, not clipped


def test_load_digits_split_holds_every_digit_once_scaled_by_16():
    from sklearn.datasets import load_digits

    digits = load_digits()
    s = data.load_digits_split(seed=5)
    ours = np.column_stack([np.concatenate([s.X_train, s.X_val, s.X_test]),
                            np.concatenate([s.y_train, s.y_val, s.y_test])])
    theirs = np.column_stack([digits.data / 16.0, digits.target])
    # Same multiset of (pixels, label) rows: sort both lexicographically.
    assert np.array_equal(ours[np.lexsort(ours.T[::-1])], theirs[np.lexsort(theirs.T[::-1])])


def test_the_digits_are_scikit_learns_read_without_importing_it():
    from sklearn.datasets import load_digits

    X, y = data._digits()
    digits = load_digits()
    np.testing.assert_array_equal(X, digits.data / 16.0)
    np.testing.assert_array_equal(y, digits.target)
    assert X.dtype == np.float64 and y.dtype == np.int64
    # a student's kernel and each judge worker: no 0.8 s import of scikit-learn
    import subprocess
    import sys

    code = ("import sys; from course import data; data.load_digits_split(); "
            "[data.make_2d(name) for name in data.DATASETS_2D]; "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False"


def test_load_digits_split_depends_on_seed_and_fractions():
    a, b, c = data.load_digits_split(1), data.load_digits_split(1), data.load_digits_split(2)
    assert np.array_equal(a.X_test, b.X_test) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X_test, c.X_test)
    d = data.load_digits_split(val_fraction=0.1, test_fraction=0.2)
    assert (len(d.X_val), len(d.X_test)) == (round(1797 * 0.1), round(1797 * 0.2))


# --- 2-D sets ------------------------------------------------------------------------

NAMES = ["moons", "circles", "blobs", "spiral"]
DEFAULT_CLASSES = {"moons": 2, "circles": 2, "blobs": 3, "spiral": 3}


@pytest.mark.parametrize("name", NAMES)
def test_make_2d_shapes_dtypes_classes_and_scale(name):
    X, y = data.make_2d(name, n=301, seed=1)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == DEFAULT_CLASSES[name]
    assert counts.max() - counts.min() <= 1
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    # One common scale: the mean variance of the columns is 1, neither column is squashed.
    assert np.isclose(X.var(axis=0).mean(), 1.0)
    assert X.std(axis=0).min() > 0.5


@pytest.mark.parametrize("name", NAMES)
def test_make_2d_is_deterministic_per_seed(name):
    X1, y1 = data.make_2d(name, seed=7)
    X2, y2 = data.make_2d(name, seed=7)
    X3, _ = data.make_2d(name, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", NAMES)
def test_make_2d_noise_blurs_the_classes(name):
    # More noise puts more points nearer to another class than to their own.
    def mixed(noise):
        X, y = data.make_2d(name, n=400, noise=noise, seed=0)
        d = np.linalg.norm(X[:, None] - X[None], axis=-1)
        np.fill_diagonal(d, np.inf)
        return np.mean(y[np.argmin(d, axis=1)] != y)

    assert mixed(0.5) > mixed(0.0)


def test_make_2d_classes_sets_the_number_of_spiral_arms_and_blobs():
    for name in ("spiral", "blobs"):
        _, y = data.make_2d(name, n=100, classes=5)
        assert np.array_equal(np.unique(y), np.arange(5))


def test_make_2d_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        data.make_2d("xor")
    assert "xor" in str(info.value)
    for name in NAMES:
        assert name in str(info.value)


def test_make_2d_rejects_classes_that_do_not_fit():
    with pytest.raises(ValueError, match="2 classes"):
        data.make_2d("moons", classes=3)
    with pytest.raises(ValueError, match="classes"):
        data.make_2d("spiral", classes=1)


# --- one_hot and minibatches ------------------------------------------------------------


@PROPERTY
@given(y=st.lists(st.integers(0, 9), min_size=1, max_size=30), extra=st.integers(0, 3))
def test_one_hot_puts_a_single_one_at_each_label(y, extra):
    y = np.array(y)
    C = int(y.max()) + 1 + extra
    Y = data.one_hot(y, C)
    assert Y.shape == (len(y), C) and Y.dtype == np.float64
    assert np.array_equal(Y.sum(axis=1), np.ones(len(y)))
    assert np.array_equal(Y.argmax(axis=1), y)
    assert data.one_hot(y).shape == (len(y), int(y.max()) + 1)


def test_one_hot_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match="0..2"):
        data.one_hot(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError):
        data.one_hot(np.array([0, -1]))
    with pytest.raises(ValueError, match="integer"):
        data.one_hot(np.array([0.5, 1.0]))


@PROPERTY
@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 100),
       shuffle=st.booleans())
def test_minibatches_cover_every_row_once_with_a_last_partial_batch(n, batch_size, seed,
                                                                    shuffle):
    X, y = indexed(n)
    batches = list(data.minibatches(X, y, batch_size, seed=seed, shuffle=shuffle))
    sizes = [len(xb) for xb, _ in batches]
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert sizes == expected
    ids = np.concatenate([row_ids(xb) for xb, _ in batches])
    assert np.array_equal(np.sort(ids), np.arange(n))
    if not shuffle:
        assert np.array_equal(ids, np.arange(n))
    for xb, yb in batches:
        assert np.array_equal(yb, y[row_ids(xb)])


def test_minibatches_order_is_fixed_by_seed_and_new_without_one():
    X, y = indexed(100)

    def order(seed):
        return np.concatenate([row_ids(xb) for xb, _ in data.minibatches(X, y, 16, seed=seed)])

    assert np.array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    assert not np.array_equal(order(1), np.arange(100))
    assert not np.array_equal(order(None), order(None))


def test_minibatches_reject_bad_arguments_at_the_call():
    X, y = indexed(10)
    with pytest.raises(ValueError, match="batch_size"):
        data.minibatches(X, y, 0)
    with pytest.raises(ValueError) as info:
        data.minibatches(X, y[:7], 4)
    assert "10" in str(info.value) and "7" in str(info.value)


# --- Day 1: make_xor and make_neuron_curve -------------------------------------------


def test_make_xor_labels_are_the_xor_of_the_corners():
    X, y = data.make_xor(n=500, noise=0.0, seed=4)
    assert X.shape == (500, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(X)) == {0.0, 1.0}
    np.testing.assert_array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int))
    assert 0.4 < y.mean() < 0.6  # the four corners are drawn about equally often


def test_make_xor_noise_is_gaussian_around_the_corner_and_fixed_by_seed():
    X, y = data.make_xor(n=4000, noise=0.2, seed=1)
    corners = np.round(X)  # noise 0.2 rarely crosses the midpoint 0.5 (2.5 sd)
    assert abs((X - corners).std() / 0.2 - 1.0) < 0.05
    X2, y2 = data.make_xor(n=4000, noise=0.2, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, data.make_xor(n=4000, noise=0.2, seed=2)[0])


def test_make_neuron_curve_is_a_tanh_neuron_split_three_ways():
    d = data.make_neuron_curve(n=60, noise=0.0, w=2.0, b=0.5, seed=3)
    assert [len(d.X_train), len(d.X_val), len(d.X_test)] == [36, 12, 12]
    for X, y in [(d.X_train, d.y_train), (d.X_val, d.y_val), (d.X_test, d.y_test)]:
        assert X.shape == (len(y), 1) and X.dtype == np.float64 and y.dtype == np.float64
        assert np.all(np.abs(X) <= 3.0)
        np.testing.assert_allclose(y, np.tanh(2.0 * X[:, 0] + 0.5))
    noisy = data.make_neuron_curve(n=400, noise=0.1, seed=0)
    resid = noisy.y_train - np.tanh(1.5 * noisy.X_train[:, 0] - 0.5)
    assert abs(resid.std() / 0.1 - 1.0) < 0.2


@pytest.mark.parametrize("make, kwargs, match", [
    (data.make_xor, {"n": 0}, "positive integer"),
    (data.make_xor, {"noise": -1.0}, "noise"),
    (data.make_neuron_curve, {"n": 3}, "n must be"),
    (data.make_neuron_curve, {"noise": float("nan")}, "noise"),
])
def test_day1_generators_reject_bad_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 301])
@pytest.mark.parametrize("noise", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("seed", [0, 11])
def test_moons_circles_and_blobs_are_scikit_learns_point_for_point(n, noise, seed):
    from sklearn import datasets

    pairs = [(datasets.make_moons(n_samples=n, noise=noise, random_state=seed),
              data._moons(n, noise, np.random.RandomState(seed))),
             (datasets.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed),
              data._circles(n, noise, np.random.RandomState(seed)))]
    for k in (2, 3, 5):
        if n >= k:
            centres = 2.0 * np.column_stack([np.cos(np.arange(k)), np.sin(np.arange(k))])
            pairs.append((datasets.make_blobs(n_samples=n, centers=centres, cluster_std=0.6,
                                              random_state=seed),
                          data._blobs(n, centres, 0.6, np.random.RandomState(seed))))
    for (X_theirs, y_theirs), (X_ours, y_ours) in pairs:
        np.testing.assert_array_equal(X_ours, X_theirs)
        np.testing.assert_array_equal(y_ours, y_theirs)
