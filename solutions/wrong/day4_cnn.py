"""Typical wrong answers of Day 4; each must lose points on the exercise it targets.

A wrong answer replaces its target in a solved notebook, where the day's functions
defined earlier in the same notebook (``conv_output_size``, ``im2col``, and the given
cells' ``col2im``, ``conv_forward_fast``, ``conv_backward_fast`` and ``train_cnn``) are
in scope; the imports below only make this module importable on its own.
"""

import numpy as np

from solutions.day1_forward import affine_forward, relu  # noqa: F401
from solutions.day2_backprop import (adam, affine_backward, batch_indices,  # noqa: F401
                                     relu_backward, softmax_cross_entropy_backward)
from solutions.day4_cnn import (avg_pool_backward, cnn_loss_and_grads, col2im,  # noqa: F401
                                conv_backward_fast, conv_forward_fast, conv_output_size, im2col,
                                max_pool_backward, max_pool_forward)
from solutions.wrong import registry

WRONG_ANSWERS, wrong = registry()


# --- notebook 01: 1-D ------------------------------------------------------------------


@wrong("correlate1d", "the kernel flipped: that is the convolution, not the cross-correlation")
def correlate1d_flipped(x, w):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)[::-1]
    k = len(w)
    return np.array([np.dot(x[i:i + k], w) for i in range(len(x) - k + 1)])


@wrong("correlate1d", "off by one: the last window (i = n − k) is left out")
def correlate1d_one_short(x, w):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    k = len(w)
    return np.array([np.dot(x[i:i + k], w) for i in range(len(x) - k)])


@wrong("convolve1d", "no flip: convolution computed as cross-correlation")
def convolve1d_not_flipped(x, w):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    k = len(w)
    return np.array([np.dot(x[i:i + k], w) for i in range(len(x) - k + 1)])


# --- output size -----------------------------------------------------------------------


@wrong("conv_output_size", "the +1 is missing (counts the steps, not the windows)")
def conv_output_size_no_plus_one(n, k, pad, stride):
    return (n + 2 * pad - k) // stride


@wrong("conv_output_size", "rounded up instead of floored: a last, incomplete window counted")
def conv_output_size_ceil(n, k, pad, stride):
    return -((k - n - 2 * pad) // stride) + 1


@wrong("conv_output_size", "padding added on one side only (n + pad instead of n + 2·pad)")
def conv_output_size_pad_once(n, k, pad, stride):
    return (n + pad - k) // stride + 1


# --- conv forward ----------------------------------------------------------------------


@wrong("conv_forward", "the kernel flipped in forward (mathematical convolution, not F.conv2d)")
def conv_forward_flipped(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = conv_output_size(H, KH, pad, stride)
    OW = conv_output_size(W, KW, pad, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]
    return out, (x, w, b, stride, pad)


@wrong("conv_forward", "channels-last confusion: x read as (N, H, W, C)")
def conv_forward_channels_last(x, w, b, stride=1, pad=0):
    xl = np.ascontiguousarray(x).reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])
    xc = xl.transpose(0, 3, 1, 2)
    N, C, H, W = xc.shape
    F, _, KH, KW = w.shape
    OH = conv_output_size(H, KH, pad, stride)
    OW = conv_output_size(W, KW, pad, stride)
    xp = np.pad(xc, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


@wrong("conv_forward", "windows start at i instead of stride·i (stride only shrinks the output)")
def conv_forward_window_not_strided(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = conv_output_size(H, KH, pad, stride)
    OW = conv_output_size(W, KW, pad, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(xp[n, :, i:i + KH, j:j + KW] * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


# --- conv backward ---------------------------------------------------------------------


@wrong("conv_backward", "stride ignored in backward: windows taken at (i, j) instead of (s·i, s·j)")
def conv_backward_stride_ignored(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, OH, OW = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, i:i + KH, j:j + KW]
                    dxp[n, :, i:i + KH, j:j + KW] += g * w[f]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


@wrong("conv_backward", "padding not removed from dx: the gradient of the padded input returned")
def conv_backward_padding_kept(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, OH, OW = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    hs, ws = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, hs:hs + KH, ws:ws + KW]
                    dxp[n, :, hs:hs + KH, ws:ws + KW] += g * w[f]
    return dxp, dw, dout.sum(axis=(0, 2, 3))


@wrong("conv_backward", "bias gradient not summed over N, H, W: averaged over the positions")
def conv_backward_db_mean(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, OH, OW = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    hs, ws = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, hs:hs + KH, ws:ws + KW]
                    dxp[n, :, hs:hs + KH, ws:ws + KW] += g * w[f]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=0).mean(axis=(1, 2))


@wrong("conv_backward", "dx spread with the flipped kernel (a full *convolution* done twice flips back)")
def conv_backward_dx_flipped(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, OH, OW = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    hs, ws = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, hs:hs + KH, ws:ws + KW]
                    dxp[n, :, hs:hs + KH, ws:ws + KW] += g * w[f, :, ::-1, ::-1]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


# --- notebook 02: im2col ---------------------------------------------------------------


@wrong("im2col", "channels-last confusion: each row flattened in the order (u, v, c)")
def im2col_channels_last(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    OH = (H + 2 * pad - kh) // stride + 1
    OW = (W + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((N, OH, OW, kh, kw, C))
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u:u + stride * (OH - 1) + 1:stride, v:v + stride * (OW - 1) + 1:stride]
            cols[:, :, :, u, v, :] = patch.transpose(0, 2, 3, 1)
    return cols.reshape(N * OH * OW, C * kh * kw)


@wrong("im2col", "padding forgotten: windows of the unpadded input, rows missing")
def im2col_no_padding(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    OH = (H - kh) // stride + 1
    OW = (W - kw) // stride + 1
    cols = np.empty((N, OH, OW, C, kh, kw))
    for u in range(kh):
        for v in range(kw):
            patch = x[:, :, u:u + stride * (OH - 1) + 1:stride, v:v + stride * (OW - 1) + 1:stride]
            cols[:, :, :, :, u, v] = patch.transpose(0, 2, 3, 1)
    return cols.reshape(N * OH * OW, C * kh * kw)


# --- fast convolution ----------------------------------------------------------------------


# --- pooling ---------------------------------------------------------------------------------


@wrong("max_pool_forward", "stride taken equal to the kernel: overlapping windows skipped")
def max_pool_forward_stride_is_kernel(x, k, stride):
    N, C, H, W = x.shape
    OH = (H - k) // stride + 1
    OW = (W - k) // stride + 1
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * k:i * k + k, j * k:j * k + k].max(axis=(2, 3))
    return out, (x, k, stride)


@wrong("max_pool_backward", "= instead of += : overlapping windows overwrite each other's gradient")
def max_pool_backward_assign(dout, cache):
    x, k, stride = cache
    N, C, OH, OW = dout.shape
    dx = np.zeros_like(x, dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + u, j * stride + v] = dout[n, c, i, j]
    return dx


@wrong("max_pool_backward", "ties: the gradient copied to every maximum of the window")
def max_pool_backward_all_ties(dout, cache):
    x, k, stride = cache
    N, C, OH, OW = dout.shape
    dx = np.zeros_like(x, dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k]
                    dx[n, c, i * stride:i * stride + k, j * stride:j * stride + k] += \
                        (window == window.max()) * dout[n, c, i, j]
    return dx


@wrong("max_pool_backward", "ties: the gradient goes to the last maximum, not the first")
def max_pool_backward_last_tie(dout, cache):
    x, k, stride = cache
    N, C, OH, OW = dout.shape
    dx = np.zeros_like(x, dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k]
                    flat = window.reshape(-1)
                    last = len(flat) - 1 - int(np.argmax(flat[::-1]))
                    u, v = divmod(last, k)
                    dx[n, c, i * stride + u, j * stride + v] += dout[n, c, i, j]
    return dx


@wrong("avg_pool_forward", "the window summed, not averaged")
def avg_pool_forward_sum(x, k, stride):
    N, C, H, W = x.shape
    OH = (H - k) // stride + 1
    OW = (W - k) // stride + 1
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].sum(axis=(2, 3))
    return out, (tuple(x.shape), k, stride)


@wrong("avg_pool_backward", "dout not divided by k²")
def avg_pool_backward_no_division(dout, cache):
    x_shape, k, stride = cache
    N, C, OH, OW = dout.shape
    dx = np.zeros(tuple(x_shape))
    for i in range(OH):
        for j in range(OW):
            dx[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += dout[:, :, i, j, None, None]
    return dx


@wrong("avg_pool_backward", "= instead of += : overlapping windows overwrite each other's gradient")
def avg_pool_backward_assign(dout, cache):
    x_shape, k, stride = cache
    N, C, OH, OW = dout.shape
    dx = np.zeros(tuple(x_shape))
    for i in range(OH):
        for j in range(OW):
            dx[:, :, i * stride:i * stride + k, j * stride:j * stride + k] = \
                dout[:, :, i, j, None, None] / (k * k)
    return dx


@wrong("global_avg_pool_forward", "channels-last confusion: mean over axes (1, 2) of NCHW")
def global_avg_pool_forward_channels_last(x):
    return x.mean(axis=(1, 2)), tuple(x.shape)


@wrong("global_avg_pool_backward", "dout copied to every pixel, not divided by H·W")
def global_avg_pool_backward_no_division(dout, cache):
    N, C, H, W = cache
    return np.broadcast_to(dout[:, :, None, None], (N, C, H, W)).copy()


# --- receptive field -----------------------------------------------------------------------


@wrong("receptive_field", "strides ignored: the kernels' k − 1 simply added up")
def receptive_field_strides_ignored(layers):
    r = 1
    for k, s in layers:
        r += k - 1
    return int(r)


@wrong("receptive_field", "the jump multiplied by the layer's own stride before adding its k − 1")
def receptive_field_jump_too_early(layers):
    r, jump = 1, 1
    for k, s in layers:
        jump *= s
        r += (k - 1) * jump
    return int(r)


# --- the CNN ------------------------------------------------------------------------------------


@wrong("cnn_forward", "channels-last confusion: pooled maps flattened in the order (h, w, c)")
def cnn_forward_flatten_channels_last(X, params, stride=1):
    a1 = relu(conv_forward_fast(X, params["w1"], params["b1"], stride, 1)[0])
    p1 = max_pool_forward(a1, 2, 2)[0] if stride == 1 else a1
    a2 = relu(conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)[0])
    p2 = max_pool_forward(a2, 2, 2)[0] if stride == 1 else a2
    scores, _ = affine_forward(p2.transpose(0, 2, 3, 1).reshape(len(X), -1), params["W3"], params["b3"])
    return scores, {"conv1": a1, "pool1": p1, "conv2": a2, "pool2": p2}


@wrong("cnn_forward", "the ReLU after the second convolution is missing")
def cnn_forward_second_relu_missing(X, params, stride=1):
    a1 = relu(conv_forward_fast(X, params["w1"], params["b1"], stride, 1)[0])
    p1 = max_pool_forward(a1, 2, 2)[0] if stride == 1 else a1
    a2 = conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)[0]
    p2 = max_pool_forward(a2, 2, 2)[0] if stride == 1 else a2
    scores, _ = affine_forward(p2.reshape(len(X), -1), params["W3"], params["b3"])
    return scores, {"conv1": a1, "pool1": p1, "conv2": a2, "pool2": p2}


@wrong("cnn_loss_and_grads", "max pooling backpropagated as average pooling")
def cnn_loss_and_grads_pool_as_average(X, y, params, stride=1):
    z1, conv1 = conv_forward_fast(X, params["w1"], params["b1"], stride, 1)
    p1, pool1 = max_pool_forward(relu(z1), 2, 2) if stride == 1 else (relu(z1), None)
    z2, conv2 = conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)
    p2, pool2 = max_pool_forward(relu(z2), 2, 2) if stride == 1 else (relu(z2), None)
    flat = p2.reshape(len(X), -1)
    scores, fc = affine_forward(flat, params["W3"], params["b3"])
    loss, dscores = softmax_cross_entropy_backward(scores, y)
    dflat, dW3, db3 = affine_backward(dscores, fc)
    dp2 = dflat.reshape(p2.shape)
    dz2 = relu_backward(avg_pool_backward(dp2, (z2.shape, 2, 2)) if stride == 1 else dp2, z2)
    dp1, dw2, db2 = conv_backward_fast(dz2, conv2)
    dz1 = relu_backward((avg_pool_backward(dp1, (z1.shape, 2, 2)) if stride == 1 else dp1), z1)
    _, dw1, db1 = conv_backward_fast(dz1, conv1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "W3": dW3, "b3": db3}


@wrong("cnn_loss_and_grads", "the ReLU's derivative skipped in the first layer")
def cnn_loss_and_grads_first_relu_skipped(X, y, params, stride=1):
    z1, conv1 = conv_forward_fast(X, params["w1"], params["b1"], stride, 1)
    p1, pool1 = max_pool_forward(relu(z1), 2, 2) if stride == 1 else (relu(z1), None)
    z2, conv2 = conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)
    p2, pool2 = max_pool_forward(relu(z2), 2, 2) if stride == 1 else (relu(z2), None)
    flat = p2.reshape(len(X), -1)
    scores, fc = affine_forward(flat, params["W3"], params["b3"])
    loss, dscores = softmax_cross_entropy_backward(scores, y)
    dflat, dW3, db3 = affine_backward(dscores, fc)
    dp2 = dflat.reshape(p2.shape)
    dz2 = relu_backward(max_pool_backward(dp2, pool2) if stride == 1 else dp2, z2)
    dp1, dw2, db2 = conv_backward_fast(dz2, conv2)
    dz1 = (max_pool_backward(dp1, pool1) if stride == 1 else dp1)
    _, dw1, db1 = conv_backward_fast(dz1, conv1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "W3": dW3, "b3": db3}


# --- the practical exercise ----------------------------------------------------------------------


@wrong("bars_design", "one epoch only: the network has not learned the orientations yet")
def bars_design_one_epoch():
    return {"F1": 6, "F2": 8, "stride": 1, "lr": 0.02, "epochs": 1, "batch_size": 32}


@wrong("bars_design", "over the parameter budget: 16 and 32 kernels")
def bars_design_too_big():
    return {"F1": 16, "F2": 32, "stride": 1, "lr": 0.02, "epochs": 4, "batch_size": 32}


@wrong("bars_design", "the extension's demo CNN copied (8 and 16 kernels): over the parameter budget")
def bars_design_copied_demo():
    return {"F1": 8, "F2": 16, "stride": 1, "lr": 0.02, "epochs": 4, "batch_size": 32}


@wrong("bars_design", "a design that passes on one lucky seed: 3 and 3 kernels, lr 0.05, batches of 8 "
                      "(0.93 on the visible run; on a new draw two of three runs stall, median 0.69)")
def bars_design_lucky_seed():
    return {"F1": 3, "F2": 3, "stride": 1, "lr": 0.05, "epochs": 5, "batch_size": 8}


@wrong("bars_design", "the model design with strided convolutions instead of pooling: a one-pixel bar "
                      "falls between the windows")
def bars_design_strided():
    return {"F1": 6, "F2": 8, "stride": 2, "lr": 0.02, "epochs": 4, "batch_size": 32}


@wrong("cnn_loss_and_grads", "the stride argument ignored: convolutions of stride 1 and pooling whatever it says")
def cnn_loss_and_grads_stride_ignored(X, y, params, stride=1):
    z1, conv1 = conv_forward_fast(X, params["w1"], params["b1"], 1, 1)
    p1, pool1 = max_pool_forward(relu(z1), 2, 2)
    z2, conv2 = conv_forward_fast(p1, params["w2"], params["b2"], 1, 1)
    p2, pool2 = max_pool_forward(relu(z2), 2, 2)
    flat = p2.reshape(len(X), -1)
    scores, fc = affine_forward(flat, params["W3"], params["b3"])
    loss, dscores = softmax_cross_entropy_backward(scores, y)
    dflat, dW3, db3 = affine_backward(dscores, fc)
    dz2 = relu_backward(max_pool_backward(dflat.reshape(p2.shape), pool2), z2)
    dp1, dw2, db2 = conv_backward_fast(dz2, conv2)
    dz1 = relu_backward(max_pool_backward(dp1, pool1), z1)
    _, dw1, db1 = conv_backward_fast(dz1, conv1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "W3": dW3, "b3": db3}


@wrong("cnn_forward", "with stride 2, the pooling layers kept after the strided convolutions")
def cnn_forward_pooling_kept(X, params, stride=1):
    a1 = relu(conv_forward_fast(X, params["w1"], params["b1"], stride, 1)[0])
    p1 = max_pool_forward(a1, 2, 2)[0]
    a2 = relu(conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)[0])
    p2 = max_pool_forward(a2, 2, 2)[0]
    scores, _ = affine_forward(p2.reshape(len(X), -1), params["W3"], params["b3"])
    return scores, {"conv1": a1, "pool1": p1, "conv2": a2, "pool2": p2}


# --- edges that only the hidden tests reach -----------------------------------------------------
# Each of these passes the visible tests of its exercise: the bug shows only at an edge input
# (a value float32 cannot hold, a default argument, a window that ceil and floor count differently,
# N = 1, scores hundreds apart), in the cache, in an input changed in place, or on a second call.


@wrong("correlate1d", "computed in float32 (x and w cast down), the result converted back to float64")
def correlate1d_float32(x, w):
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    k = len(w)
    return np.array([np.dot(x[i:i + k], w) for i in range(len(x) - k + 1)], dtype=np.float64)


@wrong("conv_forward", "default padding 1 ('same' for a 3×3 kernel) instead of 0")
def conv_forward_default_pad_one(x, w, b, stride=1, pad=1):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = conv_output_size(H, KH, pad, stride)
    OW = conv_output_size(W, KW, pad, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


@wrong("conv_forward", "the padded input cached instead of x")
def conv_forward_padded_input_cached(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = conv_output_size(H, KH, pad, stride)
    OW = conv_output_size(W, KW, pad, stride)
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


@wrong("conv_backward", "output size recomputed from x with a ceil instead of read from dout: "
                        "a partial border window looked up in dout")
def conv_backward_ceil_size(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = -((KH - H - 2 * pad) // stride) + 1
    OW = -((KW - W - 2 * pad) // stride) + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    hs, ws = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, hs:hs + KH, ws:ws + KW]
                    dxp[n, :, hs:hs + KH, ws:ws + KW] += g * w[f]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


@wrong("im2col", "the windows collected in a float32 array, converted back to float64 at the end")
def im2col_float32(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    OH = (H + 2 * pad - kh) // stride + 1
    OW = (W + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((N, OH, OW, C, kh, kw), dtype=np.float32)
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u:u + stride * (OH - 1) + 1:stride, v:v + stride * (OW - 1) + 1:stride]
            cols[:, :, :, :, u, v] = patch.transpose(0, 2, 3, 1)
    return cols.reshape(N * OH * OW, C * kh * kw).astype(np.float64)


@wrong("im2col", "the gather indices memoised between calls by (H, W, kh, kw, stride, pad), "
                 "forgetting the number of channels")
def im2col_indices_memoised(x, kh, kw, stride=1, pad=0, _indices={}):
    N, C, H, W = x.shape
    OH = (H + 2 * pad - kh) // stride + 1
    OW = (W + 2 * pad - kw) // stride + 1
    key = (H, W, kh, kw, stride, pad)
    if key not in _indices:
        c = np.repeat(np.arange(C), kh * kw)
        u = np.tile(np.repeat(np.arange(kh), kw), C)
        v = np.tile(np.arange(kw), kh * C)
        i = stride * np.repeat(np.arange(OH), OW)
        j = stride * np.tile(np.arange(OW), OH)
        _indices[key] = (c[None, :], i[:, None] + u[None, :], j[:, None] + v[None, :])
    c, rows, cols = _indices[key]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return xp[:, c, rows, cols].reshape(-1, C * kh * kw)


@wrong("max_pool_forward", "the maxima collected in a float32 array, converted back to float64")
def max_pool_forward_float32(x, k, stride):
    N, C, H, W = x.shape
    OH = (H - k) // stride + 1
    OW = (W - k) // stride + 1
    out = np.full((N, C, OH, OW), -np.inf, dtype=np.float32)
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return out.astype(np.float64), (x, k, stride)


@wrong("max_pool_forward", "output size rounded up: a last, partial window at the border pooled too")
def max_pool_forward_ceil(x, k, stride):
    N, C, H, W = x.shape
    OH = int(np.ceil((H - k) / stride)) + 1
    OW = int(np.ceil((W - k) / stride)) + 1
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return out, (x, k, stride)


@wrong("max_pool_forward", "the cache holds (x, stride, k): kernel and stride swapped")
def max_pool_forward_cache_swapped(x, k, stride):
    N, C, H, W = x.shape
    OH = (H - k) // stride + 1
    OW = (W - k) // stride + 1
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return out, (x, stride, k)


@wrong("max_pool_backward", "output size recomputed from x with a ceil: a partial border window "
                            "looked up in dout")
def max_pool_backward_ceil(dout, cache):
    x, k, stride = cache
    N, C, H, W = x.shape
    OH = -((k - H) // stride) + 1
    OW = -((k - W) // stride) + 1
    dx = np.zeros_like(x, dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + u, j * stride + v] += dout[n, c, i, j]
    return dx


@wrong("avg_pool_forward", "the output's shape cached instead of the input's")
def avg_pool_forward_output_shape_cached(x, k, stride):
    N, C, H, W = x.shape
    OH = (H - k) // stride + 1
    OW = (W - k) // stride + 1
    out = np.zeros((N, C, OH, OW))
    for u in range(k):
        for v in range(k):
            out += x[:, :, u:u + stride * (OH - 1) + 1:stride, v:v + stride * (OW - 1) + 1:stride]
    return out / (k * k), (out.shape, k, stride)


@wrong("avg_pool_backward", "dout divided by k² in place: the caller's upstream gradient changed")
def avg_pool_backward_dout_in_place(dout, cache):
    x_shape, k, stride = cache
    N, C, OH, OW = dout.shape
    dout /= k * k
    dx = np.zeros(tuple(x_shape))
    for i in range(OH):
        for j in range(OW):
            dx[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += dout[:, :, i, j, None, None]
    return dx


@wrong("global_avg_pool_forward", "the result squeezed: with one example (or one channel) an axis is lost")
def global_avg_pool_forward_squeezed(x):
    return np.squeeze(x.mean(axis=(2, 3), keepdims=True)), tuple(x.shape)


@wrong("global_avg_pool_forward", "the input itself cached instead of its shape")
def global_avg_pool_forward_input_cached(x):
    return x.mean(axis=(2, 3)), x


@wrong("global_avg_pool_backward", "the factor 1/(H·W) held in a float32 array")
def global_avg_pool_backward_float32_factor(dout, cache):
    N, C, H, W = cache
    return np.full((N, C, H, W), 1 / (H * W), dtype=np.float32) * dout[:, :, None, None]


@wrong("global_avg_pool_backward", "dout divided by H·W in place: the caller's upstream gradient changed")
def global_avg_pool_backward_dout_in_place(dout, cache):
    N, C, H, W = cache
    dout /= H * W
    return np.broadcast_to(dout[:, :, None, None], (N, C, H, W)).copy()


@wrong("cnn_loss_and_grads", "softmax evaluated naively (np.exp of the raw scores): overflow for large scores")
def cnn_loss_and_grads_naive_softmax(X, y, params, stride=1):
    z1, conv1 = conv_forward_fast(X, params["w1"], params["b1"], stride, 1)
    p1, pool1 = max_pool_forward(relu(z1), 2, 2) if stride == 1 else (relu(z1), None)
    z2, conv2 = conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)
    p2, pool2 = max_pool_forward(relu(z2), 2, 2) if stride == 1 else (relu(z2), None)
    flat = p2.reshape(len(X), -1)
    scores, fc = affine_forward(flat, params["W3"], params["b3"])
    e = np.exp(scores)
    probs = e / e.sum(axis=1, keepdims=True)
    N = len(X)
    loss = float(-np.mean(np.log(probs[np.arange(N), y])))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dflat, dW3, db3 = affine_backward(dscores, fc)
    dp2 = dflat.reshape(p2.shape)
    dz2 = relu_backward(max_pool_backward(dp2, pool2) if stride == 1 else dp2, z2)
    dp1, dw2, db2 = conv_backward_fast(dz2, conv2)
    dz1 = relu_backward((max_pool_backward(dp1, pool1) if stride == 1 else dp1), z1)
    _, dw1, db1 = conv_backward_fast(dz1, conv1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "W3": dW3, "b3": db3}


@wrong("cnn_loss_and_grads", "the max subtracted, but the loss is the log of the softmax probability: "
                             "log(0) when the scores are hundreds apart")
def cnn_loss_and_grads_log_of_probability(X, y, params, stride=1):
    z1, conv1 = conv_forward_fast(X, params["w1"], params["b1"], stride, 1)
    p1, pool1 = max_pool_forward(relu(z1), 2, 2) if stride == 1 else (relu(z1), None)
    z2, conv2 = conv_forward_fast(p1, params["w2"], params["b2"], stride, 1)
    p2, pool2 = max_pool_forward(relu(z2), 2, 2) if stride == 1 else (relu(z2), None)
    flat = p2.reshape(len(X), -1)
    scores, fc = affine_forward(flat, params["W3"], params["b3"])
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    N = len(X)
    loss = float(-np.mean(np.log(probs[np.arange(N), y])))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dflat, dW3, db3 = affine_backward(dscores, fc)
    dp2 = dflat.reshape(p2.shape)
    dz2 = relu_backward(max_pool_backward(dp2, pool2) if stride == 1 else dp2, z2)
    dp1, dw2, db2 = conv_backward_fast(dz2, conv2)
    dz1 = relu_backward((max_pool_backward(dp1, pool1) if stride == 1 else dp1), z1)
    _, dw1, db1 = conv_backward_fast(dz1, conv1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "W3": dW3, "b3": db3}
