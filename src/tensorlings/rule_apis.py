"""Every recorded call that computes what a rule forbids, kept as data, one concept at a time.

A rule named after a concept ("no logsumexp") must cover every API that hands back that result,
in torch, its submodules, numpy and einops, not only the function the rule is named after.
Names here are the names the worker's recorder writes down (`recorder.canonical_name`): torch's
function, its Tensor method, its `torch.special.` and `F.` spellings and numpy's function of the
same name are one name; `torch._softmax` and `torch._sparse_softmax` are `softmax` (ALIASES).
nn modules and distributions are classes: they reach one of these functions, and that function is
what the recorder sees (REACHED_THROUGH says which).

tests/test_rule_apis.py walks each namespace (`dir(torch.special)`, `dir(numpy)`...) and fails on
a public name that matches a concept's pattern but is neither listed here nor in NOT_COMPUTING, so
a torch or numpy release that adds one is noticed.
"""

from __future__ import annotations

import enum


class Concept(enum.Enum):
    LOGSUMEXP = "logsumexp"
    SOFTMAX = "softmax"
    CROSS_ENTROPY = "cross_entropy"
    IDENTITY = "identity matrix"
    GATHER = "gather"
    SAMPLING = "sampling from a categorical distribution"
    RELU = "relu"


# The names that compute each concept, with why each is there.
COMPUTES: dict[Concept, dict[str, str]] = {
    Concept.LOGSUMEXP: {
        "logsumexp": "the function itself (torch, Tensor, torch.special)",
        "logcumsumexp": "its last column is the logsumexp of the row",
        "logaddexp": "a reduction of it over a row is logsumexp (numpy: np.logaddexp.reduce)",
        "logaddexp2": "the base-2 version, rescaled by log 2",
        "softplus": "log(1 + e^x): logsumexp of (0, x), and of (a, b) as b + softplus(a - b)",
        "log_sigmoid": "-softplus(-x) (F.logsigmoid, nn.LogSigmoid)",
        "log_softmax": "x - log_softmax(x) is logsumexp broadcast over the row",
        "softmax": "log(softmax(x)) gives log_softmax, hence logsumexp",
        "softmin": "softmax of -x",
        "gumbel_softmax": "softmax of shifted logits (exactly softmax with tau=1 and no noise)",
        "cross_entropy": "with label 0 and a zero-padded column it gives logsumexp of the row",
        "linear_cross_entropy": "cross_entropy after a linear layer",
        "binary_cross_entropy_with_logits": "computes softplus of the logits",
        "soft_margin_loss": "mean of softplus(-y * x)",
        "multilabel_soft_margin_loss": "computes log_sigmoid of the logits",
        "mish": "x * tanh(softplus(x)): softplus is recovered with atanh(mish(x) / x)",
        "SoftmaxTransform": "a torch.distributions transform that computes softmax with exp "
        "and sum of its own (recorded when made)",
        "scaled_dot_product_attention": "softmax of q @ k.T times v: with k = v = the identity "
        "and scale 1 it hands back softmax(q), whose log gives logsumexp",
    },
    Concept.SOFTMAX: {
        "softmax": "the function itself (torch, Tensor, F, torch.special, torch.sparse)",
        "log_softmax": "exp of it is softmax",
        "softmin": "softmax of -x",
        "gumbel_softmax": "softmax of shifted logits",
        "SoftmaxTransform": "a torch.distributions transform that computes softmax with exp "
        "and sum of its own (recorded when made)",
        "scaled_dot_product_attention": "softmax of q @ k.T times v: with k = v = the identity "
        "and scale 1 it hands back softmax(q) itself",
    },
    Concept.CROSS_ENTROPY: {
        "cross_entropy": "the function itself (F.cross_entropy, nn.CrossEntropyLoss)",
        "linear_cross_entropy": "cross_entropy after a linear layer (weight = identity)",
        "nll_loss": "nll_loss of log_softmax is cross_entropy",
    },
    Concept.IDENTITY: {
        "eye": "the function itself (torch.eye, numpy.eye)",
        "eye_": "fills a matrix with the identity in place",
        "identity": "numpy.identity",
        "diag": "diag(ones(n))",
        "diag_embed": "diag_embed(ones(n))",
        "diagflat": "diagflat(ones(n))",
        "diagonal": "a view of the diagonal, filled with ones",
        "diagonal_scatter": "scatters ones onto the diagonal",
        "fill_diagonal_": "fills the diagonal with ones",
        "block_diag": "block_diag of n ones",
        "spdiags": "torch.sparse.spdiags of a row of ones is a sparse identity",
        "one_hot": "one_hot(arange(n)) is the identity",
        "matrix_power": "any matrix to the power 0",
        "linalg_matrix_power": "torch.linalg.matrix_power, as the recorder names it",
        "matrix_exp": "the exponential of a zero matrix",
        "linalg_matrix_exp": "torch.linalg.matrix_exp, as the recorder names it",
        "fill_diagonal": "numpy.fill_diagonal(zeros, 1) writes the identity in place",
        "dirac_": "torch.nn.init.dirac_ of an (n, n, 1) tensor is the identity in its middle",
        # A decomposition of the zero matrix (or of any diagonal one) hands back the identity
        # as its factor: the eigenvectors, Q of QR, U and V of the SVD.
        "eigh": "numpy.linalg.eigh(zeros((n, n))) has the identity as eigenvectors",
        "linalg_eigh": "torch.linalg.eigh, as the recorder names it",
        "eig": "numpy.linalg.eig: as eigh",
        "linalg_eig": "torch.linalg.eig, as the recorder names it",
        "qr": "Q of the QR of a zero matrix is the identity",
        "linalg_qr": "torch.linalg.qr, as the recorder names it",
        "svd": "U and V of the SVD of a zero matrix are the identity",
        "linalg_svd": "torch.linalg.svd, as the recorder names it",
        "householder_product": "the product of no reflections is the identity",
        "linalg_householder_product": "torch.linalg.householder_product, as the recorder names it",
        "lu": "L (unit lower) and P of the LU of a zero matrix are the identity",
        "linalg_lu": "torch.linalg.lu, as the recorder names it",
        "linalg_lu_factor": "its pivots unpack to the identity permutation",
        "linalg_lu_factor_ex": "as linalg_lu_factor",
        "lu_with_info": "torch.lu's own call",
        "lu_unpack": "unpacks L and P (the identity for a zero matrix)",
    },
    Concept.GATHER: {
        "gather": "the function itself",
        "index_select": "selects along one axis by integer index",
        "take": "indexes the flattened tensor (torch.take, numpy.take)",
        "take_along_dim": "gather with broadcasting",
        "take_along_axis": "numpy's take_along_dim",
        "embedding": "rows of a table by index",
        "embedding_bag": "sums of rows of a table by index",
        "choose": "numpy.choose(index, table) picks table[index[i]][i]: a gather",
    },
    Concept.SAMPLING: {
        "multinomial": "draws from the distribution (torch.multinomial, numpy.random, and "
        "torch.distributions' Categorical, OneHotCategorical and Multinomial call it)",
        "choice": "numpy.random.choice(k, n, p=probs)",
        # The recorder writes down each torch.distributions object made (recorder.py).
        "Categorical": "its sample() draws with multinomial",
        "OneHotCategorical": "its sample() draws with multinomial",
        "OneHotCategoricalStraightThrough": "as OneHotCategorical",
        "Multinomial": "its sample() draws with multinomial",
        "RelaxedOneHotCategorical": "the argmax of its rsample() is an exact categorical draw "
        "(the Gumbel-max trick), made with no multinomial call",
        "ExpRelaxedCategorical": "as RelaxedOneHotCategorical, in log space",
        "Gumbel": "argmax of log(probs) plus its samples is an exact categorical draw (the "
        "Gumbel-max trick)",
        "Exponential": "argmin of its samples with rates probs is an exact categorical draw (an "
        "exponential race)",
    },
    Concept.RELU: {
        "relu": "the function itself (torch, Tensor, F, nn.ReLU)",
        "relu_": "in place",
        "clamp": "clamp(x, min=0)",
        "clamp_": "in place",
        "clamp_min": "clamp_min(x, 0)",
        "clamp_min_": "in place",
        "clip": "clip(x, 0) (torch and numpy)",
        "clip_": "in place",
        "threshold": "threshold(x, 0, 0)",
        "threshold_": "in place",
        "hardtanh": "hardtanh(x, 0, inf)",
        "hardtanh_": "in place",
        "leaky_relu": "negative_slope=0",
        "leaky_relu_": "in place",
        "relu6": "relu capped at 6: equal below 6",
        "elu": "elu(x) - elu(-x) recombines to relu",
        "elu_": "in place",
        "celu": "as elu",
        "celu_": "in place",
        "selu": "as elu",
        "selu_": "in place",
        "softplus": "with a huge beta it is relu",
        "prelu": "weight 0",
        "rrelu": "lower = upper = 0",
        "rrelu_": "in place",
        "fmax": "fmax(x, 0) (torch and numpy)",
    },
}

# Public names that match a concept's pattern but do not hand back its result, and why.
NOT_COMPUTING: dict[Concept, dict[str, str]] = {
    Concept.LOGSUMEXP: {
        "SoftplusTransform": "a bijector object; computing through it reaches softplus",
    },
    Concept.SOFTMAX: {
        "adaptive_log_softmax": "not a function (nn.AdaptiveLogSoftmaxWithLoss calls log_softmax)",
    },
    Concept.CROSS_ENTROPY: {
        "binary_cross_entropy": "takes probabilities, not logits: the learner computed them",
        "binary_cross_entropy_with_logits": "a per-entry sigmoid loss, not a softmax over a row",
        "gaussian_nll_loss": "a Gaussian likelihood, no softmax",
        "poisson_nll_loss": "a Poisson likelihood, no softmax",
        "LinearCrossEntropyOptions": "a settings object",
    },
    Concept.IDENTITY: {
        "Identity": "nn.Identity returns its input",
        "identity_transform": "a bijector that returns its input",
        "diagonal_copy": "copies an existing diagonal out, builds no matrix",
        "diag_indices": "numpy: the positions of the diagonal, not the matrix",
        "diag_indices_from": "numpy: as diag_indices",
        "diagonal_scatter_": "does not exist in torch; listed for numpy's spelling only",
        "tril_indices": "positions only",
        "OneHotCategorical": "samples rows of one_hot; enumerate_support reaches eye (listed)",
        "OneHotCategoricalStraightThrough": "as OneHotCategorical",
        "RelaxedOneHotCategorical": "a relaxed sample, no exact identity",
        "one_hot_categorical": "the module (its classes are explained)",
    },
    Concept.GATHER: {
        "batch_norm_gather_stats": "batch-norm statistics across devices",
        "batch_norm_gather_stats_with_counts": "batch-norm statistics across devices",
        "embedding_renorm_": "rescales rows of a table, selects nothing",
        "cosine_embedding_loss": "a loss, selects nothing",
        "hinge_embedding_loss": "a loss, selects nothing",
        "CosineEmbeddingLoss": "a loss, selects nothing",
        "HingeEmbeddingLoss": "a loss, selects nothing",
    },
    Concept.SAMPLING: {
        "categorical": "the module torch.distributions.categorical (its class is listed)",
        "multinomial": "the module torch.distributions.multinomial (its class is listed)",
        "one_hot_categorical": "the module (its class is listed)",
        "relaxed_categorical": "the module (its class is listed)",
    },
    Concept.RELU: {
        "clamp_max": "caps from above, keeps negatives",
        "clamp_max_": "caps from above, keeps negatives",
        "rnn_relu": "a recurrent layer (its weights decide the output)",
        "rnn_relu_cell": "a recurrent cell",
        "quantized_rnn_relu_cell": "a quantized recurrent cell",
        "cudnn_convolution_relu": "GPU-only fused convolution",
        "cudnn_convolution_add_relu": "GPU-only fused convolution",
        "miopen_convolution_relu": "GPU-only fused convolution",
        "miopen_convolution_add_relu": "GPU-only fused convolution",
        "SoftplusTransform": "a bijector object; computing through it reaches softplus",
        "gelu": "not exactly relu anywhere but at 0",
        "SELU": "module: reaches selu",
    },
}

# A name pattern per concept: a public name that matches must appear in COMPUTES, NOT_COMPUTING
# or REACHED_THROUGH (the namespace test checks it).
PATTERNS: dict[Concept, str] = {
    Concept.LOGSUMEXP: r"logsumexp|logaddexp|logcumsumexp|softplus|log_?sigmoid|softmax|softmin",
    Concept.SOFTMAX: r"softmax|softmin",
    Concept.CROSS_ENTROPY: r"cross_?entropy|nll",
    Concept.IDENTITY: r"^eye|identity|diag|one_?hot|matrix_power|matrix_exp",
    Concept.GATHER: r"gather|^take|index_select|embedding",
    Concept.SAMPLING: r"multinomial|categorical|^choice$",
    Concept.RELU: r"relu|clamp|^clip|hardtanh|threshold|softplus|^c?s?elu|fmax",
}

# Classes (nn modules, distributions) and the recorded call their use reaches.
REACHED_THROUGH: dict[str, str] = {
    "Softmax": "softmax",
    "Softmax2d": "softmax",
    "LogSoftmax": "log_softmax",
    "Softmin": "softmin",
    "AdaptiveLogSoftmaxWithLoss": "log_softmax",
    "CrossEntropyLoss": "cross_entropy",
    "LinearCrossEntropyLoss": "linear_cross_entropy",
    "NLLLoss": "nll_loss",
    "NLLLoss2d": "nll_loss",
    "GaussianNLLLoss": "gaussian_nll_loss",
    "PoissonNLLLoss": "poisson_nll_loss",
    "LogSigmoid": "log_sigmoid",
    "Softplus": "softplus",
    "ReLU": "relu",
    "ReLU6": "relu6",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "RReLU": "rrelu",
    "Hardtanh": "hardtanh",
    "Threshold": "threshold",
    "ELU": "elu",
    "CELU": "celu",
    "SELU": "selu",
    "Embedding": "embedding",
    "EmbeddingBag": "embedding_bag",
    # Categorical(logits=x) normalises its logits with logsumexp; sampling calls multinomial.
    "Categorical": "multinomial",
    "OneHotCategorical": "multinomial",
    "OneHotCategoricalStraightThrough": "multinomial",
    "Multinomial": "multinomial",
    "RelaxedOneHotCategorical": "softmax",
    "SoftmaxTransform": "SoftmaxTransform",  # recorded by its own name when made
}

# Internal spellings the recorder sees, by the public call they are (a leading underscore is
# dropped first: `_sparse_softmax` is looked up as `sparse_softmax`).
ALIASES: dict[str, str] = {
    "cross_entropy_loss": "cross_entropy",
    "nll_loss_nd": "nll_loss",
    "nll_loss2d": "nll_loss",
    "softmax_backward_data": "softmax",
    "log_softmax_backward_data": "log_softmax",
    "sparse_softmax": "softmax",  # torch.sparse.softmax
    "sparse_log_softmax": "log_softmax",  # torch.sparse.log_softmax
    "logsigmoid": "log_sigmoid",  # F.logsigmoid is torch._C._nn.log_sigmoid
}


# Libraries the allowlist admits whose functions compute outside what the worker records (their
# own Python, not torch's or numpy's functions the learner calls): sympy.eye is an identity and
# scipy.special.softmax a softmax the recorder never sees. An exercise that forbids a built-in
# judges its code on torch, numpy and einops alone, so reaching one of these fails its rule.
UNRECORDED_MODULES: dict[str, str] = {
    "sympy": "symbolic matrices (sympy.eye, sympy.diag)",
    "networkx": "graphs as matrices (to_numpy_array)",
    "scipy": "scipy.special.softmax and logsumexp, scipy.sparse.eye",
    "sklearn": "sklearn.utils.extmath.softmax",
    "pandas": "tables with their own indexing and reductions",
}


def names(*concepts: Concept) -> tuple[str, ...]:
    """Every recorded name that computes one of `concepts`, in a stable order."""
    found: dict[str, None] = {}
    for concept in concepts:
        found.update(dict.fromkeys(COMPUTES[concept]))
    return tuple(found)


# What a rule's names mean beyond torch's function names (docs/recorded-names.md is generated from
# these tables). An operator is recorded under its symbol, apart from the function behind it:
# `x / y` is `/`, `torch.div(x, y)` and `x.div(y)` are `div`; `y / x` with a number y is `/` too,
# and an augmented assignment (`x += 1`) is its operator (`+`), not an in-place call.
OPERATORS: dict[str, str] = {
    "+": "x + y, y + x, x += y, and unary +x",
    "-": "x - y, y - x, x -= y, and unary -x",
    "*": "x * y, y * x, x *= y",
    "/": "x / y, y / x, x /= y",
    "//": "x // y, y // x, x //= y",
    "%": "x % y, y % x, x %= y",
    "**": "x ** y, y ** x, x **= y",
    "@": "x @ y, x @= y",
    "==": "x == y",
    "!=": "x != y",
    "<": "x < y",
    "<=": "x <= y",
    ">": "x > y",
    ">=": "x >= y",
    "&": "x & y, x &= y",
    "|": "x | y, x |= y",
    "^": "x ^ y, x ^= y",
    "~": "~x",
    "<<": "x << y",
    ">>": "x >> y",
}

# Names that stand for something the code did rather than a function it called.
EVENTS: dict[str, str] = {
    "__getitem__": "indexing, x[...] (never counts against an `only` rule)",
    "int_tensor_index": "indexing with an integer tensor, x[idx] (also recorded as __getitem__)",
    "__setitem__": "assigning into an index, x[...] = v (never counts against an `only` rule)",
    "setitem": "the same event as __setitem__, for rules",
    "bool_mask_multiply": "multiplying by a boolean tensor, x * (x > 0) (also recorded as `*`)",
    "T": "the .T property (also mT, H, mH under their own names)",
    "len": "len(x)",
    "float": "float(x) and x.float() alike (int, bool likewise)",
    "iter": "iterating over a tensor (for row in x)",
    "contains": "v in x",
    "index": "a tensor used as a Python index or in range(x)",
    "bool": "a tensor's truth, `if x:`, and x.bool() alike",
}

# Reading what a tensor is, which never counts against an `only` rule: nothing here computes a
# value from the entries.
INSPECTION: tuple[str, ...] = (
    "shape", "dtype", "device", "ndim", "dim", "numel", "nelement", "len", "repr", "str",
    "format", "requires_grad", "is_leaf", "grad_fn", "grad", "layout", "stride",
    "storage_offset", "is_contiguous", "is_floating_point", "is_complex", "names", "is_cuda",
    "hash", "set_grad_enabled", "is_grad_enabled",
)  # fmt: skip

# Calls that look like inspection but read or reshape a tensor's entries: they count against an
# `only` rule unless the author exempts them (`Rules(exempt=INSPECTION_LIKE)`, as the built-in
# packs do). `.T` is a transpose, `.item()` and `.tolist()` read entries, `.size()` is `.shape`
# spelled as a call.
INSPECTION_LIKE: tuple[str, ...] = (
    "size", "T", "data", "bool", "index", "iter", "contains", "tolist", "item",
)  # fmt: skip
