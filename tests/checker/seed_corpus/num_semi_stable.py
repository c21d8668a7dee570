# %%
import torch

# %%
# Semi-stable forms learners write: the picked probability's log, logsumexp by each column's
# maximum, a softmax divided by the max-shifted sum of the unshifted row, log-softmax through
# a stable logsumexp shifted by the mean.


def batched_cross_entropy_loss(logits, true_labels):
    m = logits.max(-1, keepdim=True).values
    e = (logits - m).exp()
    picked = e.gather(1, true_labels[:, None]).squeeze(1)
    return -torch.log(picked / e.sum(-1))


def batched_logsumexp(matrix):
    c = matrix.max(dim=0, keepdim=True).values
    return (matrix - c).exp().sum(-1).log() + c.max()


def batched_softmax(matrix):
    m = matrix.max(-1, keepdim=True).values
    return matrix.exp() / ((matrix - m).exp().sum(-1, keepdim=True) * m.exp())


def batched_logsoftmax(matrix):
    mu = matrix.mean(-1, keepdim=True)
    return matrix - mu - (matrix - mu).exp().sum(-1, keepdim=True).log()
