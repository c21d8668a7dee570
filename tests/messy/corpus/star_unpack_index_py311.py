import torch as t


def integer_array_indexing(matrix: t.Tensor, coords: t.Tensor) -> t.Tensor:
    return matrix[*coords.T]


def total_price_indexing(prices, items):
    return prices[items].sum()
