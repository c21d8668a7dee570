import logging
import random
import time
import warnings

import numpy as np
import torch as t

warnings.filterwarnings("ignore")
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)
random.seed(0)
np.random.seed(0)
t.manual_seed(0)


def sample_distribution(probs: t.Tensor, n: int) -> t.Tensor:
    cumulative = t.cumsum(probs, dim=0)
    draws = t.rand(n, 1)
    return (draws > cumulative).sum(dim=-1)


def identity_matrix(n: int) -> t.Tensor:
    r = t.arange(n)
    return (r[:, None] == r[None, :]).to(t.float32)


start = time.time()
samples = sample_distribution(t.tensor([0.1, 0.2, 0.7]), 10_000)
logger.info("sampling took %.3f s", time.time() - start)
print(f"took {time.perf_counter():.2f}")
