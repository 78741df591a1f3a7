"""Day 1 reference: forward propagation, activation functions, a simple network.

Conventions (DESIGN.md): float64; a dense layer's weight matrix W has shape
(n_out, n_in) as the slides' w^l_{jk}; a batch sits in the rows of X (N, n_in);
Z = X @ W.T + b.  The slides write column vectors, z^l = w^l a^{l-1} + b^l; a row
of Z is that z^l transposed.

Every public function here is the model answer of one graded stub in
``day1_forward/``, matched by name.  Each is self-contained (numpy only, or
another function of this module that the same notebook defines earlier), so it
can be dropped into its stub cell as it is.
"""

import numpy as np

# --- activation functions and their derivatives -----------------------------


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^{-z}), elementwise, without overflow."""
    z = np.asarray(z, dtype=np.float64)
    # e^{-|z|} never overflows; for z < 0 use σ(z) = e^{z} / (1 + e^{z}).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), the slides' derivation."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, elementwise."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    """tanh'(z) = 1 − tanh(z)²."""
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


def relu(z):
    """max(0, z), elementwise."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)


def relu_prime(z):
    """1 where z > 0, else 0 (PyTorch's choice at z = 0)."""
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)


def leaky_relu(z, alpha=0.01):
    """z where z > 0, else alpha·z."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    """1 where z > 0, else alpha (PyTorch's choice at z = 0)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, alpha)


def softmax(z):
    """Row-wise softmax of scores z (N, C); the row maximum is subtracted first."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


# --- forward propagation ---------------------------------------------------------


def layer_forward_loop(a_prev, W, b):
    """One layer for one example, neuron by neuron, as on the slides.

    a_prev (n_in,), W (n_out, n_in), b (n_out,) -> z (n_out,) with
    z_j = Σ_k w_jk a_k + b_j.
    """
    n_out, n_in = W.shape
    z = np.zeros(n_out, dtype=np.float64)
    for j in range(n_out):
        total = b[j]
        for k in range(n_in):
            total += W[j, k] * a_prev[k]
        z[j] = total
    return z


def affine_forward(x, W, b):
    """Affine layer for a batch: x (N, n_in), W (n_out, n_in), b (n_out,).

    Returns (out, cache) with out = x @ W.T + b of shape (N, n_out) and
    cache = (x, W, b) for the backward pass of day 2.
    """
    out = x @ W.T + b
    return out, (x, W, b)


def init_weights(n_out, n_in, method, seed=0):
    """Weights (n_out, n_in) and zero biases (n_out,) for one dense layer.

    method: "zeros"; "small" (0.01·N(0, 1)); "xavier" (Glorot normal,
    std = sqrt(2 / (n_in + n_out))); "he" (std = sqrt(2 / n_in)).
    seed: an int for np.random.default_rng.
    """
    rng = np.random.default_rng(seed)
    if method == "zeros":
        W = np.zeros((n_out, n_in))
    elif method == "small":
        W = 0.01 * rng.standard_normal((n_out, n_in))
    elif method == "xavier":
        W = np.sqrt(2.0 / (n_in + n_out)) * rng.standard_normal((n_out, n_in))
    elif method == "he":
        W = np.sqrt(2.0 / n_in) * rng.standard_normal((n_out, n_in))
    else:
        raise ValueError(
            f"unknown init method {method!r}; use 'zeros', 'small', 'xavier' or 'he'"
        )
    return W, np.zeros(n_out)


def network_forward(X, params, activation="tanh"):
    """Forward pass of a fully connected network.

    X (N, n_1), the input layer a^1 in the rows; params = [(w^2, b^2), ..., (w^L, b^L)],
    params[i] the layer l = i + 2 with W (n_l, n_{l-1}).
    Hidden layers apply `activation` ("tanh", "relu" or "identity"); the last
    layer is affine only and returns the scores (N, n_L).
    """
    functions = {
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0.0),
        "identity": lambda z: z,
    }
    if activation not in functions:
        raise ValueError(
            f"unknown activation {activation!r}; use 'tanh', 'relu' or 'identity'"
        )
    f = functions[activation]
    a = X
    for layer, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = z if layer == len(params) - 1 else f(z)
    return a


def collapse_identity_network(params):
    """The one affine layer (W, b) that a network with identity activations equals.

    params = [(w^2, b^2), ..., (w^L, b^L)]; returns W (n_L, n_1) and b (n_L,) with
    network_forward(X, params, "identity") == X @ W.T + b.
    """
    W, b = params[0]
    W, b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
    for W_next, b_next in params[1:]:
        # a^{l} = w^{l} a^{l-1} + b^{l} with a^{l-1} = W x + b
        W, b = W_next @ W, W_next @ b + b_next
    return W, b


def xor_network():
    """A 2 -> 2 -> 1 ReLU network whose score is positive exactly where x1 XOR x2.

    Both hidden units see s = x1 + x2; the output is relu(s) - 2 relu(s - 1) - 1/2,
    positive for 1/2 < s < 3/2: the two corners with one coordinate 1.
    """
    params = [(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),
              (np.array([[1.0, -2.0]]), np.array([-0.5]))]
    return params, "relu"


# --- cost functions -------------------------------------------------------------


def quadratic_cost(A, Y):
    """The slides' C = 1/(2N) Σ_x ‖y(x) − a(x)‖², examples in rows of A and Y (N, n)."""
    N = A.shape[0]
    return float(0.5 * np.sum((Y - A) ** 2) / N)


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) (N, C) against integer labels y (N,)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    N = scores.shape[0]
    return float(-log_probs[np.arange(N), y].mean())


def binary_cross_entropy(z, y):
    """Mean binary cross-entropy of σ(z) against targets y in [0, 1], from the logits z.

    Written as max(z, 0) − z·y + log(1 + e^{−|z|}), which never overflows.
    """
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


# --- manually graded answers (model answers for the solved notebook) -----------

ANSWERS = {
    "sigmoid-prime-derivation": r"""
Write $\sigma(z) = \left(1 + e^{-z}\right)^{-1}$.  The chain rule (outer function $u^{-1}$,
inner $u = 1 + e^{-z}$ with $u' = -e^{-z}$, again by the chain rule) gives

$$\sigma'(z) = -\left(1 + e^{-z}\right)^{-2}\cdot\left(-e^{-z}\right)
 = \frac{e^{-z}}{(1 + e^{-z})^2}
 = \frac{1}{1 + e^{-z}}\cdot\frac{e^{-z}}{1 + e^{-z}}.$$

(The quotient rule with numerator $1$ and denominator $1 + e^{-z}$ gives the same.)
Adding and subtracting $1$ in the numerator of the second factor,
$\frac{e^{-z}}{1 + e^{-z}} = \frac{(1 + e^{-z}) - 1}{1 + e^{-z}} = 1 - \sigma(z)$, so

$$\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).$$

In code: compute $s = \sigma(z)$ once with the stable `sigmoid`, then $s(1 - s)$.
The largest value is at $z = 0$: $\sigma'(0) = \tfrac12\cdot\tfrac12 = \tfrac14$.  For $|z|$
large, $\sigma(z)$ is close to 0 or 1, so $\sigma'(z) \approx 0$ (e.g. $\sigma'(10) \approx
4.5\cdot 10^{-5}$): a saturated neuron passes almost no gradient back and the weights feeding it
learn slowly (BP4: $\partial C/\partial w^l_{jk} = a^{l-1}_k \delta^l_j$ with
$\delta^l_j \propto \sigma'(z^l_j)$).
""".strip(),
    "initial-loss-answer": r"""
With small random weights every score is close to 0, so softmax gives every one of the $K$
classes probability about $1/K$.  The cross-entropy of one example is $-\log p_y \approx
-\log(1/K) = \log K$, and so is the mean over the batch: $\log 10 \approx 2.303$ for the ten
digits.  A first loss far above $\log K$ (say 15) means the scores are large and confidently
wrong: the weights are too large (a bad initialisation, e.g. std 1 instead of 0.01) or the loss
is computed wrongly (a sum over the batch instead of the mean, labels that do not match the
scores, a missing max-shift overflowing).
""".strip(),
}
