import torch as t

x = t.arange(5)
print(t.Tensor(x.shape))
print(t.Tensor(tuple(x.shape)))
print(t.Tensor(list(x.shape)))
print(t.Tensor([False, True]).dtype)
try:
    print(t.tensor([1, 2, 3, 4]).mean())
except Exception as e:
    print("error:", e)

ANSWERS = {"size": "b", "tuple": "c", "list": "c", "bools": "d", "mean": "c"}


def tensor_from_size() -> str:
    return ANSWERS["size"]


def tensor_from_tuple() -> str:
    return "C".lower()


def tensor_from_list() -> str:
    answer = "c"
    return answer


def tensor_of_bools_dtype() -> str:
    return 'd'


def mean_of_int_tensor() -> str:
    return ANSWERS.get("mean")
