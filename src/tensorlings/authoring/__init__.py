"""Tools for exercise authors: `pack check`'s soundness engine (findings, mutants, audit)."""
