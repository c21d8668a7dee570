"""Section 6: logsumexp, softmax, log-softmax and cross-entropy, batched and numerically stable."""

from __future__ import annotations

import math

import torch

from tensorlings import rule_apis
from tensorlings.exercise import (
    Call,
    CaseMaker,
    Coach,
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    RandomCases,
    Recipe,
    Rules,
    SpecialInput,
    Tiers,
)
from tensorlings.rule_apis import Concept

SECTION = "Numerically stable softmax and friends"

# Each covers every built-in that hands back the same number (rule_apis lists them and why):
# the last column of logcumsumexp, a reduction of logaddexp, x - log_softmax(x), softmin(-x), ...
LOGSUMEXP = Call(
    "torch.logsumexp (or a built-in that computes it: logcumsumexp, logaddexp, softplus, "
    "log_softmax, cross_entropy)",
    rule_apis.names(Concept.LOGSUMEXP),
)
SOFTMAX = Call("softmax / log_softmax / nn.Softmax (or softmin)", rule_apis.names(Concept.SOFTMAX))
CROSS_ENTROPY = Call(
    "cross_entropy / nll_loss / nn.CrossEntropyLoss", rule_apis.names(Concept.CROSS_ENTROPY)
)

_SIZES = {"batch": (0, 8), "n": (1, 20)}
_STRESS = 1e4
_INF = float("inf")


def _matrix_case(d: Draw) -> tuple[torch.Tensor]:
    return (d.normal("batch", "n"),)


def _logits_labels_case(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.normal("batch", "n"), d.integers(0, d.sizes["n"], "batch")


def batched_logsumexp(matrix: torch.Tensor) -> torch.Tensor:
    # Shifting each row by its maximum keeps exp() from overflowing. A row whose maximum is
    # infinite is shifted by 0 instead, so it gives ±inf rather than inf - inf = nan.
    row_max = matrix.amax(dim=-1, keepdim=True)
    shift = torch.where(row_max.isfinite(), row_max, 0.0)
    # exp_ works in place on the shifted copy: one full-size temporary instead of two.
    return (matrix - shift).exp_().sum(dim=-1).log() + shift.squeeze(-1)


def batched_softmax(matrix: torch.Tensor) -> torch.Tensor:
    # Subtracting the row maximum keeps exp() from overflowing; exp_ reuses the shifted copy.
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp_()
    return exps / exps.sum(dim=-1, keepdim=True)


def batched_logsoftmax(matrix: torch.Tensor) -> torch.Tensor:
    # Subtracting the log of the sum from the shifted row, rather than the logsumexp from the
    # original row, avoids cancelling two large numbers when the row's values are large.
    shifted = matrix - matrix.amax(dim=-1, keepdim=True)
    # sub_ updates the shifted copy in place (autograd allows it: exp kept its own output).
    return shifted.sub_(shifted.exp().sum(dim=-1, keepdim=True).log())


def batched_cross_entropy_loss(logits: torch.Tensor, true_labels: torch.Tensor) -> torch.Tensor:
    # The loss is -log_softmax(row)[label] = logsumexp(row) - row[label]: the same number as
    # the log-softmax route, without building the whole (batch, classes) log-probabilities.
    # The true class is picked with gather, not a one-hot product: -inf * 0 would give nan.
    picked = logits.gather(-1, true_labels.unsqueeze(-1)).squeeze(-1)
    return batched_logsumexp(logits) - picked


_SHIFT = "Shift each row by its maximum before exponentiating."
_LOG_SPACE = f"{_SHIFT} Stay in log space: the log of a softmax that underflowed to 0 is -inf."


def _cases(make: CaseMaker = _matrix_case, advice: str = _LOG_SPACE) -> RandomCases:
    return RandomCases(
        make=make,
        sizes=_SIZES,
        dtypes=(torch.float32,),
        other_dtypes=(torch.float64,),
        stress_scale=_STRESS,
        stress_advice=advice,
        grad_args=(0,),
    )


# The sheet asks for numerical stability (its fixed witnesses are contract inputs); it never
# asks for gradients here (its only requires_grad input is the ReLUs'), so a solution that
# breaks backward (an in-place step, @torch.no_grad) passes with a note that says so.
_TIERS = Tiers()


def _rows(*rows: list[float]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32)


# Fixed witnesses of stability, judged under every seed: a row with a wide spread ([0, -1000]:
# the log of a softmax is -inf there), one very large entry, and mixed-sign large rows (a shift
# by the row's mean rather than its maximum overflows), with a whole-matrix maximum far above
# the other rows' (one shift for all rows underflows them). 3 x 4, so that batch and n differ.
_WIDE_ROWS = _rows([0.0, -1000.0, 3.0, -2.0], [2000.0, 1.0, -2.0, 0.5], [-500.0, 600.0, 0.0, 10.0])
_WIDE_SPREAD = SpecialInput(Family.LARGE, "rows with a wide spread", (_WIDE_ROWS,))
# A square input, where a reduction that lost its axis broadcasts along the wrong one instead
# of failing: the only inputs that tell a row maximum without keepdim from a row sum without it.
_SQUARE = SpecialInput(Family.RANDOM, "a square matrix", (_rows([0.0, 1.0], [2.0, 5.0]),))
# One row: where a squeeze() that drops the batch axis shows.
_ONE_ROW = SpecialInput(Family.RANDOM, "a single row", (_rows([0.5, -1.0, 2.0]),))
_MASKED_ROW = SpecialInput(Family.INFINITE, "a row holding -inf", (_rows([-_INF, 0.0, 1.0]),))
# Rows of a single entry are valid (n >= 1) and the only inputs where a squeeze() that drops
# axis 1 shows; seed 0's random cases never draw n = 1, so the contract gets one of its own.
_SINGLE_ENTRY_ROWS = SpecialInput(
    Family.RANDOM, "rows of a single entry", (torch.tensor([[0.5], [-2.0]]),)
)


def _naive_logsumexp(matrix: torch.Tensor) -> torch.Tensor:
    return matrix.exp().sum(dim=-1).log()


def _mean_shifted(matrix: torch.Tensor) -> torch.Tensor:
    return matrix - matrix.mean(dim=-1, keepdim=True)


def _softmax_max_no_keepdim(matrix: torch.Tensor) -> torch.Tensor:
    exps = (matrix - matrix.amax(dim=-1)).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


def _logsoftmax_max_no_keepdim(matrix: torch.Tensor) -> torch.Tensor:
    shifted = matrix - matrix.amax(dim=-1)
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def _softmax_no_keepdim(matrix: torch.Tensor) -> torch.Tensor:
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp()
    return exps / exps.sum(dim=-1)


def _logsoftmax_no_keepdim(matrix: torch.Tensor) -> torch.Tensor:
    shifted = matrix - matrix.amax(dim=-1, keepdim=True)
    return shifted - shifted.exp().sum(dim=-1).log()


_NO_SHIFT = (
    "exp() of an entry above about 88 overflows float32 to inf, and of one below about -104 "
    "underflows to 0. Subtract each row's maximum first, then add it back outside the log."
)
_NO_KEEPDIM = (
    "A reduction without keepdim=True drops the reduced axis, so the (batch,) sums line up with "
    "the columns instead of the rows (or fail to broadcast). Keep the axis: "
    "sum(dim=-1, keepdim=True)."
)
_MEAN_SHIFT = (
    "Any constant shift is right in exact arithmetic, but only the row's maximum keeps every "
    "exp() at most 1: with the mean, a row spread over more than about 180 still overflows "
    "(exp of 89 is inf in float32). Shift each row by its maximum."
)
_MAX_NO_KEEPDIM = (
    "max(dim=-1) without keepdim=True drops the reduced axis, so the (batch,) maxima line up "
    "with the columns instead of the rows (or fail to broadcast). Keep the axis: "
    "amax(dim=-1, keepdim=True)."
)
_LOG_OF_SOFTMAX = (
    "softmax underflows to 0 for entries far below the row's maximum, and log(0) is -inf where "
    "the answer is a large negative number. Compute the log directly: the shifted row minus "
    "the log of its sum of exps."
)
_LOGSUMEXP_MISTAKES = (
    Mistake("exp without subtracting the maximum", _NO_SHIFT, _naive_logsumexp),
    Mistake(
        "subtracting the maximum without adding it back",
        "log(sum(exp(x - c))) is the log-sum-exp of x minus c: add c back to the result.",
        lambda m: (m - m.amax(dim=-1, keepdim=True)).exp().sum(dim=-1).log(),
    ),
    Mistake(
        "shifting by the maximum of the whole matrix",
        "One shift for every row lets exp() underflow in rows far below the largest entry: "
        "shift each row by its own maximum (amax(dim=-1, keepdim=True)).",
        lambda m: (m - m.max()).exp().sum(dim=-1).log() + m.max(),
    ),
    Mistake(
        "reducing over the batch axis",
        "Each row has its own log-sum-exp: reduce along the last axis (dim=-1), not down the "
        "columns (dim=0).",
        lambda m: (m - m.amax(dim=0, keepdim=True)).exp().sum(dim=0).log() + m.amax(dim=0),
    ),
    Mistake(
        "shifting by the row's mean instead of its maximum",
        _MEAN_SHIFT + " Then add it back outside the log.",
        lambda m: _mean_shifted(m).exp().sum(dim=-1).log() + m.mean(dim=-1),
    ),
    Mistake(
        "a row maximum without keepdim",
        "max(dim=-1) without keepdim=True drops the reduced axis, so the (batch,) maxima line up "
        "with the columns instead of the rows (or fail to broadcast). Keep the axis: "
        "amax(dim=-1, keepdim=True), then squeeze it when you add it back.",
        lambda m: (m - m.amax(dim=-1)).exp().sum(dim=-1).log() + m.amax(dim=-1),
    ),
)
_SOFTMAX_MISTAKES = (
    Mistake(
        "exp without subtracting the maximum",
        _NO_SHIFT.replace(", then add it back outside the log", ""),
        lambda m: m.exp() / m.exp().sum(dim=-1, keepdim=True),
    ),
    Mistake("a row sum without keepdim", _NO_KEEPDIM, _softmax_no_keepdim),
    Mistake("a row maximum without keepdim", _MAX_NO_KEEPDIM, _softmax_max_no_keepdim),
    Mistake(
        "shifting by the row's mean instead of its maximum",
        _MEAN_SHIFT,
        lambda m: _mean_shifted(m).exp() / _mean_shifted(m).exp().sum(dim=-1, keepdim=True),
    ),
    Mistake(
        "shifting by the maximum of the whole matrix",
        "One shift for every row lets exp() underflow to 0 in rows far below the largest entry, "
        "and 0 / 0 is nan: shift each row by its own maximum (amax(dim=-1, keepdim=True)).",
        lambda m: (m - m.max()).exp() / (m - m.max()).exp().sum(dim=-1, keepdim=True),
    ),
    Mistake(
        "normalising over the batch axis",
        "Each row is normalised by its own sum, along the last axis (dim=-1), not down the "
        "columns (dim=0).",
        lambda m: (
            (m - m.amax(dim=0, keepdim=True)).exp()
            / (m - m.amax(dim=0, keepdim=True)).exp().sum(dim=0, keepdim=True)
        ),
    ),
)
_LOGSOFTMAX_MISTAKES = (
    Mistake("the log of a softmax", _LOG_OF_SOFTMAX, lambda m: batched_softmax(m).log()),
    Mistake("a row sum without keepdim", _NO_KEEPDIM, _logsoftmax_no_keepdim),
    Mistake("a row maximum without keepdim", _MAX_NO_KEEPDIM, _logsoftmax_max_no_keepdim),
    Mistake(
        "shifting by the row's mean instead of its maximum",
        _MEAN_SHIFT,
        lambda m: _mean_shifted(m) - _mean_shifted(m).exp().sum(dim=-1, keepdim=True).log(),
    ),
    Mistake(
        "exp without subtracting the maximum",
        _NO_SHIFT,
        lambda m: m - m.exp().sum(dim=-1, keepdim=True).log(),
    ),
    # Declared so that it is named the same under every seed: unnamed, a random draw of two
    # one-row matrices (all zeros down dim 0) got it called "an answer that ignores the input".
    Mistake(
        "normalising over the batch axis",
        "Each row is normalised by its own logsumexp, along the last axis (dim=-1), not down "
        "the columns (dim=0).",
        lambda m: (
            (m - m.amax(dim=0, keepdim=True))
            - (m - m.amax(dim=0, keepdim=True)).exp().sum(dim=0, keepdim=True).log()
        ),
    ),
)


def _one_hot_loss(logits: torch.Tensor, true_labels: torch.Tensor) -> torch.Tensor:
    one_hot = torch.nn.functional.one_hot(true_labels, logits.shape[-1])
    return -(one_hot * batched_logsoftmax(logits)).sum(dim=-1)


_CROSS_ENTROPY_MISTAKES = (
    Mistake(
        "a one-hot mask times log-probabilities that may be -inf",
        "Multiplying by a one-hot mask computes 0 * log_prob for every other class, and "
        "0 * -inf is nan. Pick the true class's log-probability with gather (or indexing) "
        "instead of multiplying.",
        _one_hot_loss,
    ),
    Mistake(
        "the logit instead of its log-probability",
        "The loss is minus the log-softmax of the true class, not minus its raw score: subtract "
        "the row's log-sum-exp (or use your batched_logsoftmax) before picking the class.",
        lambda logits, labels: -logits.gather(-1, labels.unsqueeze(-1)).squeeze(-1),
    ),
    Mistake(
        "the mean over the batch",
        "The exercise asks for one loss per example, shape (batch,): leave out the final mean.",
        lambda logits, labels: batched_cross_entropy_loss(logits, labels).mean(),
    ),
    Mistake(
        "the log-probability without its minus sign",
        "The loss is minus the log-probability of the true class, so it is never negative.",
        lambda logits, labels: -batched_cross_entropy_loss(logits, labels),
    ),
    Mistake(
        "the log of a softmax",
        _LOG_OF_SOFTMAX,
        lambda logits, labels: (
            -batched_softmax(logits).log().gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        ),
    ),
    Mistake(
        "gathering along dim 0",
        "gather(0, index) picks down the columns: out[i] = log_probs[true_labels[i], 0], a "
        "row chosen by the label. Each example's class is picked within its own row, along "
        "dim 1: log_probs.gather(1, true_labels.unsqueeze(1)).squeeze(1).",
        lambda logits, labels: (
            -batched_logsoftmax(logits).gather(0, labels.unsqueeze(-1)).squeeze(-1)
        ),
    ),
    # The same axis slip on the other route learners take (and the reference takes): the
    # row's log-sum-exp minus the true class's logit, picked with gather(0).
    Mistake(
        "gathering along dim 0",
        "gather(0, index) picks down the columns: out[i] = logits[true_labels[i], 0], a row "
        "chosen by the label. Each example's class is picked within its own row, along dim 1: "
        "logits.gather(1, true_labels.unsqueeze(1)).squeeze(1).",
        lambda logits, labels: (
            batched_logsumexp(logits) - logits.gather(0, labels.unsqueeze(-1)).squeeze(-1)
        ),
    ),
)

_STABILITY = (
    "Your code must stay accurate when the entries are huge (say ±10,000), where exp() "
    "overflows to inf or underflows to 0 in floating point. A batch of 0 rows (beyond the "
    "sheet) gives an empty result."
)

# The coach times a passing solution on a matrix far larger than the sheet's.
_MATRIX_COACH = Coach((Recipe("normal", (2048, 256)),), "shape (2048, 256)")

EXERCISES = (
    Exercise(
        id="batched_logsumexp",
        section=SECTION,
        title="Log-sum-exp of each row",
        prompt=(
            "Given a float matrix of shape (batch, n) with n ≥ 1, return a tensor of shape "
            "(batch,) whose i-th entry is log(sum(exp(matrix[i]))), in the matrix's dtype.\n\n"
            f"{_STABILITY} Beyond the sheet, a row that is all -inf has a log-sum-exp of -inf, "
            "and a row containing +inf has +inf; neither should come out as nan.\n\n"
            "Do not call torch.logsumexp."
        ),
        solution=batched_logsumexp,
        hints=(
            "What goes wrong when you compute exp(1000) in float32? And log(exp(-1000))?",
            "For any constant c, log(sum(exp(x))) = c + log(sum(exp(x - c))). Which c makes the "
            "largest term exp(0) = 1?",
            "What if c is each row's maximum (keepdim=True helps it broadcast)? And what does "
            "x - c give when c itself is -inf?",
        ),
        examples=(
            Example(
                (torch.tensor([[-1000.0] * 4, [1000.0] * 4]),),
                torch.tensor([-1000 + math.log(4), 1000 + math.log(4)]),
            ),
        ),
        cases=_cases(),
        rules=Rules(forbidden=(LOGSUMEXP,)),
        shapes={"matrix": "(batch, n)", "returns": "(batch,)"},
        tiers=_TIERS,
        special_inputs=(
            SpecialInput(
                Family.INFINITE, "a row that is all -inf", (_rows([-_INF] * 3, [0.0, 1.0, 2.0]),)
            ),
            SpecialInput(Family.INFINITE, "a row holding +inf", (_rows([_INF, 0.0, 1.0]),)),
            _WIDE_SPREAD,
            _ONE_ROW,
        ),
        mistakes=_LOGSUMEXP_MISTAKES,
        coach=_MATRIX_COACH,
    ),
    Exercise(
        id="batched_softmax",
        section=SECTION,
        title="Softmax of each row",
        prompt=(
            "Given a float matrix of shape (batch, n), return the softmax of each row: a tensor "
            "of the same shape and dtype whose row i is exp(matrix[i]) divided by the sum of "
            "exp(matrix[i]). Every row of the result is non-negative and sums to 1, and adding "
            "the same number to every entry of a row does not change its softmax.\n\n"
            f"{_STABILITY}\n\n"
            "Work from the definition: do not call softmax or log_softmax in any form."
        ),
        solution=batched_softmax,
        hints=(
            "Which reduction adds up each row, and how do you keep its result shaped so that it "
            "divides each row by its own sum?",
            "Softmax does not change when you subtract the same number from a whole row. Which "
            "number would keep every exp() at most 1?",
            "What changes if you subtract matrix.amax(dim=-1, keepdim=True) before exp()?",
        ),
        examples=(
            Example(
                (torch.arange(1, 6).view(1, 5).float().log(),),
                torch.arange(1, 6).view(1, 5) / 15.0,
            ),
        ),
        cases=_cases(advice=_SHIFT),
        rules=Rules(forbidden=(SOFTMAX,)),
        shapes={"matrix": "(batch, n)", "returns": "(batch, n)"},
        tiers=_TIERS,
        special_inputs=(_MASKED_ROW, _SINGLE_ENTRY_ROWS, _WIDE_SPREAD, _SQUARE),
        mistakes=_SOFTMAX_MISTAKES,
        coach=_MATRIX_COACH,
    ),
    Exercise(
        id="batched_logsoftmax",
        section=SECTION,
        title="Log-softmax of each row",
        prompt=(
            "Given a float matrix of shape (batch, n), return log(softmax(row)) for each row: a "
            "tensor of the same shape and dtype. The exp of each result row sums to 1.\n\n"
            f"{_STABILITY} Taking the log of a softmax that has underflowed to 0 gives -inf "
            "where the true answer is a large negative number, so compute the logarithm "
            "directly.\n\n"
            "Do not call log_softmax, softmax or logsumexp."
        ),
        solution=batched_logsoftmax,
        hints=(
            "Write log(exp(x_j) / sum_k exp(x_k)) as a difference of two terms. Which one is "
            "a log-sum-exp?",
            "If you subtract each row's maximum first, how large can the terms inside the sum "
            "get, and how small can their sum get?",
            "With shifted = matrix minus its row maximum, is the answer shifted minus the log "
            "of the row sum of exp(shifted)?",
        ),
        examples=(
            Example(
                (torch.arange(1001, 1006).view(1, 5).float(),),
                torch.tensor([[-4.4519, -3.4519, -2.4519, -1.4519, -0.4519]]),
            ),
        ),
        cases=_cases(),
        rules=Rules(forbidden=(SOFTMAX, LOGSUMEXP)),
        shapes={"matrix": "(batch, n)", "returns": "(batch, n)"},
        tiers=_TIERS,
        special_inputs=(_MASKED_ROW, _SINGLE_ENTRY_ROWS, _WIDE_SPREAD, _SQUARE),
        mistakes=_LOGSOFTMAX_MISTAKES,
        coach=_MATRIX_COACH,
    ),
    Exercise(
        id="batched_cross_entropy_loss",
        section=SECTION,
        title="Cross-entropy loss per example",
        prompt=(
            "logits has shape (batch, n): unnormalised float scores for n classes, one row per "
            "example. "
            "true_labels has shape (batch,) and dtype int64: the index of each example's true "
            "class. Return a tensor of shape (batch,), in the logits' dtype, whose i-th entry is "
            "the cross-entropy loss of example i: minus the log-probability that the softmax "
            "of logits[i] gives to class true_labels[i].\n\n"
            f"{_STABILITY} Logits may be -inf (a class ruled out). If the true class has logit "
            "-inf the loss is +inf, not nan.\n\n"
            "Do not call cross_entropy, nll_loss, log_softmax or softmax; your "
            "batched_logsoftmax is the tool for the job."
        ),
        solution=batched_cross_entropy_loss,
        hints=(
            "Which function that you have already written gives the log-probability of every "
            "class, for every example?",
            "How do you pick one entry per row, at a column that differs from row to row? "
            "Why would multiplying by a one-hot mask go wrong when a logit is -inf?",
            "log_probs.gather(1, true_labels.unsqueeze(1)) has shape (batch, 1): what is left "
            "to do to get the loss?",
        ),
        examples=(
            Example(
                (
                    torch.tensor([[-_INF, -_INF, 0.0], [1 / 3, 1 / 3, 1 / 3], [-_INF, 0.0, 0.0]]),
                    torch.tensor([2, 0, 0]),
                ),
                torch.tensor([0.0, math.log(3), _INF]),
            ),
        ),
        cases=_cases(_logits_labels_case),
        rules=Rules(forbidden=(CROSS_ENTROPY, SOFTMAX)),
        tiers=_TIERS,
        special_inputs=(
            SpecialInput(
                Family.INFINITE,
                "a class ruled out with -inf",
                (_rows([-_INF, 0.0, 1.0], [2.0, -_INF, 0.0]), torch.tensor([2, 0])),
            ),
            # The true class of row 0 sits 1000 below its maximum: the log of a softmax is -inf.
            SpecialInput(
                Family.LARGE, "rows with a wide spread", (_WIDE_ROWS, torch.tensor([1, 0, 2]))
            ),
            SpecialInput(
                Family.RANDOM, "a single row", (_rows([0.5, -1.0, 2.0]), torch.tensor([2]))
            ),
        ),
        mistakes=_CROSS_ENTROPY_MISTAKES,
        coach=Coach(
            (Recipe("normal", (2048, 256)), Recipe("integers", (2048,), low=0, high=256)),
            "logits of shape (2048, 256)",
        ),
        shapes={"logits": "(batch, n)", "true_labels": "(batch,)", "returns": "(batch,)"},
    ),
)
