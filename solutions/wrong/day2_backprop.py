"""Typical wrong answers of Day 2; each must lose points on the exercise it targets.

A wrong answer replaces its target in a solved notebook, where the Day 1 functions
(sigmoid, sigmoid_prime, ...) and the Day 2 functions defined earlier are in scope;
the imports below make this module importable, and each wrong answer callable on its
own, as a hidden test's diagnosis.  A wrong answer uses no name that the reference
functions do not use themselves.
"""

import numpy as np

from solutions.day1_forward import affine_forward, init_weights, sigmoid, sigmoid_prime
from solutions.day2_backprop import (affine_backward, batch_indices, chain_forward,
                                     mlp_loss_and_grads, numeric_gradient,
                                     softmax_cross_entropy_backward, tanh_backward)
from solutions.wrong import registry

WRONG_ANSWERS, wrong = registry()


# --- 1. chain of single neurons -----------------------------------------------------------


@wrong("neuron_grads", "σ′(z) left out of the chain rule")
def neuron_grads_without_sigma_prime(a_prev, w, b, y):
    dz = 2.0 * (sigmoid(w * a_prev + b) - y)
    return float(dz * a_prev), float(dz), float(dz * w)


@wrong("neuron_grads", "factor 2 of ∂(a − y)²/∂a lost, as if C had a ½")
def neuron_grads_without_two(a_prev, w, b, y):
    z = w * a_prev + b
    dz = (sigmoid(z) - y) * sigmoid_prime(z)
    return float(dz * a_prev), float(dz), float(dz * w)


@wrong("chain_grads", "∂C/∂w^(s) uses the neuron's own activation a^(s) instead of a^(s−1)")
def chain_grads_own_activation(a0, ws, bs, y):
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = chain_forward(a0, ws, bs)
    k = len(ws)
    dws, dbs = np.zeros(k), np.zeros(k)
    da = 2.0 * (a[k] - y)
    for s in range(k, 0, -1):
        dz = da * sigmoid_prime(ws[s - 1] * a[s - 1] + bs[s - 1])
        dws[s - 1] = dz * a[s]
        dbs[s - 1] = dz
        da = dz * ws[s - 1]
    return dws, dbs


@wrong("chain_grads", "σ′ applied to the activation a instead of z when going back")
def chain_grads_prime_of_activation(a0, ws, bs, y):
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = chain_forward(a0, ws, bs)
    k = len(ws)
    dws, dbs = np.zeros(k), np.zeros(k)
    da = 2.0 * (a[k] - y)
    for s in range(k, 0, -1):
        dz = da * sigmoid_prime(a[s])
        dws[s - 1] = dz * a[s - 1]
        dbs[s - 1] = dz
        da = dz * ws[s - 1]
    return dws, dbs


@wrong("chain_forward", "the bias added after the sigmoid: σ(w·a) + b")
def chain_forward_bias_outside(a0, ws, bs):
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = np.empty(len(ws) + 1, dtype=np.float64)
    a[0] = a0
    for s in range(len(ws)):
        a[s + 1] = sigmoid(ws[s] * a[s]) + bs[s]
    return a


# --- 2. computational graphs ----------------------------------------------------------


@wrong("mul_backward", "the gradients swapped: dx = dout·x, dy = dout·y")
def mul_backward_swapped(dout, x, y):
    dout = np.asarray(dout, dtype=np.float64)
    return dout * np.asarray(x, dtype=np.float64), dout * np.asarray(y, dtype=np.float64)


@wrong("mul_backward", "the upstream gradient left out: dx = y, dy = x")
def mul_backward_without_dout(dout, x, y):
    zero = 0.0 * np.asarray(dout, dtype=np.float64)
    return np.asarray(y, dtype=np.float64) + zero, np.asarray(x, dtype=np.float64) + zero


@wrong("graph_backward", "gradient overwritten (=) instead of accumulated (+=) at a reused node")
def graph_backward_overwrites(ops, values, output, dout=None):
    grads = {name: np.zeros_like(np.asarray(v, dtype=np.float64)) for name, v in values.items()}
    grads[output] = np.ones_like(grads[output]) if dout is None else np.asarray(dout, float)
    for out, op, *args in reversed(ops):
        g = grads[out]
        a = args[0]
        if op == "add":
            grads[a], grads[args[1]] = g, g
        elif op == "sub":
            grads[a], grads[args[1]] = g, -g
        elif op == "mul":
            grads[a], grads[args[1]] = g * values[args[1]], g * values[a]
        elif op == "tanh":
            grads[a] = g * (1.0 - values[out] ** 2)
        elif op == "sigmoid":
            grads[a] = g * values[out] * (1.0 - values[out])
    return grads


@wrong("graph_backward", "ops visited in forward order: upstream gradients not ready yet")
def graph_backward_forward_order(ops, values, output, dout=None):
    grads = {name: np.zeros_like(np.asarray(v, dtype=np.float64)) for name, v in values.items()}
    grads[output] += np.ones_like(grads[output]) if dout is None else dout
    for out, op, *args in ops:
        g = grads[out]
        a = args[0]
        if op == "add":
            grads[a] += g
            grads[args[1]] += g
        elif op == "sub":
            grads[a] += g
            grads[args[1]] -= g
        elif op == "mul":
            grads[a] += g * values[args[1]]
            grads[args[1]] += g * values[a]
        elif op == "tanh":
            grads[a] += g * (1.0 - values[out] ** 2)
        elif op == "sigmoid":
            grads[a] += g * values[out] * (1.0 - values[out])
    return grads


@wrong("add_backward", "the upstream gradient split between the inputs: dout/2 each")
def add_backward_halved(dout):
    dout = np.asarray(dout, dtype=np.float64)
    return dout / 2.0, dout / 2.0


@wrong("graph_forward", "(out, \"sub\", a, b) computed as b − a")
def graph_forward_sub_reversed(ops, inputs):
    values = {name: np.asarray(v, dtype=np.float64) for name, v in inputs.items()}
    for out, op, *args in ops:
        a = values[args[0]]
        if op == "add":
            values[out] = a + values[args[1]]
        elif op == "sub":
            values[out] = values[args[1]] - a
        elif op == "mul":
            values[out] = a * values[args[1]]
        elif op == "tanh":
            values[out] = np.tanh(a)
        elif op == "sigmoid":
            values[out] = sigmoid(a)
    return values


# --- 3. BP1-BP4 -------------------------------------------------------------------------


@wrong("bp1", "σ′(z^L) left out: δ^L = ∇_a C")
def bp1_without_sigma_prime(grad_a, sp):
    return np.asarray(grad_a, dtype=np.float64).copy()


@wrong("bp2", "w^{l+1} not transposed (runs for square W only; wrong unless W is symmetric)")
def bp2_without_transpose(W_next, delta_next, sp):
    return (W_next @ delta_next) * sp


@wrong("bp2", "σ′(z^l) left out")
def bp2_without_sigma_prime(W_next, delta_next, sp):
    return W_next.T @ delta_next


@wrong("bp4", "outer product the wrong way round: a^{l−1} δᵀ, the transpose of ∂C/∂w")
def bp4_transposed(a_prev, delta):
    return np.outer(a_prev, delta)


@wrong("backprop_single", "σ′ left out at the output layer (BP1 as δ^L = a^L − y)")
def backprop_single_no_output_prime(x, y, params):
    activations, zs = [np.asarray(x, dtype=np.float64)], []
    for W, b in params:
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    grads = [None] * len(params)
    delta = activations[-1] - y
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (np.outer(delta, activations[layer]), delta.copy())
        if layer > 0:
            delta = (params[layer][0].T @ delta) * sigmoid_prime(zs[layer - 1])
    return grads


@wrong("backprop_single", "BP2 uses σ′ of the next layer's z^{l+1} instead of z^l")
def backprop_single_prime_of_wrong_layer(x, y, params):
    activations, zs = [np.asarray(x, dtype=np.float64)], []
    for W, b in params:
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    grads = [None] * len(params)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (np.outer(delta, activations[layer]), delta.copy())
        if layer > 0:
            delta = params[layer][0].T @ (delta * sigmoid_prime(zs[layer]))
    return grads


@wrong("backprop_on_paper", "σ′(z³) left out of δ³ (BP1 as δ³ = a³ − y)")
def backprop_on_paper_no_output_prime():
    x = np.array([1.0, 0.5])
    W2, b2 = np.array([[0.4, -0.2], [0.3, 0.8]]), np.array([0.1, -0.5])
    W3, b3 = np.array([[0.7, -0.6]]), np.array([0.2])
    y = np.array([1.0])
    z2 = W2 @ x + b2
    a2 = sigmoid(z2)
    z3 = W3 @ a2 + b3
    a3 = sigmoid(z3)
    delta3 = a3 - y
    delta2 = (W3.T @ delta3) * sigmoid_prime(z2)
    return {"z2": z2.tolist(), "a2": a2.tolist(), "z3": float(z3[0]), "a3": float(a3[0]),
            "delta3": float(delta3[0]), "delta2": delta2.tolist(),
            "dw2_12": float(delta2[0] * x[1])}


@wrong("backprop_on_paper", "the biases left out of the weighted inputs z² and z³")
def backprop_on_paper_no_biases():
    x = np.array([1.0, 0.5])
    W2 = np.array([[0.4, -0.2], [0.3, 0.8]])
    W3 = np.array([[0.7, -0.6]])
    y = np.array([1.0])
    z2 = W2 @ x
    a2 = sigmoid(z2)
    z3 = W3 @ a2
    a3 = sigmoid(z3)
    delta3 = (a3 - y) * sigmoid_prime(z3)
    delta2 = (W3.T @ delta3) * sigmoid_prime(z2)
    return {"z2": z2.tolist(), "a2": a2.tolist(), "z3": float(z3[0]), "a3": float(a3[0]),
            "delta3": float(delta3[0]), "delta2": delta2.tolist(),
            "dw2_12": float(delta2[0] * x[1])}


@wrong("backprop_on_paper", "σ′(z²) left out of δ² (BP2 as δ² = (w³)ᵀδ³)")
def backprop_on_paper_hidden_error_without_prime():
    x = np.array([1.0, 0.5])
    W2, b2 = np.array([[0.4, -0.2], [0.3, 0.8]]), np.array([0.1, -0.5])
    W3, b3 = np.array([[0.7, -0.6]]), np.array([0.2])
    y = np.array([1.0])
    z2 = W2 @ x + b2
    a2 = sigmoid(z2)
    z3 = W3 @ a2 + b3
    a3 = sigmoid(z3)
    delta3 = (a3 - y) * sigmoid_prime(z3)
    delta2 = W3.T @ delta3
    return {"z2": z2.tolist(), "a2": a2.tolist(), "z3": float(z3[0]), "a3": float(a3[0]),
            "delta3": float(delta3[0]), "delta2": delta2.tolist(),
            "dw2_12": float(delta2[0] * x[1])}


@wrong("backprop_on_paper", "w^2_{12} read as the weight from input 1 to neuron 2 (indices j, k swapped)")
def backprop_on_paper_indices_swapped():
    x = np.array([1.0, 0.5])
    W2, b2 = np.array([[0.4, -0.2], [0.3, 0.8]]), np.array([0.1, -0.5])
    W3, b3 = np.array([[0.7, -0.6]]), np.array([0.2])
    y = np.array([1.0])
    z2 = W2 @ x + b2
    a2 = sigmoid(z2)
    z3 = W3 @ a2 + b3
    a3 = sigmoid(z3)
    delta3 = (a3 - y) * sigmoid_prime(z3)
    delta2 = (W3.T @ delta3) * sigmoid_prime(z2)
    return {"z2": z2.tolist(), "a2": a2.tolist(), "z3": float(z3[0]), "a3": float(a3[0]),
            "delta3": float(delta3[0]), "delta2": delta2.tolist(),
            "dw2_12": float(delta2[1] * x[0])}


@wrong("sigma_prime_diag", "σ(z) on the diagonal instead of σ′(z)")
def sigma_diag_of_sigmoid(z):
    return np.diag(sigmoid(z))


@wrong("bp2_diag", "w^{l+1} not transposed: Σ′(z^l) w^{l+1} δ^{l+1}")
def bp2_diag_without_transpose(W_next, delta_next, z):
    return np.diag(sigmoid_prime(z)) @ (W_next @ delta_next)


@wrong("backprop_batch", "σ′ left out at the output layer")
def backprop_batch_no_output_prime(X, Y, params):
    activations, zs = [X], []
    for W, b in params:
        zs.append(activations[-1] @ W.T + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - Y) / X.shape[0]
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (delta.T @ activations[layer], delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * sigmoid_prime(zs[layer - 1])
    return grads


@wrong("backprop_batch", "1/N of the cost forgotten: the gradient of the sum, not the mean")
def backprop_batch_without_mean(X, Y, params):
    activations, zs = [X], []
    for W, b in params:
        zs.append(activations[-1] @ W.T + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (delta.T @ activations[layer], delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * sigmoid_prime(zs[layer - 1])
    return grads


@wrong("bp3", "one number for the layer: δ^l summed over the neurons")
def bp3_summed(delta):
    return np.full_like(np.asarray(delta, dtype=np.float64), np.sum(delta))


@wrong("sigma_prime_diag", "the vector σ′(z) instead of the diagonal matrix")
def sigma_prime_diag_vector(z):
    return sigmoid_prime(z)


@wrong("backprop_batch", "bias gradient averaged over the batch instead of summed")
def backprop_batch_bias_mean(X, Y, params):
    activations, zs = [X], []
    for W, b in params:
        zs.append(activations[-1] @ W.T + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - Y) / X.shape[0] * sigmoid_prime(zs[-1])
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (delta.T @ activations[layer], delta.mean(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * sigmoid_prime(zs[layer - 1])
    return grads


@wrong("softmax_jacobian", "only the diagonal p(1 − p), as if p_i depended on z_i alone "
                           "(BP1's Hadamard assumption)")
def softmax_jacobian_diagonal_only(z):
    e = np.exp(z - np.max(z))
    p = e / e.sum()
    return np.diag(p * (1.0 - p))


@wrong("softmax_jacobian", "diag(p) left out: −p pᵀ only")
def softmax_jacobian_without_diag(z):
    e = np.exp(z - np.max(z))
    p = e / e.sum()
    return -np.outer(p, p)


@wrong("sigmoid_bce_delta", "BP1 with ∇_a C = a − y, as for the quadratic cost: (a − y) ⊙ σ′(z)")
def sigmoid_bce_delta_with_prime(z, y):
    return (sigmoid(z) - y) * sigmoid_prime(z)


@wrong("sigmoid_bce_delta", "∇_a C only, σ′(z) left out: (a − y)/(a(1 − a))")
def sigmoid_bce_delta_grad_a(z, y):
    a = sigmoid(z)
    return (a - y) / (a * (1.0 - a))


@wrong("sigmoid_bce_delta", "the sign: y − a")
def sigmoid_bce_delta_sign(z, y):
    return y - sigmoid(z)


# --- 4. layer gradients ---------------------------------------------------------------


@wrong("affine_backward", "dx = dout @ W.T (only runs for square W; wrong unless W is symmetric)")
def affine_backward_dx_transposed(dout, cache):
    x, W, b = cache
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@wrong("affine_backward", "dW = xᵀ dout, the transpose of the weight's shape (n_in, n_out)")
def affine_backward_dW_transposed(dout, cache):
    x, W, b = cache
    return dout @ W, x.T @ dout, dout.sum(axis=0)


@wrong("affine_backward", "bias gradient not summed over the batch: db = dout[0]")
def affine_backward_db_first_row(dout, cache):
    x, W, b = cache
    return dout @ W, dout.T @ x, dout[0].copy()


@wrong("affine_backward", "bias gradient averaged over the batch instead of summed")
def affine_backward_db_mean(dout, cache):
    x, W, b = cache
    return dout @ W, dout.T @ x, dout.mean(axis=0)


@wrong("sigmoid_backward", "σ′ left out: dz = dout")
def sigmoid_backward_without_prime(dout, z):
    return np.array(dout, dtype=np.float64)


@wrong("sigmoid_backward", "σ′ computed from z as z(1 − z) instead of σ(z)(1 − σ(z))")
def sigmoid_backward_prime_of_z(dout, z):
    return dout * z * (1.0 - z)


@wrong("tanh_backward", "1 − z² instead of 1 − tanh²(z)")
def tanh_backward_of_z(dout, z):
    return dout * (1.0 - z * z)


@wrong("relu_backward", "relu′(0) = 1: gradient passed where z == 0")
def relu_backward_at_zero(dout, z):
    return np.where(z >= 0, dout, 0.0)


@wrong("relu_backward", "mask taken from dout instead of z")
def relu_backward_mask_of_dout(dout, z):
    return np.where(dout > 0, dout, 0.0)


@wrong("relu_backward", "no mask at all: dout passed through as if relu′ were 1 everywhere")
def relu_backward_unmasked(dout, z):
    return np.array(dout, dtype=np.float64)


@wrong("relu_backward", "multiplied by the output relu(z) instead of its derivative")
def relu_backward_times_output(dout, z):
    return dout * np.maximum(z, 0.0)


@wrong("quadratic_cost_grad", "1/N lost: A − Y")
def quadratic_grad_without_mean(A, Y):
    return A - Y


@wrong("quadratic_cost_grad", "factor 2 of MSELoss kept: 2(A − Y)/N")
def quadratic_grad_with_two(A, Y):
    return 2.0 * (A - Y) / A.shape[0]


@wrong("softmax_cross_entropy_backward", "dscores not divided by N (the gradient of the sum)")
def softmax_ce_backward_without_mean(scores, y):
    N = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    d = p.copy()
    d[np.arange(N), y] -= 1.0
    return loss, d


@wrong("softmax_cross_entropy_backward", "one-hot not subtracted: dscores = p / N")
def softmax_ce_backward_no_onehot(scores, y):
    N = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.log(p[np.arange(N), y]).mean()), p / N


@wrong("mlp_loss_and_grads", "tanh′ left out in the hidden layers")
def mlp_grads_without_tanh_prime(X, y, params):
    caches = []
    a = X
    for layer, (W, b) in enumerate(params):
        z, cache = affine_forward(a, W, b)
        caches.append(cache)
        a = z if layer == len(params) - 1 else np.tanh(z)
    loss, dout = softmax_cross_entropy_backward(a, y)
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        dout, dW, db = affine_backward(dout, caches[layer])
        grads[layer] = (dW, db)
    return loss, grads


@wrong("mlp_loss_and_grads", "tanh′ evaluated at the activation a = tanh(z) instead of at z")
def mlp_grads_tanh_prime_of_activation(X, y, params):
    caches, acts = [], []
    a = X
    for layer, (W, b) in enumerate(params):
        z, cache = affine_forward(a, W, b)
        caches.append(cache)
        a = z if layer == len(params) - 1 else np.tanh(z)
        acts.append(a)
    loss, dout = softmax_cross_entropy_backward(a, y)
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        if layer < len(params) - 1:
            dout = tanh_backward(dout, acts[layer])
        dout, dW, db = affine_backward(dout, caches[layer])
        grads[layer] = (dW, db)
    return loss, grads


# --- 5. gradient checking ------------------------------------------------------------


@wrong("numeric_gradient", "one-sided difference (f(x+h) − f(x))/h: error O(h), not O(h²)")
def numeric_gradient_forward_difference(f, x, dout=None, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    base = np.asarray(f(x.copy()), dtype=np.float64)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old
        weight = np.ones_like(plus) if dout is None else dout
        grad[i] = np.sum((plus - base) * weight) / h
    return grad


@wrong("numeric_gradient", "divided by h instead of 2h")
def numeric_gradient_over_h(f, x, dout=None, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old - h
        minus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old
        weight = np.ones_like(plus) if dout is None else dout
        grad[i] = np.sum((plus - minus) * weight) / h
    return grad


@wrong("numeric_gradient", "f gets the working array itself, not a copy: an f that changes "
                          "its argument corrupts every later difference")
def numeric_gradient_shares_array(f, x, dout=None, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.array(f(x), dtype=np.float64)
        x[i] = old - h
        minus = np.array(f(x), dtype=np.float64)
        x[i] = old
        weight = np.ones_like(plus) if dout is None else dout
        grad[i] = np.sum((plus - minus) * weight) / (2.0 * h)
    return grad


@wrong("numeric_gradient", "perturbs the caller's x in place and never sets it back")
def numeric_gradient_in_place(f, x, dout=None, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(*np.shape(x)):
        old = x[i]
        x[i] = old + h
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old - h
        minus = np.asarray(f(x.copy()), dtype=np.float64)
        weight = np.ones_like(plus) if dout is None else dout
        grad[i] = np.sum((plus - minus) * weight) / (2.0 * h)
    return grad


@wrong("network_numeric_grads", "the loss is evaluated on the original params, not on the "
                                "perturbed array: every gradient comes out 0")
def network_numeric_grads_ignores_argument(loss_fn, params, h=1e-5):
    return [(numeric_gradient(lambda V: loss_fn(params), W, h=h),
             numeric_gradient(lambda v: loss_fn(params), b, h=h)) for W, b in params]


@wrong("network_numeric_grads", "perturbs the arrays of params in place and never sets them back")
def network_numeric_grads_in_place(loss_fn, params, h=1e-5):
    grads = []
    for W, b in params:
        pair = []
        for array in (W, b):
            g = np.zeros(array.shape)
            for i in np.ndindex(*array.shape):
                old = array[i]
                array[i] = old + h
                plus = loss_fn(params)
                array[i] = old - h
                minus = loss_fn(params)
                g[i] = (plus - minus) / (2.0 * h)
            pair.append(g)
        grads.append(tuple(pair))
    return grads


@wrong("relative_error", "denominator max(|a|, |b|) instead of |a| + |b|")
def relative_error_max_denominator(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(b)))))


@wrong("relative_error", "mean over the elements instead of the largest")
def relative_error_mean(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@wrong("mse_sigmoid_net_grads", "the article's dz2 = a2 − y: σ′ and the factor 2 missing")
def mse_net_grads_article(X, y, W1, b1, W2, b2):
    m = X.shape[0]
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    dz2 = a2 - y
    dW2 = (1 / m) * dz2.T @ a1
    db2 = (1 / m) * np.sum(dz2, axis=0)
    dz1 = (dz2 @ W2) * a1 * (1 - a1)
    dW1 = (1 / m) * dz1.T @ X
    db1 = (1 / m) * np.sum(dz1, axis=0)
    return dW1, db1, dW2, db2


@wrong("mse_sigmoid_net_grads", "factor 2 of the square lost (σ′ kept)")
def mse_net_grads_without_two(X, y, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    dz2 = (a2 - y) / a2.size * a2 * (1.0 - a2)
    dz1 = (dz2 @ W2) * a1 * (1.0 - a1)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ a1, dz2.sum(axis=0)


@wrong("mse_sigmoid_net_grads", "divided by N only, though the mean runs over N·n_out elements")
def mse_net_grads_over_N(X, y, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    dz2 = 2.0 * (a2 - y) / X.shape[0] * a2 * (1.0 - a2)
    dz1 = (dz2 @ W2) * a1 * (1.0 - a1)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ a1, dz2.sum(axis=0)


# --- 6. gradient descent --------------------------------------------------------------


@wrong("sgd", "step up the gradient: θ + lr·g")
def sgd_ascent(param, grad, state, lr=0.01):
    return param + lr * grad, dict(state)


@wrong("momentum", "exponential average v ← μv + (1−μ)g, not torch's v ← μv + g")
def momentum_ema(param, grad, state, lr=0.01, mu=0.9):
    v = mu * state.get("v", 0.0) + (1.0 - mu) * grad
    return param - lr * v, {"v": v}


@wrong("momentum", "velocity never updated: θ ← θ − lr·g − μv with v left at 0")
def momentum_without_state_update(param, grad, state, lr=0.01, mu=0.9):
    v = state.get("v", np.zeros_like(grad))
    return param - lr * grad - mu * v, dict(state)


@wrong("nesterov", "plain momentum: θ ← θ − lr·v without the look-ahead g + μv")
def nesterov_as_momentum(param, grad, state, lr=0.01, mu=0.9):
    v = mu * state.get("v", 0.0) + grad
    return param - lr * v, {"v": v}


@wrong("nesterov", "look-ahead with the old velocity: θ ← θ − lr·(g + μ·v_old), not g + μ·v_new")
def nesterov_old_velocity(param, grad, state, lr=0.01, mu=0.9):
    v_old = state.get("v", 0.0)
    v = mu * v_old + grad
    return param - lr * (grad + mu * v_old), {"v": v}


@wrong("rmsprop", "ε inside the square root: √(s + ε)")
def rmsprop_eps_inside(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state.get("s", 0.0) + (1.0 - alpha) * grad * grad
    return param - lr * grad / np.sqrt(s + eps), {"s": s}


@wrong("rmsprop", "α and 1 − α swapped: s ← (1−α)s + αg²")
def rmsprop_swapped_alpha(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = (1.0 - alpha) * state.get("s", 0.0) + alpha * grad * grad
    return param - lr * grad / (np.sqrt(s) + eps), {"s": s}


@wrong("adam", "no bias correction: θ ← θ − lr·m/(√v + ε)")
def adam_without_bias_correction(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999,
                                 eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    return param - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v, "t": t}


@wrong("adam", "step counter never advanced: bias correction always for t = 1")
def adam_t_stuck(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1)
    v_hat = v / (1.0 - beta2)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": 0}


@wrong("batch_indices", "the last, partial batch dropped")
def batch_indices_drop_last(N, batch_size, seed, shuffle=True):
    order = np.random.default_rng(seed).permutation(N) if shuffle else np.arange(N)
    return [order[s:s + batch_size] for s in range(0, N - batch_size + 1, batch_size)]


@wrong("step_decay", "no floor: lr0·drop^(epoch/every) decays smoothly, not in steps")
def step_decay_smooth(lr0, epoch, drop, every):
    return lr0 * drop ** (epoch / every)


@wrong("exponential_decay", "off by one: lr0·γ^(step+1)")
def exponential_decay_off_by_one(lr0, step, gamma):
    return lr0 * gamma ** (step + 1)


@wrong("cosine_schedule", "cos(2π·step/total): back up to lr0 at the end")
def cosine_full_period(lr0, step, total, lr_min=0.0):
    return lr_min + (lr0 - lr_min) * (1.0 + np.cos(2.0 * np.pi * step / total)) / 2.0


@wrong("cosine_schedule", "lr_min ignored")
def cosine_without_minimum(lr0, step, total, lr_min=0.0):
    return lr0 * (1.0 + np.cos(np.pi * step / total)) / 2.0


# --- 7. clipping ------------------------------------------------------------------------


@wrong("clip_by_global_norm", "each tensor clipped to max_norm on its own, not by the global norm")
def clip_per_tensor(grads, max_norm):
    out = []
    for g in grads:
        n = float(np.sqrt(np.sum(g * g)))
        out.append(g * (max_norm / (n + 1e-6)) if max_norm / (n + 1e-6) < 1 else g.copy())
    return out, float(np.sqrt(sum(np.sum(g * g) for g in grads)))


@wrong("clip_by_global_norm", "total norm as the sum of the tensors' norms")
def clip_sum_of_norms(grads, max_norm):
    total = float(sum(np.sqrt(np.sum(g * g)) for g in grads))
    scale = max_norm / (total + 1e-6)
    return ([g * scale for g in grads] if scale < 1 else [g.copy() for g in grads]), total


@wrong("clip_by_value", "only the upper bound applied: min(g, clip)")
def clip_value_upper_only(grads, clip):
    return [np.minimum(g, clip) for g in grads]


# --- 8. training ------------------------------------------------------------------------


@wrong("train_mlp", "parameters moved up the gradient (θ + lr·g): the loss grows")
def train_mlp_ascent(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0,
                                update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            params = [(W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(params, grads)]
        history.append(total / X.shape[0])
    return params, history


@wrong("train_mlp", "biases never updated: only the weights take a step")
def train_mlp_without_bias_step(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0,
                                update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            params = [(W - lr * dW, b) for (W, b), (dW, db) in zip(params, grads)]
        history.append(total / X.shape[0])
    return params, history


@wrong("train_mlp", "history holds the last batch's loss of each epoch, not the epoch's mean")
def train_mlp_last_batch_loss(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0,
                                update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
        history.append(float(loss))
    return params, history


@wrong("train_mlp", "update rule ignored: always the plain step θ − lr·g")
def train_mlp_ignores_update(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0, update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
        history.append(total / X.shape[0])
    return params, history


@wrong("train_mlp", "the update rule's state thrown away: a fresh {} at every step, so momentum "
                    "and Adam never remember anything")
def train_mlp_fresh_state(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0, update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            if update is None:
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            else:
                params = [(update(W, dW, {}, lr=lr)[0], update(b, db, {}, lr=lr)[0])
                          for (W, b), (dW, db) in zip(params, grads)]
        history.append(total / X.shape[0])
    return params, history


@wrong("batch_indices", "shuffle=False ignored: the rows are shuffled anyway")
def batch_indices_always_shuffled(N, batch_size, seed, shuffle=True):
    order = np.random.default_rng(seed).permutation(N)
    return [order[s:s + batch_size] for s in range(0, N, batch_size)]


# --- bugs that only edge inputs reveal: overflow, precision, in-place changes, state kept
# between calls, one neuron, an argument or branch the visible tests never pass ------------


@wrong("chain_forward", "activations kept in a float32 array and cast back to float64 at the "
                        "end: only float32's seven digits are right")
def chain_forward_float32(a0, ws, bs):
    ws = np.asarray(ws, dtype=np.float32).reshape(-1)
    bs = np.asarray(bs, dtype=np.float32).reshape(-1)
    a = np.empty(len(ws) + 1, dtype=np.float32)
    a[0] = a0
    for s in range(len(ws)):
        a[s + 1] = sigmoid(ws[s] * a[s] + bs[s])
    return a.astype(np.float64)


@wrong("chain_forward", "ws and bs squeezed: a chain of one neuron (k = 1) becomes a 0-d array, "
                        "and len() of it fails")
def chain_forward_squeezed(a0, ws, bs):
    ws = np.squeeze(np.asarray(ws, dtype=np.float64))
    bs = np.squeeze(np.asarray(bs, dtype=np.float64))
    a = np.empty(len(ws) + 1, dtype=np.float64)
    a[0] = a0
    for s in range(len(ws)):
        a[s + 1] = sigmoid(ws[s] * a[s] + bs[s])
    return a


@wrong("neuron_grads", "σ′(z) written as e^(−z)/(1 + e^(−z))²: inf/inf = nan for z ≤ −710")
def neuron_grads_prime_overflows(a_prev, w, b, y):
    z = w * a_prev + b
    e = np.exp(-z)
    dz = 2.0 * (1.0 / (1.0 + e) - y) * e / (1.0 + e) ** 2
    return float(dz * a_prev), float(dz), float(dz * w)


@wrong("chain_grads", "σ′ written as e^(−z)/(1 + e^(−z))²: nan as soon as one neuron has z ≤ −710")
def chain_grads_prime_overflows(a0, ws, bs, y):
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = chain_forward(a0, ws, bs)
    k = len(ws)
    dws, dbs = np.zeros(k), np.zeros(k)
    da = 2.0 * (a[k] - y)
    for s in range(k, 0, -1):
        e = np.exp(-(ws[s - 1] * a[s - 1] + bs[s - 1]))
        dz = da * e / (1.0 + e) ** 2
        dws[s - 1] = dz * a[s - 1]
        dbs[s - 1] = dz
        da = dz * ws[s - 1]
    return dws, dbs


@wrong("add_backward", "dout copied without dtype=float64: an integer upstream gradient gives "
                       "integer gradients")
def add_backward_keeps_int(dout):
    dout = np.array(dout)
    return dout.copy(), dout.copy()


@wrong("graph_forward", "an unknown op is skipped silently instead of raising ValueError")
def graph_forward_skips_unknown_op(ops, inputs):
    values = {name: np.asarray(v, dtype=np.float64) for name, v in inputs.items()}
    for out, op, *args in ops:
        a = values[args[0]]
        if op == "add":
            values[out] = a + values[args[1]]
        elif op == "sub":
            values[out] = a - values[args[1]]
        elif op == "mul":
            values[out] = a * values[args[1]]
        elif op == "tanh":
            values[out] = np.tanh(a)
        elif op == "sigmoid":
            values[out] = sigmoid(a)
    return values


@wrong("graph_forward", "inputs kept as given (np.asarray without dtype): integer inputs give "
                        "integer nodes")
def graph_forward_keeps_int(ops, inputs):
    values = {name: np.asarray(v) for name, v in inputs.items()}
    for out, op, *args in ops:
        a = values[args[0]]
        if op == "add":
            values[out] = a + values[args[1]]
        elif op == "sub":
            values[out] = a - values[args[1]]
        elif op == "mul":
            values[out] = a * values[args[1]]
        elif op == "tanh":
            values[out] = np.tanh(a)
        elif op == "sigmoid":
            values[out] = sigmoid(a)
        else:
            raise ValueError(f"unknown op {op!r}")
    return values


@wrong("graph_backward", "the output argument ignored: the gradient is seeded at the last op's "
                         "node, whatever node was asked for")
def graph_backward_seeds_last_node(ops, values, output, dout=None):
    last = ops[-1][0]
    grads = {name: np.zeros_like(np.asarray(v, dtype=np.float64)) for name, v in values.items()}
    grads[last] += np.ones_like(grads[last]) if dout is None else np.asarray(dout, dtype=np.float64)
    for out, op, *args in reversed(ops):
        g = grads[out]
        a = args[0]
        if op == "add":
            grads[a] += g
            grads[args[1]] += g
        elif op == "sub":
            grads[a] += g
            grads[args[1]] -= g
        elif op == "mul":
            da, db = g * values[args[1]], g * values[a]
            grads[a] += da
            grads[args[1]] += db
        elif op == "tanh":
            grads[a] += g * (1.0 - values[out] ** 2)
        elif op == "sigmoid":
            grads[a] += g * values[out] * (1.0 - values[out])
    return grads


@wrong("bp1", "∇_a C multiplied in place (grad_a *= sp): the caller's array is overwritten")
def bp1_in_place(grad_a, sp):
    grad_a *= sp
    return grad_a


@wrong("bp2", "δ^l written into the σ′ array in place (sp *= ...): the caller's σ′(z^l) is "
              "overwritten")
def bp2_in_place(W_next, delta_next, sp):
    sp *= W_next.T @ delta_next
    return sp


@wrong("sigmoid_bce_delta", "a clipped to [1e-12, 1 − 1e-12] first (the guard against log 0): a "
                            "saturated output's error comes out ±1e-12, orders of magnitude too large")
def sigmoid_bce_delta_clipped(z, y):
    a = np.clip(sigmoid(z), 1e-12, 1.0 - 1e-12)
    return a - y


@wrong("backprop_single", "x converted to float32: the gradients are float64 but carry float32's "
                          "rounding of the input")
def backprop_single_float32_input(x, y, params):
    activations, zs = [np.asarray(x, dtype=np.float32)], []
    for W, b in params:
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    grads = [None] * len(params)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (np.outer(delta, activations[layer]), delta.copy())
        if layer > 0:
            delta = (params[layer][0].T @ delta) * sigmoid_prime(zs[layer - 1])
    return grads


@wrong("sigma_prime_diag", "σ′(z) written as e^z/(1 + e^z)²: inf/inf = nan for z ≥ 710")
def sigma_prime_diag_overflows(z):
    e = np.exp(z)
    return np.diag(e / (1.0 + e) ** 2)


@wrong("bp2_diag", "σ′(z) squeezed before np.diag: one neuron (n_l = 1) gives a 0-d array, which "
                   "np.diag rejects")
def bp2_diag_squeezed(W_next, delta_next, z):
    return np.diag(np.squeeze(sigmoid_prime(z))) @ (W_next.T @ delta_next)


@wrong("softmax_jacobian", "the maximum subtracted in place (z -= z.max()): the caller's z is "
                           "overwritten")
def softmax_jacobian_in_place(z):
    z -= np.max(z)
    e = np.exp(z)
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


@wrong("affine_backward", "db squeezed: one output neuron (n_out = 1) gives a 0-d db instead of "
                          "shape (1,)")
def affine_backward_db_squeezed(dout, cache):
    x, W, b = cache
    return dout @ W, dout.T @ x, np.squeeze(dout.sum(axis=0))


@wrong("sigmoid_backward", "σ′ written as e^(−z)/(1 + e^(−z))²: inf/inf = nan for z ≤ −710")
def sigmoid_backward_prime_overflows(dout, z):
    e = np.exp(-z)
    return dout * e / (1.0 + e) ** 2


@wrong("tanh_backward", "tanh written out as (e^z − e^(−z))/(e^z + e^(−z)): inf/inf = nan for "
                        "|z| ≥ 710")
def tanh_backward_by_definition(dout, z):
    ep, em = np.exp(z), np.exp(-z)
    t = (ep - em) / (ep + em)
    return dout * (1.0 - t * t)


@wrong("relu_backward", "dout zeroed in place where z ≤ 0 (dx = dout; dx[z <= 0] = 0): the "
                        "caller's upstream gradient is overwritten")
def relu_backward_in_place(dout, z):
    dx = dout
    dx[z <= 0] = 0.0
    return dx


@wrong("quadratic_cost_grad", "A overwritten in place (A -= Y; A /= N): the caller's outputs are "
                              "destroyed")
def quadratic_grad_in_place(A, Y):
    A -= Y
    A /= A.shape[0]
    return A


@wrong("quadratic_cost_grad", "computed in float32 and cast back to float64: only float32's seven "
                              "digits are right")
def quadratic_grad_float32(A, Y):
    g = (A - Y).astype(np.float32)
    return (g / A.shape[0]).astype(np.float64)


@wrong("softmax_cross_entropy_backward", "loss as −log of the softmax probability: p underflows "
                                         "to 0 and the loss is inf once the label's score is ~745 "
                                         "below the row's maximum")
def softmax_ce_backward_log_of_p(scores, y):
    N = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    d = p.copy()
    d[np.arange(N), y] -= 1.0
    return loss, d / N


@wrong("softmax_cross_entropy_backward", "the row maximum subtracted in place (scores -= ...): the "
                                         "caller's scores are overwritten")
def softmax_ce_backward_in_place(scores, y):
    N = scores.shape[0]
    scores -= scores.max(axis=1, keepdims=True)
    log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())
    d = np.exp(log_p)
    d[np.arange(N), y] -= 1.0
    return loss, d / N


@wrong("numeric_gradient", "the step hard-coded as 1e-5: the h argument is ignored")
def numeric_gradient_fixed_step(f, x, dout=None, h=1e-5):
    step = 1e-5
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + step
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old - step
        minus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old
        weight = np.ones_like(plus) if dout is None else dout
        grad[i] = np.sum((plus - minus) * weight) / (2.0 * step)
    return grad


@wrong("network_numeric_grads", "h not passed on to numeric_gradient: its default step is used "
                                "whatever h is")
def network_numeric_grads_default_step(loss_fn, params, h=1e-5):
    grads = []
    for i, (W, b) in enumerate(params):
        def of_W(V, i=i):
            return loss_fn([(V, p[1]) if k == i else p for k, p in enumerate(params)])

        def of_b(v, i=i):
            return loss_fn([(p[0], v) if k == i else p for k, p in enumerate(params)])

        grads.append((numeric_gradient(of_W, W), numeric_gradient(of_b, b)))
    return grads


@wrong("relative_error", "np.max of an empty array raises: two empty arrays give ValueError "
                         "instead of 0.0")
def relative_error_fails_on_empty(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@wrong("mse_sigmoid_net_grads", "σ′ written as e^(−z)/(1 + e^(−z))²: nan wherever a weighted "
                                "input is ≤ −710")
def mse_net_grads_prime_overflows(X, y, W1, b1, W2, b2):
    z1 = X @ W1.T + b1
    z2 = sigmoid(z1) @ W2.T + b2
    e1, e2 = np.exp(-z1), np.exp(-z2)
    a1, a2 = sigmoid(z1), sigmoid(z2)
    dz2 = 2.0 * (a2 - y) / a2.size * e2 / (1.0 + e2) ** 2
    dz1 = (dz2 @ W2) * e1 / (1.0 + e1) ** 2
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ a1, dz2.sum(axis=0)


@wrong("batch_indices", "N // batch_size + 1 batches: an empty last batch when batch_size "
                        "divides N")
def batch_indices_empty_last(N, batch_size, seed, shuffle=True):
    order = np.random.default_rng(seed).permutation(N) if shuffle else np.arange(N)
    return [order[i * batch_size:(i + 1) * batch_size] for i in range(N // batch_size + 1)]


@wrong("batch_indices", "the generator made once and kept (a default argument): later calls "
                        "ignore their seed and continue the first call's stream")
def batch_indices_kept_generator(N, batch_size, seed, shuffle=True, _rng=[]):
    if not _rng:
        _rng.append(np.random.default_rng(seed))
    order = _rng[0].permutation(N) if shuffle else np.arange(N)
    return [order[s:s + batch_size] for s in range(0, N, batch_size)]


@wrong("batch_indices", "np.random.seed(seed) and np.random.permutation: the legacy global "
                        "generator, another order than default_rng(seed)")
def batch_indices_legacy_seed(N, batch_size, seed, shuffle=True):
    if shuffle:
        np.random.seed(seed)
        order = np.random.permutation(N)
    else:
        order = np.arange(N)
    return [order[s:s + batch_size] for s in range(0, N, batch_size)]


@wrong("train_mlp", "the epoch's loss is the plain mean of the batch losses, not weighted by the "
                    "batch sizes (wrong when the last batch is smaller)")
def train_mlp_unweighted_history(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0,
                                 update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    states = [({}, {}) for _ in params]
    history = []
    for epoch in range(epochs):
        losses = []
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            losses.append(loss)
            if update is None:
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            else:
                stepped = []
                for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                    W, sW = update(W, dW, sW, lr=lr)
                    b, sb = update(b, db, sb, lr=lr)
                    stepped.append(((W, b), (sW, sb)))
                params = [p for p, _ in stepped]
                states = [st for _, st in stepped]
        history.append(float(np.mean(losses)))
    return params, history


@wrong("train_mlp", "the update rule's states kept in a default argument (_states={}): a second "
                    "training run starts from the first run's velocities")
def train_mlp_states_default(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0, update=None,
                             _states={}):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            if update is None:
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            else:
                stepped = []
                for i, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
                    W, _states[(i, "W")] = update(W, dW, _states.get((i, "W"), {}), lr=lr)
                    b, _states[(i, "b")] = update(b, db, _states.get((i, "b"), {}), lr=lr)
                    stepped.append((W, b))
                params = stepped
        history.append(total / X.shape[0])
    return params, history


@wrong("train_mlp", "the same batches in every epoch: batch_indices(N, batch_size, seed) instead "
                    "of seed + e")
def train_mlp_same_batches(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0, update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    states = [({}, {}) for _ in params]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            if update is None:
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            else:
                stepped = []
                for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                    W, sW = update(W, dW, sW, lr=lr)
                    b, sb = update(b, db, sb, lr=lr)
                    stepped.append(((W, b), (sW, sb)))
                params = [p for p, _ in stepped]
                states = [st for _, st in stepped]
        history.append(total / X.shape[0])
    return params, history


@wrong("train_mlp", "every layer initialised with the same seed (seed, not seed + i)")
def train_mlp_one_seed_for_all_layers(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0,
                                      update=None):
    params = [init_weights(n_out, n_in, "xavier", seed=seed)
              for n_in, n_out in zip(sizes, sizes[1:])]
    states = [({}, {}) for _ in params]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(X.shape[0], batch_size, seed + epoch):
            loss, grads = mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            if update is None:
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            else:
                stepped = []
                for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                    W, sW = update(W, dW, sW, lr=lr)
                    b, sb = update(b, db, sb, lr=lr)
                    stepped.append(((W, b), (sW, sb)))
                params = [p for p, _ in stepped]
                states = [st for _, st in stepped]
        history.append(total / X.shape[0])
    return params, history


@wrong("momentum", "the velocity of the given state updated in place (v *= μ; v += g): the "
                   "caller's state changes under it")
def momentum_state_in_place(param, grad, state, lr=0.01, mu=0.9):
    v = state.get("v", np.zeros_like(grad))
    v *= mu
    v += grad
    return param - lr * v, {"v": v}


@wrong("nesterov", "the velocity of the given state updated in place (v *= μ; v += g): the "
                   "caller's state changes under it")
def nesterov_state_in_place(param, grad, state, lr=0.01, mu=0.9):
    v = state.get("v", np.zeros_like(grad))
    v *= mu
    v += grad
    return param - lr * (grad + mu * v), {"v": v}


@wrong("rmsprop", "ε hard-coded as 1e-8: the eps argument is ignored")
def rmsprop_fixed_eps(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state.get("s", 0.0) + (1.0 - alpha) * grad * grad
    return param - lr * grad / (np.sqrt(s) + 1e-8), {"s": s}


@wrong("rmsprop", "the average of the given state updated in place (s *= α; s += ...): the "
                  "caller's state changes under it")
def rmsprop_state_in_place(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = state.get("s", np.zeros_like(grad))
    s *= alpha
    s += (1.0 - alpha) * grad * grad
    return param - lr * grad / (np.sqrt(s) + eps), {"s": s}


@wrong("adam", "bias correction with the default betas written in, 1 − 0.9^t and 1 − 0.999^t, "
               "whatever beta1 and beta2 are")
def adam_literal_betas(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - 0.9 ** t)
    v_hat = v / (1.0 - 0.999 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


@wrong("adam", "the averages of the given state updated in place (m *= β1; ...): the caller's "
               "state changes under it")
def adam_state_in_place(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = state.get("m", np.zeros_like(grad))
    v = state.get("v", np.zeros_like(grad))
    m *= beta1
    m += (1.0 - beta1) * grad
    v *= beta2
    v += (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


@wrong("clip_by_global_norm", "the 1e-6 of clip_grad_norm_ left out: scale max_norm/total")
def clip_without_epsilon(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / total if total > 0 else 1.0
    if scale < 1.0:
        return [g * scale for g in grads], total
    return [np.array(g, dtype=np.float64) for g in grads], total


@wrong("mul_backward", "no float64 conversion: integer inputs give integer gradients")
def mul_backward_keeps_int(dout, x, y):
    return dout * y, dout * x


@wrong("mlp_loss_and_grads", "softmax written inline without subtracting the row maximum: "
                             "inf/inf = nan once a score passes ~709")
def mlp_grads_naive_softmax(X, y, params):
    caches, zs = [], []
    a = X
    for layer, (W, b) in enumerate(params):
        z, cache = affine_forward(a, W, b)
        caches.append(cache)
        zs.append(z)
        a = z if layer == len(params) - 1 else np.tanh(z)
    N = X.shape[0]
    e = np.exp(a)
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    dout = p.copy()
    dout[np.arange(N), y] -= 1.0
    dout /= N
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        if layer < len(params) - 1:
            dout = tanh_backward(dout, zs[layer])
        dout, dW, db = affine_backward(dout, caches[layer])
        grads[layer] = (dW, db)
    return loss, grads
