"""Day 2 reference: backpropagation, gradient checking, gradient descent and its variants.

Conventions (DESIGN.md): float64; W has shape (n_out, n_in) as the slides' w^l_{jk};
a batch sits in the rows of X (N, n_in); Z = X @ W.T + b.  For one example the
slides' column vectors are 1-D arrays: a^l (n_l,), z^l (n_l,), δ^l (n_l,).
δ^l = ∂C/∂z^l, and the four fundamental equations (slides 004):

    BP1  δ^L = ∇_a C ⊙ σ′(z^L)
    BP2  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)
    BP3  ∂C/∂b^l_j = δ^l_j
    BP4  ∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j

Every public function here is the model answer of one graded stub in
``day2_backprop/``, matched by name.  Each uses numpy, the Day 1 functions
imported below (the day's notebooks import the same names in their set-up cell),
or a function of this module defined above it, which the same notebook defines
earlier.  Graded functions take plain data only (arrays, numbers, strings,
lists, tuples and dicts of them); the exceptions take a function: ``numeric_gradient``
and ``network_numeric_grads`` the function they differentiate, ``train_mlp`` an optional
update rule.
"""

import numpy as np

from solutions.day1_forward import affine_forward, init_weights, sigmoid, sigmoid_prime

# --- 1. a chain of single neurons (slides 003) ----------------------------------------


def chain_forward(a0, ws, bs):
    """Activations of a chain of sigmoid neurons, a^{(s)} = σ(w^{(s)} a^{(s−1)} + b^{(s)}).

    a0: the input a^{(0)}, a number.  ws, bs: k weights and k biases (sequences or
    arrays of shape (k,)), those of neurons 1..k.
    Returns a float64 array (k+1,) = [a^{(0)}, a^{(1)}, ..., a^{(k)}].
    """
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = np.empty(len(ws) + 1, dtype=np.float64)
    a[0] = a0
    for s in range(len(ws)):
        a[s + 1] = sigmoid(ws[s] * a[s] + bs[s])
    return a


def neuron_grads(a_prev, w, b, y):
    """Gradients of C = (a − y)² for the last neuron a = σ(z), z = w·a_prev + b (all numbers).

    The chain rule of the slides: ∂C/∂a = 2(a − y), ∂a/∂z = σ′(z), and
    ∂z/∂w = a_prev, ∂z/∂b = 1, ∂z/∂a_prev = w.  (No ½ in this cost, as on the slides.)
    Returns three floats (∂C/∂w, ∂C/∂b, ∂C/∂a_prev).
    """
    z = w * a_prev + b
    dz = 2.0 * (sigmoid(z) - y) * sigmoid_prime(z)
    return float(dz * a_prev), float(dz), float(dz * w)


def chain_grads(a0, ws, bs, y):
    """∂C/∂w^{(s)} and ∂C/∂b^{(s)} for every neuron of the chain, C = (a^{(k)} − y)².

    a0: a number; ws, bs: (k,) as in ``chain_forward``; y: the target, a number.
    Going back from the last neuron, ∂C/∂a^{(s−1)} = w^{(s)} σ′(z^{(s)}) ∂C/∂a^{(s)}
    carries the error one neuron further.
    Returns (dws (k,), dbs (k,)), float64.
    """
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    a = chain_forward(a0, ws, bs)
    k = len(ws)
    dws, dbs = np.zeros(k), np.zeros(k)
    da = 2.0 * (a[k] - y)
    for s in range(k, 0, -1):
        dz = da * sigmoid_prime(ws[s - 1] * a[s - 1] + bs[s - 1])
        dws[s - 1] = dz * a[s - 1]
        dbs[s - 1] = dz
        da = dz * ws[s - 1]
    return dws, dbs


# --- 2. computational graphs --------------------------------------------------------


def add_backward(dout):
    """Local gradients of out = x + y: ∂out/∂x = ∂out/∂y = 1, so both get dout.

    dout: upstream gradient, a number or an array shaped like out.
    Returns (dx, dy), each a new float64 array shaped like dout.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return dout.copy(), dout.copy()


def mul_backward(dout, x, y):
    """Local gradients of out = x * y (elementwise): dx = dout·y, dy = dout·x.

    dout, x, y: numbers or arrays of one shape.  Returns (dx, dy), float64 arrays.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return dout * np.asarray(y, dtype=np.float64), dout * np.asarray(x, dtype=np.float64)


def graph_forward(ops, inputs):
    """Evaluate a computational graph given as a list of operations, in order.

    ops: a list of (out, op, a) for a unary op or (out, op, a, b) for a binary op,
    where a, b name earlier nodes, out is a new name, and op is one of "add" (a + b),
    "sub" (a − b), "mul" (a * b, elementwise), "tanh" and "sigmoid" (of a).  A node
    may be used by several ops, and twice by one op (("s", "mul", "x", "x") is x²).
    inputs: {name: number or array}; all values of one graph have one shape.
    Returns {name: value} for the inputs and every node, float64 arrays (0-d for numbers).
    Example, f(x, y) = (x·y + x)·x:
    ``[("p", "mul", "x", "y"), ("q", "add", "p", "x"), ("f", "mul", "q", "x")]``.
    """
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
        else:
            raise ValueError(f"unknown op {op!r} in node {out!r}; use 'add', 'sub', 'mul', "
                             f"'tanh' or 'sigmoid'")
    return values


def graph_backward(ops, values, output, dout=None):
    """Gradients of the node ``output`` with respect to every node of the graph.

    ops: the graph as in ``graph_forward``; values: what ``graph_forward`` returned;
    output: the name of the node to differentiate; dout: its upstream gradient,
    shaped like values[output] (default ones, i.e. the gradient of Σ output).
    The ops are visited in reverse order.  A node used k times receives k
    contributions, which add up (multivariate chain rule), so every gradient
    starts at zero and is accumulated with +=.
    Returns {name: gradient} for every name in values, each shaped like its value.
    """
    grads = {name: np.zeros_like(np.asarray(v, dtype=np.float64)) for name, v in values.items()}
    seed = np.ones_like(grads[output]) if dout is None else np.asarray(dout, dtype=np.float64)
    grads[output] += seed
    for out, op, *args in reversed(ops):
        g = grads[out]
        a = args[0]
        if op == "add":
            da, db = add_backward(g)
            grads[a] += da
            grads[args[1]] += db
        elif op == "sub":
            da, db = add_backward(g)
            grads[a] += da
            grads[args[1]] -= db
        elif op == "mul":
            da, db = mul_backward(g, values[a], values[args[1]])
            grads[a] += da
            grads[args[1]] += db
        elif op == "tanh":
            grads[a] += g * (1.0 - values[out] ** 2)
        elif op == "sigmoid":
            grads[a] += g * values[out] * (1.0 - values[out])
        else:
            raise ValueError(f"unknown op {op!r} in node {out!r}; use 'add', 'sub', 'mul', "
                             f"'tanh' or 'sigmoid'")
    return grads


# --- 3. the four fundamental equations, one example and a batch ----------------------


def bp1(grad_a, sp):
    """BP1, the output error δ^L = ∇_a C ⊙ σ′(z^L).

    grad_a: ∇_a C (n_L,); sp: σ′(z^L) (n_L,), the derivative's values.
    Returns δ^L (n_L,).
    """
    return np.asarray(grad_a, dtype=np.float64) * np.asarray(sp, dtype=np.float64)


def bp2(W_next, delta_next, sp):
    """BP2, the error of layer l from that of l+1: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l).

    W_next: w^{l+1} (n_{l+1}, n_l); delta_next: δ^{l+1} (n_{l+1},); sp: σ′(z^l) (n_l,).
    Elementwise δ^l_j = Σ_k w^{l+1}_{kj} δ^{l+1}_k σ′(z^l_j).  Returns δ^l (n_l,).
    """
    return (W_next.T @ delta_next) * sp


def bp3(delta):
    """BP3, ∂C/∂b^l_j = δ^l_j.

    delta: δ^l (n_l,).  Returns ∂C/∂b^l (n_l,), a new array.
    """
    return np.array(delta, dtype=np.float64)


def bp4(a_prev, delta):
    """BP4, ∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j: the outer product δ^l (a^{l−1})ᵀ.

    a_prev: a^{l−1} (n_{l−1},); delta: δ^l (n_l,).  Returns ∂C/∂w^l (n_l, n_{l−1}),
    shaped like w^l.
    """
    return np.outer(delta, a_prev)


def backprop_single(x, y, params):
    """Gradients of C_x = ½‖y − a^L‖² for one example; sigmoid in every layer.

    Slides' numbering: the input is layer 1, a^1 = x (n_1,); layers l = 2, ..., L carry
    w^l (n_l, n_{l−1}) and b^l (n_l,); y is the target (n_L,).  In Python
    params = [(w^2, b^2), ..., (w^L, b^L)], so params[i] is layer l = i + 2.  The slides'
    algorithm: feed forward for l = 2, ..., L keeping every z^l and a^l, BP1 at the
    output (∇_a C = a^L − y), BP2 for l = L−1, ..., 2, BP3 and BP4 for the gradients.
    Returns [(∂C/∂w^2, ∂C/∂b^2), ..., (∂C/∂w^L, ∂C/∂b^L)], each shaped like its parameter.
    """
    activations, zs = [np.asarray(x, dtype=np.float64)], []
    for W, b in params:
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    L = len(params)
    grads = [None] * L
    delta = bp1(activations[-1] - y, sigmoid_prime(zs[-1]))
    for layer in range(L - 1, -1, -1):
        grads[layer] = (bp4(activations[layer], delta), bp3(delta))
        if layer > 0:
            delta = bp2(params[layer][0], delta, sigmoid_prime(zs[layer - 1]))
    return grads



def backprop_on_paper():
    """The hand computation of §7.1: one example through the 2-2-1 sigmoid network there.

    a^1 = x = (1, 0.5); w^2 = [[0.4, −0.2], [0.3, 0.8]], b^2 = (0.1, −0.5);
    w^3 = [[0.7, −0.6]], b^3 = (0.2); target y = 1; C = ½(y − a^3)².
    Returns a dict of plain floats and lists: "z2", "a2" (two numbers each), "z3", "a3",
    "delta3" (one number each), "delta2" (two numbers) and "dw2_12" = ∂C/∂w^2_{12}.
    """
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
            "dw2_12": float(delta2[0] * x[1])}

def sigma_prime_diag(z):
    """The diagonal matrix Σ′(z) with σ′(z_j) on its diagonal: Σ′(z) v = σ′(z) ⊙ v.

    z: (n,).  Returns (n, n).
    """
    return np.diag(sigmoid_prime(z))


def bp2_diag(W_next, delta_next, z):
    """BP2 in matrix form, δ^l = Σ′(z^l) (w^{l+1})ᵀ δ^{l+1}; the same vector as ``bp2``.

    W_next: (n_{l+1}, n_l); delta_next: (n_{l+1},); z: z^l (n_l,).  Returns δ^l (n_l,).
    """
    return sigma_prime_diag(z) @ (W_next.T @ delta_next)


def softmax_jacobian(z):
    """The Jacobian J[i, j] = ∂p_i/∂z_j of p = softmax(z): diag(p) − p pᵀ.

    z: (n,).  ∂p_i/∂z_j = p_i([i = j] − p_j): every output depends on every input, so
    J is not diagonal and BP1's Hadamard form does not apply; δ = Jᵀ ∇_a C (J is
    symmetric).  Returns (n, n).
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


def sigmoid_bce_delta(z, y):
    """δ^L = ∂C/∂z^L of a sigmoid output a = σ(z) with the binary cross-entropy
    C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)].

    BP1: ∂C/∂a_j = (a_j − y_j)/(a_j(1 − a_j)) and σ′(z_j) = a_j(1 − a_j) cancel, so
    δ^L = a − y = σ(z) − y.  z, y of one shape; returns that shape.
    """
    return sigmoid(z) - np.asarray(y, dtype=np.float64)


def backprop_batch(X, Y, params):
    """Gradients of the slides' C = 1/(2N) Σ_x ‖y(x) − a^L(x)‖² for a batch, sigmoid layers.

    X (N, n_0), Y (N, n_L), params as in ``backprop_single``.  The rows of Δ^l (N, n_l)
    are the examples' δ^l, each scaled by 1/N:
    Δ^L = (A^L − Y)/N ⊙ σ′(Z^L);  Δ^l = (Δ^{l+1} W^{l+1}) ⊙ σ′(Z^l);
    ∂C/∂W^l = (Δ^l)ᵀ A^{l−1} (n_l, n_{l−1});  ∂C/∂b^l = the sum of the rows of Δ^l (n_l,).
    Equals the mean over the examples of ``backprop_single``.
    Returns [(dW1, db1), ..., (dWL, dbL)].
    """
    activations, zs = [np.asarray(X, dtype=np.float64)], []
    for W, b in params:
        zs.append(activations[-1] @ W.T + b)
        activations.append(sigmoid(zs[-1]))
    N = activations[0].shape[0]
    delta = (activations[-1] - Y) / N * sigmoid_prime(zs[-1])
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = (delta.T @ activations[layer], delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * sigmoid_prime(zs[layer - 1])
    return grads


# --- 4. layer gradients in the course's API ------------------------------------------


def affine_backward(dout, cache):
    """Backward pass of out = x @ W.T + b (Day 1's ``affine_forward``).

    dout: ∂C/∂out (N, n_out); cache: (x (N, n_in), W (n_out, n_in), b (n_out,)).
    dx = dout @ W (N, n_in); dW = doutᵀ x (n_out, n_in) (BP4 summed over the batch);
    db = Σ over the rows of dout (n_out,) (BP3 summed over the batch).
    Returns (dx, dW, db).
    """
    x, W, b = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0)


def sigmoid_backward(dout, z):
    """∂C/∂z = dout ⊙ σ′(z) for a = σ(z); dout and z of one shape, returned too."""
    return dout * sigmoid_prime(z)


def tanh_backward(dout, z):
    """∂C/∂z = dout ⊙ (1 − tanh²(z)) for a = tanh(z); dout and z of one shape."""
    t = np.tanh(z)
    return dout * (1.0 - t * t)


def relu_backward(dout, z):
    """∂C/∂z = dout where z > 0, else 0 (relu′(0) = 0 as in PyTorch); dout, z of one shape."""
    return np.where(z > 0, dout, 0.0)


def quadratic_cost_grad(A, Y):
    """∂C/∂A of C = 1/(2N) Σ_x ‖y(x) − a(x)‖², that is (A − Y)/N.  A, Y, result (N, n)."""
    return (A - Y) / A.shape[0]


def softmax_cross_entropy_backward(scores, y):
    """Mean cross-entropy of softmax(scores) and its gradient, in one pass.

    scores (N, C); y (N,) integer labels in 0..C−1.  With p = softmax(scores),
    loss = −(1/N) Σ_i log p_{i, y_i} and ∂loss/∂scores = (p − onehot(y)) / N.
    Returns (loss, dscores): a float and (N, C).
    """
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1.0
    return loss, dscores / N


def mlp_loss_and_grads(X, y, params):
    """Loss and gradients of a tanh network with a softmax cross-entropy output.

    X (N, n_0), y (N,) labels, params [(W1, b1), ..., (WL, bL)] as on Day 1: tanh
    after every layer but the last, whose scores go into the cross-entropy (the
    forward pass of Day 1's ``network_forward(X, params, "tanh")``).
    Returns (loss, grads): a float and [(dW1, db1), ..., (dWL, dbL)].
    """
    caches, zs = [], []
    a = X
    for layer, (W, b) in enumerate(params):
        z, cache = affine_forward(a, W, b)
        caches.append(cache)
        zs.append(z)
        a = z if layer == len(params) - 1 else np.tanh(z)
    loss, dout = softmax_cross_entropy_backward(a, y)
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        if layer < len(params) - 1:
            dout = tanh_backward(dout, zs[layer])
        if layer == 0:
            # The input X needs no gradient: BP4 and BP3 only, no dout @ W1.
            x, _, _ = caches[0]
            grads[0] = (dout.T @ x, dout.sum(axis=0))
        else:
            dout, dW, db = affine_backward(dout, caches[layer])
            grads[layer] = (dW, db)
    return loss, grads


# --- 5. gradient checking ---------------------------------------------------------------


def numeric_gradient(f, x, dout=None, h=1e-5):
    """Centred differences of Σ f(x) ⊙ dout with respect to x.

    f: a function of one array shaped like x that returns a number or an array;
    x: an array (any shape), not modified; dout: the upstream gradient, shaped like
    f(x) (default ones); h: the step.  For every element i,
    g_i = Σ (f(x + h e_i) − f(x − h e_i)) ⊙ dout / (2h), with an error O(h²).
    Returns g, float64, shaped like x.
    """
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
        grad[i] = np.sum((plus - minus) * weight) / (2.0 * h)
    return grad


def relative_error(a, b):
    """max over the elements of |a − b| / max(1e-8, |a| + |b|).

    a, b: numbers or arrays of one shape.  Returns a float (0.0 for empty arrays).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def network_numeric_grads(loss_fn, params, h=1e-5):
    """Centred-difference gradients of a whole network's loss, for a gradient check.

    loss_fn: a function of a parameter list [(W, b), ...] that returns a number;
    params: that list (not modified); h: the step.  For every array of every layer,
    ``numeric_gradient`` of the loss as a function of that array alone, the other
    arrays fixed.  Returns [(dW, db), ...], each shaped like its parameter.
    """
    grads = []
    for i, (W, b) in enumerate(params):
        def of_W(V, i=i):
            return loss_fn([(V, p[1]) if k == i else p for k, p in enumerate(params)])

        def of_b(v, i=i):
            return loss_fn([(p[0], v) if k == i else p for k, p in enumerate(params)])

        grads.append((numeric_gradient(of_W, W, h=h), numeric_gradient(of_b, b, h=h)))
    return grads


def mse_sigmoid_net_grads(X, y, W1, b1, W2, b2):
    """Correct gradients of L = mean((a2 − y)²) for a 2-layer sigmoid network.

    X (N, n_in), y (N, n_out); W1 (n_h, n_in), b1 (n_h,), W2 (n_out, n_h), b2 (n_out,);
    a1 = σ(X W1ᵀ + b1), a2 = σ(a1 W2ᵀ + b2).  The mean is over all N·n_out
    elements (as PyTorch's MSELoss), so ∂L/∂a2 = 2(a2 − y)/(N·n_out), and
    ∂L/∂z2 = ∂L/∂a2 ⊙ σ′(z2) (BP1); the article's dz2 = a2 − y has neither.
    Returns (dW1, db1, dW2, db2), each shaped like its parameter.
    """
    z1 = X @ W1.T + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2.T + b2
    a2 = sigmoid(z2)
    dz2 = 2.0 * (a2 - y) / a2.size * a2 * (1.0 - a2)
    dz1 = (dz2 @ W2) * a1 * (1.0 - a1)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ a1, dz2.sum(axis=0)


# --- 6. gradient descent and its variants ----------------------------------------------
# Every rule is update(param, grad, state, **hyper) -> (new_param, new_state): state
# starts as {} and is passed back in on the next step; neither param nor state is
# modified.  The formulas are PyTorch's (torch.optim), so trajectories can be compared.


def sgd(param, grad, state, lr=0.01):
    """θ ← θ − lr·g.  param, grad: arrays of one shape; state: {} (unused, returned)."""
    return param - lr * grad, dict(state)


def momentum(param, grad, state, lr=0.01, mu=0.9):
    """Heavy-ball momentum as torch.optim.SGD(momentum=mu): v ← μv + g; θ ← θ − lr·v.

    state: {} at first (v = 0, so the first v is g), then {"v": array shaped like param}.
    """
    v = mu * state.get("v", 0.0) + grad
    return param - lr * v, {"v": v}


def nesterov(param, grad, state, lr=0.01, mu=0.9):
    """Nesterov momentum as torch.optim.SGD(momentum=mu, nesterov=True).

    v ← μv + g; θ ← θ − lr·(g + μv).  state: {} at first, then {"v": array}.
    """
    v = mu * state.get("v", 0.0) + grad
    return param - lr * (grad + mu * v), {"v": v}


def rmsprop(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSProp as torch.optim.RMSprop: s ← αs + (1−α)g²; θ ← θ − lr·g / (√s + ε).

    state: {} at first (s = 0), then {"s": array shaped like param}.
    """
    s = alpha * state.get("s", 0.0) + (1.0 - alpha) * grad * grad
    return param - lr * grad / (np.sqrt(s) + eps), {"s": s}


def adam(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam as torch.optim.Adam (Kingma & Ba 2015, with bias correction).

    t ← t + 1; m ← β1·m + (1−β1)g; v ← β2·v + (1−β2)g²;
    m̂ = m/(1−β1^t); v̂ = v/(1−β2^t); θ ← θ − lr·m̂/(√v̂ + ε).
    state: {} at first, then {"m": array, "v": array, "t": int}.
    """
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


def step_decay(lr0, epoch, drop, every):
    """lr0 · drop^⌊epoch / every⌋, as torch's StepLR(step_size=every, gamma=drop)."""
    return lr0 * drop ** (epoch // every)


def exponential_decay(lr0, step, gamma):
    """lr0 · γ^step, as torch's ExponentialLR(gamma)."""
    return lr0 * gamma ** step


def cosine_schedule(lr0, step, total, lr_min=0.0):
    """lr_min + (lr0 − lr_min)(1 + cos(π·step/total))/2, as torch's CosineAnnealingLR.

    From lr0 at step 0 down to lr_min at step = total (CosineAnnealingLR(T_max=total,
    eta_min=lr_min)).
    """
    return lr_min + (lr0 - lr_min) * (1.0 + np.cos(np.pi * step / total)) / 2.0


# --- 7. gradient clipping -----------------------------------------------------------


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients together so that their joint L2 norm is at most max_norm.

    grads: a list of arrays (any shapes).  total = √(Σ over all arrays of Σ g²); when
    max_norm/(total + 1e-6) < 1 every array is multiplied by that factor, so the
    direction of the whole gradient is kept (torch.nn.utils.clip_grad_norm_).
    Returns (clipped, total): a new list of arrays shaped like grads, and a float.
    """
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        return [g * scale for g in grads], total
    return [np.array(g, dtype=np.float64) for g in grads], total


def clip_by_value(grads, clip):
    """Clamp every element of every gradient to [−clip, clip] (clip_grad_value_).

    grads: a list of arrays.  Returns a new list of arrays of the same shapes.
    """
    return [np.clip(g, -clip, clip) for g in grads]


# --- 8. training ------------------------------------------------------------------------


def batch_indices(N, batch_size, seed, shuffle=True):
    """Row indices of the mini-batches of one epoch over N examples.

    A random order from np.random.default_rng(seed).permutation(N) (or 0..N−1 when
    shuffle is False), cut into pieces of batch_size; the last piece keeps the
    N mod batch_size rows left over.  Returns a list of int arrays, each (≤ batch_size,),
    together holding every index 0..N−1 exactly once.
    """
    order = np.random.default_rng(seed).permutation(N) if shuffle else np.arange(N)
    return [order[start:start + batch_size] for start in range(0, N, batch_size)]


def train_mlp(X, y, sizes, epochs=20, lr=0.1, batch_size=32, seed=0, update=None):
    """Train a tanh network with a softmax cross-entropy output by mini-batch descent.

    X (N, sizes[0]); y (N,) integer labels in 0..sizes[-1]−1; sizes: the layer widths
    [n_1, n_2, ..., n_L] (the slides' numbering: n_1 inputs); epochs: passes over the data;
    lr: the learning rate; batch_size: rows per step, the batches of epoch e from
    ``batch_indices(N, batch_size, seed + e)``; seed: also fixes the initial weights (Day
    1's ``init_weights(n_{i+2}, n_{i+1}, "xavier", seed + i)`` for params[i]).
    update: None for the plain step θ ← θ − lr·∂C/∂θ, or an update rule
    ``update(param, grad, state, lr=lr) -> (param, state)`` (Part 4's sgd, momentum, adam,
    ...), applied to every array with a state of its own that starts as {}.
    Returns (params, history): [(W, b), ...] and the mean training loss of every epoch
    (the batch losses weighted by the batch sizes), a list of ``epochs`` floats.
    """
    params = [init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    states = [({}, {}) for _ in params]
    history = []
    N = X.shape[0]
    for epoch in range(epochs):
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
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
        history.append(total / N)
    return params, history


# --- manually graded answers (model answers for the solved notebooks) -------------

ANSWERS = {
    "lr-curves-answer": r"""
- **η = 0.005, too small.** The cost falls every epoch, smoothly, but slowly: after 20 epochs it
is still far above the others (and the validation accuracy well below them).  Every step goes
downhill, but each is so short that 20 epochs cover only a small part of the way; more epochs
would get there, at many times the cost.
- **η = 0.5, good.** The cost drops steeply in the first epochs and keeps falling to the lowest
value of the three; the small wiggles are the noise of the mini-batches.  This is the learning
rate to keep (or one near it).
- **η = 3, divergent.** Already in the first epoch the cost jumps far *above* ln 10 ≈ 2.3, the
cost of a uniform guess at the start, and it stays up there or jumps around without settling:
the steps overshoot the minimum along the steep directions, so each step lands higher than the
one before, the weights grow, the tanh units saturate (their tanh′ ≈ 0, so the gradient can no
longer pull them back) and the softmax makes confident wrong predictions with a huge
cross-entropy.  The accuracy is that of a guess.
- The cost can fall only if η is below about 2/λ_max, λ_max the largest curvature of the cost;
the good η sits just below that edge, the small one far below it.  In practice: try values a
factor 3–10 apart, keep the largest one whose cost falls steadily, and watch the first epochs:
a cost that rises (or turns into nan/inf) means η is too large.
""".strip(),
    "other-activation-answer": r"""
Only neuron $j$ of layer $l$ changes:

$$z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j \ \text{(unchanged)}, \qquad a^l_j = f(z^l_j),
\qquad a^l_i = \sigma(z^l_i) \ (i \ne j).$$

In vector form $a^l = g(z^l)$ with $g$ applied elementwise but not the same function on every
element: $g_j = f$, $g_i = \sigma$.  In the row-batch code column $j$ of
`Z = A_prev @ W.T + b` goes through $f$, the other columns through $\sigma$.  The next layers
are unchanged: they only see the numbers $a^l_j$.

What backpropagation needs from each neuron is the derivative of its own activation at its
own $z$: for neuron $j$ of layer $l$ that is $f'(z^l_j)$ instead of $\sigma'(z^l_j)$ (in BP1/BP2
the vector $\sigma'(z^l)$ becomes $g'(z^l)$, with $f'(z^l_j)$ in place $j$).  Nothing else in the
algorithm depends on the choice of activation, so $f$ only has to be differentiable (almost
everywhere, as ReLU) with a derivative we can compute; it is cheapest when $f'$ is written with
$f$'s own value, as $\sigma' = \sigma(1-\sigma)$.
""".strip(),
    "chain-rule-answer": r"""
1. $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ is a product $s(1 - s)$ with $s \in (0, 1)$, largest where
$s = \tfrac12$, i.e. at $z = 0$: $\sigma'(z) \le \sigma'(0) = \tfrac14$.  For large $|z|$ it goes to 0
(a saturated neuron).
2. $\partial C/\partial b^{(2)} = \sigma'(z^{(2)}) \prod_{l=3}^{L} w^{(l)}\sigma'(z^{(l)}) \cdot 2(a^{(L)} - y)$
holds one factor $w^{(l)}\sigma'(z^{(l)})$ per later neuron.  With $|w^{(l)}| \approx 1$ each factor is at
most $\tfrac14$ in size, so the gradient of the neuron of layer $l$ is smaller than that of layer $l+1$ by
a factor of about 4 or more: $m$ layers further from the output it has shrunk like $4^{-m}$ (about
$10^{-6}$ for $m = 10$), and more if some neurons are saturated.  It can only grow when
$|w^{(l)}\sigma'(z^{(l)})| > 1$, which needs $|w^{(l)}| > 4$ (and $z$ near 0); large weights make it
explode instead (exploding gradients).
3. Gradient descent changes each parameter by $\eta$ times its gradient, so the early layers of a deep
sigmoid network barely move while the last layers learn: training is slow or stalls (the vanishing
gradient problem).  Remedies: activations whose derivative is not small (ReLU, derivative 1 for $z > 0$),
careful initialisation (Xavier/He), normalisation, residual connections.
""".strip(),
    "bp2-proof": r"""
By definition $\delta^l_j = \partial C/\partial z^l_j$.  $C$ depends on $z^l_j$ only through the weighted
inputs of the next layer, $z^{l+1}_k$ for $k = 1, \dots, n_{l+1}$ (each uses $a^l_j = \sigma(z^l_j)$), so
by the multivariate chain rule
$$\delta^l_j = \sum_{k=1}^{n_{l+1}} \frac{\partial C}{\partial z^{l+1}_k}\frac{\partial z^{l+1}_k}{\partial z^l_j}
= \sum_{k} \delta^{l+1}_k \frac{\partial z^{l+1}_k}{\partial z^l_j}.$$
From $z^{l+1}_k = \sum_i w^{l+1}_{ki}\sigma(z^l_i) + b^{l+1}_k$ only the term $i = j$ depends on $z^l_j$:
$\partial z^{l+1}_k/\partial z^l_j = w^{l+1}_{kj}\sigma'(z^l_j)$.  Substituting,
$$\delta^l_j = \sum_{k=1}^{n_{l+1}} w^{l+1}_{kj}\,\delta^{l+1}_k\,\sigma'(z^l_j). \qquad\blacksquare$$
The sum runs over the first (row) index $k$ of $w^{l+1}_{kj}$ with the column $j$ fixed, i.e. it is
column $j$ of $w^{l+1}$ dotted with $\delta^{l+1}$, which is row $j$ of $(w^{l+1})^\top$ times
$\delta^{l+1}$: the $j$-th component of $(w^{l+1})^\top\delta^{l+1}$.  The factor $\sigma'(z^l_j)$ does not
depend on $k$, so for all $j$ at once $\delta^l = ((w^{l+1})^\top\delta^{l+1}) \odot \sigma'(z^l)$.
The transpose appears because the forward pass maps layer $l$ to $l+1$ with $w^{l+1}$
($n_{l+1} \times n_l$) and the error goes the other way.  (The slides reach the same sum by writing
$z^{l+1}_k$ as a function of $z^l_j$ directly.)  In NumPy: `(W_next.T @ delta_next) * sp`.
""".strip(),
    "planted-bug-answer": r"""
The wrong line is `dz2 = a2 - y`.  The article's cost is $C = \frac{1}{N n_{out}}\sum (a_2 - y)^2$, the
mean over all elements, with $a_2 = \sigma(z_2)$.  BP1, $\delta = \nabla_a C \odot \sigma'(z)$, needs two
factors: $\partial C/\partial a_2 = \frac{2}{N n_{out}}(a_2 - y)$ and $\partial a_2/\partial z_2 =
\sigma'(z_2) = a_2(1 - a_2)$, so
$$\frac{\partial C}{\partial z_2} = \frac{2}{N n_{out}}\,(a_2 - y) \odot a_2 (1 - a_2).$$
The article's `a2 - y` lacks the factor $\sigma'(z_2) = a_2(1 - a_2)$ and the 2 of the square, and
normalises by $m = N$ instead of $N n_{out}$.  (`a2 - y` is the output error of a sigmoid with *binary
cross-entropy*, where $\sigma'$ cancels — not of the squared error.)  The gradient check shows it: the
article's dW2 differs from the centred differences by a relative error of order 1, not $10^{-7}$, and
not by one constant factor, because the missing $\sigma'(z_2)$ is a different number for every example
and output; dW1, db1 are wrong too, since the error is propagated back from `dz2`.  The fix:
`dz2 = 2 * (a2 - y) / a2.size * a2 * (1 - a2)`, with no further $1/m$.
""".strip(),
}
