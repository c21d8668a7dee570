from pathlib import Path

import torch as t
from tqdm import tqdm, trange

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def relu_maximum(x: t.Tensor) -> t.Tensor:
    return t.maximum(x, t.tensor(0.0))


def relu_abs(x: t.Tensor) -> t.Tensor:
    return 0.5 * (x + t.abs(x))


for _ in tqdm(range(3)):
    relu_abs(t.randn(5))
for _ in trange(2):
    pass
