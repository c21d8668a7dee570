# %%
import torch

# %%
# sample_distribution written other ways; the other exercises hold one slip each.


def sample_distribution(probs, n):
    # searchsorted without right=True: a draw equal to a step picks the event before it.
    return torch.searchsorted(torch.cumsum(probs, 0), torch.rand(n))


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(-1) == true_classes).sum() / len(true_classes)


def batched_dot_product_nd(a, b):
    return torch.einsum("b...,b...->b", a, b).float()


def temperatures_normalized(temps):
    weeks = temps.reshape(-1, 7)
    centered = weeks - weeks.mean(1, keepdim=True)
    return (centered / weeks.std(1, keepdim=True, correction=0)).flatten()
