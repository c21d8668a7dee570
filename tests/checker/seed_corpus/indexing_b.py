# %%
import torch

# %%
# Indexing by the coordinate rows instead of columns, a Python loop, index_select for columns.


def integer_array_indexing(matrix, coords):
    return matrix[tuple(coords)]


def total_price_indexing(prices, items):
    return prices[items].sum().item()


def total_price_gather(prices, items):
    return torch.gather(prices, 0, items).float().mean() * len(items)


def collect_rows(matrix, row_indexes):
    return torch.stack([matrix[i] for i in row_indexes])


def collect_columns(matrix, column_indexes):
    return matrix[:, column_indexes[:3]]
