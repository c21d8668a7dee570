# %%
# gather along the wrong dim, coordinates for 2-D only, rows/columns swapped.


def gather_2d(matrix, indexes):
    return matrix.gather(0, indexes)


def integer_array_indexing(matrix, coords):
    return matrix[coords[:, 0], coords[:, 1]]


def collect_rows(matrix, row_indexes):
    return matrix[:, row_indexes]


def collect_columns(matrix, column_indexes):
    return matrix.T[column_indexes]


def total_price_indexing(prices, items):
    return prices.gather(0, items).sum()


def total_price_gather(prices, items):
    return prices.gather(0, items)
