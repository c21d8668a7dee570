"""The tool's errors: one base class; only the CLI turns them into exit codes and styling."""

from __future__ import annotations


class TensorlingsError(Exception):
    """Something the user can fix: says what happened, the rule, and what to try."""

    exit_code = 2


class UnknownExercise(TensorlingsError):
    """An exercise id that is not in the catalogue."""


class WorkbookError(TensorlingsError):
    """A workbook that cannot be read, written or found."""


class WorkerError(TensorlingsError):
    """The isolated worker could not be started or talked to."""


class PackError(TensorlingsError):
    """A pack that cannot be found or loaded, or that defines its exercises wrongly."""
