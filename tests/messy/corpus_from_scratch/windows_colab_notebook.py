import sys
import os

IN_COLAB = "google.colab" in sys.modules
if IN_COLAB:
    os.system("pip install einops")

import torch
from torch import Tensor


def windows(x: Tensor, width: int) -> Tensor:
    starts = torch.arange(x.shape[0] - width + 1).unsqueeze(1)
    offsets = torch.arange(width).unsqueeze(0)
    return x[starts + offsets]


def diagonal(matrix: Tensor, offset: int) -> Tensor:
    n, m = matrix.shape
    first_row = max(0, -offset)
    length = max(0, min(n - first_row, m - first_row - offset))
    rows = torch.arange(length) + first_row
    return matrix[rows, rows + offset]
