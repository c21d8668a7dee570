import einops
import torch
from einops import einsum, rearrange, reduce, repeat


def rearrange_1():
    return einops.rearrange(torch.arange(3, 9), "(r c) -> r c", c=2)


def rearrange_2():
    return rearrange(torch.arange(1, 7), "(r c) -> r c", r=2)


def rearrange_3():
    return rearrange(torch.arange(1, 7), "n -> 1 n 1")


def temperatures_average(temps):
    return einops.reduce(temps, "(week day) -> week", reduction="mean", day=7)


def temperatures_differences(temps):
    avg = reduce(temps, "(week day) -> week", "mean", day=7)
    return temps - einops.repeat(avg, "week -> (week day)", day=7)


def temperatures_normalized(temps):
    weeks = rearrange(temps, "(w d) -> w d", d=7)
    mean = reduce(weeks, "w d -> w 1", "mean")
    std = weeks.std(dim=-1, keepdim=True)
    return rearrange((weeks - mean) / std, "w d -> (w d)")


def batched_dot_product_nd(a, b):
    return einsum(a, b, "batch ..., batch ... -> batch")
