"""Day 3 reference: deep networks from layers, why depth is hard, training and overtraining.

Conventions (DESIGN.md): float64; W has shape (n_out, n_in) as the slides' w^l_{jk}; a batch
sits in the rows of X (N, n_in); Z = X @ W.T + b.  The slides number the layers from the
input, a¹ = x, and layers l = 2…L carry w^l, b^l; in the code ``params[0]`` is (w², b²), so
``params[l - 2]`` is layer l.

Every layer is a pair ``*_forward(...) -> (out, cache)`` / ``*_backward(dout, cache)``, so
layers compose into networks.  Every public function here is the model answer of one graded
stub in ``day3_multilayer/``, matched by name.  Each uses numpy, the earlier days' functions
imported below (the notebooks import the same names in their set-up cells), or a function of
this module defined above it in the same notebook.  The affine layer is Day 1's
``affine_forward`` and Day 2's ``affine_backward``, and ReLU's backward pass Day 2's
``relu_backward`` (its second argument is the cache z of ``relu_layer_forward``): imported, not
graded again.  Notebook 01 holds sections 1–3, notebook 02 sections 4–9.
"""

import numpy as np

from solutions.day1_forward import affine_forward, init_weights, sigmoid
from solutions.day2_backprop import (affine_backward, batch_indices, numeric_gradient, relative_error,
                                     relu_backward)

# --- 1. layers with caches (notebook 01) ---------------------------------------------------


def relu_layer_forward(z):
    """a = max(0, z) elementwise.  Returns (a, cache) with cache = z."""
    return np.maximum(z, 0.0), z


def sigmoid_layer_forward(z):
    """a = σ(z) elementwise.  Returns (a, cache) with cache = a: σ′ = a(1 − a) needs only a."""
    a = sigmoid(z)
    return a, a


def sigmoid_layer_backward(dout, cache):
    """dz = dout ⊙ a(1 − a), cache = a = σ(z)."""
    return dout * cache * (1.0 - cache)


def tanh_layer_forward(z):
    """a = tanh(z) elementwise.  Returns (a, cache) with cache = a: tanh′ = 1 − a²."""
    a = np.tanh(z)
    return a, a


def tanh_layer_backward(dout, cache):
    """dz = dout ⊙ (1 − a²), cache = a = tanh(z)."""
    return dout * (1.0 - cache * cache)


# --- 2. a sequential network of any depth ------------------------------------------------------


def mlp_init(sizes, activation="relu", init="auto", seed=0):
    """Parameters of a fully connected network with layer widths sizes = [n_1, ..., n_L].

    init: "small", "xavier", "he" (Day 1's ``init_weights``), or "auto": "he" for ReLU,
    "xavier" for σ and tanh.  Layer l = 2…L (params[l − 2]) gets
    ``init_weights(n_l, n_{l−1}, method, seed + l − 2)``.
    Returns [(w², b²), ..., (w^L, b^L)], w^l (n_l, n_{l−1}), b^l (n_l,).
    """
    if init == "auto":
        init = "he" if activation == "relu" else "xavier"
    return [init_weights(n_out, n_in, init, seed + i)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]


def mlp_forward(X, params, activation="relu"):
    """Forward pass: affine → activation for every layer but the last, which is affine only.

    X (N, n_1); params as from ``mlp_init``; activation: "relu", "sigmoid" or "tanh".
    Returns (scores (N, n_L), caches): caches[i] = (affine cache, activation cache) of
    params[i], the activation cache None for the last layer.
    """
    layer_forward = {"relu": relu_layer_forward, "sigmoid": sigmoid_layer_forward,
                     "tanh": tanh_layer_forward}[activation]
    caches, a = [], X
    for i, (W, b) in enumerate(params):
        z, affine_cache = affine_forward(a, W, b)
        if i == len(params) - 1:
            caches.append((affine_cache, None))
            return z, caches
        a, act_cache = layer_forward(z)
        caches.append((affine_cache, act_cache))
    return a, caches


def mlp_loss_and_grads(X, y, params, activation="relu"):
    """Mean softmax cross-entropy of the network's scores and its gradient for every parameter.

    X (N, n_1); y (N,) integer labels; params [(w², b²), ...]; activation as in ``mlp_forward``.
    Returns (loss, grads): a float and [(∂C/∂w², ∂C/∂b²), ..., (∂C/∂w^L, ∂C/∂b^L)] shaped like params.
    """
    layer_backward = {"relu": relu_backward, "sigmoid": sigmoid_layer_backward,
                      "tanh": tanh_layer_backward}[activation]
    scores, caches = mlp_forward(X, params, activation)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())
    dout = np.exp(log_p)
    dout[np.arange(N), y] -= 1.0
    dout /= N
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        affine_cache, act_cache = caches[i]
        if act_cache is not None:
            dout = layer_backward(dout, act_cache)
        dout, dW, db = affine_backward(dout, affine_cache)
        grads[i] = (dW, db)
    return loss, grads


def network_gradient_check(loss_and_grads, X, y, params, h=1e-5):
    """The largest relative error of every analytic gradient against centred differences.

    loss_and_grads(X, y, params) -> (loss, [(dW, db), ...]); params [(W, b), ...].
    For every parameter array, its numeric gradient (Day 2's ``numeric_gradient`` of the loss
    as a function of that array alone, the others fixed) against the analytic one, compared
    with Day 2's ``relative_error``.
    Returns [(error_W, error_b), ...], floats, one pair per layer.
    """
    _, grads = loss_and_grads(X, y, params)
    errors = []
    for i, (W, b) in enumerate(params):
        pair = []
        for j, (p, g) in enumerate(zip((W, b), grads[i])):
            def loss_of(value, i=i, j=j):
                changed = [list(layer) for layer in params]
                changed[i][j] = value
                return loss_and_grads(X, y, [tuple(layer) for layer in changed])[0]
            pair.append(relative_error(g, numeric_gradient(loss_of, p, h=h)))
        errors.append(tuple(pair))
    return errors


def layer_statistics(X, y, params, activation="relu"):
    """What happens to a signal going forward and to the gradient coming back, layer by layer.

    Returns {"mean": (L−2,), "std": (L−2,), "grad_norm": (L−1,)}: the mean and standard
    deviation of every hidden layer's activations a^l (over all N·n_l values), and the
    Frobenius norm ‖∂C/∂w^l‖ of every layer's weight gradient, from the first to the last.
    """
    _, caches = mlp_forward(X, params, activation)
    hidden = [caches[i][0][0] for i in range(1, len(params))]
    _, grads = mlp_loss_and_grads(X, y, params, activation)
    return {"mean": np.array([a.mean() for a in hidden]),
            "std": np.array([a.std() for a in hidden]),
            "grad_norm": np.array([np.sqrt(np.sum(dW * dW)) for dW, _ in grads])}


# --- 4. data splits, early stopping and a training loop (notebook 02) ---------------------


def stratified_split(y, val_fraction, test_fraction, seed=0):
    """Row indices of a stratified train / validation / test split of the labels y (N,).

    One generator rng = np.random.default_rng(seed); for every class c in ascending order,
    its rows (ascending) in the order rng.permutation gives them; the first
    round(n_c·test_fraction) go to test, the next round(n_c·val_fraction) to validation,
    the rest to training.  Returns (train, val, test), sorted int arrays.
    """
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(len(rows) * test_fraction))
        n_val = int(round(len(rows) * val_fraction))
        parts[2].append(rows[:n_test])
        parts[1].append(rows[n_test:n_test + n_val])
        parts[0].append(rows[n_test + n_val:])
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) if p else np.zeros(0, np.int64)
                 for p in parts)


def early_stopping(val_history, patience):
    """When to stop and which epoch to keep, from the validation losses of epochs 0, 1, ....

    An epoch improves when its loss is strictly below every earlier one.  Training stops at
    the first epoch e that is `patience` epochs after the last improvement.
    Returns (stop, best): stop is that e, or None if it never comes; best is the epoch of
    the lowest loss up to stop (or up to the end), the first one on ties.
    """
    best = None
    for e, loss in enumerate(val_history):
        if best is None or loss < val_history[best]:
            best = e
        elif e - best >= patience:
            return e, best
    return None, best


def train(X, y, params, loss_and_grads, update, state=None, schedule=None, epochs=10,
          batch_size=32, seed=0, X_val=None, y_val=None, patience=None):
    """Mini-batch training with any update rule; the parameters of the best epoch are kept.

    loss_and_grads(X, y, params) -> (loss, grads); update(param, grad, state, **hyper) ->
    (param, state), one state per parameter array (``state``: a list [(sW, sb), ...] or
    None for {} everywhere); schedule(epoch) -> learning rate, passed as lr=..., or None.
    Epoch e uses Day 2's ``batch_indices(N, batch_size, seed + e)``.  After each epoch the
    validation loss (when X_val is given) decides the best epoch, and ``early_stopping``
    with ``patience`` whether to stop.
    Returns (best_params, history): history = {"loss": loss of every step, "train_loss":
    batch losses of each epoch weighted by batch size, "val_loss": per epoch (empty without
    X_val), "best_epoch": int}.
    """
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


# --- 5. overtraining and its cures ---------------------------------------------------------


def l2_penalty(params, lam):
    """The L2 term (λ/2) Σ_l ‖w^l‖² of the cost and its gradient; biases are not decayed.

    params [(W, b), ...]; lam: λ ≥ 0.  Returns (cost, grads): a float and [(λW, 0·b), ...].
    """
    cost = 0.5 * lam * sum(float(np.sum(W * W)) for W, _ in params)
    return cost, [(lam * W, np.zeros_like(b)) for W, b in params]


def l1_penalty(params, lam):
    """The L1 term λ Σ_l Σ |w^l| of the cost and its (sign) subgradient; biases are not decayed.

    params [(W, b), ...]; lam: λ ≥ 0.  Returns (cost, grads): a float and
    [(λ·sign(W), 0·b), ...], with sign(0) = 0 (the subgradient torch's abs uses at 0).
    """
    cost = lam * sum(float(np.sum(np.abs(W))) for W, _ in params)
    return cost, [(lam * np.sign(W), np.zeros_like(b)) for W, b in params]


def sgd_l2(param, grad, state, lr=0.01, weight_decay=0.0):
    """SGD on the cost with the L2 term, torch.optim.SGD(weight_decay=λ): θ ← θ − lr(g + λθ)."""
    return param - lr * (grad + weight_decay * param), dict(state)


def adamw(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Adam with decoupled weight decay, torch.optim.AdamW: θ ← θ(1 − lr·λ), then Adam's step.

    state: {} at first, then {"m", "v", "t"} as Day 2's ``adam``.
    """
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    decayed = param * (1.0 - lr * weight_decay)
    return decayed - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


def dropout_forward(x, p, mode="train", mask=None):
    """Inverted dropout: in "train" mode out = x ⊙ mask / (1 − p), in "eval" mode out = x.

    x: any shape; p: the drop probability, 0 ≤ p < 1; mask: 0/1 (or bool) array shaped like
    x, 1 where a unit is kept (drawn by the caller with keep probability 1 − p).
    Returns (out, cache) with cache = (mask, p, mode).
    """
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    return x * mask / (1.0 - p), (mask, p, mode)


def dropout_backward(dout, cache):
    """dx = dout ⊙ mask / (1 − p) in train mode (the same mask), dout in eval mode."""
    mask, p, mode = cache
    if mode == "eval":
        return np.array(dout, dtype=np.float64)
    return dout * mask / (1.0 - p)


def dropout_mask(shape, p, seed):
    """A dropout mask of the given shape: True where a unit is kept, False where it is dropped.

    Every entry independently, kept with probability 1 − p; the same seed gives the same mask.
    """
    return np.random.default_rng(seed).random(shape) >= p


# --- 7b. data augmentation -----------------------------------------------------------------


def augment_digits(X, y, seed=0, max_shift=1, noise_std=0.0):
    """Randomly shifted, noisy copies of 8×8 digits; the labels kept.

    X (N, 64), rows the images row by row, values in [0, 1]; y (N,).  With
    rng = np.random.default_rng(seed): shifts = rng.integers(−max_shift, max_shift + 1,
    size=(N, 2)) (rows down, columns right), then noise = noise_std · rng.normal(size=(N, 64)).
    Image i moves by shifts[i], pixels moved out are lost, the vacated ones are 0; the noise
    is added and the result clipped to [0, 1].  Returns (X_aug (N, 64), a copy of y).
    """
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(N, 2))
    noise = noise_std * rng.normal(size=(N, 64))
    m = max_shift
    padded = np.pad(np.asarray(X, dtype=np.float64).reshape(N, 8, 8), ((0, 0), (m, m), (m, m)))
    out = np.empty((N, 8, 8))
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, m - dy:m - dy + 8, m - dx:m - dx + 8]
    return np.clip(out.reshape(N, 64) + noise, 0.0, 1.0), np.array(y, copy=True)

# --- 7. batch normalisation ------------------------------------------------------------------


def batchnorm_forward(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    """Batch normalisation of the columns of x, as torch.nn.BatchNorm1d.

    x (N, n_l); gamma, beta (n_l,); state {"running_mean": (n_l,), "running_var": (n_l,)}.
    train: x̂ = (x − μ_B)/√(var_B + ε) with the batch mean and the biased batch variance;
    running averages r ← (1 − momentum)·r + momentum·(batch value), the variance's with the
    unbiased var_B·N/(N − 1).  eval: the running averages in place of μ_B, var_B; state kept.
    Returns (out, cache, new_state), out = γ ⊙ x̂ + β.
    """
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        N = x.shape[0]
        new_state = {"running_mean": (1.0 - momentum) * state["running_mean"] + momentum * mu,
                     "running_var": (1.0 - momentum) * state["running_var"]
                     + momentum * var * N / (N - 1)}
    else:
        mu, var = state["running_mean"], state["running_var"]
        new_state = {"running_mean": np.array(mu, dtype=np.float64),
                     "running_var": np.array(var, dtype=np.float64)}
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode), new_state


def bn_affine_backward(dout, x_hat, gamma):
    """Graph step out = γ ⊙ x̂ + β: (dx̂ = dout ⊙ γ, dγ = Σ_rows dout ⊙ x̂, dβ = Σ_rows dout)."""
    return dout * gamma, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def bn_normalise_backward(dx_hat, x_c, inv_std):
    """Graph step x̂ = x_c ⊙ s (s = 1/√(var + ε) per column): (dx_c along this edge, ds (n_l,)).

    dx_c = dx̂ ⊙ s; ds = Σ_rows dx̂ ⊙ x_c (s is shared by every row of its column).
    """
    return dx_hat * inv_std, (dx_hat * x_c).sum(axis=0)


def bn_inv_std_backward(dinv_std, inv_std):
    """Graph step s = (var + ε)^(−1/2): dvar = ds ⊙ (−½)(var + ε)^(−3/2) = −½ s³ ⊙ ds."""
    return -0.5 * inv_std ** 3 * dinv_std


def bn_variance_backward(dvar, x_c):
    """Graph step var = (1/N) Σ_rows x_c²: dx_c along this edge = dvar ⊙ 2 x_c / N."""
    return dvar * 2.0 * x_c / x_c.shape[0]


def bn_center_backward(dx_c):
    """Graph step x_c = x − μ with μ = (1/N) Σ_rows x: dx = dx_c − mean_rows(dx_c).

    dx_c is the total gradient at x_c (both of its uses, x̂ and var, added).
    """
    return dx_c - dx_c.mean(axis=0)


def batchnorm_backward(dout, cache):
    """Gradients of batch normalisation: (dx (N, n_l), dgamma (n_l,), dbeta (n_l,)).

    cache = (x̂, γ, 1/√(var + ε), mode).  With dx̂ = dout ⊙ γ and means over the batch (rows):
    train mode, where μ_B and var_B depend on every row,
    dx = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) / √(var_B + ε);
    eval mode, where the running statistics are constants, dx = dx̂ / √(var + ε).
    """
    x_hat, gamma, inv_std, mode = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if mode != "train":
        return dx_hat * inv_std, dgamma, dbeta
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0))
    return dx, dgamma, dbeta


# --- 9. the practical exercise -------------------------------------------------------------

#: The practical exercise's data: this many training digits of each class (the first ones of
#: ``load_digits_split(seed=0).X_train``), its validation and test sets as they are.
DESIGN_PER_CLASS = 20


#: The practical's scoring digits: this many, drawn with this seed (known to the grader only: the
#: Day 3 release does not ship this module) from the digits the practical does not use.
HELD_OUT_SIZE, HELD_OUT_SEED = 400, 24_2026


def held_out_digits():
    """The digits the practical is scored on, which neither the notebook nor the toolkit returns.

    The pool: every digit of ``load_digits_split(seed=0)`` outside the practical's 200 training
    digits and its validation set (the rest of X_train, and X_test); HELD_OUT_SIZE of them,
    drawn with default_rng(HELD_OUT_SEED).  Returns (X (400, 64), y (400,)).
    """
    from course import data

    digits = data.load_digits_split(seed=0)
    used = np.concatenate([np.flatnonzero(digits.y_train == k)[:DESIGN_PER_CLASS] for k in range(10)])
    unused = np.setdiff1d(np.arange(len(digits.y_train)), used)
    X = np.concatenate([digits.X_train[unused], digits.X_test])
    y = np.concatenate([digits.y_train[unused], digits.y_test])
    pick = np.sort(np.random.default_rng(HELD_OUT_SEED).permutation(len(y))[:HELD_OUT_SIZE])
    return X[pick], y[pick]


def digits_design():
    """The practical exercise: a network for 200 training digits that reaches the target.

    One hidden layer of 128 ReLU units (He), L2 with λ = 3·10⁻³ and dropout 0.2 against
    overtraining, momentum SGD with lr 0.05 in batches of 20 for 60 epochs.
    """
    return {"sizes": [64, 128, 10], "activation": "relu", "init": "he", "lam": 3e-3,
            "dropout": 0.2, "lr": 0.05, "epochs": 60, "batch_size": 20, "augment": 0,
            "noise": 0.0}


def design_run(design, seed=0):
    """Train ``design`` with this module's functions; return its held-out accuracy and loss.

    The network ``mlp_init(sizes, activation, init, seed)``, dropout with the drop probability
    design["dropout"] after every hidden activation (masks from default_rng(seed + 1000)),
    ``l2_penalty`` with λ = design["lam"], Day 2's ``momentum`` with lr, trained by ``train``
    on the first DESIGN_PER_CLASS training digits of each class for design["epochs"] epochs,
    keeping the parameters of the epoch with the lowest validation loss (patience None: all
    epochs run) or, with design["select"] false, the last epoch's.  Returns {"accuracy",
    "loss" (mean cross-entropy), both on ``held_out_digits()``, "history", "seconds" (of training)}.
    """
    import copy
    import json

    key = (json.dumps(design, sort_keys=True, default=repr), int(seed))
    if key not in _DESIGN_RUNS:
        _DESIGN_RUNS[key] = _design_run(design, seed)
    return copy.deepcopy(_DESIGN_RUNS[key])


#: design_run's results in this process, by design and seed: a run is a deterministic function
#: of both, and a class's grading asks for the same design (the model answer's, a common
#: choice) many times; each run trains three networks for seconds.
_DESIGN_RUNS: dict = {}


def _design_run(design, seed):
    import time

    from solutions.day2_backprop import momentum
    from course import data

    digits = data.load_digits_split(seed=0)
    rows = np.concatenate([np.flatnonzero(digits.y_train == k)[:DESIGN_PER_CLASS] for k in range(10)])
    X, y = digits.X_train[rows], digits.y_train[rows]
    copies = [augment_digits(X, y, seed=seed + 100 + i, max_shift=1, noise_std=float(design["noise"]))[0]
              for i in range(int(design["augment"]))]
    X, y = np.concatenate([X, *copies]), np.tile(y, 1 + len(copies))
    act = design["activation"]
    forward = {"relu": relu_layer_forward, "sigmoid": sigmoid_layer_forward,
               "tanh": tanh_layer_forward}[act]
    backward = {"relu": relu_backward, "sigmoid": sigmoid_layer_backward,
                "tanh": tanh_layer_backward}[act]
    p, lam = float(design["dropout"]), float(design["lam"])
    rng = np.random.default_rng(seed + 1000)

    def loss_and_grads(Xb, yb, params):
        training = Xb is not X_val
        caches, a = [], Xb
        for W, b in params[:-1]:
            z, c_aff = affine_forward(a, W, b)
            a, c_act = forward(z)
            c_drop = None
            if training and p > 0:
                a, c_drop = dropout_forward(a, p, "train", rng.random(a.shape) >= p)
            caches.append((c_aff, c_act, c_drop))
        scores, c_last = affine_forward(a, *params[-1])
        N = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-log_p[np.arange(N), yb].mean())
        if not training:
            return loss, None
        cost, penalty = l2_penalty(params, lam)
        dout = np.exp(log_p)
        dout[np.arange(N), yb] -= 1.0
        dout /= N
        dout, dW, db = affine_backward(dout, c_last)
        grads = [(dW, db)]
        for c_aff, c_act, c_drop in reversed(caches):
            if c_drop is not None:
                dout = dropout_backward(dout, c_drop)
            dout, dW, db = affine_backward(backward(dout, c_act), c_aff)
            grads.insert(0, (dW, db))
        return loss + cost, [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, penalty)]

    def update(param, grad, state):
        return momentum(param, grad, state, lr=float(design["lr"]))

    X_val = digits.X_val
    start = time.perf_counter()
    params = mlp_init(list(design["sizes"]), act, design["init"], seed)
    best, history = train(X, y, params, loss_and_grads, update, epochs=int(design["epochs"]),
                          batch_size=int(design["batch_size"]), seed=seed,
                          X_val=X_val if design.get("select", True) else None, y_val=digits.y_val)
    seconds = time.perf_counter() - start
    X_held, y_held = held_out_digits()
    scores, _ = mlp_forward(X_held, best, act)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return {"accuracy": float(np.mean(scores.argmax(axis=1) == y_held)),
            "loss": float(-log_p[np.arange(len(log_p)), y_held].mean()),
            "history": history, "seconds": seconds}


# --- manually graded answers (model answers for the solved notebooks) ----------------------

ANSWERS = {
    "vanishing-answer": r"""
BP2 gives $\delta^l = ((w^{l+1})^\top\delta^{l+1})\odot\sigma'(z^l)$, so the error at layer $l$
is the output error multiplied by one factor $(w^{k})^\top$ and one $\sigma'(z^{k-1})$ per layer
between them: $\delta^l = \Sigma'(z^l)(w^{l+1})^\top\Sigma'(z^{l+1})(w^{l+2})^\top\cdots\delta^L$,
and $\partial C/\partial w^l = \delta^l (a^{l-1})^\top$ (BP4).  With the naive initialisation
(weights $0.01\cdot N(0, 1)$) a product $(w^{k})^\top v$ over $n$ inputs has a size of about
$0.01\sqrt{n}\,\lVert v\rVert$ ($0.1$ for $n = 100$), and $\sigma' \le \tfrac14$ everywhere; with
$z \approx 0$ every $\sigma'$ is exactly about $\tfrac14$.  So each layer further from the output
multiplies the gradient by roughly $0.1\cdot\tfrac14 = 0.025$: ten layers back it is some
$10^{-16}$ of the last layer's, the first layers do not learn.  The forward pass hides this: all
activations sit at $\sigma(0) = \tfrac12$ with a tiny spread, so the network computes nearly
the same output for every input.  Xavier scaling makes $\lVert(w^k)^\top v\rVert\approx\lVert v\rVert$,
but $\sigma'\le\tfrac14$ still shrinks the gradient by about 4 per layer; tanh ($\tanh'(0) = 1$)
with Xavier and ReLU (derivative 1 where active) with He keep the product near 1.
""".strip(),
    "curves-answer": r"""
Training loss keeps falling towards 0, while the validation loss falls for the first epochs,
reaches its minimum (around epoch 8 here) and then rises and stays higher: the gradients of the
training loss are nearly 0 by then, and what the network still learns fits the particular 100
training digits (their noise and quirks), not the digits in general — overtraining.  The gap
between the two curves measures it; training accuracy reaches 100 % while validation accuracy
stalls.  The best network is the one at the minimum of the validation curve, which early
stopping keeps; more data, L2 regularisation or dropout make the validation curve turn later
and lower.  The test set must not be used to choose that epoch, or its accuracy is no
longer an unbiased estimate.
""".strip(),
    "design-answer": r"""
**Sizes.** One hidden layer of 128 ReLU units (64-128-10, 9 610 parameters): 200 digits are too few
to fit a deep network reliably, and a single wide layer already separates the classes; He
initialisation because the units are ReLU (Section 3: it keeps the spread of the signal).  Two
hidden layers of 256 reached the same validation accuracy but a much higher validation loss.
**Cures.** λ = 3·10⁻³ in the L2 term and dropout p = 0.2: without them the validation loss reaches
its minimum after a handful of epochs and then climbs while the training loss goes to 0 (the
network becomes certain of its training digits); with them the validation minimum comes late
(epoch 30 or so) and lower (≈ 0.45).  λ = 10⁻² fitted the training digits too loosely (higher
loss on both sets); λ ≤ 10⁻⁴ behaved as no regularisation.  Augmentation did not help measurably here.
**Optimisation.** Momentum SGD with lr 0.05 and batches of 20 (10 steps per epoch) is stable;
lr 0.2 oscillated.  60 epochs suffice because the kept epoch is the best on validation.
**Numbers.** Validation loss ≈ 0.45, validation accuracy ≈ 86 %; the grader's held-out digits
(accuracy 0.84, cross-entropy 0.50 for seed 0) were looked at once, by the grader, at the end.
Choosing with a test set would fit the design to those digits and make its accuracy an optimistic,
biased estimate: the test set
must stay unseen by every decision, or it is just a second validation set.
""".strip(),
    "pytorch-answer": r"""
**Dropout.** The two networks are the same function and get the same start, batches and update, but each
training step multiplies the hidden activations by a random mask, and the masks differ: your network draws
them with your `dropout_mask` (NumPy, your seeds), torch's `nn.Dropout` with torch's own generator
(`torch.manual_seed`). Different masks give different gradients from the first step on, so the runs part;
both are samples of the same training, with curves of the same shape and similar minima, not one curve.
To make them one again, give the torch model your masks: replace `nn.Dropout(p)` by a layer that multiplies
its input by `dropout_mask(shape, p, seed) / (1 − p)` with the same seeds in the same order as your network
draws them (or pass the masks in with each batch); then the curves agree to rounding, as with L2 alone.
**One group.** `weight_decay=λ` on `model.parameters()` decays the biases too: λb is added to every bias
gradient, a penalty (λ/2)‖b‖² that your `l2_penalty` does not have. The L2 run would no longer be your
run (the check of the curves would fail); the difference is small here, since a few biases matter little
against thousands of weights, but it is a different cost — which is why the biases go in a group without
decay.
""".strip(),
}
