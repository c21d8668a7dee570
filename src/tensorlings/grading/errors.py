"""Errors of `tensorlings grade`; the CLI maps them to exit codes and messages."""

from __future__ import annotations

from tensorlings.errors import TensorlingsError


class GradingError(TensorlingsError):
    """The grade command cannot go on: a missing submission, a bad --out, no Dask."""


class WorkerUnavailable(GradingError):
    """No isolated worker could be started, so nothing can be checked on this machine."""


class GradingInterrupted(GradingError):
    """The run was stopped (Ctrl-C); every result finished so far is saved."""

    exit_code = 130
