"""Console views of check results (rich). Pure functions of the result data."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import torch
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tensorlings import catalogue
from tensorlings.checker.results import CheckReport, ExerciseResult, Problem
from tensorlings.errors import TensorlingsError
from tensorlings.exercise import Exercise
from tensorlings.grading.safe_text import safe_text
from tensorlings.picture import Grid, Picture, narrowed, picture_of
from tensorlings.vocab import ProblemKind, Status


def safe(text: str) -> str:
    """Printable text: learner output may hold lone surrogates no terminal can encode, and
    ANSI escapes that would rewrite the terminal (shown as visible `\x1b` instead)."""
    return escape(safe_text(text.encode("utf-8", "replace").decode("utf-8")))


MARKS: dict[str, str] = {
    Status.PASSED: "[green]✓[/]",
    Status.FAILED: "[red]✗[/]",
    Status.NOT_STARTED: "[dim]·[/]",
}


def _problem(console: Console, problem: Problem, strided: torch.Tensor | None = None) -> None:
    if problem.fails:
        tag = "[red]" + problem.kind + "[/]"
    else:
        tag = "[yellow]note[/]" if problem.kind == ProblemKind.EDGE_CASE else "[yellow]advice[/]"
    say(console, 4, f"{tag}: {safe(problem.message)}")
    pictures = picture_of(problem, strided) if problem.fails else []
    room = max(console.width - 6, 20)  # what the six spaces of indent leave
    if pictures:
        for picture in pictures:
            for row in picture_view(picture, plain=_plain(console), width=room).split("\n"):
                console.print(Text("      ").append_text(row), soft_wrap=True)
        return
    grid = problem.details.get("grid") if problem.details else None
    if grid:
        for line in str(grid).splitlines():
            console.print(f"      {safe(clipped(line, room))}", highlight=False, soft_wrap=True)


def say(console: Console, indent: int, markup: str) -> None:
    """Print indented; the lines a narrow console wraps keep the indent."""
    text = Text.from_markup(markup)
    lines = [text] if console.soft_wrap else text.wrap(console, max(console.width - indent, 20))
    for line in lines:
        line.rstrip()
        console.print(Text(" " * indent).append_text(line), soft_wrap=True)


def clipped(text: str, room: int) -> str:
    """One line cut to `room` characters, ending in `…` when cut (aligned rows must not wrap)."""
    return text if len(text) <= room else text[: room - 1] + "…"


def middle_elided(text: str, room: int) -> str:
    """A path shortened in its middle to `room` characters: its start and its file name stay."""
    if len(text) <= room:
        return text
    room = max(room, 12)
    head = (room - 1) // 3
    return text[:head] + "…" + text[len(text) - (room - 1 - head) :]


def _plain(console: Console) -> bool:
    """No colours to show the marks with: mark differing cells with a `*` instead."""
    return console.no_color or console.color_system is None


def _grid_lines(
    grid: Grid, plain: bool, room: int | None = None, note_room: int | None = None
) -> list[Text]:
    """A grid as aligned lines of cells; a marked cell is red, or ends in `*` without colour.
    Given the room there is, it keeps as many columns as fit, and wraps its note to note_room."""
    width = max((len(text) for row in grid.rows for text in row), default=1)
    if room is not None:
        grid = narrowed(grid, room // (width + (2 if plain else 1)))
    lines = [Text(grid.title, style="bold")]
    for r, row in enumerate(grid.rows):
        line = Text()
        for c, text in enumerate(row):
            marked = (r, c) in grid.marked
            line.append(" ")
            if plain:
                line.append(text.rjust(width) + ("*" if marked else " "))
            else:
                line.append(text.rjust(width), style="bold white on red" if marked else "")
        lines.append(line)
    if grid.note:
        lines += [Text(part, style="dim") for part in _wrapped(f"({grid.note})", note_room)]
    return lines


def _wrapped(text: str, room: int | None) -> list[str]:
    return [text] if room is None else textwrap.wrap(text, room, break_on_hyphens=False)


def picture_view(picture: Picture, plain: bool, width: int | None = None) -> Text:
    """The grids of a picture side by side, with its caption under them; given a width, every
    line fits it: the grids are stacked when side by side they would not, and cut to fit."""
    gaps = 3 * (len(picture.grids) - 1)
    share = None if width is None else max((width - gaps) // len(picture.grids), 16)
    columns = [_grid_lines(grid, plain, width, share) for grid in picture.grids]
    widths = [max(line.cell_len for line in column) for column in columns]
    out = Text()
    if width is not None and sum(widths) + gaps > width:  # one under the other, notes in full
        for column in (_grid_lines(grid, plain, width, width) for grid in picture.grids):
            for line in column:
                out.append_text(line)
                out.append("\n")
    else:
        for i in range(max(len(column) for column in columns)):
            for column, column_width in zip(columns, widths, strict=True):
                piece = column[i] if i < len(column) else Text()
                out.append_text(piece)
                out.append(" " * (column_width - piece.cell_len + 3))
            out.rstrip()
            out.append("\n")
    # Without colours the marks are asterisks: say so instead of "(marked)", not beside it.
    caption = picture.caption
    if plain:
        caption = caption.removesuffix(" (marked)") + " (* marks them)"
    out.append("\n".join(_wrapped(caption, width)), style="dim")
    return out


def exercise_block(
    console: Console,
    result: ExerciseResult,
    report: CheckReport | None = None,
    explain: bool = True,
) -> None:
    console.print(
        f"{MARKS[result.status]} [bold]{result.id}[/] [dim]({result.status.replace('_', ' ')})[/]"
    )
    strided = strided_input(result.id)
    for problem in result.problems:
        _problem(console, problem, strided)
    if result.output and result.status == Status.FAILED:
        lines = result.output.strip().splitlines()
        console.print("    [dim]your code printed:[/]")
        for line in lines[:8]:
            say(console, 6, f"[dim]{safe(clipped(line, 400))}[/]")
        if len(lines) > 8:
            console.print(f"      [dim]… {len(lines) - 8} more lines (all of it in --json)[/]")
    if explain and result.explanation and result.status == Status.PASSED:
        say(console, 4, f"[cyan]{escape(result.explanation)}[/]")


def strided_input(exercise_id: str) -> torch.Tensor | None:
    """The memory an `as_strided` exercise reads, for its pictures (None for other kinds)."""
    from tensorlings.checker.strategies import strategy_for

    try:
        judge = catalogue.get(exercise_id).judge
    except TensorlingsError:
        return None
    return strategy_for(judge).pictured_input()


def report_view(
    console: Console,
    report: CheckReport,
    verbose: bool = False,
    explain: frozenset[str] = frozenset(),
) -> None:
    """The whole report; question explanations only for the ids in `explain` (newly answered)."""
    about = f"(torch {report.torch}, seed {report.seed}, {report.device})"
    file = report.file
    if not console.soft_wrap:  # the file's path is cut in its middle, never wrapped mid-way
        room = console.width - len("tensorlings check  ") - len(about)
        if room < 30:
            room = console.width - len("tensorlings check ")
            about = "\n" + about
        file = middle_elided(file, room)
    gap = "" if about.startswith("\n") else " "
    console.print(f"[bold]tensorlings check[/] {escape(file)}{gap}[dim]{about}[/]")
    if report.error is not None:
        line = report.error.line
        where = f" (line {line})" if line and f"line {line}" not in report.error.message else ""
        console.print(
            f"[red]The file could not be checked[/]: {report.error.kind}{where}: "
            f"{safe(report.error.message)}"
        )
        return
    load_notes_view(console, report)
    passed = [r for r in report.exercises if r.status == Status.PASSED]
    if passed:
        passed_view(console, [r.id for r in passed])
    for result in report.exercises:
        explain_it = verbose or (result.id in explain and bool(result.explanation))
        shown = result.status == Status.FAILED or (
            result.status == Status.PASSED and (verbose or result.problems or explain_it)
        )
        if shown:
            exercise_block(console, result, report, explain=explain_it)
    summary_line(console, report)


def load_notes_view(console: Console, report: CheckReport) -> None:
    if report.load_notes:
        console.print(
            f"[yellow]{len(report.load_notes)} top-level statement(s) were skipped "
            "or failed while loading:[/]"
        )
        for note in report.load_notes[:8]:
            say(console, 2, f"line {note.line}: {note.kind}: {safe(note.message)}")


def first_unfinished(results: Iterable[ExerciseResult]) -> ExerciseResult | None:
    """What to work on next: the first failing exercise, else the first not started."""
    results = list(results)
    for wanted in (Status.FAILED, Status.NOT_STARTED):
        for result in results:
            if result.status == wanted:
                return result
    return None


def summary_line(console: Console, report: CheckReport) -> None:
    counts = report.summary()
    console.print(
        f"[bold]{counts['passed']} passed[/], {counts['failed']} failed, "
        f"{counts['not_started']} not started, of {counts['total']}."
    )
    nxt = first_unfinished(report.exercises)
    if nxt is None:
        console.print("[green]Every exercise passes.[/]")
    else:
        say(console, 0, f"Next: [bold]{nxt.id}[/] — `tensorlings show {nxt.id}`, "
            f"`tensorlings hint {nxt.id}`.")  # fmt: skip


def passed_view(console: Console, ids: list[str]) -> None:
    """The passed ids on as few lines as fit, never a mark apart from its id."""
    room = None if console.soft_wrap else console.width
    line: list[str] = []
    for exercise_id in ids:
        if line and room is not None and len(" ".join([*line, f"✓ {exercise_id}"])) > room:
            console.print(" ".join(f"[green]✓[/] {i[2:]}" for i in line), soft_wrap=True)
            line = []
        line.append(f"✓ {exercise_id}")
    console.print(" ".join(f"[green]✓[/] {i[2:]}" for i in line), soft_wrap=True)


def exercise_view(console: Console, exercise: Exercise) -> None:
    from tensorlings.checker.strategies import strategy_for
    from tensorlings.workbook import signature_line

    console.print(
        f"[bold]{exercise.id}[/]: {escape(exercise.title)} [dim]({escape(exercise.section)})[/]"
    )
    console.print()
    console.print(escape(exercise.prompt), highlight=False)
    console.print()
    console.print(f"[bold]Signature[/]: {escape(signature_line(exercise).removesuffix(':'))}")
    for name, shape in exercise.shapes.items():
        console.print(f"  {name}: {escape(shape)}")
    rules = exercise.rules.describe()
    if rules:
        console.print("[bold]Rules[/]:")
        for rule in rules:
            console.print(f"  - {escape(rule)}")
    _tiers_view(console, exercise)
    if exercise.examples and strategy_for(exercise.judge).compares_outputs:
        console.print(f"[bold]Output[/]: {escape(exercise.output.describe())}")
        console.print("[bold]Examples[/]:")
        for example in exercise.examples:
            args = ", ".join(_short(a) for a in example.args)
            console.print(
                f"  {exercise.id}({escape(args)}) == {escape(_short(example.expected))}",
                highlight=False,
            )


def _tiers_view(console: Console, exercise: Exercise) -> None:
    from tensorlings.checker.exercise_judges import probe_families

    contract, beyond = exercise.tiers.describe(probe_families(exercise))
    if not contract and not beyond:
        return
    console.print("[bold]Checked, and failing the exercise[/]:")
    for words in [*contract, "inputs left unchanged", "the rules above"]:
        console.print(f"  - {escape(words)}")
    if beyond:
        console.print("[bold]Beyond the exercise[/] (a note, or a failure with --strict):")
        for words in beyond:
            console.print(f"  - {escape(words)}")


def _short(value: object) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 120 else text[:119] + "…"


def exercise_list(
    console: Console, states: dict[str, str], pack: catalogue.Catalogue | None = None
) -> None:
    table = Table(show_header=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("exercise", no_wrap=True)  # ids are copied into commands: never cut them
    table.add_column("section")
    table.add_column("state")
    for number, exercise in enumerate((pack or catalogue.sheet()).exercises, start=1):
        state = states.get(exercise.id, "not_started")
        table.add_row(
            str(number),
            exercise.id,
            exercise.section,
            MARKS.get(state, "") + " " + state.replace("_", " "),
        )
    console.print(table)
