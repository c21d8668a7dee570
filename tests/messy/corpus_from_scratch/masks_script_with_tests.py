import torch
import torch as t


def tril(matrix: torch.Tensor) -> torch.Tensor:
    rows = t.arange(matrix.shape[0]).unsqueeze(1)
    cols = t.arange(matrix.shape[1]).unsqueeze(0)
    return t.where(cols <= rows, matrix, t.zeros_like(matrix))


def triu(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    rows = t.arange(matrix.shape[0])[:, None]
    cols = t.arange(matrix.shape[1])[None, :]
    return matrix.masked_fill(cols - rows < offset, 0)


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    return (labels.unsqueeze(-1) == t.arange(classes)).long()


if __name__ == "__main__":
    m = t.arange(12).reshape(3, 4)
    assert t.equal(tril(m), t.tril(m))
    assert t.equal(triu(m, 1), t.triu(m, 1))
    print("ok")
