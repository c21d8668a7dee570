# %%
import torch

# %%
# Repeated purchases dropped, an assert of the learner's own that refuses valid input,
# every price added up.


def total_price_indexing(prices, items):
    return prices[items.unique()].sum()


def gather_2d(matrix, indexes):
    # Too strict: indexes may have fewer columns than matrix.
    assert indexes.shape == matrix.shape
    out = matrix.gather(1, indexes)
    return out


def total_price_gather(prices, items):
    return prices.gather(0, torch.arange(len(prices))).sum()
