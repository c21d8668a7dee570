import torch as t

relu_multiply_bool = lambda x: x * (x > 0)
relu_abs = lambda x: (x.abs() + x) / 2


def as_strided_1():
    return tuple([4]), tuple([1])


def as_strided_2():
    size = tuple(d for d in (2, 3))
    stride = tuple([5, 1])
    return size, stride


test_inputs = [t.randn(3) for _ in range(4)]
checks = {name: fn(x).min().item() >= 0 for name, fn in [("mul", relu_multiply_bool)] for x in test_inputs}
print(checks)
