"""Benchmark 2: `tensorlings check --reference` against the sheet's asserts as a plain script."""

from __future__ import annotations

from common import (
    BENCH,
    PYTHON,
    Section,
    exercise_count,
    fmt_s,
    median,
    tensorlings_cli,
    time_command,
)


def section_check(quick: bool) -> Section:
    repeats = 3 if quick else 5
    section = Section("check", "2. `tensorlings check --reference` vs the sheet as a plain script")
    commands = {
        "tensorlings check --reference": [*tensorlings_cli(), "check", "--reference"],
        "python bench/sheet_asserts.py": [PYTHON, str(BENCH / "sheet_asserts.py")],
        'python -c "import torch, einops"': [PYTHON, "-c", "import torch, einops"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    # One untimed run each warms the file cache; then the commands take turns.
    for name, argv in commands.items():
        _, rc, tail = time_command(argv)
        if rc != 0:
            section.notes.append(f"`{name}` exited {rc} on its warm-up run: {tail[-300:]!r}")
    for _ in range(repeats):
        for name, argv in commands.items():
            elapsed, rc, tail = time_command(argv)
            if rc != 0:
                section.notes.append(f"`{name}` exited {rc}: {tail[-300:]!r}")
            times[name].append(elapsed)
    bare = median(times['python -c "import torch, einops"'])
    section.header = ["command", "median", "min", "max", "minus bare import", "runs"]
    for name, values in times.items():
        section.rows.append([name, fmt_s(median(values)), fmt_s(min(values)), fmt_s(max(values)),
                             fmt_s(median(values) - bare), str(len(values))])  # fmt: skip
    check = median(times["tensorlings check --reference"])
    plain = median(times["python bench/sheet_asserts.py"])
    ratio = check / plain
    section.verdict(
        "check ≤ 1.5× the plain script",
        f"{fmt_s(check)} / {fmt_s(plain)} = {ratio:.2f}×",
        ratio <= 1.5,
    )
    section.notes += [
        f"Wall time of each command as a subprocess, median of {repeats} (after one untimed "
        "warm-up run each; the three commands take turns).",
        f"The check runs all {exercise_count()} exercises with their random cases, rules and "
        "probes in a sandboxed worker; the plain script runs only the sheet's own asserts (its "
        "10M-sample sampling check included).",
    ]
    return section


# --------------------------------------------------------------------------------------------
# Section 3: watch re-check latency.
