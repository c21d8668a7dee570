# %%
# Returns None, raises NotImplementedError (both read as not started), raises on every
# call, returns the input, returns a list, plus wrong strided answers.


def batched_softmax(matrix):
    pass


def batched_logsumexp(matrix):
    raise NotImplementedError("todo")


def batched_logsoftmax(matrix):
    # Raises on every call: a method that does not exist.
    return matrix.log_softmax_rows()


def relu_where(x):
    return x


def collect_rows(matrix, row_indexes):
    return [matrix[i] for i in row_indexes.tolist()]


def temperatures_average(temps):
    return temps


def classifier_accuracy(scores, true_classes):
    return None


def as_strided_1():
    return (4,), (0,)


def as_strided_2():
    return (2, 1), (5, 0)


def as_strided_4():
    return (3,), (6,)
