from tensorlings import devtools


def test_generated_files_match_the_catalogue():
    assert devtools.drifted() == [], "run `make workbook` and commit the result"
