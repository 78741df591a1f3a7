"""Plain data across the sandbox boundary: JSON for the structure, raw bytes for arrays.

Never pickle.  What crosses: None, bool, int, float (nan and inf included),
str, NumPy arrays of numbers or booleans, NumPy scalars, and tuples, lists and
dicts (str keys) of those.  Towards the sandbox, two kinds of function cross as
well: an instructor-written one as its source (``Source``), and one of the
student's own by its name (``StudentFunction``: a test passes the student's
optimizer to the student's training loop).  The trusted side decodes with
``json.loads`` and ``np.frombuffer`` of a dtype that must be a plain number or
boolean type (the .npy header's ``descr``, never an object or structured type), so
whatever bytes the sandbox sends, what comes out is plain data or a ``WireError``.

A frame is an 8-byte big-endian length followed by the payload; the payload is
a 4-byte JSON length, the JSON (the structure, and each array's descr and shape),
then the arrays' raw bytes back to back.  Arrays are never copied to be sent
(``os.writev`` of their memory) and copied once when received.

This file is also copied into the sandbox, so it imports only numpy and the
standard library.
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

MAX_FRAME = 1 << 30          # 1 GiB: a reply larger than this is refused
MAX_DEPTH = 32
ARRAY_KINDS = "biufc"        # bool, signed, unsigned, float, complex


class WireError(Exception):
    """Data that cannot cross the boundary; the message says what and where."""


class Source:
    """An instructor-written function travelling as source code.

    ``Source("def f(x):\\n    return x * 2", "f")`` becomes the function ``f``
    on the other side, defined in a namespace holding numpy as ``np``.
    """

    def __init__(self, source: str, name: str):
        self.source = source
        self.name = name

    def __repr__(self):
        return f"Source({self.name})"


class StudentFunction:
    """A function the student defined, named so that the sandbox passes its own copy."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"StudentFunction({self.name})"


def _encode(obj, arrays, depth, path):
    if depth > MAX_DEPTH:
        raise WireError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int) and type(obj) in (int,):
        return obj
    if isinstance(obj, float) and type(obj) is float:
        return {"$f": repr(obj)}
    if isinstance(obj, np.generic):
        arr = np.asarray(obj)
        if arr.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"{path}: NumPy scalar of dtype {arr.dtype} cannot be sent")
        arrays.append(arr)
        return {"$s": len(arrays) - 1}
    if isinstance(obj, np.ndarray):
        arr = np.array(obj, copy=True, subok=False)
        if arr.dtype.kind not in ARRAY_KINDS or arr.dtype.fields is not None:
            raise WireError(f"{path}: array of dtype {arr.dtype} cannot be sent; "
                            f"use numbers or booleans")
        arrays.append(arr)
        return {"$a": len(arrays) - 1}
    if isinstance(obj, Source):
        return {"$src": str(obj.source), "name": str(obj.name)}
    if isinstance(obj, StudentFunction):
        return {"$fn": str(obj.name)}
    if type(obj) is tuple:
        return {"$t": [_encode(v, arrays, depth + 1, f"{path}[{i}]") for i, v in enumerate(obj)]}
    if type(obj) is list:
        return {"$l": [_encode(v, arrays, depth + 1, f"{path}[{i}]") for i, v in enumerate(obj)]}
    if type(obj) is dict:
        items = []
        for k, v in obj.items():
            if type(k) is not str:
                raise WireError(f"{path}: dict key {k!r} is not a string")
            items.append([k, _encode(v, arrays, depth + 1, f"{path}[{k!r}]")])
        return {"$d": items}
    raise WireError(
        f"{path}: an object of type {type(obj).__name__} cannot be graded; return NumPy "
        f"arrays, numbers, or tuples, lists and dicts of them")


def encode(obj) -> list:
    """The payload of ``obj`` as a list of buffers: JSON length, JSON, each array's bytes."""
    arrays: list[np.ndarray] = []
    structure = _encode(obj, arrays, 0, "value")
    data = [a if a.flags.c_contiguous else a.copy(order="C") for a in arrays]
    header = json.dumps({"v": structure, "a": [[np.lib.format.dtype_to_descr(a.dtype),
                                                 list(a.shape)] for a in data]}).encode()
    return [struct.pack(">I", len(header)), header,
            *(memoryview(a.reshape(-1).view(np.uint8)) for a in data if a.nbytes)]


def _decode(node, arrays, depth, make_source):
    if depth > MAX_DEPTH:
        raise WireError("structure nested too deeply")
    if node is None or isinstance(node, (bool, int, str)):
        return node
    if isinstance(node, dict) and len(node) in (1, 2):
        if "$f" in node:
            return float(node["$f"])
        if "$a" in node:
            return arrays[int(node["$a"])]
        if "$s" in node:
            return arrays[int(node["$s"])][()]
        if "$t" in node:
            return tuple(_decode(v, arrays, depth + 1, make_source) for v in node["$t"])
        if "$l" in node:
            return [_decode(v, arrays, depth + 1, make_source) for v in node["$l"]]
        if "$d" in node:
            return {str(k): _decode(v, arrays, depth + 1, make_source) for k, v in node["$d"]}
        if "$src" in node or "$fn" in node:
            if make_source is None:
                raise WireError("a function arrived where only data is accepted")
            if "$fn" in node:
                return make_source(None, str(node["$fn"]))
            return make_source(str(node["$src"]), str(node["name"]))
    raise WireError(f"malformed value in frame: {str(node)[:80]}")


def _array(descr, shape, view: memoryview, offset: int) -> tuple[np.ndarray, int]:
    """One received array (a copy, writable) and the offset after its bytes."""
    dtype = np.lib.format.descr_to_dtype(descr)
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject \
            or dtype.subdtype is not None:
        raise WireError(f"array of dtype {dtype} is not accepted")
    if not isinstance(shape, list) or len(shape) > MAX_DEPTH \
            or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"malformed array shape {str(shape)[:80]}")
    count = math.prod(shape)
    end = offset + count * dtype.itemsize
    if end > len(view):
        raise WireError("an array runs past the end of the frame")
    if count == 0:
        return np.empty(shape, dtype), offset
    return np.frombuffer(view, dtype, count, offset).reshape(shape).copy(), end


def decode(payload, make_source=None):
    """Plain data from ``encode``'s bytes.  make_source(source, name) makes the functions
    (source None: the student's function of that name); without it a function is refused."""
    try:
        view = memoryview(payload)
        (hlen,) = struct.unpack(">I", view[:4])
        header = json.loads(bytes(view[4:4 + hlen]).decode())
        offset = 4 + hlen
        arrays = []
        for descr, shape in header["a"]:
            arr, offset = _array(descr, shape, view, offset)
            arrays.append(arr)
        if offset != len(view):
            raise WireError("bytes left over after the last array")
        return _decode(header["v"], arrays, 0, make_source)
    except WireError:
        raise
    except Exception as exc:
        raise WireError(f"unreadable frame ({type(exc).__name__}: {exc})") from None


def write_frame(fd: int, message) -> None:
    write_encoded(fd, encode(message))


def write_encoded(fd: int, buffers: list) -> None:
    """Send a payload that ``encode`` made already, with its length in front."""
    views = [memoryview(b) for b in buffers if len(b)]
    views.insert(0, memoryview(struct.pack(">Q", sum(len(v) for v in views))))
    while views:
        written = os.writev(fd, views[:512])
        while written:
            if written >= len(views[0]):
                written -= len(views.pop(0))
            else:
                views[0] = views[0][written:]
                written = 0


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytearray:
    """n bytes from fd; EOFError when the other side closes it first, TimeoutError when
    ``deadline`` (time.monotonic()) passes first."""
    import select
    import time

    buffer = bytearray(n)
    view, got = memoryview(buffer), 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        count = os.readv(fd, [view[got:]])
        if not count:
            raise EOFError("the other side closed the channel")
        got += count
    return buffer


def read_frame(fd: int, make_source=None, deadline: float | None = None):
    """One frame's value (see ``decode``); WireError for a frame over MAX_FRAME."""
    (length,) = struct.unpack(">Q", read_exact(fd, 8, deadline))
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes is larger than the limit of {MAX_FRAME}")
    return decode(read_exact(fd, length, deadline), make_source)
