import torch as t
from einops import rearrange, repeat


def integer_array_indexing(matrix, coords):
    print(f"matrix shape: {matrix.shape}, coords shape: {coords.shape}")
    print("ndim = {}".format(matrix.ndim))
    print("matrix {0.shape} of {0.dtype}, {1.shape[0]} coords".format(matrix, coords))
    print("dtype: %s" % matrix.dtype)
    print(getattr(matrix, "shape"), hasattr(matrix, "shape"))
    print(type(matrix).__name__, matrix.__class__.__name__, isinstance(matrix, t.Tensor))
    out = matrix[tuple(coords.T)]
    print(f"{out=}")
    return out


def identity_matrix(n):
    rows = repeat(t.arange(n), "i -> i j", j=n)
    cols = repeat(t.arange(n), "j -> i j", i=n)
    eye = (rows == cols).int()
    print(f"identity of size {n}:\n{eye}")
    return eye
