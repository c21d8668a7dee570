"""Every message between the checker and its worker processes, as frozen records.

`requests` holds the ops (one enum) and what the checker asks; `replies` and `frames` what the
child answers, with the strict parsers the checker reads them through. Both sides import this
package: it needs neither torch nor the checker. Every breach of the protocol, from a frame
that is not JSON to a field out of range, is one exception: ProtocolError.
"""

__all__ = ["ProtocolError"]


class ProtocolError(Exception):
    """The other side broke the protocol: a frame that is not JSON or too large (the framing,
    wire.py), or a message that an honest peer never sends (the parsers here). The
    one exception for the idea, on both sides."""
