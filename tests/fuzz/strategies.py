"""Hypothesis strategies for hostile workbooks: random bytes, and bytes built from the pieces
that broke readers before (deep nesting, odd JSON types, surrogates, NULs, invalid UTF-8, BOMs,
CRLF, cell markers and header lines in odd places, huge lines)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Deterministic, so that the suite is the same on every run and machine; modest, so it is fast.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOOD_CELL = (
    b"import torch\n\n\ndef rearrange_1():\n    return torch.tensor([[3, 4], [5, 6], [7, 8]])\n"
)
PIECES = [
    b"# %%\n", b"#%% [markdown]\n", b"   # %%", b"\r\n", b"\r", b"\0", b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", b"\t", b"\\\n", b'"""', b"'", b"(" * 150,
    b"[" * 300, b"-" * 3000 + b"1\n", b"\nx = 1" + b"+1" * 3000 + b"\n", b"#" * 5000 + b"\n",
    b"x" * 100_000, b"\n" * 1000, b"#\n" * 2000, b"!pip install x\n", b"%%time\n",
    b"%%bash\n", b"x = !ls\n", b"import tensorlings\n", b"tensorlings.check(rearrange_1)\n",
    b"# tensorlings-pack: evil 1.0 from evil_pack.py\n", b"# tensorlings-pack: sheet 1.0\r\n",
    b"#  tensorlings-pack:  x\n", b"def rearrange_1(:\n", b"def rearrange_1():\n    pass\n",
    b"if True:\n" + b" " * 150 + b"pass\n", GOOD_CELL,
]  # fmt: skip
SURROGATES = ["\ud800", "\udfff", "a\udc80b", "\udbff\udc00"]

python_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=40)), max_size=12).map(b"".join),
)

hostile_text = st.one_of(st.text(max_size=40), st.sampled_from(SURROGATES), st.sampled_from(
    [piece.decode("utf-8", "surrogateescape") for piece in PIECES]
))  # fmt: skip
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
cells = st.fixed_dictionaries(
    {
        "cell_type": st.one_of(st.sampled_from(["code", "markdown", "raw"]), json_scalars),
        "source": st.one_of(hostile_text, st.lists(hostile_text, max_size=5), json_values),
    },
    optional={"outputs": json_values, "metadata": json_values, "execution_count": json_values},
)
notebooks = st.one_of(
    st.fixed_dictionaries(
        {"cells": st.lists(st.one_of(cells, json_values), max_size=5)},
        optional={"metadata": json_values, "nbformat": json_values},
    ),
    json_values,
)


def _deep(depth: int) -> bytes:
    return b'{"cells": [{"cell_type": "code", "source": ' + b"[" * depth + b"]" * depth + b"}]}"


notebook_bytes = st.one_of(
    notebooks.map(lambda value: json.dumps(value).encode()),
    st.tuples(notebooks, st.integers(0, 200)).map(lambda p: json.dumps(p[0]).encode()[: p[1]]),
    st.integers(1, 200_000).map(_deep),
    st.binary(max_size=300),
    python_bytes,
)
