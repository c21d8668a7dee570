import numpy as np
import torch as t


def as_strided_3():
    size = np.array([2, 3])
    stride = np.array([11, 0])
    return tuple(int(s) for s in size), tuple(int(s) for s in stride)


def as_strided_4():
    return tuple([4]), tuple([6])


def as_strided_5():
    return (2, 1, 3), (9, 3, 1)


def as_strided_6():
    test_input = t.arange(20).view(4, 5)
    size, stride = (2, 2, 2, 2), (12, 4, 2, 1)
    assert test_input.as_strided(size, stride).numpy().shape == size
    return size, stride


def tensor_from_size():
    x = t.arange(5)
    print(t.Tensor(x.shape))
    return "b"


def tensor_from_tuple():
    return "c"


def tensor_from_list():
    return "c"


def tensor_of_bools_dtype():
    return "d"


def mean_of_int_tensor():
    try:
        t.tensor([1, 2, 3, 4]).mean()
    except RuntimeError as e:
        print(e)
    return "c"
