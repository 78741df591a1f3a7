"""The regularisation explorer: λ, the dropout rate and the training-set size as controls; the
training and validation loss curves and the decision boundary on a 2-D set redrawn."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from ..data import make_2d
from ..plots.classification import plot_decision_boundary
from ..plots.training import plot_loss
from .panel import Panel, _call

#: The values the controls offer: λ of the L2 (or L1) term, the drop probability p, the size
#: of the training set.  Fixed lists, so that every run can be cached by its control values.
REGULARISATION_LAMBDAS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
REGULARISATION_DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
REGULARISATION_SIZES = (20, 40, 80, 160, 320)


def _forward_backward(X, y, params, penalty, dropout_forward, dropout_backward, lam, p, rng,
                      train=True):
    """Loss (data + penalty) and gradients of the 2 → H → H → C ReLU network with dropout after
    each hidden layer; in eval mode (train=False) no dropout and no gradient."""
    caches, a = [], X
    for W, b in params[:-1]:
        z = a @ W.T + b
        h = np.maximum(z, 0.0)
        if train and p > 0:
            mask = (rng.random(h.shape) >= p).astype(np.float64)
            out, dcache = _call(dropout_forward, "dropout_forward", h, p, "train", mask)
            out = np.asarray(out, dtype=np.float64)
        else:
            out, dcache = h, None
        caches.append((a, z, dcache))
        a = out
    W, b = params[-1]
    scores = a @ W.T + b
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    N = X.shape[0]
    loss = float(-log_p[np.arange(N), y].mean())
    if not train:
        return loss, None
    cost, pgrads = _call(penalty, "penalty", params, lam)
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1.0
    dscores /= N
    grads = [None] * len(params)
    grads[-1] = (dscores.T @ a, dscores.sum(axis=0))
    da = dscores @ W
    for i in range(len(params) - 2, -1, -1):
        a_in, z, dcache = caches[i]
        if dcache is not None:
            da = np.asarray(_call(dropout_backward, "dropout_backward", da, dcache), dtype=np.float64)
        dz = da * (z > 0)
        grads[i] = (dz.T @ a_in, dz.sum(axis=0))
        da = dz @ params[i][0]
    grads = [(dW + np.asarray(gW), db + np.asarray(gb))
             for (dW, db), (gW, gb) in zip(grads, pgrads)]
    return loss + float(cost), grads


def regularisation_run(penalty: Callable, dropout_forward: Callable, dropout_backward: Callable,
                       lam: float, p: float, n_train: int, dataset="moons", hidden=48, classes=None,
                       steps=250, batch_size=16, lr=0.05, noise=0.3, n_val=300, seed=0):
    """Train the explorer's network once; return (curves, predict).

    penalty(params, lam) -> (cost, grads), e.g. ``l2_penalty`` or ``l1_penalty``;
    dropout_forward(x, p, "train", mask) -> (out, cache); dropout_backward(dout, cache) -> dx.
    The network is 2 → hidden → hidden → C with ReLU and dropout after both hidden layers, He
    initialised; SGD with momentum 0.9 for ``steps`` mini-batch steps on the first n_train points
    of ``make_2d(dataset, n=320, noise, seed)``, validated on n_val points of another draw.
    curves = {"training loss": [...], "validation loss": [...], "step": [...]}: the data loss
    (no penalty, no dropout) every 10 steps.  predict(points) -> scores of the trained network.
    """
    X_all, y_all = make_2d(dataset, n=max(REGULARISATION_SIZES), noise=noise, seed=seed)
    order = np.random.default_rng(seed).permutation(len(X_all))
    X, y = X_all[order[:n_train]], y_all[order[:n_train]]
    X_val, y_val = make_2d(dataset, n=n_val, noise=noise, seed=seed + 1)
    C = int(y_all.max()) + 1 if classes is None else classes
    rng = np.random.default_rng(seed + 2)
    sizes = [2, hidden, hidden, C]
    params = [(rng.normal(0.0, np.sqrt(2.0 / n), size=(m, n)), np.zeros(m))
              for n, m in zip(sizes[:-1], sizes[1:])]
    velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    curves = {"training loss": [], "validation loss": [], "step": []}
    step = 0
    while step < steps:
        for start in range(0, n_train, batch_size):
            if step % 10 == 0:
                curves["step"].append(step)
                for name, (Xe, ye) in (("training loss", (X, y)), ("validation loss", (X_val, y_val))):
                    curves[name].append(_forward_backward(Xe, ye, params, penalty, None, None, lam, p,
                                                          rng, train=False)[0])
            rows = slice(start, start + batch_size)
            _, grads = _forward_backward(X[rows], y[rows], params, penalty, dropout_forward,
                                         dropout_backward, lam, p, rng)
            velocity = [(0.9 * vW - lr * dW, 0.9 * vb - lr * db)
                        for (vW, vb), (dW, db) in zip(velocity, grads)]
            params = [(W + vW, b + vb) for (W, b), (vW, vb) in zip(params, velocity)]
            step += 1
            if step >= steps:
                break

    def predict(points):
        a = np.asarray(points, dtype=np.float64)
        for W, b in params[:-1]:
            a = np.maximum(a @ W.T + b, 0.0)
        return a @ params[-1][0].T + params[-1][1]

    return curves, predict, (X, y)


def regularisation_explorer(penalty: Callable, dropout_forward: Callable, dropout_backward: Callable,
                            lam=0.0, p=0.0, n_train=40, dataset="moons", seed=0) -> Panel:
    """Controls "lambda", "dropout" and "train size"; the figure shows the training and validation
    loss curves and the decision boundary of the network trained with them (see
    ``regularisation_run``).  Runs are cached by the control values, so going back is instant.

    The panel also keeps ``curves``, ``runs`` (how many networks it has trained) and ``cache``.
    """
    controls = {
        "lambda": widgets.SelectionSlider(options=list(REGULARISATION_LAMBDAS), value=lam,
                                          description="λ"),
        "dropout": widgets.SelectionSlider(options=list(REGULARISATION_DROPOUTS), value=p,
                                           description=tr("dropout p")),
        "train size": widgets.SelectionSlider(options=list(REGULARISATION_SIZES), value=n_train,
                                              description=tr("training set")),
    }
    cache: dict = {}

    def draw(panel):
        key = (panel.controls["lambda"].value, panel.controls["dropout"].value,
               panel.controls["train size"].value)
        if key not in cache:
            cache[key] = regularisation_run(penalty, dropout_forward, dropout_backward, *key,
                                            dataset=dataset, seed=seed)
            panel.runs += 1
        curves, predict, (X, y) = cache[key]
        panel.curves = curves
        panel.figure.clear()
        left = panel.figure.add_subplot(1, 2, 1)
        right = panel.figure.add_subplot(1, 2, 2)
        shown = {"training loss": tr("training loss"), "validation loss": tr("validation loss")}
        plot_loss({shown.get(k, k): v for k, v in curves.items() if k != "step"}, ax=left, logy=True)
        left.set_xlabel(tr("evaluation (every 10 steps)"))
        plot_decision_boundary(predict, X, y, ax=right, resolution=70)
        panel.ax = right
        lam_, p_, n_ = key
        return tr("λ = {lam:g}, dropout p = {p:g}, {count} training points: final training loss "
                  "{train:.3f}, validation loss {validation:.3f} (lowest {lowest:.3f})").format(
            lam=lam_, p=p_, count=n_, train=curves["training loss"][-1],
            validation=curves["validation loss"][-1], lowest=min(curves["validation loss"])), True

    panel = Panel.__new__(Panel)
    panel.runs = 0
    panel.cache = cache
    Panel.__init__(panel, controls, draw, figsize=(10.0, 4.2))
    panel.show()
    return panel
