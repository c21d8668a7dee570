"""Length-prefixed JSON frames over a socket: the only language the two sides share."""

from __future__ import annotations

import _socket
import json
import json.scanner
import socket
import struct
import time
from typing import Any

from tensorlings.messages import ProtocolError

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024


def _unencodable(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not plain data")


# Bound when this module is imported, before any learner code runs: learner code in the child
# can replace json.dumps, JSONEncoder's methods or socket.socket's, and would then rewrite what
# the child reports (the calls it made, its tampering) or is asked (whether to record). These
# are json's and socket's C parts, which it cannot reach.
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_scanner = getattr(json.scanner, "c_make_scanner", None)
_encode = (
    _c_encoder(
        None,
        _unencodable,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        False,
        False,
        False,
    )
    if _c_encoder is not None
    else None
)
_scan = _c_scanner(json.JSONDecoder()) if _c_scanner is not None else None
_dumps, _loads = json.dumps, json.loads
_sendall, _recv, _settimeout = (
    _socket.socket.sendall,
    _socket.socket.recv,
    _socket.socket.settimeout,
)
_monotonic = time.monotonic


def _to_json(message: Any) -> bytes:
    if _encode is None:
        return _dumps(message, separators=(",", ":"), allow_nan=False).encode()
    return "".join(_encode(message, 0)).encode()


def _from_json(data: bytes) -> Any:
    if _scan is None:
        return _loads(data)
    text = data.decode("utf-8")
    try:
        value, end = _scan(text, 0)
    except StopIteration as stop:
        raise ValueError(f"no JSON value at character {stop.value}") from None
    if end != len(text):
        raise ValueError(f"extra data after the JSON value at character {end}")
    return value


def send(sock: socket.socket, message: Any) -> None:
    data = _to_json(message)
    _sendall(sock, _HEADER.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        if deadline is not None:
            # Absolute: a sender trickling one byte at a time cannot stretch the wait.
            left = deadline - _monotonic()
            if left <= 0:
                raise TimeoutError("the frame did not arrive in time")
            _settimeout(sock, left)
        chunk = _recv(sock, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket, max_size: int = MAX_FRAME, deadline: float | None = None) -> Any:
    """One frame; `deadline` (time.monotonic) bounds the whole frame, not each chunk."""
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size, deadline))
    if size > max_size:
        raise ProtocolError(f"frame of {size} bytes is over the limit of {max_size}")
    try:
        return _from_json(_recv_exactly(sock, size, deadline))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # JSONDecodeError too
        raise ProtocolError(f"frame is not valid JSON: {error}") from None
