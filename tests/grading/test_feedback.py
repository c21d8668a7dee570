"""Each student's feedback file: their own results, notes and hints, nobody else's data, never
the reference, inputs shown as the config says, everything escaped, safe file names."""

from __future__ import annotations

import html
import inspect
import json
from pathlib import Path

import pytest
from grading_helpers import GOOD, report, small_class

from tensorlings import catalogue
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.config import FeedbackInputs, GradingConfig, parse_config
from tensorlings.grading.errors import GradingError
from tensorlings.grading.grade import grade
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports import write_reports
from tensorlings.grading.reports.feedback import (
    feedback_html,
    feedback_markdown,
    file_names,
    md_text,
)
from tensorlings.grading.reports.shown_inputs import shown_call, shown_message
from tensorlings.grading.scoring import score

# Each student fails rearrange_2 their own way and prints something only they print.
STUDENTS = {
    "ann": ("ann-printed-7731", "torch.tensor([[9, 9, 9], [9, 9, 9]])"),
    "ben": ("ben-printed-4410", "torch.arange(6).reshape(3, 2)"),
    "cat": ("cat-printed-5092", "torch.zeros(2, 3, dtype=torch.long) + 41"),
}


def _workbook(printed: str, returned: str) -> str:
    return GOOD + f'\n\ndef rearrange_2():\n    print("{printed}")\n    return {returned}\n'


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feedback")
    (folder / "class").mkdir()
    paths = []
    for name, (printed, returned) in STUDENTS.items():
        paths.append(folder / "class" / f"{name}.py")
        paths[-1].write_text(_workbook(printed, returned))
    paths.append(folder / "class" / "dan.py")
    paths[-1].write_text(GOOD)  # passes what it wrote
    grade(paths, folder / "grades", jobs=2)
    return folder / "grades"


def test_every_submission_gets_its_own_feedback_files(graded_class: Path) -> None:
    files = sorted(p.name for p in (graded_class / "feedback").iterdir())
    expected = [f"{n}.{suffix}" for n in ("ann", "ben", "cat", "dan") for suffix in ("html", "md")]
    assert files == expected


def test_feedback_holds_only_its_own_students_data(graded_class: Path) -> None:
    for name in (*STUDENTS, "dan"):
        for suffix in ("html", "md"):
            text = (graded_class / "feedback" / f"{name}.{suffix}").read_text()
            assert name in text
            for other, (printed, returned) in STUDENTS.items():
                if other == name:
                    continue
                assert other not in text, (name, suffix, other)
                assert printed not in text, (name, suffix, other)
                assert returned.split("(", 1)[1] not in text, (name, suffix, other)


def test_feedback_shows_the_failure_the_output_and_the_hints_to_try(graded_class: Path) -> None:
    hints = catalogue.get("rearrange_2").hints
    page = (graded_class / "feedback" / "ann.html").read_text()
    assert "ann-printed-7731" in page
    assert 'data-status="failed"' in page and 'id="rearrange_2"' in page
    assert html.escape(hints[0]) in page and html.escape(hints[1]) in page
    assert "tensorlings hint rearrange_2" in page
    markdown = (graded_class / "feedback" / "ann.md").read_text()
    assert md_text(hints[0]) in markdown
    assert "Score: 1 / 36 points" in (graded_class / "feedback" / "dan.md").read_text()


def test_feedback_never_shows_the_reference_solution(graded_class: Path) -> None:
    reference = inspect.getsource(catalogue.get("rearrange_2").solution)
    body = [line.strip() for line in reference.splitlines()[1:] if line.strip()]
    for path in (graded_class / "feedback").iterdir():
        text = path.read_text()
        assert all(line not in text for line in body), path.name
        assert "(rows cols) -> rows cols" not in text, path.name


def test_feedback_never_shows_the_grading_seed(graded_class: Path) -> None:
    seed = str(json.loads((graded_class / "class.json").read_text())["seed"])
    for path in (graded_class / "feedback").iterdir():
        assert seed not in path.read_text(), path.name
    message = (
        "wrong (smallest failing case found: n=1; "
        "`tensorlings check --exercise f --seed 42` repeats it)"
    )
    failed = ExerciseResult("f", "s", "failed", (Problem("wrong_values", message),))
    graded = Graded("ann", report("ann.py", failed))
    page = feedback_markdown(graded, score(graded, ["f"], GradingConfig()), ClassContext(seed=42))
    assert "42" not in page and "smallest failing case found: n=1\\)" in page
    # Learner code can print a call's seed, which starts with the run's own.
    printed = ExerciseResult("f", "s", "failed", (Problem("wrong_values", "wrong"),),
                             output="my seed is 123456789004\n")  # fmt: skip
    graded = Graded("ann", report("ann.py", printed))
    total = score(graded, ["f"], GradingConfig())
    for page in (
        feedback_markdown(graded, total, ClassContext(seed=123456789)),
        feedback_html(graded, total, ClassContext(seed=123456789)),
    ):
        assert "123456789" not in page and "my seed is (seed)004" in page


def test_the_class_report_links_each_students_feedback(graded_class: Path) -> None:
    page = (graded_class / "report.html").read_text()
    for name in (*STUDENTS, "dan"):
        assert f'href="feedback/{name}.html"' in page and f'href="feedback/{name}.md"' in page


def test_feedback_file_names_are_safe_and_unique_for_hostile_names() -> None:
    names = ["../../etc/passwd", "a/b", "Ann", "ann", ".hidden", "", "x" * 300]
    graded = [Graded(n, report(f"{i}.py")) for i, n in enumerate(names)]
    stems = list(file_names(graded).values())
    assert len({s.casefold() for s in stems}) == len(names)
    for stem in stems:
        assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
        assert 0 < len(stem) <= 80


def test_feedback_files_stay_in_their_folder_and_escape_learner_text(tmp_path: Path) -> None:
    graded = [*small_class(), Graded("../../escaped", report("e.py"))]
    write_reports(tmp_path, graded, gradescope=False, context=ClassContext())
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert [p for p in written if "escaped" in p] == [
        "feedback/escaped.html",
        "feedback/escaped.md",
    ]
    page = (tmp_path / "feedback" / "carol.html").read_text()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;\\x00 &amp;" in page
    markdown = (tmp_path / "feedback" / "carol.md").read_text()
    assert "<script>" not in markdown
    assert "\\<script\\>x\\</script\\>\\\\x00 \\&" in markdown  # \x00 as shown, escaped


CALL = "softmax(matrix=tensor([[1., 2.], [3., 4.]]), dim=-1)"
PROBLEM = Problem("wrong_values", f"{CALL}: expected 0.27, got 0.5", call=CALL)


@pytest.mark.parametrize(
    ("inputs", "call", "message"),
    [
        (FeedbackInputs.FULL, CALL, f"{CALL}: expected 0.27, got 0.5"),
        (FeedbackInputs.SHAPE, "softmax(matrix=<tensor of shape (2, 2)>, dim=-1)",
         "softmax(matrix=<tensor of shape (2, 2)>, dim=-1): expected 0.27, got 0.5"),
        (FeedbackInputs.NONE, "softmax(…)", "softmax(…): expected 0.27, got 0.5"),
    ],
)  # fmt: skip
def test_the_failing_input_is_shown_as_the_config_says(
    inputs: FeedbackInputs, call: str, message: str
) -> None:
    assert shown_call(CALL, inputs) == call
    assert shown_message(PROBLEM, inputs) == message


def test_feedback_inputs_none_hides_every_value_in_the_file(tmp_path: Path) -> None:
    failed = ExerciseResult("ex_a", "s", "failed", (PROBLEM,))
    config = parse_config({"feedback": {"inputs": "none"}})
    graded = [Graded("ann", report("ann.py", failed))]
    write_reports(tmp_path, graded, gradescope=False, context=ClassContext(config=config))
    for suffix in ("html", "md"):
        text = (tmp_path / "feedback" / f"ann.{suffix}").read_text()
        assert "3., 4." not in text and "3\\., 4\\." not in text
        assert "expected 0" in text or "expected 0\\.27" in text


@pytest.mark.parametrize(
    ("inputs", "shown"),
    [("shape", "<tensor of shape (2, 2)>"), ("none", "<tensor>"), ("full", "[3., 4.]")],
)
def test_the_inputs_the_code_printed_are_shown_as_the_config_says(
    tmp_path: Path, inputs: str, shown: str
) -> None:
    printed = "ann-saw tensor([[1., 2.],\n        [3., 4.]])\n"
    failed = ExerciseResult("ex_a", "s", "failed", (PROBLEM,), output=printed)
    config = parse_config({"feedback": {"inputs": inputs}})
    graded = [Graded("ann", report("ann.py", failed))]
    write_reports(tmp_path, graded, gradescope=False, context=ClassContext(config=config))
    text = html.unescape((tmp_path / "feedback" / "ann.html").read_text())
    assert "ann-saw" in text and shown in text
    assert ("3., 4." in text) == (inputs == "full")


def test_an_unknown_feedback_inputs_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(GradingError) as refused:
        parse_config({"feedback": {"inputs": "values"}}, source="g.toml")
    assert str(refused.value) == (
        "grading config 'g.toml': [feedback] inputs = 'values' must be one of: "
        "'full', 'shape', 'none'"
    )


def test_feedback_never_says_nothing_failed_over_a_file_with_nothing_checked(
    tmp_path: Path,
) -> None:
    # carol failed something, dave's file could not be checked, erin attempted nothing.
    graded = [*small_class(), Graded("erin", report("erin.py", exercise_result("not_started")))]
    write_reports(tmp_path, graded, gradescope=False, context=ClassContext())
    headings = {"alice": "Nothing failed", "carol": "What to fix",
                "dave": "Nothing was checked", "erin": "Nothing attempted yet"}  # fmt: skip
    for name, heading in headings.items():
        page = (tmp_path / "feedback" / f"{name}.html").read_text()
        markdown = (tmp_path / "feedback" / f"{name}.md").read_text()
        assert f"<h2>{heading}</h2>" in page and f"\n## {heading}\n" in markdown, name
        if heading != "Nothing failed":
            assert "Nothing failed" not in page + markdown, name


def exercise_result(status: str) -> ExerciseResult:
    return ExerciseResult("ex_a", "s", status, ())


def test_prose_that_mentions_tensor_is_left_as_written() -> None:
    from tensorlings.grading.reports.shown_inputs import shown_text

    printed = "my tensor(s) are ready: tensor([[1., 2.]]) and tensor(-inf)"
    assert shown_text(printed, FeedbackInputs.SHAPE) == (
        "my tensor(s) are ready: <tensor of shape (1, 2)> and <tensor of shape ()>"
    )
