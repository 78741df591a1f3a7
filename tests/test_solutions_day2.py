"""The Day 2 reference (`solutions/day2_backprop.py`) against PyTorch, in float64.

Gradients are compared with autograd on hypothesis-drawn shapes (N = 1 and
non-square weights included) and random upstream gradients; optimizers over
whole trajectories with torch.optim; schedules with torch.optim.lr_scheduler;
clipping with torch.nn.utils.  Elementwise results are held to the course's own
tolerance (`checks.TOL` on `relative_error`); results that are sums of products
(matrix products, whole networks) to a rounding bound relative to the largest
element of the tensor (`assert_sums_close`), since a relative error says little
about one element once its terms cancel.

The last part checks the wrong-answer library: every wrong answer must differ from
the reference on some input, or it is not a bug but a rewrite.
"""

import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from course import checks
from course.checks import TOL, assert_close, assert_dtype, assert_shape, to_torch
from course.data import load_digits_split, make_2d, minibatches
from helpers import differs_at_the_edge, or_error, twice, assert_within, differs, float_arrays, networks, notebook_function, numpy_of
from solutions import day1_forward as day1
from solutions import day2_backprop as day2
from solutions.wrong import day2_backprop as wrong_day2

PROPERTY = settings(max_examples=30, deadline=None)

sides = st.integers(1, 5)


def assert_sums_close(ours, expected, name, factor=1e-10, floor=1e-13):
    """Shape, float64, then |ours − expected| ≤ factor·max|expected| + floor, elementwise.

    For results that are sums of products: the rounding of each element is a few
    ulps of the terms summed, which the largest element of the tensor bounds for the
    sizes and values drawn here (|x| ≤ 10); 1e-10 is far above that and far below any
    real bug.  The floor covers terms that cancel to exactly 0 in one library and to
    1e-17 in the other (e.g. a softmax row minus its one-hot, summed over the batch).
    """
    expected = np.asarray(expected, dtype=np.float64)
    assert_shape(ours, expected.shape, name)
    assert_dtype(ours, np.float64, name)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    assert_within(ours, expected, factor * scale + floor, name)


def torch_grads(loss, tensors):
    return [numpy_of(g) for g in torch.autograd.grad(loss, tensors)]


# --- strategies ----------------------------------------------------------------------


@st.composite
def chains(draw):
    """a0, ws (k,), bs (k,), y for a chain of 1 ≤ k ≤ 5 single neurons."""
    k = draw(sides)
    return (draw(st.floats(-2, 2)), draw(float_arrays((k,), 3.0)), draw(float_arrays((k,), 3.0)),
            draw(st.floats(0, 1)))


def torch_params(params):
    return [(to_torch(W), to_torch(b)) for W, b in params]


def flat(pairs):
    return [t for pair in pairs for t in pair]


def sigmoid_net_torch(X, tparams):
    a = torch.from_numpy(np.asarray(X, dtype=np.float64))
    for W, b in tparams:
        a = torch.sigmoid(F.linear(a, W, b))
    return a


def assert_grads_match(grads, expected, name):
    assert len(grads) == len(expected), f"{name}: {len(grads)} layers, expected {len(expected)}"
    for layer, ((dW, db), (eW, eb)) in enumerate(zip(grads, expected), start=1):
        assert_sums_close(dW, eW, f"{name} dW{layer}")
        assert_sums_close(db, eb, f"{name} db{layer}")


# --- 1. a chain of single neurons ------------------------------------------------------


def torch_chain(a0, ws, bs):
    activations = [torch.tensor(a0, dtype=torch.float64)]
    for w, b in zip(ws, bs):
        activations.append(torch.sigmoid(w * activations[-1] + b))
    return activations


@PROPERTY
@given(chain=chains())
def test_chain_forward_and_grads_match_autograd(chain):
    a0, ws, bs, y = chain
    tw, tb = to_torch(ws, bs)
    acts = torch_chain(a0, tw, tb)
    a = day2.chain_forward(a0, ws, bs)
    assert_close(a, np.array([t.item() for t in acts]), "chain_forward")
    cost = (acts[-1] - y) ** 2  # the slides' C, without ½
    dws, dbs = day2.chain_grads(a0, ws, bs, y)
    ew, eb = torch_grads(cost, [tw, tb])
    assert_sums_close(dws, ew, "chain_grads dws")
    assert_sums_close(dbs, eb, "chain_grads dbs")


@PROPERTY
@given(a_prev=st.floats(-3, 3), w=st.floats(-3, 3), b=st.floats(-3, 3), y=st.floats(0, 1))
def test_neuron_grads_match_autograd(a_prev, w, b, y):
    ta, tw, tb = to_torch(np.float64(a_prev), np.float64(w), np.float64(b))
    cost = (torch.sigmoid(tw * ta + tb) - y) ** 2
    expected = [g.item() for g in torch.autograd.grad(cost, [tw, tb, ta])]
    got = day2.neuron_grads(a_prev, w, b, y)
    assert len(got) == 3 and all(isinstance(g, float) for g in got)
    for g, e, name in zip(got, expected, ["dC/dw", "dC/db", "dC/da_prev"]):
        assert_close(g, e, f"neuron_grads {name}", check_dtype=False)


@PROPERTY
@given(chain=chains())
def test_chain_grads_of_the_last_neuron_are_neuron_grads(chain):
    a0, ws, bs, y = chain
    a = day2.chain_forward(a0, ws, bs)
    dw, db, _ = day2.neuron_grads(a[-2], ws[-1], bs[-1], y)
    dws, dbs = day2.chain_grads(a0, ws, bs, y)
    assert_close(dws[-1], dw, "chain_grads dws[-1]", check_dtype=False)
    assert_close(dbs[-1], db, "chain_grads dbs[-1]", check_dtype=False)


# --- 2. computational graphs -----------------------------------------------------------


@PROPERTY
@given(shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), data=st.data())
def test_add_and_mul_backward_match_autograd(shape, data):
    x, y, dout = (data.draw(float_arrays(shape, 5.0)) for _ in range(3))
    tx, ty = to_torch(x, y)
    dx, dy = day2.add_backward(dout)
    ex, ey = [numpy_of(g) for g in torch.autograd.grad(tx + ty, [tx, ty], torch.from_numpy(dout))]
    assert_close(dx, ex, "add_backward dx")
    assert_close(dy, ey, "add_backward dy")
    dx, dy = day2.mul_backward(dout, x, y)
    ex, ey = [numpy_of(g) for g in torch.autograd.grad(tx * ty, [tx, ty], torch.from_numpy(dout))]
    assert_close(dx, ex, "mul_backward dx")
    assert_close(dy, ey, "mul_backward dy")


TORCH_OPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
             "tanh": torch.tanh, "sigmoid": torch.sigmoid}
UNARY = {"tanh", "sigmoid"}


@st.composite
def graphs(draw):
    """(ops, inputs, output, dout): up to 7 ops over inputs x, y, z; nodes reused freely."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    inputs = {name: draw(float_arrays(shape, 1.5)) for name in ("x", "y", "z")}
    names = list(inputs)
    ops = []
    for i in range(draw(st.integers(1, 7))):
        op = draw(st.sampled_from(sorted(TORCH_OPS)))
        args = [draw(st.sampled_from(names)) for _ in range(1 if op in UNARY else 2)]
        ops.append((f"n{i}", op, *args))
        names.append(f"n{i}")
    dout = draw(float_arrays(shape, 2.0))
    return ops, inputs, names[-1], dout


def torch_graph(ops, inputs):
    values = {k: to_torch(v) for k, v in inputs.items()}
    for out, op, *args in ops:
        values[out] = TORCH_OPS[op](*(values[a] for a in args))
    return values


@PROPERTY
@given(graph=graphs())
def test_graph_forward_and_backward_match_autograd(graph):
    ops, inputs, output, dout = graph
    values = day2.graph_forward(ops, inputs)
    tvalues = torch_graph(ops, inputs)
    for name in tvalues:
        assert_sums_close(values[name], numpy_of(tvalues[name]), f"graph_forward {name}")
    grads = day2.graph_backward(ops, values, output, dout)
    assert set(grads) == set(tvalues)
    names = list(tvalues)
    expected = torch.autograd.grad(tvalues[output], [tvalues[n] for n in names],
                                   torch.from_numpy(dout), allow_unused=True)
    for name, e in zip(names, expected):
        e = np.zeros_like(inputs["x"]) if e is None else numpy_of(e)
        assert_sums_close(grads[name], e, f"graph_backward d{name}")


def test_graph_backward_accumulates_at_a_node_used_three_times():
    # f(x, y) = (x·y + x)·x = x²y + x², so ∂f/∂x = 2xy + 2x and ∂f/∂y = x².
    ops = [("p", "mul", "x", "y"), ("q", "add", "p", "x"), ("f", "mul", "q", "x")]
    x, y = np.array([1.5, -0.5, 2.0]), np.array([0.25, 3.0, -1.0])
    values = day2.graph_forward(ops, {"x": x, "y": y})
    assert_close(values["f"], x * x * y + x * x, "f")
    grads = day2.graph_backward(ops, values, "f")
    assert_close(grads["x"], 2 * x * y + 2 * x, "df/dx")
    assert_close(grads["y"], x * x, "df/dy")
    # x·x in one op: both operands are the same node, ∂(x²)/∂x = 2x
    values = day2.graph_forward([("s", "mul", "x", "x")], {"x": x})
    square = day2.graph_backward([("s", "mul", "x", "x")], values, "s")
    assert_close(square["x"], 2 * x, "d(x²)/dx")


def test_graph_with_scalars_and_list_ops():
    # the judge sends ops as JSON, so they arrive as lists of lists
    ops = [["p", "mul", "x", "y"], ["t", "tanh", "p"], ["f", "mul", "t", "x"]]
    values = day2.graph_forward(ops, {"x": 0.5, "y": -2.0})
    grads = day2.graph_backward(ops, values, "f")
    x, y = to_torch(np.float64(0.5), np.float64(-2.0))
    ex, ey = torch_grads(torch.tanh(x * y) * x, [x, y])
    assert_close(grads["x"], ex, "df/dx")
    assert_close(grads["y"], ey, "df/dy")


def test_graph_rejects_an_unknown_op_by_name():
    with pytest.raises(ValueError, match="'pow'"):
        day2.graph_forward([("f", "pow", "x", "x")], {"x": 2.0})


# --- 3. BP1-BP4, one example and a batch -----------------------------------------------


@st.composite
def layer_pairs(draw):
    """z^l (n_l,), W^{l+1} (n_{l+1}, n_l), δ^{l+1} (n_{l+1},), a^{l−1} (n_{l−1},), ∇_a C (n_l,)."""
    n_prev, n, n_next = draw(sides), draw(sides), draw(sides)
    return (draw(float_arrays((n,), 4.0)), draw(float_arrays((n_next, n), 2.0)),
            draw(float_arrays((n_next,), 2.0)), draw(float_arrays((n_prev,), 2.0)),
            draw(float_arrays((n,), 2.0)))


@PROPERTY
@given(pair=layer_pairs())
def test_bp1_to_bp4_match_autograd(pair):
    z_np, W_np, delta_next, a_prev_np, grad_a = pair
    sp = day1.sigmoid_prime(z_np)
    # BP1: with C = Σ grad_a ⊙ σ(z), ∇_a C = grad_a and ∂C/∂z = δ.
    z = to_torch(z_np)
    (expected,) = torch_grads((torch.sigmoid(z) * torch.from_numpy(grad_a)).sum(), [z])
    assert_close(day2.bp1(grad_a, sp), expected, "bp1")
    # BP2: z^{l+1} = W σ(z^l) + b with upstream δ^{l+1}.
    (expected,) = torch_grads((F.linear(torch.sigmoid(z), torch.from_numpy(W_np))
                               * torch.from_numpy(delta_next)).sum(), [z])
    assert_sums_close(day2.bp2(W_np, delta_next, sp), expected, "bp2")
    assert_sums_close(day2.bp2_diag(W_np, delta_next, z_np), expected, "bp2_diag")
    # BP3 and BP4: z^l = W a^{l−1} + b with upstream δ^l (here z_np); ∂C/∂W does not
    # depend on W's values.
    W, b = to_torch(np.ones((len(z_np), len(a_prev_np))) * 0.5, np.zeros(len(z_np)))
    zl = F.linear(torch.from_numpy(a_prev_np), W, b)
    eW, eb = torch_grads((zl * torch.from_numpy(z_np)).sum(), [W, b])
    assert_close(day2.bp3(z_np), eb, "bp3")
    assert_close(day2.bp4(a_prev_np, z_np), eW, "bp4")


@PROPERTY
@given(z=float_arrays(hnp.array_shapes(min_dims=1, max_dims=1, max_side=6), 50.0))
def test_sigma_prime_diag_is_diagonal_sigmoid_prime(z):
    D = day2.sigma_prime_diag(z)
    assert_shape(D, (len(z), len(z)), "sigma_prime_diag")
    assert_close(np.diag(D), day1.sigmoid_prime(z), "diagonal")
    assert np.all(D[~np.eye(len(z), dtype=bool)] == 0.0)


@PROPERTY
@given(pair=layer_pairs())
def test_bp2_diag_equals_bp2(pair):
    z, W, delta_next, _, _ = pair
    assert_sums_close(day2.bp2_diag(W, delta_next, z),
                      day2.bp2(W, delta_next, day1.sigmoid_prime(z)), "bp2_diag")


@PROPERTY
@given(z=float_arrays(hnp.array_shapes(min_dims=1, max_dims=1, max_side=7), 30.0))
def test_softmax_jacobian_matches_autograd(z):
    J = day2.softmax_jacobian(z)
    theirs = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), torch.tensor(z))
    assert_sums_close(J, numpy_of(theirs), "softmax_jacobian", floor=1e-15)
    assert_within(J.sum(axis=0), np.zeros(len(z)), 1e-15, "columns of J sum to 0")


def test_softmax_jacobian_turns_the_cross_entropy_gradient_into_p_minus_onehot():
    # δ = Jᵀ ∇_p C with ∇_p C = −onehot/p_y: the fused gradient of Part 3
    z, label = np.array([0.3, -1.2, 2.0, 0.1]), 2
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    grad_p = np.zeros(4)
    grad_p[label] = -1.0 / p[label]
    assert_close(day2.softmax_jacobian(z).T @ grad_p, p - np.eye(4)[label], "Jᵀ ∇_p C")


@PROPERTY
@given(data=st.data(), n=st.integers(1, 8))
def test_sigmoid_bce_delta_matches_binary_cross_entropy_with_logits(data, n):
    z = data.draw(float_arrays((n,), 40.0), label="z")
    y = data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.0, 1.0)), label="y")
    zt = torch.tensor(z, requires_grad=True)
    F.binary_cross_entropy_with_logits(zt, torch.tensor(y), reduction="sum").backward()
    assert_within(day2.sigmoid_bce_delta(z, y), numpy_of(zt.grad), 1e-15, "sigmoid_bce_delta")


@settings(max_examples=10, deadline=None)
@given(net=networks(st.integers(1, 4)))
def test_network_numeric_grads_match_autograd_and_leave_params_alone(net):
    X, params = net
    before = [(W.copy(), b.copy()) for W, b in params]

    def cost(ps):
        return 0.5 * float(np.sum(day1.network_forward(X, ps, "tanh") ** 2)) / len(X)

    numeric = day2.network_numeric_grads(cost, params)
    tparams = torch_params(params)
    a = torch.from_numpy(X)
    for i, (W, b) in enumerate(tparams):
        a = F.linear(a, W, b)
        a = a if i == len(tparams) - 1 else torch.tanh(a)
    expected = torch_grads(0.5 * (a ** 2).sum() / len(X), flat(tparams))
    for (dW, db), eW, eb in zip(numeric, expected[0::2], expected[1::2]):
        assert_shape(dW, eW.shape, "dW")
        assert_within(dW, eW, 1e-6 * (1.0 + np.max(np.abs(eW))), "dW")
        assert_within(db, eb, 1e-6 * (1.0 + np.max(np.abs(eb))), "db")
    assert all(np.array_equal(W, W0) and np.array_equal(b, b0)
               for (W, b), (W0, b0) in zip(params, before)), "params changed"


def test_numeric_gradient_hands_f_a_copy():
    def centre_in_place(v):
        v -= v.mean()
        return v ** 2

    x = np.array([1.0, -2.0, 0.5, 3.0])
    assert_within(day2.numeric_gradient(centre_in_place, x), 2 * (x - x.mean()), 1e-6, "gradient")
    # the library's "shares the working array" bug is visible on exactly this f
    assert differs(wrong_day2.numeric_gradient_shares_array(centre_in_place, x), 2 * (x - x.mean()))


@PROPERTY
@given(net=networks(sides), data=st.data())
def test_backprop_single_matches_autograd(net, data):
    X, params = net
    x = X[0]
    y = data.draw(float_arrays((params[-1][0].shape[0],), 1.0), label="y")
    tparams = torch_params(params)
    a = sigmoid_net_torch(x[None, :], tparams)[0]
    cost = 0.5 * ((torch.from_numpy(y) - a) ** 2).sum()
    expected = torch_grads(cost, flat(tparams))
    grads = day2.backprop_single(x, y, params)
    assert_grads_match(grads, list(zip(expected[0::2], expected[1::2])), "backprop_single")



def test_backprop_on_paper_is_the_2_2_1_network_of_the_notebook_through_autograd():
    # the numbers of §7.1 of notebook 02, typed once more here, through PyTorch
    x = torch.tensor([1.0, 0.5], dtype=torch.float64)
    W2 = torch.tensor([[0.4, -0.2], [0.3, 0.8]], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([0.1, -0.5], dtype=torch.float64, requires_grad=True)
    W3 = torch.tensor([[0.7, -0.6]], dtype=torch.float64, requires_grad=True)
    b3 = torch.tensor([0.2], dtype=torch.float64, requires_grad=True)
    z2 = W2 @ x + b2
    z3 = W3 @ torch.sigmoid(z2) + b3
    a3 = torch.sigmoid(z3)
    (0.5 * (1.0 - a3) ** 2).sum().backward()
    paper = day2.backprop_on_paper()
    assert set(paper) == {"z2", "a2", "z3", "a3", "delta3", "delta2", "dw2_12"}
    expected = {"z2": z2, "a2": torch.sigmoid(z2), "z3": z3, "a3": a3, "delta3": b3.grad,
                "delta2": b2.grad, "dw2_12": W2.grad[0, 1]}
    for key, value in expected.items():
        assert_within(np.reshape(paper[key], -1), numpy_of(value.detach()).reshape(-1), 1e-15, key)


@PROPERTY
@given(net=networks(sides), data=st.data())
def test_backprop_batch_matches_autograd(net, data):
    X, params = net
    N, n_L = X.shape[0], params[-1][0].shape[0]
    Y = data.draw(float_arrays((N, n_L), 1.0), label="Y")
    tparams = torch_params(params)
    A = sigmoid_net_torch(X, tparams)
    # the slides' C = 1/(2N) Σ_x ‖y − a‖²; F.mse_loss(sum) is Σ ‖y − a‖²
    cost = 0.5 * F.mse_loss(A, torch.from_numpy(Y), reduction="sum") / N
    expected = torch_grads(cost, flat(tparams))
    before = [p.copy() for p in flat(params)] + [X.copy(), Y.copy()]
    grads = day2.backprop_batch(X, Y, params)
    assert_grads_match(grads, list(zip(expected[0::2], expected[1::2])), "backprop_batch")
    for p, p0 in zip(flat(params) + [X, Y], before):
        assert np.array_equal(p, p0), "backprop_batch modified an input"


@PROPERTY
@given(net=networks(sides), data=st.data())
def test_backprop_single_summed_over_examples_is_N_times_batch(net, data):
    X, params = net
    N = X.shape[0]
    Y = data.draw(float_arrays((N, params[-1][0].shape[0]), 1.0), label="Y")
    total = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for x, y in zip(X, Y):
        total = [(tW + dW, tb + db)
                 for (tW, tb), (dW, db) in zip(total, day2.backprop_single(x, y, params))]
    batch = day2.backprop_batch(X, Y, params)
    assert_grads_match(total, [(N * dW, N * db) for dW, db in batch], "Σ backprop_single")


# --- 4. layer gradients -----------------------------------------------------------------


@PROPERTY
@given(data=st.data(), N=sides, n_in=sides, n_out=sides)
def test_affine_backward_matches_F_linear(data, N, n_in, n_out):
    x = data.draw(float_arrays((N, n_in), 5.0))
    W = data.draw(float_arrays((n_out, n_in), 5.0))
    b = data.draw(float_arrays((n_out,), 5.0))
    dout = data.draw(float_arrays((N, n_out), 5.0))
    _, cache = day1.affine_forward(x, W, b)
    dx, dW, db = day2.affine_backward(dout, cache)
    tx, tW, tb = to_torch(x, W, b)
    expected = torch.autograd.grad(F.linear(tx, tW, tb), [tx, tW, tb], torch.from_numpy(dout))
    for got, e, name in zip((dx, dW, db), expected, ("dx", "dW", "db")):
        assert_sums_close(got, numpy_of(e), f"affine_backward {name}")


# (graded function, the PyTorch activation it is the backward pass of)
ELEMENTWISE = [
    ("sigmoid_backward", torch.sigmoid),
    ("tanh_backward", torch.tanh),
    ("relu_backward", F.relu),
]


@pytest.mark.parametrize("name, theirs", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
@PROPERTY
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_activation_backward_matches_autograd(name, theirs, shape, data):
    z = data.draw(st.one_of(float_arrays(shape, 5.0), float_arrays(shape, 800.0)), label="z")
    dout = data.draw(float_arrays(shape, 5.0), label="dout")
    tz = to_torch(z)
    (expected,) = torch.autograd.grad(theirs(tz), [tz], torch.from_numpy(dout))
    with np.errstate(over="raise", invalid="raise"):
        got = getattr(day2, name)(dout, z)
    assert_close(got, numpy_of(expected), name)


def test_relu_backward_at_zero_passes_nothing():
    z, dout = np.array([0.0, -0.0, 1.0, -1.0]), np.array([3.0, 3.0, 3.0, 3.0])
    tz = to_torch(z)
    (expected,) = torch.autograd.grad(F.relu(tz), [tz], torch.from_numpy(dout))
    assert_close(day2.relu_backward(dout, z), numpy_of(expected), "relu_backward at 0")


@PROPERTY
@given(data=st.data(), N=sides, n=sides)
def test_quadratic_cost_grad_matches_autograd_of_the_slides_cost(data, N, n):
    A, Y = data.draw(float_arrays((N, n), 5.0)), data.draw(float_arrays((N, n), 5.0))
    tA = to_torch(A)
    (expected,) = torch_grads(0.5 * F.mse_loss(tA, torch.from_numpy(Y), reduction="sum") / N,
                              [tA])
    assert_close(day2.quadratic_cost_grad(A, Y), expected, "quadratic_cost_grad")


@PROPERTY
@given(data=st.data(), N=sides, C=st.integers(2, 6))
def test_softmax_cross_entropy_backward_matches_F_cross_entropy(data, N, C):
    scores = data.draw(float_arrays((N, C), 20.0)) + data.draw(float_arrays((N, 1), 1e3))
    y = data.draw(hnp.arrays(np.int64, (N,), elements=st.integers(0, C - 1)))
    ts = to_torch(scores)
    loss_t = F.cross_entropy(ts, torch.from_numpy(y))
    (expected,) = torch_grads(loss_t, [ts])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dscores = day2.softmax_cross_entropy_backward(scores, y)
    assert isinstance(loss, float)
    assert_close(loss, day1.softmax_cross_entropy(scores, y), "loss", check_dtype=False)
    assert abs(loss - loss_t.item()) <= 1e-12 * (1 + np.ptp(scores, axis=1).max())
    assert_sums_close(dscores, expected, "dscores", factor=1e-12)


@PROPERTY
@given(net=networks(sides, min_layers=1), data=st.data())
def test_mlp_loss_and_grads_match_autograd(net, data):
    X, params = net
    C = params[-1][0].shape[0]
    y = data.draw(hnp.arrays(np.int64, (X.shape[0],), elements=st.integers(0, C - 1)))
    tparams = torch_params(params)
    a = torch.from_numpy(X)
    for layer, (W, b) in enumerate(tparams):
        a = F.linear(a, W, b)
        a = a if layer == len(tparams) - 1 else torch.tanh(a)
    loss_t = F.cross_entropy(a, torch.from_numpy(y))
    expected = torch_grads(loss_t, flat(tparams))
    loss, grads = day2.mlp_loss_and_grads(X, y, params)
    assert_close(loss, loss_t.item(), "loss", check_dtype=False)
    assert_grads_match(grads, list(zip(expected[0::2], expected[1::2])), "mlp_loss_and_grads")


# --- 5. gradient checking ---------------------------------------------------------------


def test_numeric_gradient_of_known_functions():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    dout = rng.normal(size=(3, 4))
    A = rng.normal(size=(4, 2))
    before = x.copy()
    cases = [
        ("Σ sin(x)·dout", lambda v: np.sin(v), dout, np.cos(x) * dout),
        ("Σ (x @ A)·dout", lambda v: v @ A, dout[:, :2], dout[:, :2] @ A.T),
        ("Σ x³ (a number)", lambda v: np.sum(v ** 3), None, 3 * x ** 2),
    ]
    for name, f, d, exact in cases:
        g = day2.numeric_gradient(f, x, d)
        assert_shape(g, x.shape, name)
        # centred differences: error h²·f'''/6 ≈ 1e-10 plus rounding ε·|f|/h ≈ 1e-11
        assert np.max(np.abs(g - exact)) < 1e-8, name
    assert np.array_equal(x, before), "numeric_gradient modified x"


def test_numeric_gradient_agrees_with_the_course_checker():
    rng = np.random.default_rng(1)
    W, x = rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    dout = rng.normal(size=(4, 3))
    f = lambda v: np.tanh(x @ v.T)  # noqa: E731
    assert_close(day2.numeric_gradient(f, W, dout, h=1e-5),
                 checks.numeric_gradient(f, W, dout, h=1e-5), "numeric_gradient", tol=1e-9)


@PROPERTY
@given(shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), data=st.data())
def test_relative_error_is_the_course_formula(shape, data):
    a, b = data.draw(float_arrays(shape, 1e3)), data.draw(float_arrays(shape, 1e3))
    err = day2.relative_error(a, b)
    assert isinstance(err, float)
    expected = np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    assert err == float(expected)
    assert err == checks.relative_error(a, b)


@PROPERTY
@given(data=st.data(), N=sides, n_in=sides, n_h=sides, n_out=sides)
def test_mse_sigmoid_net_grads_match_autograd_of_mse_loss(data, N, n_in, n_h, n_out):
    X, y = data.draw(float_arrays((N, n_in), 3.0)), data.draw(float_arrays((N, n_out), 1.0))
    params = [data.draw(float_arrays(s, 2.0)) for s in ((n_h, n_in), (n_h,), (n_out, n_h),
                                                        (n_out,))]
    W1, b1, W2, b2 = to_torch(*params)
    a2 = torch.sigmoid(F.linear(torch.sigmoid(F.linear(torch.from_numpy(X), W1, b1)), W2, b2))
    expected = torch_grads(F.mse_loss(a2, torch.from_numpy(y)), [W1, b1, W2, b2])
    got = day2.mse_sigmoid_net_grads(X, y, *params)
    for g, e, name in zip(got, expected, ("dW1", "db1", "dW2", "db2")):
        assert_sums_close(g, e, f"mse_sigmoid_net_grads {name}")


# --- 6. gradient descent ----------------------------------------------------------------

# (our rule, its hyper-parameters, the torch.optim class with the same ones)
OPTIMIZERS = [
    ("sgd", {"lr": 0.05}, lambda p, h: torch.optim.SGD(p, lr=h["lr"])),
    ("momentum", {"lr": 0.03, "mu": 0.9},
     lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["mu"])),
    ("momentum", {"lr": 0.1, "mu": 0.5},
     lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["mu"])),
    ("nesterov", {"lr": 0.03, "mu": 0.9},
     lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["mu"], nesterov=True)),
    ("rmsprop", {}, lambda p, h: torch.optim.RMSprop(p)),
    ("rmsprop", {"lr": 0.003, "alpha": 0.9, "eps": 1e-6},
     lambda p, h: torch.optim.RMSprop(p, lr=h["lr"], alpha=h["alpha"], eps=h["eps"])),
    ("adam", {}, lambda p, h: torch.optim.Adam(p)),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
     lambda p, h: torch.optim.Adam(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"])),
]
OPT_IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(OPTIMIZERS)]
STEPS = 60


def frozen(state):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()}


def run_ours(rule, hyper, theta0, gradient_at):
    """STEPS updates of theta0; gradient_at(theta, step) gives g.  Checks purity on the way."""
    theta, state, path = theta0.copy(), {}, []
    for step in range(STEPS):
        g = gradient_at(theta, step)
        theta_before, state_before = theta.copy(), frozen(state)
        new_theta, new_state = rule(theta, g, state, **hyper)
        assert np.array_equal(theta, theta_before), "the update modified param in place"
        for k, v in state_before.items():
            assert np.array_equal(np.asarray(state[k]), np.asarray(v)), "the update modified state"
        theta, state = new_theta, new_state
        path.append(theta.copy())
    return np.array(path)


def run_torch(make, hyper, theta0, gradient_at):
    p = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    opt = make([p], hyper)
    path = []
    for step in range(STEPS):
        p.grad = torch.from_numpy(np.asarray(gradient_at(p.detach().numpy().copy(), step)))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("name, hyper, make", OPTIMIZERS, ids=OPT_IDS)
def test_optimizer_trajectory_on_random_gradients_matches_torch(name, hyper, make):
    rng = np.random.default_rng(3)
    theta0 = rng.normal(size=(4, 3))
    gs = rng.normal(size=(STEPS, 4, 3)) * np.exp(rng.normal(size=(STEPS, 1, 1)))
    ours = run_ours(getattr(day2, name), hyper, theta0, lambda th, t: gs[t])
    theirs = run_torch(make, hyper, theta0, lambda th, t: gs[t])
    assert_sums_close(ours, theirs, f"{name} trajectory", factor=1e-12)


@pytest.mark.parametrize("name, hyper, make", OPTIMIZERS, ids=OPT_IDS)
def test_optimizer_trajectory_on_a_quadratic_matches_torch(name, hyper, make):
    # L(θ) = ½ θᵀAθ − bᵀθ with A symmetric positive definite and badly conditioned;
    # the gradient Aθ − b depends on where the optimizer has gone.
    rng = np.random.default_rng(4)
    Q = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    A = Q @ np.diag([0.1, 0.5, 1.0, 3.0, 8.0]) @ Q.T
    b = rng.normal(size=5)
    theta0 = rng.normal(size=5)
    ours = run_ours(getattr(day2, name), hyper, theta0, lambda th, t: A @ th - b)
    theirs = run_torch(make, hyper, theta0, lambda th, t: A @ th - b)
    assert_sums_close(ours, theirs, f"{name} trajectory", factor=1e-10)
    loss = lambda th: 0.5 * th @ A @ th - b @ th  # noqa: E731
    assert loss(ours[-1]) < loss(theta0), f"{name} did not descend"


@pytest.mark.parametrize("N, batch_size", [(10, 3), (9, 3), (1, 4), (7, 1), (5, 5), (4, 10)])
def test_batch_indices_cover_every_row_once_and_keep_the_last_batch(N, batch_size):
    batches = day2.batch_indices(N, batch_size, seed=5)
    assert [len(b) for b in batches] == [min(batch_size, N - s) for s in range(0, N, batch_size)]
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(N))
    assert all(np.issubdtype(b.dtype, np.integer) for b in batches)
    again = day2.batch_indices(N, batch_size, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    in_order = day2.batch_indices(N, batch_size, seed=5, shuffle=False)
    assert np.array_equal(np.concatenate(in_order), np.arange(N))
    # the same order as the course's own minibatches helper
    X = np.arange(N)
    for rows, (xb, _) in zip(batches, minibatches(X, X, batch_size, seed=5)):
        assert np.array_equal(rows, xb)


def test_batch_indices_shuffle_differs_per_seed():
    assert not np.array_equal(np.concatenate(day2.batch_indices(50, 8, seed=0)),
                              np.concatenate(day2.batch_indices(50, 8, seed=1)))


def torch_schedule(make, lr0, epochs):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=lr0)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return np.array(lrs)


SCHEDULES = [
    ("step", lambda e: day2.step_decay(0.1, e, 0.5, 7),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    ("step-1", lambda e: day2.step_decay(0.3, e, 0.9, 1),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.9)),
    ("exponential", lambda e: day2.exponential_decay(0.1, e, 0.95),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95)),
    ("cosine", lambda e: day2.cosine_schedule(0.1, e, 40),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40)),
    ("cosine-min", lambda e: day2.cosine_schedule(0.1, e, 25, lr_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=0.01)),
]


@pytest.mark.parametrize("name, ours, make", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_matches_torch_lr_scheduler(name, ours, make):
    epochs = 41
    theirs = torch_schedule(make, 0.3 if name == "step-1" else 0.1, epochs)
    got = np.array([ours(e) for e in range(epochs)], dtype=np.float64)
    # torch multiplies step by step; the closed forms differ from it by rounding only
    assert np.max(np.abs(got - theirs)) <= 1e-12, (got, theirs)


@st.composite
def gradient_lists(draw):
    shapes = draw(st.lists(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4), min_size=1,
                           max_size=4))
    return [draw(float_arrays(s, 10.0)) for s in shapes]


@PROPERTY
@given(grads=gradient_lists(), fraction=st.sampled_from([0.01, 0.5, 0.999, 1.0, 1.5, 100.0]))
def test_clip_by_global_norm_matches_clip_grad_norm_(grads, fraction):
    total_np = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    max_norm = fraction * total_np if total_np > 0 else 1.0
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    total_t = torch.nn.utils.clip_grad_norm_(params, max_norm).item()
    before = [g.copy() for g in grads]
    clipped, total = day2.clip_by_global_norm(grads, max_norm)
    assert isinstance(total, float)
    assert abs(total - total_t) <= 1e-12 * max(total_t, 1.0)
    assert len(clipped) == len(grads)
    for i, (c, p) in enumerate(zip(clipped, params)):
        assert_sums_close(c, numpy_of(p.grad), f"clipped[{i}]", factor=1e-12)
    for g, g0 in zip(grads, before):
        assert np.array_equal(g, g0), "clip_by_global_norm modified a gradient in place"


@PROPERTY
@given(grads=gradient_lists(), clip=st.floats(0.01, 12.0))
def test_clip_by_value_matches_clip_grad_value_(grads, clip):
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(params, clip)
    before = [g.copy() for g in grads]
    clipped = day2.clip_by_value(grads, clip)
    for i, (c, p) in enumerate(zip(clipped, params)):
        assert_close(c, numpy_of(p.grad), f"clipped[{i}]")
    for g, g0 in zip(grads, before):
        assert np.array_equal(g, g0), "clip_by_value modified a gradient in place"


# --- 8. training --------------------------------------------------------------------------


def accuracy(X, y, params):
    return float(np.mean(day1.network_forward(X, params, "tanh").argmax(axis=1) == y))


def test_train_mlp_separates_the_moons():
    X, y = make_2d("moons")
    params, history = day2.train_mlp(X, y, [2, 16, 16, 2], epochs=50, lr=0.2, batch_size=32,
                                     seed=0)
    assert len(history) == 50 and all(isinstance(h, float) for h in history)
    assert history[-1] < 0.1 * history[0]
    assert accuracy(X, y, params) >= 0.95
    again, _ = day2.train_mlp(X, y, [2, 16, 16, 2], epochs=50, lr=0.2, batch_size=32, seed=0)
    assert all(np.array_equal(W, W2) for (W, _), (W2, _) in zip(params, again)), "not reproducible"


def test_train_mlp_on_digits_generalises():
    data = load_digits_split()
    params, history = day2.train_mlp(data.X_train, data.y_train, [64, 64, 10], epochs=20,
                                     lr=0.1, batch_size=32, seed=0)
    assert history[-1] < history[0]
    assert accuracy(data.X_val, data.y_val, params) >= 0.90


def test_train_mlp_matches_torch_sgd_step_by_step():
    # the same initial weights and batches in torch: nn.Linear + tanh, F.cross_entropy,
    # torch.optim.SGD; after two epochs the weights and the loss history agree
    X, y = make_2d("moons", n=90)
    sizes, epochs, lr, batch_size, seed = [2, 5, 4, 2], 2, 0.3, 16, 3
    params, history = day2.train_mlp(X, y, sizes, epochs=epochs, lr=lr, batch_size=batch_size,
                                     seed=seed)
    layers = []
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        W, b = day1.init_weights(n_out, n_in, "xavier", seed=seed + layer)
        layers.append((nn.Parameter(torch.tensor(W)), nn.Parameter(torch.tensor(b))))
    opt = torch.optim.SGD([t for pair in layers for t in pair], lr=lr)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    theirs = []
    for epoch in range(epochs):
        total = 0.0
        for rows in day2.batch_indices(len(X), batch_size, seed + epoch):
            a = Xt[rows]
            for i, (W, b) in enumerate(layers):
                a = F.linear(a, W, b)
                a = a if i == len(layers) - 1 else torch.tanh(a)
            loss = F.cross_entropy(a, yt[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        theirs.append(total / len(X))
    assert np.allclose(history, theirs, rtol=1e-12, atol=0)
    for (W, b), (Wt, bt) in zip(params, layers):
        assert_sums_close(W, numpy_of(Wt), "W", factor=1e-10)
        assert_sums_close(b, numpy_of(bt), "b", factor=1e-10)


@pytest.mark.parametrize("rule, make", [
    ("adam", lambda ps, lr: torch.optim.Adam(ps, lr=lr)),
    ("momentum", lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9)),
])
def test_train_mlp_with_an_update_rule_matches_torch_optim_step_by_step(rule, make):
    X, y = make_2d("moons", n=70)
    sizes, epochs, lr, batch_size, seed = [2, 6, 3, 2], 2, 0.01, 16, 5
    params, history = day2.train_mlp(X, y, sizes, epochs=epochs, lr=lr, batch_size=batch_size,
                                     seed=seed, update=getattr(day2, rule))
    layers = []
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        W, b = day1.init_weights(n_out, n_in, "xavier", seed=seed + layer)
        layers.append((nn.Parameter(torch.tensor(W)), nn.Parameter(torch.tensor(b))))
    opt = make([t for pair in layers for t in pair], lr)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    theirs = []
    for epoch in range(epochs):
        total = 0.0
        for rows in day2.batch_indices(len(X), batch_size, seed + epoch):
            a = Xt[rows]
            for i, (W, b) in enumerate(layers):
                a = F.linear(a, W, b)
                a = a if i == len(layers) - 1 else torch.tanh(a)
            loss = F.cross_entropy(a, yt[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        theirs.append(total / len(X))
    assert np.allclose(history, theirs, rtol=1e-12, atol=0)
    for (W, b), (Wt, bt) in zip(params, layers):
        assert_sums_close(W, numpy_of(Wt), "W", factor=1e-10)
        assert_sums_close(b, numpy_of(bt), "b", factor=1e-10)


def test_adam_trains_the_digits_faster_than_sgd_at_the_same_epochs():
    data = load_digits_split()
    _, plain = day2.train_mlp(data.X_train, data.y_train, [64, 64, 10], epochs=5, lr=0.1)
    _, adaptive = day2.train_mlp(data.X_train, data.y_train, [64, 64, 10], epochs=5, lr=0.003,
                                 update=day2.adam)
    assert adaptive[-1] < plain[-1]


def clipped_training(update, X, y, sizes, epochs, lr, clip_norm, seed=1, batch_size=32):
    """Mini-batch training with one of the update rules and global-norm clipping."""
    params = [day1.init_weights(n_out, n_in, "xavier", seed=seed + layer)
              for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    states = [[{}, {}] for _ in params]
    history = []
    for epoch in range(epochs):
        total = 0.0
        for rows in day2.batch_indices(len(X), batch_size, seed + epoch):
            loss, grads = day2.mlp_loss_and_grads(X[rows], y[rows], params)
            total += loss * len(rows)
            flat, _ = day2.clip_by_global_norm([g for pair in grads for g in pair], clip_norm)
            new = []
            for (W, b), dW, db, st in zip(params, flat[0::2], flat[1::2], states):
                W, st[0] = update(W, dW, st[0], lr=lr)
                b, st[1] = update(b, db, st[1], lr=lr)
                new.append((W, b))
            params = new
        history.append(total / len(X))
    return params, history


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05),
                                           ("rmsprop", 0.005), ("adam", 0.01)])
def test_every_optimizer_with_clipping_trains_the_network(optimizer, lr):
    X, y = make_2d("moons")
    params, history = clipped_training(getattr(day2, optimizer), X, y, [2, 16, 2], 40, lr, 1.0)
    assert history[-1] < 0.5 * history[0]
    assert accuracy(X, y, params) >= 0.9


# --- the wrong-answer library ----------------------------------------------------------




def _probe_inputs():
    """Fixed inputs per target (non-square and non-symmetric W, N > 1, z = 0 present)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(4, 3))
    b = rng.normal(size=2)
    Ws = rng.normal(size=(3, 3))  # square, not symmetric
    params = [(rng.normal(size=(4, 3)), rng.normal(size=4)), (rng.normal(size=(2, 4)),
                                                               rng.normal(size=2))]
    Y = rng.uniform(size=(4, 2))
    z = np.array([[-2.0, 0.0, 0.5], [1.5, -0.3, 0.0], [0.0, 2.0, -1.0], [0.7, -0.2, 3.0]])
    dout = rng.normal(size=(4, 3))
    # tiny gradients in some steps, where ε decides the size of an adaptive step
    gs = rng.normal(size=(6, 3)) * np.array([[1e-6], [1e-5], [1.0], [1e-6], [0.1], [1.0]])
    graph = [("p", "mul", "x", "y"), ("q", "add", "p", "x"), ("f", "mul", "q", "x"),
             ("g", "sub", "f", "y"), ("h", "tanh", "g"), ("k", "sigmoid", "h")]
    graph_values = day2.graph_forward(graph, {"x": np.array([0.5, -1.0]),
                                              "y": np.array([2.0, 0.3])})

    def trajectory(rule):
        theta, state, path = np.ones(3), {}, []
        for g in gs:
            theta, state = rule(theta, g, state)
            path.append(theta)
        return path

    moons = make_2d("moons", n=100)

    def centre_in_place(v):
        v -= v.mean()
        return v ** 2

    def net_cost(ps):
        hidden = np.tanh(X @ ps[0][0].T + ps[0][1])
        return float(np.sum((hidden @ ps[1][0].T + ps[1][1]) ** 2))

    return {
        "chain_forward": lambda f: f(0.3, [1.5, -2.0, 0.7], [0.1, 0.4, -0.3]),
        "neuron_grads": lambda f: f(0.6, 1.3, -0.2, 0.9),
        "chain_grads": lambda f: f(0.3, [1.5, -2.0, 0.7], [0.1, 0.4, -0.3], 0.9),
        "add_backward": lambda f: f(dout),
        "mul_backward": lambda f: f(dout, z, X),
        "graph_forward": lambda f: f(graph, {"x": 0.5, "y": 2.0}),
        "graph_backward": lambda f: f(graph, graph_values, "k"),
        "bp1": lambda f: f(X[0], day1.sigmoid_prime(z[0])),
        "bp2": lambda f: f(Ws, X[0], day1.sigmoid_prime(z[0])),
        "bp3": lambda f: f(X[0]),
        "bp4": lambda f: f(X[0], b),
        "backprop_single": lambda f: f(X[0], Y[0], params),
        "backprop_on_paper": lambda f: f(),
        "sigma_prime_diag": lambda f: f(z[0]),
        "bp2_diag": lambda f: f(Ws, X[0], z[0]),
        "backprop_batch": lambda f: f(X, Y, params),
        "affine_backward": lambda f: f(dout, (X, Ws, b + 1)),
        "sigmoid_backward": lambda f: f(dout, z),
        "tanh_backward": lambda f: f(dout, z),
        "relu_backward": lambda f: f(dout, z),
        "quadratic_cost_grad": lambda f: f(X, dout),
        "softmax_cross_entropy_backward": lambda f: f(X, np.array([0, 2, 1, 2])),
        "mlp_loss_and_grads": lambda f: f(X, np.array([0, 1, 1, 0]), params),
        "numeric_gradient": lambda f: [f(lambda v: np.sin(v) * v, z, dout), f(centre_in_place, z[0])],
        "network_numeric_grads": lambda f: f(net_cost, [(W.copy(), b.copy()) for W, b in params]),
        "softmax_jacobian": lambda f: f(z[3]),
        "sigmoid_bce_delta": lambda f: f(z[3], Y[0, :1].repeat(3)),
        "relative_error": lambda f: [f(X, z), f(X, X + 1e-3), f(np.array([1.0, 0.0]),
                                                              np.array([3.0, 0.0]))],
        "mse_sigmoid_net_grads": lambda f: f(X, Y, *flat(params)),
        "sgd": trajectory,
        "momentum": trajectory,
        "nesterov": trajectory,
        "rmsprop": trajectory,
        "adam": trajectory,
        "batch_indices": lambda f: [f(10, 4, 0), f(7, 3, 2, shuffle=False)],
        "step_decay": lambda f: [f(0.1, e, 0.5, 3) for e in range(10)],
        "exponential_decay": lambda f: [f(0.1, e, 0.9) for e in range(10)],
        "cosine_schedule": lambda f: [f(0.1, e, 8, lr_min=0.02) for e in range(9)],
        "clip_by_global_norm": lambda f: f([X, dout, b], 2.0),
        "clip_by_value": lambda f: f([X, dout, b], 0.5),
        "train_mlp": lambda f: [f(*moons, [2, 8, 2], epochs=3, lr=0.05, batch_size=20)[1],
                                f(*moons, [2, 8, 2], epochs=3, lr=0.05, batch_size=20,
                                  update=day2.momentum)[1]],
    }


PROBES = _probe_inputs()




WRONG = wrong_day2.WRONG_ANSWERS


def _state_parameters(fn, target):
    """The parameters an entry adds after its target's: only ones with a default, whose name
    starts with "_" (a wrong answer that keeps state between calls in a default argument)."""
    extra = list(inspect.signature(fn).parameters.values())[len(inspect.signature(target).parameters):]
    assert all(q.name.startswith("_") and q.default is not inspect.Parameter.empty for q in extra), extra
    return extra


def test_every_wrong_answer_targets_a_graded_function_with_its_signature():
    assert len(WRONG) >= 20
    assert len({w.name for w in WRONG}) == len(WRONG)
    for w in WRONG:
        target = getattr(day2, w.target, None)
        assert inspect.isfunction(target), f"{w.name}: no function {w.target} in day2_backprop"
        signature = inspect.signature(w.function)
        extra = _state_parameters(w.function, target)
        own = signature.replace(parameters=list(signature.parameters.values())[:len(signature.parameters)
                                                                                - len(extra)])
        assert own == inspect.signature(target), \
            f"{w.name}: signature {signature} differs from {w.target}{inspect.signature(target)}"


def test_every_graded_function_has_a_probe():
    public = {n for n, f in vars(day2).items()
              if inspect.isfunction(f) and f.__module__ == day2.__name__}
    assert public == set(PROBES)


def _edge_probes():
    """Inputs at the edges, where some wrong answers differ only: saturated units (|z| ≥ 710),
    values float32 cannot hold, one neuron, integer inputs, every argument (h, eps, betas,
    output), two calls in a row, the inputs and states after a call, empty arrays.  Each probe
    returns one result (or the name of the error raised)."""
    rng = np.random.default_rng(13)
    params = [(rng.normal(size=(2, 3)), rng.normal(size=2)), (rng.normal(size=(2, 2)), rng.normal(size=2))]
    X, Y = rng.normal(size=(3, 2)), rng.uniform(size=(3, 2))
    W1, W2 = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    moons = make_2d("moons", n=90)
    graph = [("m", "mul", "x", "y"), ("n", "sub", "m", "x"), ("o", "add", "n", "n")]
    graph_values = day2.graph_forward(graph, {"x": np.array([0.5, -1.0]), "y": np.array([2.0, 0.3])})

    def after(f, k, *args):
        f(*args)
        return args[k]

    def raises_value_error(f, *args):
        try:
            f(*args)
        except ValueError:
            return 1.0
        return 0.0

    def is_float(value):
        return float(np.issubdtype(np.asarray(value).dtype, np.floating))

    def cube(v):
        return v ** 3

    def cubic_net(ps):
        a = np.array([[1.0, -0.5]])
        for W, b in ps:
            a = a @ W.T + b
        return float(np.sum(a ** 3))

    def state_after(f, state):
        f(np.ones(3), np.array([0.5, -1.0, 2.0]), state)
        return state

    return {
        "chain_forward": [lambda f: f(1.0 + 1e-9, np.array([0.0]), np.array([1e-9])),
                          lambda f: f(0.3, np.array([2.0]), np.array([0.5]))],
        "neuron_grads": [lambda f: f(1.0, -800.0, 0.0, 1.0)],
        "chain_grads": [lambda f: f(1.0, np.array([-800.0, 2.0]), np.array([0.0, 0.5]), 1.0)],
        "add_backward": [lambda f: [is_float(g) for g in f(3)]],
        "mul_backward": [lambda f: [is_float(g) for g in f(np.array([1, 2]), np.array([3, -1]),
                                                             np.array([5, 0]))]],
        "graph_forward": [lambda f: is_float(f([("p", "mul", "x", "y")], {"x": 2, "y": 3})["p"]),
                          lambda f: raises_value_error(f, [("f", "pow", "x", "x")], {"x": 2.0})],
        "graph_backward": [lambda f: f(graph, graph_values, "m")],
        "bp1": [lambda f: after(f, 0, np.array([1.0, -2.0]), np.array([0.5, 0.25]))],
        "bp2": [lambda f: after(f, 2, np.array([[1.0, 2.0]]), np.array([3.0]), np.array([0.25, 0.5]))],
        "sigmoid_bce_delta": [lambda f: f(np.array([-40.0, 100.0]), np.array([0.0, 1.0]))],
        "backprop_single": [lambda f: f(1.0 + 1e-9 * np.arange(3), np.array([0.5, 0.2]), params)],
        "sigma_prime_diag": [lambda f: f(np.array([800.0, 0.0]))],
        "bp2_diag": [lambda f: f(np.array([[2.0]]), np.array([1.0]), np.array([0.5]))],
        "softmax_jacobian": [lambda f: after(f, 0, np.array([1.0, 2.0, 3.0]))],
        "affine_backward": [lambda f: np.shape(f(np.ones((2, 1)), (np.ones((2, 3)), np.ones((1, 3)),
                                                                   np.zeros(1)))[2])],
        "sigmoid_backward": [lambda f: f(np.ones(2), np.array([-800.0, 1.0]))],
        "tanh_backward": [lambda f: f(np.ones(2), np.array([-1000.0, 1000.0]))],
        "relu_backward": [lambda f: after(f, 0, np.array([1.0, -2.0, 3.0]), np.array([-1.0, 0.0, 2.0]))],
        "quadratic_cost_grad": [lambda f: after(f, 0, np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]])),
                                lambda f: f(np.array([[1.0 + 1e-9]]), np.array([[0.3]]))],
        "softmax_cross_entropy_backward": [
            lambda f: f(np.array([[800.0, -800.0, 0.0]]), np.array([2]))[0],
            lambda f: after(f, 0, np.array([[1.0, 2.0]]), np.array([0]))],
        "numeric_gradient": [lambda f: f(cube, np.array([1.0, -2.0]), None, 0.5)],
        "network_numeric_grads": [lambda f: f(cubic_net, [(np.array([[0.5, -1.0]]), np.array([0.2]))], 0.5)],
        "relative_error": [lambda f: f(np.zeros(0), np.zeros(0))],
        "mlp_loss_and_grads": [lambda f: f(X, np.array([0, 1, 1]), [(W1, np.zeros(2)), (900.0 * W2, np.zeros(2))])],
        "mse_sigmoid_net_grads": [lambda f: f(X, Y, W1, np.array([-800.0, 0.5]), W2, np.array([0.3, -900.0]))],
        "batch_indices": [lambda f: len(f(6, 3, 0)), lambda f: twice(f, 10, 4, 1), lambda f: f(10, 4, 0)],
        "train_mlp": [lambda f: f(*moons, [2, 4, 2], epochs=1, lr=0.1, batch_size=20)[1],
                      lambda f: twice(f, *moons, [2, 4, 2], epochs=1, lr=0.1, batch_size=30,
                                      update=day2.momentum)[1]],
        "momentum": [lambda f: state_after(f, {"v": np.ones(3)})],
        "nesterov": [lambda f: state_after(f, {"v": np.ones(3)})],
        "rmsprop": [lambda f: f(np.ones(2), np.array([1e-4, 1.0]), {}, eps=1e-2)[0],
                    lambda f: state_after(f, {"s": np.ones(3)})],
        "adam": [lambda f: f(np.ones(2), np.array([0.5, -1.0]), {}, beta1=0.5, beta2=0.9)[0],
                 lambda f: state_after(f, {"m": np.ones(3), "v": np.ones(3), "t": 2})],
        "clip_by_global_norm": [lambda f: f([np.array([0.3, -0.4])], 0.1)[0]],
    }


EDGE_PROBES = _edge_probes()


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_wrong_answer_differs_from_the_reference(wrong):
    reference = PROBES[wrong.target](getattr(day2, wrong.target))
    # no crash allowed on the ordinary probe: a wrong answer that cannot run (a name the
    # notebook lacks, a shape that never fits) shows nothing about the bug it stands for
    with np.errstate(all="ignore"):
        result = PROBES[wrong.target](notebook_function(wrong, day2))
        if differs(result, reference):
            return
        for probe in EDGE_PROBES.get(wrong.target, []):
            if differs_at_the_edge(or_error(probe, notebook_function(wrong, day2)),
                                    or_error(probe, getattr(day2, wrong.target))):
                return
    raise AssertionError(f"{wrong.name} gives the reference's results, at the edges too: "
                         f"an equivalent rewrite, not a bug")


def test_the_edge_probes_see_no_difference_in_the_reference():
    # a probe that a correct answer written again would fail is no probe
    with np.errstate(all="ignore"):
        for target, probes in EDGE_PROBES.items():
            for probe in probes:
                first = or_error(probe, getattr(day2, target))
                assert not isinstance(first, str), (target, first)
                assert not differs_at_the_edge(or_error(probe, getattr(day2, target)), first), target


def test_the_difference_check_can_fail():
    # a "wrong answer" that is the reference under another name must be caught
    same = lambda dout, z: day2.sigmoid_backward(dout, z)  # noqa: E731
    probe = PROBES["sigmoid_backward"]
    assert not differs(probe(same), probe(day2.sigmoid_backward))
    assert differs(probe(lambda dout, z: dout), probe(day2.sigmoid_backward))
    assert math.isinf(checks.relative_error(np.array([np.nan]), np.array([1.0])))
