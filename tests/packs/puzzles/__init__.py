"""A port of a few tensor puzzles, written from docs/authoring.md as a course author would: rebuild
torch functions from arange, where, indexing, operators and the learner's own earlier puzzles.
A test fixture (tests/packs/test_puzzles_pack.py), never installed."""

TITLE = "Tensor puzzles (test port)"
VERSION = "0.1"
SECTIONS = ("s01_basics", "s02_built_on")
