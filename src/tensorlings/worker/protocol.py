"""Length-prefixed JSON frames over a socket: the only language the two sides share."""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


def send(sock: socket.socket, message: Any) -> None:
    data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        if deadline is not None:
            # Absolute: a sender trickling one byte at a time cannot stretch the wait.
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the frame did not arrive in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
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
        return json.loads(_recv_exactly(sock, size, deadline))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # JSONDecodeError too
        raise ProtocolError(f"frame is not valid JSON: {error}") from None
