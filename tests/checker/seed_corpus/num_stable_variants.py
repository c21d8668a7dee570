# %%
import torch

# %%
# Correct in other ways: x minus a stable logsumexp, softmax as exp of log-softmax, the loss as
# logsumexp minus the picked logit, max(...)[0].


def batched_logsumexp(matrix):
    m = matrix.max(-1, keepdim=True)[0]
    return (m + (matrix - m).exp().sum(-1, keepdim=True).log()).squeeze(-1)


def batched_logsoftmax(matrix):
    return matrix - batched_logsumexp(matrix).unsqueeze(-1)


def batched_softmax(matrix):
    return torch.exp(batched_logsoftmax(matrix))


def batched_cross_entropy_loss(logits, true_labels):
    picked = logits[torch.arange(logits.shape[0]), true_labels]
    return batched_logsumexp(logits) - picked
