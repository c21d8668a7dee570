"""The record of facts (checker/facts.py): which binding runs, what each reaches, loops in any
spelling, which asserts can run."""

from __future__ import annotations

import textwrap

from tensorlings.checker import facts, facts_reader, static


def record(source: str) -> facts.Facts:
    return facts_reader.of_source(textwrap.dedent(source))


def reached_names(source: str, name: str) -> list[str]:
    return [piece.label for piece in record(source).reach(name)]


def test_the_last_top_level_binding_is_the_one_that_runs():
    found = record(
        """
        def f(x):
            return x
        f = print
        """
    )
    assert [p.node.__class__.__name__ for p in found.running("f")] == ["Name"]
    assert "f" not in found.functions  # the def is a decoy: it never runs


def test_a_conditional_binding_after_the_last_one_may_run_too():
    found = record(
        """
        def f(x):
            return x
        if x:
            f = print
        """
    )
    assert len(found.running("f")) == 2


def test_a_stub_defined_before_the_real_function_is_not_what_runs():
    found = record(
        """
        def f(x):
            pass
        def f(x):
            return x + 1
        """
    )
    assert found.functions["f"].lineno == 4
    assert not static.is_stub(found.functions["f"])


def test_names_are_followed_through_values_decorators_and_aliases():
    source = """
        import functools
        def deco(f):
            return helper
        def helper(x):
            return x
        @deco
        def f(x):
            return x
        g = functools.partial(f, 1)
        """
    assert set(reached_names(source, "g")) == {"functools", "deco", "helper", "f", "g"}


def test_a_value_read_at_load_resolves_to_the_binding_before_it():
    found = record(
        """
        def f(x):
            return 1
        g = f
        def f(x):
            return 2
        """
    )
    assert [p.node.lineno for p in found.reach("g") if p.function] == [2]


def test_a_function_that_rebinds_a_global_is_reached_by_that_name():
    source = """
        def f(x):
            return x
        def setup():
            global f
            f = print
        """
    assert "setup" in reached_names(source, "f")


def test_imports_and_plain_aliases_give_dotted_paths():
    found = record(
        """
        import torch.nn.functional as F
        from torch import eye
        soft = F.softmax
        """
    )
    assert found.aliases["F"] == "torch.nn.functional"
    assert found.aliases["eye"] == "torch.eye"
    assert found.aliases["soft"] == "torch.nn.functional.softmax"


def test_loops_in_any_spelling_are_found():
    found = record(
        """
        import functools, itertools
        def f(xs):
            a = functools.reduce(lambda p, q: p + q, xs)
            b = list(map(abs, xs))
            c = list(itertools.accumulate(xs))
            d = [x for x in xs]
            while False:
                pass
            return a, b, c, d
        """
    )
    words = [finding.what for finding in static.loops(found, "f")]
    assert words == [
        "functools.reduce over elements",
        "map over elements",
        "itertools.accumulate over elements",
        "a list comprehension",
        "a while loop",
    ]


def test_recursion_is_a_loop_but_passing_a_function_itself_is_not():
    recursive = record("def f(n):\n    return f(n - 1) if n else 0\n")
    assert [f.what for f in static.loops(recursive, "f")] == ["recursion (a loop by calls)"]
    passed = record("def f(n):\n    return print(f)\n")
    assert static.loops(passed, "f") == []


def test_asserts_after_a_return_cannot_run():
    found = record(
        """
        def f(x):
            assert x.ndim == 2
            if x.shape[0]:
                return x
                assert x.shape[0] == 0
            return x
            assert x.ndim == 3
        """
    )
    kept = [a.lineno for a in static.learner_asserts(found, found.functions["f"])]
    assert kept == [3]


def test_loops_after_a_return_do_not_count():
    found = record("def f(xs):\n    return xs.sum()\n    for x in xs:\n        pass\n")
    assert static.loops(found, "f") == []


def test_a_file_is_read_once_per_text():
    text = "def f(x):\n    return x\n"
    assert facts_reader.of_source(text) is facts_reader.of_source(text)


def test_a_lambda_bound_at_top_level_is_a_function():
    found = record("f = lambda x: x + 1\n")
    assert found.functions["f"].name == "f"


def test_a_parameter_or_local_named_like_top_level_data_does_not_reach_it():
    source = """
        import torch
        x = torch.softmax(torch.randn(3), dim=0)
        expected = torch.softmax(x, dim=0)
        def f(x):
            expected = x.exp()
            return [x for x in expected]
        """
    assert reached_names(source, "f") == ["f"]
