"""The reference implementation against PyTorch CPU, same shapes, one run.

    .venv/bin/python bench/reference_vs_torch.py

Printed per case: the median time of the reference (NumPy, float64), of PyTorch
(float64, autograd) and their ratio against the budget of DESIGN.md:
- MLP training step (forward, softmax cross-entropy, backward, SGD update) on a
  batch of 64, 784-256-256-10: ≤ 1.5× PyTorch;
- convolution forward and backward (the im2col reference of Day 4): two 3×3 layers,
  1 → 8 → 16 channels, on a batch of 64 images of 16×16: ≤ 3× PyTorch;
- LSTM forward and backward through time (Day 5's reference against ``nn.LSTM``),
  N=32, T=50, D=32, H=64: ≤ 2× PyTorch.
Both sides run single-threaded, so the ratio compares the implementations rather
than how many cores each one grabs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # before numpy is imported

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from solutions import day1_forward as day1  # noqa: E402


def median_time(fn, repeat=200, warmup=20):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def mlp_step_case(batch=64, sizes=(784, 256, 256, 10), lr=0.1):
    from solutions import day2_backprop as day2

    rng = np.random.default_rng(0)
    X = rng.random((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    params = [day1.init_weights(n_out, n_in, "xavier", seed=i)
              for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]

    def numpy_step():
        nonlocal params
        _, grads = day2.mlp_loss_and_grads(X, y, params)
        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]

    tparams = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
               for W, b in params]
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def torch_step():
        h = Xt
        for i, (W, b) in enumerate(tparams):
            h = F.linear(h, W, b)
            if i < len(tparams) - 1:
                h = torch.tanh(h)
        loss = F.cross_entropy(h, yt)
        loss.backward()
        with torch.no_grad():
            for W, b in tparams:
                W -= lr * W.grad
                b -= lr * b.grad
                W.grad = None
                b.grad = None

    return numpy_step, torch_step


def conv_case(n=64, size=16, channels=(1, 8, 16), k=3):
    """Two 3x3 convolutions (1 -> 8 -> 16 channels, padding 1) forward and backward."""
    from solutions import day4_cnn as day4

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, channels[0], size, size))
    layers = [(rng.normal(size=(c_out, c_in, k, k)), rng.normal(size=c_out))
              for c_in, c_out in zip(channels[:-1], channels[1:])]
    dout = rng.normal(size=(n, channels[-1], size, size))

    def numpy_step():
        out, caches = x, []
        for w, b in layers:
            out, cache = day4.conv_forward_fast(out, w, b, 1, 1)
            caches.append(cache)
        grad = dout
        for cache in reversed(caches):
            grad = day4.conv_backward_fast(grad, cache)[0]

    xt = torch.tensor(x, requires_grad=True)
    tlayers = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
               for w, b in layers]
    dt = torch.tensor(dout)

    def torch_step():
        out = xt
        for w, b in tlayers:
            out = F.conv2d(out, w, b, stride=1, padding=1)
        out.backward(dt)
        for t in (xt, *(t for pair in tlayers for t in pair)):
            t.grad = None

    return numpy_step, torch_step


def lstm_case(n=32, t=50, d=32, h=64):
    from solutions import day5_rnn as day5

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, t, d))
    h0, c0 = np.zeros((n, h)), np.zeros((n, h))
    params = {"W_ih": rng.normal(0, 0.1, size=(4 * h, d)), "W_hh": rng.normal(0, 0.1, size=(4 * h, h)),
              "b_ih": np.zeros(4 * h), "b_hh": np.zeros(4 * h)}
    dh = rng.normal(size=(n, t, h))

    def numpy_step():
        _, cache = day5.lstm_forward(x, h0, c0, params)
        day5.lstm_backward(dh, cache)

    module = torch.nn.LSTM(d, h, batch_first=True).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(params["W_ih"]))
        module.weight_hh_l0.copy_(torch.tensor(params["W_hh"]))
        module.bias_ih_l0.zero_()
        module.bias_hh_l0.zero_()
    xt, dt = torch.tensor(x, requires_grad=True), torch.tensor(dh)
    h0t, c0t = torch.zeros(1, n, h, dtype=torch.float64), torch.zeros(1, n, h, dtype=torch.float64)

    def torch_step():
        out, _ = module(xt, (h0t, c0t))
        out.backward(dt)
        module.zero_grad(set_to_none=True)
        xt.grad = None

    return numpy_step, torch_step


CASES = [("MLP training step, batch 64, 784-256-256-10, tanh", mlp_step_case, 1.5),
         ("conv fwd+bwd, N=64 16x16, 1->8->16 channels, 3x3", conv_case, 3.0, {"repeat": 50}),
         ("LSTM forward+backward, N=32 T=50 D=32 H=64", lstm_case, 2.0, {"repeat": 20, "warmup": 2})]


def main():
    torch.set_num_threads(1)
    print(f"{'case':<52} {'reference':>10} {'pytorch':>10} {'ratio':>7}  budget")
    for name, make, budget, *timing in CASES:   # timing: {"repeat", "warmup"} for slow cases
        ours, theirs = make()
        a, b = median_time(ours, **(timing[0] if timing else {})), median_time(theirs, **(timing[0] if timing else {}))
        ratio = a / b
        flag = "ok" if ratio <= budget else "OVER"
        print(f"{name:<52} {a * 1e6:8.0f} µs {b * 1e6:8.0f} µs {ratio:6.2f}x  ≤ {budget}x {flag}")


if __name__ == "__main__":
    main()
