"""The judge's wire: plain data across the sandbox boundary, and nothing else."""

import json
import os
import struct

import numpy as np
import pytest

from grader.judge import wire


def roundtrip(obj):
    return wire.decode(b"".join(bytes(b) for b in wire.encode(obj)))


def test_plain_data_comes_back_equal_with_dtype_shape_and_its_own_memory():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(3, 4)), np.arange(7)[::3], rng.normal(size=(4, 5)).T,
              np.zeros((0, 3)), np.array(2.5), np.array([1 + 2j]), np.array([True, False]),
              np.arange(6, dtype=">i4").reshape(2, 3)]
    sent = {"arrays": arrays, "scalars": (np.float32(1.5), np.int64(3), np.bool_(True)),
            "plain": [1, 2.5, float("inf"), None, "text", True]}
    got = roundtrip(sent)
    for a, b in zip(arrays, got["arrays"]):
        assert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b)
        assert b.flags.writeable and b.flags.c_contiguous
    assert [type(s) for s in got["scalars"]] == [np.float32, np.int64, np.bool_]
    assert got["plain"] == sent["plain"] and isinstance(got["scalars"], tuple)


def test_a_frame_crosses_a_pipe_whole_even_when_larger_than_the_pipe():
    x = np.random.default_rng(1).normal(size=(64, 16, 16, 16))    # 2 MB, a pipe holds 64 KB
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        wire.write_frame(w, {"x": x, "again": [x[:, 0]]})
        os._exit(0)
    os.close(w)
    got = wire.read_frame(r)
    os.waitpid(pid, 0)
    os.close(r)
    assert np.array_equal(got["x"], x) and np.array_equal(got["again"][0], x[:, 0])


def frame(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack(">I", len(text)) + text + data


@pytest.mark.parametrize("header, data, why", [
    ({"v": {"$a": 0}, "a": [["|O", [1]]]}, b"\0" * 8, "dtype object is not accepted"),
    ({"v": {"$a": 0}, "a": [[[["a", "<f8"]], [1]]]}, b"\0" * 8, r"dtype \[.*is not accepted"),
    ({"v": {"$a": 0}, "a": [["<f8", [10 ** 12]]]}, b"\0" * 8, "past the end"),
    ({"v": {"$a": 0}, "a": [["<f8", [-1]]]}, b"", "shape"),
    ({"v": {"$a": 0}, "a": [["<f8", [1]]]}, b"\0" * 16, "left over"),
    ({"v": {"$src": "import os", "name": "f"}, "a": []}, b"", "function"),
    ({"v": {"$x": 1}, "a": []}, b"", "malformed"),
])
def test_anything_but_plain_data_is_refused(header, data, why):
    with pytest.raises(wire.WireError, match=why):
        wire.decode(frame(header, data))


def test_garbage_bytes_are_a_wire_error():
    with pytest.raises(wire.WireError):
        wire.decode(b"\xff\xff\xff\xffnot json at all")
