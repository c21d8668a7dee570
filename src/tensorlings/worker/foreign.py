"""Record calls that torch's function mode cannot see: numpy's functions and ufuncs, and the
objects of torch.distributions.

numpy computes outside torch (`torch.from_numpy(np.logaddexp.reduce(x.numpy(), 1))`), so its
functions are replaced in the child, before any learner code runs, by wrappers that tell the
recorder, under the name torch uses for the same function (`np.logaddexp` is `logaddexp`). A
distribution's construction is recorded under its class name: `RelaxedOneHotCategorical` draws a
categorical sample (the argmax of its rsample) without calling multinomial.
Only the learner's own calls count (numpy calling itself, or torch calling numpy, does not).
"""

from __future__ import annotations

import functools
import types
from builtins import callable, getattr, isinstance, list, setattr, type, vars  # noqa: UP029
from collections.abc import Callable
from typing import Any

import numpy
import torch.distributions

from tensorlings.worker.recorder import OWN, CallRecorder, canonical_name

# numpy's namespaces whose functions compute on arrays (numpy.random draws: numpy.random.choice
# is a categorical sampler).
_NUMPY_SPACES = (numpy, numpy.linalg, numpy.random, numpy.fft)
# numpy's names for what torch calls otherwise.
_NUMPY_NAMES = {"absolute": "abs", "multiply": "mul", "true_divide": "div", "divide": "div"}
_UFUNC_METHODS = ("reduce", "accumulate", "reduceat", "outer", "at")


def _note(recorder: CallRecorder, name: str) -> None:
    if recorder.active and recorder.made_by() == OWN:
        recorder.note([name])


class _RecordedUfunc:
    """A numpy ufunc that tells the recorder when it is called or reduced with."""

    def __init__(self, ufunc: Any, name: str, recorder: CallRecorder) -> None:
        self._ufunc, self._name, self._recorder = ufunc, name, recorder
        self.__name__ = getattr(ufunc, "__name__", name)
        self.__doc__ = getattr(ufunc, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _note(self._recorder, self._name)
        return self._ufunc(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._ufunc, attribute)
        if attribute not in _UFUNC_METHODS:
            return value
        name, recorder = self._name, self._recorder

        @functools.wraps(value)
        def method(*args: Any, **kwargs: Any) -> Any:
            _note(recorder, name)  # np.logaddexp.reduce(a) is a logaddexp reduction
            return value(*args, **kwargs)

        return method

    def __repr__(self) -> str:
        return repr(self._ufunc)


def _recorded_function(original: Callable[..., Any], name: str, recorder: CallRecorder) -> Any:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _note(recorder, name)
        return original(*args, **kwargs)

    return wrapper


def _numpy_name(attribute: str, value: Any) -> str:
    name = _NUMPY_NAMES.get(attribute, attribute)
    return canonical_name(value) if name.startswith("_") else name


def wrap_numpy(recorder: CallRecorder) -> None:
    """Replace numpy's public functions and ufuncs by recording ones (classes, constants and
    modules stay as they are)."""
    for space in _NUMPY_SPACES:
        # The module's own dict, not dir(): reading numpy's lazy attributes imports submodules
        # (a second per process).
        for attribute, value in list(vars(space).items()):
            if attribute.startswith("_"):
                continue
            if isinstance(value, type | types.ModuleType) or not callable(value):
                continue
            name = _numpy_name(attribute, value)
            if isinstance(value, numpy.ufunc):
                setattr(space, attribute, _RecordedUfunc(value, name, recorder))
            else:
                setattr(space, attribute, _recorded_function(value, name, recorder))


def wrap_nn_init(recorder: CallRecorder) -> None:
    """Record torch.nn.init's functions by name: they fill a tensor with Python indexing the
    function mode sees only as item writes (dirac_ builds an identity, rule_apis.IDENTITY)."""
    space = torch.nn.init
    for attribute, value in list(vars(space).items()):
        if attribute.startswith("_") or not isinstance(value, types.FunctionType):
            continue
        if getattr(value, "__module__", None) != space.__name__:
            continue  # names it imported (math, warnings' functions), not its own
        setattr(space, attribute, _recorded_function(value, attribute, recorder))


def wrap_distributions(recorder: CallRecorder) -> None:
    """Record each torch.distributions object made, by its class name (rule_apis.SAMPLING).
    Transforms too: they compute with torch's elementary calls (SoftmaxTransform: exp, then a
    sum), so the object made is what names the concept."""
    _record_when_made(torch.distributions.Distribution, recorder)
    _record_when_made(torch.distributions.transforms.Transform, recorder)


def _record_when_made(base: type, recorder: CallRecorder) -> None:
    original = vars(base)["__init__"]  # the class's own, read before it is replaced
    fallback = base.__name__

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        _note(recorder, name if type(name) is str and name.isidentifier() else fallback)
        original(self, *args, **kwargs)

    setattr(base, "__init__", init)  # noqa: B010 (a method replaced on purpose)
