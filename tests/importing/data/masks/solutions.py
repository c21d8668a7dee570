"""Reference solutions of the masks sheet (tests/importing/data/masks/sheet.md)."""

import torch


def _positions(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.arange(n)[:, None], torch.arange(n)


def lower_mask(n: int) -> torch.Tensor:
    rows, cols = _positions(n)
    return cols <= rows


def band_mask(n: int, width: int) -> torch.Tensor:
    rows, cols = _positions(n)
    return (rows - cols).abs() <= width


def padding_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    return torch.arange(max_len) < lengths[:, None]


def outer_sum(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a[:, None] + b


def pairwise_sq_dist(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    return x / x.sum(dim=1, keepdim=True)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    total = (x * mask).sum(dim=1)
    count = mask.sum(dim=1)
    return torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))


def threshold(x: torch.Tensor, level: float) -> torch.Tensor:
    return torch.where(x > level, x, torch.zeros_like(x))


def count_matches(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a[:, None] == b).sum()


def first_true(mask: torch.Tensor) -> torch.Tensor:
    n = mask.shape[1]
    positions = torch.where(mask, torch.arange(n), n)
    return positions.min(dim=1).values if n else torch.zeros(mask.shape[0], dtype=torch.int64)
