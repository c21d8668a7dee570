from __future__ import annotations

import io

from grading_helpers import small_class

from tensorlings.grading.progress import Lines, for_stream, outcome


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = for_stream(stream)
    assert isinstance(progress, Lines)
    progress.start(2, unchanged=3)
    for graded in small_class()[2:]:
        progress.advance(graded)
    assert stream.getvalue().splitlines() == [
        "grading 2 submissions (3 unchanged since the last run)",
        "[1/2] carol: 0 passed, 1 failed, 2 not started",
        "[2/2] dave: could not be checked (syntax_error: =1+1 invalid syntax at line 1)",
    ]


def test_outcome_of_a_workbook_that_could_not_be_checked_keeps_to_one_line() -> None:
    dave = small_class()[3]
    assert "\n" not in outcome(dave)
