"""The one rule every puzzle shares, in the author's words."""

from tensorlings.exercise import Call, Rules

# Operators only: torch.add or torch.matmul are the functions the puzzles rebuild.
OPERATORS = ("+", "-", "*", "/", "//", "%", "@", "==", "!=", "<", "<=", ">", ">=", "&", "|", "~")
ALLOWED = ("arange", "where", *OPERATORS)
WORDS = "torch.arange, torch.where, indexing, operators (+ - * / @ < == ...) and your own puzzles"


def only(*forbidden: Call) -> Rules:
    return Rules(
        forbidden=forbidden,
        only=ALLOWED,
        only_label=WORDS,
        only_advice="Index with torch.arange and compare positions; call your earlier puzzles.",
        no_loops=True,
    )
