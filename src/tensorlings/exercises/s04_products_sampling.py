"""Section 4: batched dot products, an identity matrix, sampling and classifier accuracy."""

from __future__ import annotations

import torch
from einops import rearrange

from tensorlings import rule_apis
from tensorlings.exercise import (
    Call,
    Coach,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    Recipe,
    Rules,
    SpecialInput,
    Tiers,
)
from tensorlings.exercises._shared import EINSUM
from tensorlings.judges import Draws, Sampling
from tensorlings.rule_apis import Concept

SECTION = "Products, identity, sampling, accuracy"

_SHEET_PROBS = torch.tensor([0.05, 0.1, 0.1, 0.2, 0.15, 0.4])


def batched_dot_product_nd(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.einsum("b...,b...->b", a, b)


def identity_matrix(n: int) -> torch.Tensor:
    index = torch.arange(n)
    return (rearrange(index, "row -> row 1") == index).long()


def sample_distribution(probs: torch.Tensor, n: int) -> torch.Tensor:
    # Divide the running total by its own last value: a float32 cumsum often ends slightly
    # below 1, and a draw above its last step would land past the end. x / x is exactly 1, and
    # torch.rand is always below 1, so every draw lands on a real event.
    cumulative = torch.cumsum(probs, dim=0)
    cumulative = cumulative / cumulative[-1]
    draws = torch.rand(n, dtype=cumulative.dtype, device=probs.device)
    # right=True picks the first step strictly above the draw: an event of probability zero
    # (a step of height zero) can never be picked.
    return torch.searchsorted(cumulative, draws, right=True)


def classifier_accuracy(scores: torch.Tensor, true_classes: torch.Tensor) -> torch.Tensor:
    correct = scores.argmax(dim=1) == true_classes
    return correct.float().mean()


def _make_dot_pair(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    shape = ("batch",) + ("size",) * d.sizes["extra_dims"]
    if d.dtype == torch.int64:
        return d.integers(-5, 6, *shape), d.integers(-5, 6, *shape)
    return d.normal(*shape), d.normal(*shape)


def _make_distribution(d: Draw) -> tuple[torch.Tensor, int]:
    k = d.sizes["k"]
    weights = d.uniform(0.01, 1.0, k)
    # About a quarter of the events get probability zero, but always at least one survives.
    impossible = d.integers(0, 4, k) == 0
    impossible[d.integers(0, k, 1)] = False
    weights = weights.masked_fill(impossible, 0.0)
    return weights / weights.sum(), d.sizes["n"]


def _make_scores(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.normal("batch", "classes"), d.integers(0, d.sizes["classes"], "batch")


def _reversed_comparison(probs: torch.Tensor) -> torch.Tensor:
    # (rand < cumsum).sum() counts the steps above the draw: k - j for true event j.
    k = probs.numel()
    return torch.cat([probs.new_zeros(1), probs.flip(0)])[: k + 1]


def _compared_with_probs(probs: torch.Tensor) -> torch.Tensor:
    # (rand > probs).sum() counts the probabilities below the draw.
    edges = torch.cat([probs.new_zeros(1), probs.sort().values, probs.new_ones(1)])
    return (edges[1:] - edges[:-1]).clamp(min=0)


def _shifted_up(probs: torch.Tensor) -> torch.Tensor:
    return torch.cat([probs.new_zeros(1), probs])


_SAMPLING_MISTAKES = (
    Mistake(
        "the reversed comparison",
        "(rand < cumsum).sum() counts the running totals above the draw, which numbers the "
        "events from the other end (and gives k for the first one). Count the running totals "
        "at or below the draw: (rand >= cumsum) or (cumsum <= rand).",
        _reversed_comparison,
    ),
    Mistake(
        "comparing the draw with probs instead of the running total",
        "A draw lands in event i's piece of [0, 1) when it lies between the running totals "
        "before and after i: compare with torch.cumsum(probs, 0), not with probs itself.",
        _compared_with_probs,
    ),
    Mistake(
        "indexes shifted up by one",
        "Every event comes out one higher than it should: counting the running totals below "
        "the draw already gives the index, with no + 1.",
        _shifted_up,
    ),
    Mistake(
        "drawing every event equally often",
        "The events are drawn uniformly, whatever probs says: the draw must be compared with "
        "the running total of probs.",
        lambda probs: torch.ones_like(probs) / probs.numel(),
    ),
)


def _random_distribution(generator: torch.Generator) -> torch.Tensor:
    weights = torch.rand(1000, generator=generator, dtype=torch.float64)
    return (weights / weights.sum()).float()


# The sampler's calls: the sheet's distribution, then the shapes of distribution a correct
# sampler must also get right. The two "seed" calls differ only in the seed.
# fmt: off
_SAMPLING = Sampling(
    draws=(
        Draws("the sheet's distribution", _SHEET_PROBS, 100_000, Family.EXAMPLES),
        Draws("1000 random events", _random_distribution, 50_000, Family.RANDOM),
        Draws("events of probability zero", torch.tensor([0.0, 0.5, 0.0, 0.5, 0.0]), 20_000,
              Family.RANDOM),
        Draws("a single event", torch.tensor([1.0]), 1_000, Family.RANDOM),
        Draws("the sheet's distribution, first seed", _SHEET_PROBS, 2_000, Family.RANDOM),
        Draws("the sheet's distribution, second seed", _SHEET_PROBS, 2_000, Family.RANDOM),
        Draws("probabilities summing to 0.9998", torch.tensor([0.3, 0.3, 0.3998]), 100_000,
              Family.UNNORMALISED),
        Draws("n = 0", _SHEET_PROBS, 0, Family.EMPTY),
    ),
    reseeded=("the sheet's distribution, first seed", "the sheet's distribution, second seed"),
)
# fmt: on

EXERCISES = (
    Exercise(
        id="batched_dot_product_nd",
        section=SECTION,
        title="Batched dot product in any number of dimensions",
        prompt=(
            "`a` and `b` have the same shape (batch, i_1, ..., i_n) with at least one axis "
            "after the batch axis, and the same dtype (integer or floating).\n\n"
            "Return a tensor of shape (batch,) and that dtype where out[i] is the dot product "
            "of a[i] and b[i]: multiply them element by element and add up every product. "
            "The number of axes after the batch axis is not fixed, so the code must not "
            "assume it. batch may be 0 (beyond the sheet: an empty result). Use torch.einsum."
        ),
        solution=batched_dot_product_nd,
        hints=(
            "For a single pair of vectors, what einsum pattern gives their dot product?",
            "An einsum pattern can say 'and whatever other axes there are' with an ellipsis "
            "(...). Which axis must stay in the output?",
            "Try torch.einsum('b...,b...->b', a, b).",
        ),
        examples=(
            Example(
                (torch.tensor([[1, 1, 0], [0, 0, 1]]), torch.tensor([[1, 1, 0], [1, 1, 0]])),
                torch.tensor([2, 0]),
            ),
            Example(
                (torch.arange(12).reshape(3, 2, 2), torch.arange(12).reshape(3, 2, 2)),
                torch.tensor([14, 126, 366]),
            ),
        ),
        cases=RandomCases(
            make=_make_dot_pair,
            sizes={"batch": (0, 5), "extra_dims": (1, 3), "size": (1, 4)},
            # The sheet's inputs are integer tensors; floats are beyond it.
            dtypes=(torch.int64,),
            other_dtypes=(torch.float32,),
            grad_args=(0, 1),
        ),
        rules=Rules(required=(EINSUM,)),
        shapes={"a": "(batch, *dims)", "b": "(batch, *dims)", "returns": "(batch,)"},
        mistakes=(
            Mistake(
                "an einsum written for 2-D inputs only",
                "A pattern such as 'bi,bi->b' names exactly two axes, so it fails on inputs "
                "with more. An ellipsis stands for any number of axes: 'b...,b...->b'.",
                lambda a, b: torch.einsum("bi,bi->b", a, b),
            ),
            Mistake(
                "an einsum written for 3-D inputs only",
                "A pattern such as 'bij,bij->b' names exactly three axes, so it fails on inputs "
                "with another number. An ellipsis stands for any number of axes: "
                "'b...,b...->b'.",
                lambda a, b: torch.einsum("bij,bij->b", a, b),
            ),
            Mistake(
                "summing over the last axis only",
                "The dot product adds up every axis after the batch axis, not only the last "
                "one: with an ellipsis, 'b...,b...->b' sums them all.",
                lambda a, b: torch.einsum("b...i,b...i->b...", a, b),
            ),
        ),
    ),
    Exercise(
        id="identity_matrix",
        section=SECTION,
        title="An identity matrix without torch.eye",
        prompt=(
            "Return the n × n identity matrix: ones on the main diagonal, zeros everywhere "
            "else. n is a Python int and may be 0, which gives a tensor of shape (0, 0). "
            "Any integer, floating or bool dtype is accepted.\n\n"
            "Build it yourself: torch.eye, torch.diag and the other functions that make "
            "diagonal matrices are off limits."
        ),
        solution=identity_matrix,
        hints=(
            "Entry (i, j) of the identity is 1 exactly when i equals j. How could you compare "
            "every row number with every column number at once?",
            "A column of row numbers compared with a row of column numbers broadcasts to an "
            "n × n table. How do you turn torch.arange(n) into a column?",
            "Compare rearrange(torch.arange(n), 'i -> i 1') with torch.arange(n) using ==.",
        ),
        examples=(
            Example((3,), torch.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]])),
            Example((0,), torch.zeros((0, 0))),
        ),
        cases=RandomCases(
            make=lambda d: (d.sizes["n"],),
            sizes={"n": (0, 12)},
            dtypes=(torch.int64,),
        ),
        rules=Rules(
            forbidden=(
                Call(
                    "torch.eye or anything that builds an identity/diagonal",
                    rule_apis.names(Concept.IDENTITY),
                ),
            )
        ),
        output=OutputPolicy(dtype=DtypePolicy.ANY_NUMERIC, rtol=0.0, atol=0.0),
        shapes={"n": "int", "returns": "(n, n)"},
        # A 1 x 1 answer is where a squeeze() shows; random cases draw n = 1 only now and then.
        special_inputs=(SpecialInput(Family.RANDOM, "n = 1", (1,)),),
        coach=Coach(
            (2000,),
            "n=2000",
            advice="compare an arange with itself through broadcasting; avoid building "
            "intermediate tensors larger than n × n",
        ),
        # The sheet itself checks identity_matrix(0).
        tiers=Tiers.contract_also(Family.EMPTY),
        mistakes=(
            Mistake(
                "comparing two 1-D aranges",
                "arange(n) == arange(n) compares the vectors entry by entry and gives n "
                "values. Make one of them a column (shape (n, 1)) so that the comparison "
                "broadcasts to an n × n table.",
                lambda n: torch.arange(n) == torch.arange(n),
            ),
        ),
    ),
    Exercise(
        id="sample_distribution",
        section=SECTION,
        title="Sampling from a discrete distribution",
        prompt=(
            "`probs` is a 1-D floating-point tensor of shape (k,): probs[i] is the probability "
            "of event i. The entries are non-negative and add up to 1 (up to rounding). Some "
            "may be exactly zero.\n\n"
            "Return an integer tensor of shape (n,) holding n independent random draws: each "
            "entry is the index of the event that was drawn. Use torch.rand and torch.cumsum, "
            "no Python loops, and not torch.multinomial or torch.distributions. Every index "
            "must lie in [0, k), and an event with probability zero must never be drawn. Beyond "
            "the sheet, n may be 0 (an empty result), and a robust sampler copes with "
            "probabilities that add up to a little less than 1, within 0.001 as the sheet's own "
            "guard allows."
        ),
        solution=sample_distribution,
        hints=(
            "Picture the interval [0, 1) cut into consecutive pieces, one per event, each as "
            "long as that event's probability. Which piece does a uniform random number land in?",
            "torch.cumsum(probs, 0) gives the right-hand ends of the pieces. How can you find, "
            "for every random number at once, the first end that is larger than it? "
            "(torch.searchsorted, or counting with a broadcast comparison.)",
            "In float32 the last cumulative sum can be 0.99999994, not 1: make sure a random "
            "number above it cannot produce index k.",
        ),
        judge=_SAMPLING,
        examples=(Example((_SHEET_PROBS, 10_000_000), expected=_SHEET_PROBS),),
        cases=RandomCases(make=_make_distribution, sizes={"k": (1, 1000), "n": (0, 2000)}),
        rules=Rules(
            required=(Call("torch.rand", ("rand",)), Call("torch.cumsum", ("cumsum",))),
            forbidden=(
                Call(
                    "torch.multinomial or torch.distributions",
                    rule_apis.names(Concept.SAMPLING),
                ),
            ),
            no_loops=True,
            forbidden_modules=("numpy.random", "random"),
            modules_advice="Draw the randomness with torch.",
        ),
        output=OutputPolicy(dtype=DtypePolicy.INTEGER),
        shapes={"probs": "(k,)", "n": "int", "returns": "(n,)"},
        # For a sampling exercise a mistake gives the distribution of the values it returns.
        mistakes=_SAMPLING_MISTAKES,
        coach=Coach(
            (Recipe("probs", (1000,)), 50_000),
            "1000 events, n=50000",
            advice="an n × k comparison matrix is not needed: torch.searchsorted finds each "
            "draw's event in the running total directly",
        ),
    ),
    Exercise(
        id="classifier_accuracy",
        section=SECTION,
        title="Accuracy of a classifier",
        prompt=(
            "`scores` is a floating-point tensor of shape (batch, n_classes): a larger "
            "scores[b, c] means the classifier believes more strongly that input b is of class "
            "c. `true_classes` is an integer tensor of shape (batch,) holding the right class "
            "of each input.\n\n"
            "Return, as a 0-d floating-point tensor, the fraction of inputs whose "
            "highest-scoring class is the true one."
        ),
        solution=classifier_accuracy,
        hints=(
            "For one input, how do you find the class the classifier picked?",
            "torch.argmax takes a dim argument. Along which axis are the classes? What do you "
            "get when you compare the picks with true_classes?",
            "A bool tensor cannot be averaged directly: convert it to float first, then take "
            "the mean.",
        ),
        examples=(
            Example(
                (
                    torch.tensor([[0.75, 0.5, 0.25], [0.1, 0.5, 0.4], [0.1, 0.7, 0.2]]),
                    torch.tensor([0, 1, 0]),
                ),
                torch.tensor(2 / 3),
            ),
        ),
        cases=RandomCases(make=_make_scores, sizes={"batch": (1, 30), "classes": (1, 10)}),
        output=OutputPolicy(dtype=DtypePolicy.FLOATING, python_number_ok=True),
        shapes={"scores": "(batch, n_classes)", "true_classes": "(batch,)", "returns": "()"},
        # Four inputs, three classes: the batch and class axes cannot be mixed up unseen, and
        # the argmax of the flattened scores (1) is right for two inputs where argmax(1) is
        # right for three.
        special_inputs=(
            SpecialInput(
                Family.RANDOM,
                "four inputs and three classes",
                (
                    torch.tensor(
                        [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]]
                    ),
                    torch.tensor([1, 0, 2, 1]),
                ),
            ),
        ),
        mistakes=(
            Mistake(
                "taking the argmax over the batch axis",
                "argmax(dim=0) picks, for each class, the input that scores it highest. Each "
                "input's own choice is the argmax along the class axis: dim=1 (or -1). The "
                "sheet's 3 × 3 scores hide the difference.",
                lambda scores, true_classes: (scores.argmax(0) == true_classes).float().mean(),
            ),
            Mistake(
                "argmax without a dim",
                "scores.argmax() with no dim gives one index into the flattened tensor. Each "
                "input's choice is the argmax along the class axis: argmax(dim=1).",
                lambda scores, true_classes: (scores.argmax() == true_classes).float().mean(),
            ),
            Mistake(
                "the count of right answers instead of the fraction",
                "Divide the number of right answers by the batch size, or take the mean of the "
                "boolean tensor converted to float.",
                lambda scores, true_classes: (scores.argmax(1) == true_classes).float().sum(),
            ),
        ),
    ),
)
