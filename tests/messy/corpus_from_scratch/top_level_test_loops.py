# %%
import torch as t
from einops import rearrange

# %%
def one_hot(labels, classes):
    return (rearrange(labels, "n -> n 1") == t.arange(classes)).long()


def tril(matrix):
    keep = t.arange(matrix.shape[1])[None, :] <= t.arange(matrix.shape[0])[:, None]
    return matrix * keep


# %%
for n in range(1, 4):
    labels = t.randint(0, n, (5,))
    assert t.equal(one_hot(labels, n), t.nn.functional.one_hot(labels, n))
print([tril(t.ones(k, k)).sum().item() for k in range(4)])
checks = list(map(lambda k: tril(t.ones(k, k)).shape, range(3)))
