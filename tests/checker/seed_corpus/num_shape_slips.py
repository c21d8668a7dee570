# %%
import torch

# %%
# Shape slips: the max not added back, max without keepdim, the wrong dim, a mean loss.


def batched_logsumexp(matrix):
    m = matrix.max(dim=-1, keepdim=True).values
    return (matrix - m).exp().sum(dim=-1).log()


def batched_softmax(matrix):
    # Without keepdim the (batch,) maximum broadcasts along the wrong axis.
    e = (matrix - matrix.max(dim=-1).values).exp()
    return e / e.sum(dim=-1, keepdim=True)


def batched_logsoftmax(matrix):
    m = matrix.max(dim=0, keepdim=True).values
    shifted = matrix - m
    return shifted - shifted.exp().sum(dim=0, keepdim=True).log()


def batched_cross_entropy_loss(logits, true_labels):
    m = logits.max(dim=-1, keepdim=True).values
    logprobs = logits - m - (logits - m).exp().sum(dim=-1, keepdim=True).log()
    return -logprobs[torch.arange(len(true_labels)), true_labels].mean()
