"""`%%check`: run the cell as usual (it is the learner's own code, in their own kernel), then
check the exercise functions it defined, in isolation."""

from __future__ import annotations

from typing import Any

from tensorlings.notebook.cells import defined_names


def register(shell: Any) -> None:
    def check_cell(line: str, cell: str) -> Any:
        from tensorlings import catalogue, learner
        from tensorlings.interactive import check
        from tensorlings.notebook.locate import NotebookError

        ran = shell.run_cell(cell, store_history=False)
        if not ran.success:
            return None  # the cell's own error is shown; nothing new to check
        names = learner.exercises_among(sorted(defined_names(cell)), catalogue.sheet())
        if not names:
            raise NotebookError(
                "this %%check cell defines no exercise function. Define one (def softmax...) "
                "in the cell, or use tensorlings.check(fn)."
            )
        results = [check(shell.user_ns[name], **_options(line)) for name in names]
        if len(results) == 1:
            return results[0]
        from IPython.display import display

        for result in results:
            display(result)
        return None

    shell.register_magic_function(check_cell, magic_kind="cell", magic_name="check")


def _options(line: str) -> dict[str, Any]:
    """`%%check --seed 3 --timeout 10`."""
    import argparse
    import shlex

    parser = argparse.ArgumentParser(prog="%%check", add_help=False, exit_on_error=False)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=5.0)
    try:
        args = parser.parse_args(shlex.split(line))
    except (argparse.ArgumentError, SystemExit) as error:
        from tensorlings.notebook.locate import NotebookError

        raise NotebookError(f"%%check {line}: {error}. Use --seed N or --timeout S.") from None
    return {"seed": args.seed, "timeout": args.timeout}
