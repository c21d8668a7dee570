import os
import sys

os.chdir(os.path.dirname(os.path.abspath(__file__)))
os.environ["KMP_DUPLICATE_LIB_OK"] = "TRUE"
sys.path.append(os.path.join(os.getcwd(), "utils"))

import torch


def batched_logsoftmax(matrix: torch.Tensor) -> torch.Tensor:
    c = matrix.max(dim=1, keepdim=True).values
    return matrix - c - torch.log(torch.sum(torch.exp(matrix - c), dim=1, keepdim=True))


def batched_cross_entropy_loss(logits: torch.Tensor, true_labels: torch.Tensor) -> torch.Tensor:
    return -batched_logsoftmax(logits)[torch.arange(logits.shape[0]), true_labels]
