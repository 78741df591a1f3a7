"""Typical wrong answers of Day 1; each must lose points on the exercise it targets.

In a notebook a wrong answer calls the notebook's functions; the import below makes it
callable on its own too, as a hidden test's diagnosis.
"""

import numpy as np

from solutions.day1_forward import sigmoid
from solutions.wrong import registry

WRONG_ANSWERS, wrong = registry()


@wrong("sigmoid", "naive 1/(1+e^-z): e^-z overflows for z = -1000")
def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@wrong("sigmoid_prime", "σ′ applied to z instead of σ(z): z(1 − z)")
def prime_of_z(z):
    return z * (1 - z)


@wrong("sigmoid_prime", "returns σ(z) itself, the derivative is missing")
def prime_is_sigmoid(z):
    return sigmoid(z)


@wrong("tanh_prime", "1 − z² instead of 1 − tanh²(z)")
def tanh_prime_of_z(z):
    return 1 - z ** 2


@wrong("relu_prime", "derivative 1 at z = 0 (PyTorch uses 0)")
def relu_prime_at_zero(z):
    return (z >= 0).astype(np.float64)


@wrong("leaky_relu_prime", "slope 0 instead of alpha for z < 0")
def leaky_prime_zero_slope(z, alpha=0.01):
    return (z > 0).astype(np.float64)


@wrong("softmax", "no maximum subtracted: e^1000 overflows to nan")
def softmax_unstable(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@wrong("softmax", "normalised over the batch axis instead of the classes")
def softmax_wrong_axis(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@wrong("layer_forward_loop", "bias forgotten")
def loop_without_bias(a_prev, W, b):
    return np.array([sum(W[j, k] * a_prev[k] for k in range(W.shape[1]))
                     for j in range(W.shape[0])], dtype=np.float64)


@wrong("affine_forward", "W not transposed: x @ W + b")
def affine_not_transposed(x, W, b):
    out = x @ W + b
    return out, (x, W, b)


@wrong("init_weights", "Xavier and He with std sqrt(1/n_in)")
def init_lecun_everywhere(n_out, n_in, method, seed=0):
    rng = np.random.default_rng(seed)
    if method == "zeros":
        return np.zeros((n_out, n_in)), np.zeros(n_out)
    if method == "small":
        return 0.01 * rng.standard_normal((n_out, n_in)), np.zeros(n_out)
    return np.sqrt(1.0 / n_in) * rng.standard_normal((n_out, n_in)), np.zeros(n_out)


@wrong("quadratic_cost", "the ½ of the slides' cost forgotten")
def quadratic_without_half(A, Y):
    return float(np.sum((Y - A) ** 2) / A.shape[0])


@wrong("quadratic_cost", "mean over all elements, as MSELoss, instead of 1/(2N) Σ‖y−a‖²")
def quadratic_as_mse(A, Y):
    return float(np.mean((Y - A) ** 2))


@wrong("softmax_cross_entropy", "summed over the batch instead of the mean")
def cross_entropy_sum(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].sum())


@wrong("softmax_cross_entropy", "log of an unshifted softmax: inf/nan for large scores")
def cross_entropy_unstable(scores, y):
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    return float(-np.log(p[np.arange(len(y)), y]).mean())


@wrong("binary_cross_entropy", "log σ(z) and log(1 − σ(z)) computed directly: inf for |z| large")
def bce_naive(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


@wrong("network_forward", "activation applied to the output layer too")
def network_activates_output(X, params, activation="tanh"):
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "identity": lambda z: z}[activation]
    a = X
    for W, b in params:
        a = f(a @ W.T + b)
    return a


@wrong("init_weights", "uniform distribution of the right variance instead of a normal one")
def init_uniform_same_variance(n_out, n_in, method, seed=0):
    # U(-r, r) has variance r²/3: r = sqrt(3)·std gives the right std, the wrong shape.
    rng = np.random.default_rng(seed)
    std = {"zeros": 0.0, "small": 0.01, "xavier": np.sqrt(2.0 / (n_in + n_out)),
           "he": np.sqrt(2.0 / n_in)}.get(method)
    if std is None:
        raise ValueError(f"unknown init method {method!r}")
    r = np.sqrt(3.0) * std
    return rng.uniform(-r, r, size=(n_out, n_in)), np.zeros(n_out)


@wrong("collapse_identity_network", "the biases summed, not carried through the later weights")
def collapse_biases_summed(params):
    W, b = params[0]
    for W_next, b_next in params[1:]:
        W, b = W_next @ W, b + b_next
    return W, b


@wrong("collapse_identity_network", "only the last layer's bias kept")
def collapse_last_bias_only(params):
    W = params[0][0]
    for W_next, _ in params[1:]:
        W = W_next @ W
    return W, params[-1][1]


@wrong("xor_network", "no hidden layer: one affine neuron (an OR gate), 3 of 4 corners")
def xor_single_layer():
    return [(np.array([[1.0, 1.0]]), np.array([-0.5]))], "relu"


@wrong("xor_network", "a hidden layer with the identity: still one affine map of x")
def xor_identity_hidden():
    params = [(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),
              (np.array([[1.0, -2.0]]), np.array([-0.5]))]
    return params, "identity"


@wrong("tanh_prime", "1 − tanh(z): the square is missing")
def tanh_prime_no_square(z):
    return 1.0 - np.tanh(z)


@wrong("tanh_prime", "tanh(z)²: the 1 − is missing")
def tanh_prime_square_only(z):
    return np.tanh(z) ** 2


# --- bugs that only edge inputs reveal (the hidden tests' share) -------------------


@wrong("sigmoid", "z clipped to ±500 before the naive 1/(1+e^-z): σ(z) far too large for z < −500")
def sigmoid_clipped(z):
    z = np.clip(z, -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-z))


@wrong("sigmoid_prime", "e^-z / (1 + e^-z)² unsimplified: inf/inf = nan for z ≤ −710")
def prime_unsimplified(z):
    e = np.exp(-z)
    return e / (1.0 + e) ** 2


@wrong("tanh", "tanh as 2σ(2z) − 1: the subtraction cancels, tanh(z)/z is off for tiny |z|")
def tanh_via_sigmoid(z):
    return 2.0 * sigmoid(2.0 * z) - 1.0


@wrong("tanh", "the fraction rewritten with e^(-2|z|): no overflow, but 1 − e^(-2|z|) cancels for tiny |z|")
def tanh_fraction_abs(z):
    e = np.exp(-2.0 * np.abs(z))
    return np.sign(z) * (1.0 - e) / (1.0 + e)


@wrong("relu", "negative entries of z set to 0 in place: the caller's z is changed")
def relu_in_place(z):
    z[z < 0] = 0.0
    return z


@wrong("leaky_relu", "max(z, αz): right only while α ≤ 1, for α > 1 it picks αz where z > 0")
def leaky_relu_maximum(z, alpha=0.01):
    return np.maximum(z, alpha * z)


@wrong("softmax", "the row maximum subtracted in place (z -= ...): the caller's scores are changed")
def softmax_shift_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@wrong("layer_forward_loop", "z collected in a float32 array and cast to float64 at the end: digits lost")
def loop_float32_buffer(a_prev, W, b):
    n_out, n_in = W.shape
    z = np.zeros(n_out, dtype=np.float32)
    for j in range(n_out):
        total = b[j]
        for k in range(n_in):
            total += W[j, k] * a_prev[k]
        z[j] = total
    return z.astype(np.float64)


@wrong("layer_forward_loop", "the z buffer kept between calls (a default argument, one per n_out) and never reset")
def loop_reused_buffer(a_prev, W, b, _buffers={}):
    n_out, n_in = W.shape
    z = _buffers.setdefault(n_out, np.zeros(n_out))
    for j in range(n_out):
        for k in range(n_in):
            z[j] += W[j, k] * a_prev[k]
        z[j] += b[j]
    return z


@wrong("affine_forward", "W.T memoised per shape in a default argument: a new W of the same shape gets the old transpose")
def affine_stale_transpose(x, W, b, _transposed={}):
    WT = _transposed.setdefault(W.shape, W.T)
    out = x @ WT + b
    return out, (x, W, b)


@wrong("init_weights", "the last method in an else branch: an unknown method gives He weights, no ValueError")
def init_else_is_he(n_out, n_in, method, seed=0):
    rng = np.random.default_rng(seed)
    if method == "zeros":
        W = np.zeros((n_out, n_in))
    elif method == "small":
        W = 0.01 * rng.standard_normal((n_out, n_in))
    elif method == "xavier":
        W = np.sqrt(2.0 / (n_in + n_out)) * rng.standard_normal((n_out, n_in))
    else:
        W = np.sqrt(2.0 / n_in) * rng.standard_normal((n_out, n_in))
    return W, np.zeros(n_out)


@wrong("quadratic_cost", "A and Y squeezed before N is read: one example (N = 1) counts its outputs as N")
def quadratic_squeezed(A, Y):
    A, Y = np.squeeze(A), np.squeeze(Y)
    N = A.shape[0]
    return float(0.5 * np.sum((Y - A) ** 2) / N)


@wrong("softmax_cross_entropy", "the maximum of the whole batch subtracted, not each row's: a low row gives log 0")
def cross_entropy_global_max(scores, y):
    shifted = scores - scores.max()
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


@wrong("binary_cross_entropy", "the sum divided by len(z), the rows, instead of the number of elements")
def bce_divided_by_rows(z, y):
    losses = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(losses.sum() / len(z))


@wrong("network_forward", "an unknown activation name silently treated as the identity (no ValueError)")
def network_unknown_is_identity(X, params, activation="tanh"):
    a = X
    for i, (W, b) in enumerate(params):
        z = a @ W.T + b
        if i == len(params) - 1:
            a = z
        elif activation == "tanh":
            a = np.tanh(z)
        elif activation == "relu":
            a = np.maximum(z, 0.0)
        else:
            a = z
    return a
