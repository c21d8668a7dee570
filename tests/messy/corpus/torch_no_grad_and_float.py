import torch as t


@t.no_grad()
def identity_matrix(n: int) -> t.Tensor:
    out = t.zeros(n, n)
    idx = t.arange(n)
    out[idx, idx] = 1
    return out


@t.inference_mode()
def classifier_accuracy(scores: t.Tensor, true_classes: t.Tensor) -> t.Tensor:
    return (scores.argmax(-1) == true_classes).float().mean()


def total_price_indexing(prices: t.Tensor, items: t.Tensor) -> float:
    return prices[items].sum().item()
