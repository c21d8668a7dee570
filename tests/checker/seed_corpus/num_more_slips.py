# %%
import torch

# %%
# More: softmax over dim 0, a one-hot product (nan where a logit is -inf), a mean-shift logsumexp
# through amax without keepdim, and logsoftmax through an unshifted logsumexp.


def batched_softmax(matrix):
    e = (matrix - matrix.max(dim=0, keepdim=True).values).exp()
    return e / e.sum(dim=0, keepdim=True)


def batched_cross_entropy_loss(logits, true_labels):
    m = logits.max(dim=-1, keepdim=True).values
    logprobs = logits - m - (logits - m).exp().sum(dim=-1, keepdim=True).log()
    one_hot = torch.nn.functional.one_hot(true_labels, logits.shape[-1])
    return -(logprobs * one_hot).sum(dim=-1)


def batched_logsumexp(matrix):
    m = matrix.amax(dim=-1)
    return (matrix - m[:, None]).exp().sum(-1).log() + m


def batched_logsoftmax(matrix):
    return matrix - matrix.exp().sum(dim=-1, keepdim=True).log()
