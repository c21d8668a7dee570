"""Gradescope in one step: `tensorlings gradescope build` writes the autograder zip, and
`python -m tensorlings.gradescope.autograder` is what it runs for each submission."""
