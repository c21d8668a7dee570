# %%
import torch

# %%
# Axis mix-ups: argmax over the batch, the dot product summing over the batch too;
# identity of bools; sampling that counts steps below the draw the wrong way.


def batched_dot_product_nd(a, b):
    return torch.einsum("b...,b...->", a, b).expand(a.shape[0])


def identity_matrix(n):
    return torch.arange(n)[:, None] == torch.arange(n)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(dim=0) == true_classes).float().mean()


def sample_distribution(probs, n):
    return (torch.rand(n, 1) < torch.cumsum(probs, dim=0)).sum(dim=-1)
