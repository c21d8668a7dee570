import torch as t
from jaxtyping import Float, Int
from torch import Tensor


def batched_logsumexp(matrix: Float[Tensor, "batch n"]) -> Float[Tensor, "batch"]:
    C = matrix.max(dim=-1, keepdim=True).values
    return C.squeeze(-1) + (matrix - C).exp().sum(-1).log()


def classifier_accuracy(
    scores: Float[Tensor, "batch classes"], true_classes: Int[Tensor, "batch"]
) -> Float[Tensor, ""]:
    return (scores.argmax(dim=-1) == true_classes).to(t.float32).mean()


def total_price_gather(prices: Float[Tensor, "k"], items: Int[Tensor, "n"]) -> Float[Tensor, ""]:
    return t.gather(prices, 0, items).sum()
