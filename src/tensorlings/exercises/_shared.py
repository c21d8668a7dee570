"""Rules and pieces that several exercises share, so each is written once."""

from __future__ import annotations

from tensorlings.exercise import Call

ARANGE = Call("torch.arange", ("arange",))
REARRANGE = Call("einops.rearrange", ("rearrange",))
EINSUM = Call("torch.einsum (or einops.einsum)", ("einsum",))
GATHER = Call("gather (torch.gather or x.gather)", ("gather",))

# Anything that computes a ReLU for you.
BUILTIN_RELU = (
    Call("relu", ("relu", "relu_")),
    Call("clamp / clip", ("clamp", "clamp_", "clamp_min", "clamp_min_", "clip", "clip_")),
    Call("threshold", ("threshold", "threshold_")),
    Call("hardtanh", ("hardtanh", "hardtanh_")),
    Call(
        "leaky_relu / relu6 / elu and friends",
        ("leaky_relu", "leaky_relu_", "relu6", "elu", "celu", "selu", "softplus"),
    ),
    # A ReLU with a learnable or random slope set to 0, and the NaN-ignoring maximum.
    Call("prelu / rrelu / fmax", ("prelu", "rrelu", "rrelu_", "fmax")),
)
