import torch as t
from dataclasses import dataclass
from collections import Counter


def _stable_shift(matrix):
    return matrix - matrix.max(dim=-1, keepdim=True).values


class Solver:
    """Grouping helpers in a class, as some learners do."""

    def __init__(self, days: int = 7):
        self.days = days

    def weeks(self, temps):
        return temps.reshape(-1, self.days)


@dataclass
class Config:
    days_per_week: int = 7
    eps: float = 1e-12


CFG = Config()
solver = Solver(CFG.days_per_week)


def temperatures_average(temps):
    return solver.weeks(temps).mean(dim=1)


def temperatures_normalized(temps):
    w = solver.weeks(temps)
    return ((w - w.mean(1, keepdim=True)) / w.std(1, keepdim=True)).flatten()


def batched_logsoftmax(matrix):
    s = _stable_shift(matrix)
    return s - s.exp().sum(-1, keepdim=True).log()


square = lambda x: x * x
counts = Counter(["a", "b", "a"])
print(counts.most_common(1), square(3))
