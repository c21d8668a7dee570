"""Benchmark 1: every reference solution against torch's own equivalent, at realistic sizes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from common import (
    TARGET_ANY,
    TARGET_FUSED,
    TARGET_LIMIT,
    TARGET_SAMPLING,
    Row,
    Section,
    fmt_s,
    median,
    time_pair,
)


def section_refs(quick: bool) -> Section:
    import einops  # noqa: F401  (the references import it; keep its import out of the timings)
    import torch
    import torch.nn.functional as F

    from tensorlings import solutions as S

    repeats = 5 if quick else 9
    section = Section("refs", "1. Reference solutions vs torch's own equivalents")
    gen = torch.Generator().manual_seed(0)
    n = 4096
    matrix = torch.randn(n, n, generator=gen)
    labels = torch.randint(0, n, (n,), generator=gen)
    days = 7 * 2**20
    temps = torch.empty(days).uniform_(40, 100, generator=gen)
    weeks = temps.view(-1, 7)
    a = torch.randn(n, 64, 64, generator=gen)
    b = torch.randn(n, 64, 64, generator=gen)
    samples = 10_000_000
    probs6 = torch.tensor([0.05, 0.1, 0.1, 0.2, 0.15, 0.4])
    w1000 = torch.rand(1000, generator=gen)
    probs1000 = w1000 / w1000.sum()
    prices = torch.empty(1000).uniform_(0.5, 20, generator=gen)
    items = torch.randint(0, 1000, (samples,), generator=gen)
    idx_cols = torch.randint(0, n, (n, 1024), generator=gen)
    coords = torch.randint(0, n, (2**22, 2), generator=gen)
    pick = torch.randint(0, n, (n,), generator=gen)
    mat = f"{n}×{n} float32"

    def close(x: Any, y: Any) -> bool:
        return bool(torch.allclose(x.double(), y.double(), rtol=1e-4, atol=1e-4, equal_nan=True))

    def equal(x: Any, y: Any) -> bool:
        return x.shape == y.shape and bool((x == y).all())

    def same_freqs(k: int) -> Callable[[Any, Any], bool]:
        def check(x: Any, y: Any) -> bool:
            fx = torch.bincount(x, minlength=k) / x.numel()
            fy = torch.bincount(y, minlength=k) / y.numel()
            return x.shape == y.shape and bool(torch.allclose(fx, fy, atol=1e-3, rtol=1e-3))

        return check

    def on_matrix(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        return lambda: fn(matrix)

    def weekly_norm() -> Any:
        centred = weeks - weeks.mean(1, keepdim=True)
        return (centred / weeks.std(1, keepdim=True)).view(-1)

    rows = [
        Row("batched_logsumexp", mat, "torch.logsumexp(dim=-1)", TARGET_FUSED,
            lambda: S.batched_logsumexp(matrix), lambda: torch.logsumexp(matrix, dim=-1), close),
        Row("batched_softmax", mat, "torch.softmax(dim=-1)", TARGET_FUSED,
            lambda: S.batched_softmax(matrix), lambda: torch.softmax(matrix, dim=-1), close),
        Row("batched_logsoftmax", mat, "torch.log_softmax(dim=-1)", TARGET_FUSED,
            lambda: S.batched_logsoftmax(matrix), lambda: torch.log_softmax(matrix, dim=-1),
            close),
        Row("batched_cross_entropy_loss", mat + f", {n} labels",
            'F.cross_entropy(reduction="none")', TARGET_FUSED,
            lambda: S.batched_cross_entropy_loss(matrix, labels),
            lambda: F.cross_entropy(matrix, labels, reduction="none"), close),
        Row("sample_distribution", "6 events, 10M samples",
            "torch.multinomial(replacement=True)", TARGET_SAMPLING,
            lambda: S.sample_distribution(probs6, samples),
            lambda: torch.multinomial(probs6, samples, replacement=True), same_freqs(6)),
        Row("sample_distribution", "1000 events, 10M samples",
            "torch.multinomial(replacement=True)", TARGET_SAMPLING,
            lambda: S.sample_distribution(probs1000, samples),
            lambda: torch.multinomial(probs1000, samples, replacement=True), same_freqs(1000)),
        *[
            Row(name, mat, "torch.relu", TARGET_ANY,
                on_matrix(getattr(S, name)), lambda: torch.relu(matrix), equal)
            for name in ("relu_clone_setitem", "relu_where", "relu_maximum", "relu_abs",
                         "relu_multiply_bool")
        ],
        Row("identity_matrix", f"n = {n} (returns int64)", "torch.eye(n) (float32)", TARGET_ANY,
            lambda: S.identity_matrix(n), lambda: torch.eye(n),
            lambda x, y: equal(x.to(y.dtype), y)),
        Row("temperatures_average", "7×2^20 days float32", "view(-1, 7).mean(1)", TARGET_ANY,
            lambda: S.temperatures_average(temps), lambda: weeks.mean(1), close),
        Row("temperatures_differences", "7×2^20 days float32",
            "(w - w.mean(1, keepdim)).view(-1)", TARGET_ANY,
            lambda: S.temperatures_differences(temps),
            lambda: (weeks - weeks.mean(1, keepdim=True)).view(-1), close),
        Row("temperatures_normalized", "7×2^20 days float32",
            "((w - mean) / w.std(1, keepdim)).view(-1)", TARGET_ANY,
            lambda: S.temperatures_normalized(temps), weekly_norm, close),
        Row("batched_dot_product_nd", f"2 × ({n}, 64, 64) float32", "(a*b).flatten(1).sum(1)",
            TARGET_ANY, lambda: S.batched_dot_product_nd(a, b),
            lambda: (a * b).flatten(1).sum(1),
            lambda x, y: bool(torch.allclose(x, y, rtol=1e-3, atol=1e-2))),
        Row("classifier_accuracy", mat + f", {n} labels", "(argmax(1) == y).float().mean()",
            TARGET_ANY, lambda: S.classifier_accuracy(matrix, labels),
            lambda: (matrix.argmax(1) == labels).float().mean(), close),
        Row("collect_rows", mat + f", {n} indexes", "index_select(0, idx)", TARGET_ANY,
            lambda: S.collect_rows(matrix, pick), lambda: matrix.index_select(0, pick), equal),
        Row("collect_columns", mat + f", {n} indexes", "index_select(1, idx)", TARGET_ANY,
            lambda: S.collect_columns(matrix, pick), lambda: matrix.index_select(1, pick), equal),
        Row("gather_2d", mat + f", ({n}, 1024) indexes", "torch.gather(m, 1, idx)", TARGET_ANY,
            lambda: S.gather_2d(matrix, idx_cols), lambda: torch.gather(matrix, 1, idx_cols),
            equal),
        Row("total_price_indexing", "1000 prices, 10M items", "torch.gather(p, 0, i).sum()",
            TARGET_ANY, lambda: S.total_price_indexing(prices, items),
            lambda: torch.gather(prices, 0, items).sum(), close),
        Row("total_price_gather", "1000 prices, 10M items", "torch.gather(p, 0, i).sum()",
            TARGET_ANY, lambda: S.total_price_gather(prices, items),
            lambda: torch.gather(prices, 0, items).sum(), close),
        Row("integer_array_indexing", mat + ", 2^22 coords",
            "m.view(-1).gather(0, flat index)", TARGET_ANY,
            lambda: S.integer_array_indexing(matrix, coords),
            lambda: matrix.view(-1).gather(0, coords[:, 0] * n + coords[:, 1]), equal),
    ]  # fmt: skip

    section.header = ["reference", "size", "torch equivalent", "ref", "torch", "ratio",
                      "ratio of mins", "target", "agree", "verdict"]  # fmt: skip
    failures = []
    # Round-robin: every round times each row once (reference, then torch), so a spell when the
    # machine is faster or slower (other tenants, memory) is spread over all rows alike.
    timings = {i: ([], []) for i in range(len(rows))}
    for row in rows:
        time_pair(row.ref, row.torch_fn, 0)  # the warm-up calls
    for round_number in range(repeats):
        for i, row in enumerate(rows):
            ref_times, torch_times = time_pair(row.ref, row.torch_fn, 1, warmup=0)
            timings[i][0].extend(ref_times)
            timings[i][1].extend(torch_times)
        print(f"  round {round_number + 1}/{repeats} done", flush=True)
    for i, row in enumerate(rows):
        ref_times, torch_times = timings[i]
        agree = row.agree(row.ref(), row.torch_fn())
        ratio = median(ref_times) / median(torch_times)
        # Every row is held to its own target and to the overall "no reference above 3×".
        ok = ratio <= min(TARGET_LIMIT[row.target], 3.0)
        if not ok:
            failures.append(f"{row.name} ({row.size}) {ratio:.2f}×, target {row.target}")
        section.rows.append([row.name, row.size, row.torch_desc, fmt_s(median(ref_times)),
                             fmt_s(median(torch_times)), f"{ratio:.2f}×",
                             f"{min(ref_times) / min(torch_times):.2f}×", row.target,
                             "yes" if agree else "NO", "PASS" if ok else "FAIL"])  # fmt: skip
        print(f"  {row.name:<28} {row.size:<40} {ratio:6.2f}×  {'PASS' if ok else 'FAIL'}",
              flush=True)  # fmt: skip

    section.extra_tables.append(_constant_size_table(torch, S, repeats))
    fresh = []
    for _ in range(repeats):
        start = time.perf_counter()
        buffer = torch.zeros(n, n)
        fresh.append(time.perf_counter() - start)
        del buffer
    section.notes += [
        f"torch threads: {torch.get_num_threads()} (torch.set_num_threads left at its default).",
        f"Each time is the median of {repeats} calls after 2 warm-up calls. The calls go "
        "round-robin: each round calls every row's reference then its torch equivalent once, "
        "so the rows share the machine's good and bad spells. "
        "ratio = median(reference) / median(torch).",
        "Targets: the four numerics rows are held to ≤ 2× torch's fused built-in; the two "
        "sampling rows to ≤ 1× torch.multinomial; every row to ≤ 3× (the overall ceiling).",
        "agree: the two outputs were compared once (values; for sampling, event frequencies "
        "within 0.001), so the ratio compares the same work.",
        "ratio of mins (fastest reference call / fastest torch call) is shown to judge noise "
        "only; the verdict uses the ratio of medians.",
        f"A fresh {n}×{n} float32 tensor (torch.zeros: allocate and touch 64 MiB) took "
        f"{fmt_s(median(fresh))} in this run. Where that is tens of ms, page faults dominate "
        "and every full-size temporary costs about as much as a whole elementwise kernel; on "
        "this VM it has varied from run to run by several times, which moves absolute times "
        "(and some ratios) between runs.",
    ]
    judged = len(rows)
    section.verdict(
        "every reference within its target",
        f"{judged - len(failures)} of {judged} rows pass"
        + (": failing " + "; ".join(failures) if failures else ""),
        not failures,
    )
    return section


def _constant_size_table(torch: Any, S: Any, repeats: int) -> tuple[str, list[str], list[list]]:
    """Exercises with no input size: per-call cost only, informational, not judged."""

    def per_call(fn: Callable[[], Any], calls: int = 2000) -> float:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples.append((time.perf_counter() - start) / calls)
        return median(samples)

    pairs = [
        ("rearrange_1", S.rearrange_1, lambda: torch.arange(3, 9).view(3, 2), "arange().view()"),
        ("rearrange_2", S.rearrange_2, lambda: torch.arange(1, 7).view(2, 3), "arange().view()"),
        ("rearrange_3", S.rearrange_3, lambda: torch.arange(1, 7).view(1, 6, 1),
         "arange().view()"),
    ]  # fmt: skip
    rows = []
    for name, ref, equivalent, desc in pairs:
        r, t = per_call(ref), per_call(equivalent)
        rows.append([name, desc, fmt_s(r), fmt_s(t), f"{r / t:.2f}×"])
    rows.append(
        ["as_strided_1 … 6", "-", "-", "-", "return (size, stride) tuples: nothing to time"]
    )
    rows.append(["tensor_from_size, tensor_from_tuple, tensor_from_list, "
                 "tensor_of_bools_dtype, mean_of_int_tensor", "-", "-", "-",
                 "questions answered with a letter: nothing to time"])  # fmt: skip
    caption = (
        "Exercises with no input size (fixed outputs of ≤ 24 elements): per-call overhead, "
        "informational only, not judged against a target (they have no realistic size)."
    )
    return caption, ["reference", "torch equivalent", "ref", "torch", "ratio / note"], rows


# --------------------------------------------------------------------------------------------
# Section 2: tensorlings check --reference against the sheet as a plain script.
