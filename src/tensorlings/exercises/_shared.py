"""Rules and pieces that several exercises share, so each is written once."""

from __future__ import annotations

from tensorlings import rule_apis
from tensorlings.exercise import Call
from tensorlings.rule_apis import Concept

ARANGE = Call("torch.arange", ("arange",))
REARRANGE = Call("einops.rearrange", ("rearrange",))
EINSUM = Call("torch.einsum (or einops.einsum)", ("einsum",))
GATHER = Call("gather (torch.gather or x.gather)", ("gather",))

# Anything that computes a ReLU for you (rule_apis lists each built-in and why).
BUILTIN_RELU = (
    Call(
        "relu or a built-in that computes it (clamp / clip, threshold, hardtanh, leaky_relu, "
        "relu6, elu, softplus, prelu, rrelu, fmax)",
        rule_apis.names(Concept.RELU),
    ),
)
