r"""Certified ranges of the test error of a network over classes of input laws.

For i.i.d. inputs with an unknown marginal law in a :class:`LawClass` (known
moments, cumulants and support), :func:`mse_range` returns the best and worst
test MSE of a polynomial network against a target, with the discrete laws that
attain them, and :func:`gap_range` the same for the generalisation gap
(docs/formulas.md §9, docs/how-to/bounds.md).

>>> import cumulants as cm
>>> from cumulants.layers import Dense
>>> r = cm.bounds.mse_range(Dense([[2]]), Dense([[1]]),
...                         cm.bounds.LawClass(moments={2: (1, 4)}, support=(-3, 3)))
>>> round(r.upper_attained, 9), r.exact
(4.0, True)
"""

from .core import gap_range, mse_range
from .laws import InfeasibleClassError, LawClass
from .problem import mse_moment_form
from .result import BoundResult
from .sdp import SolverFailedError

__all__ = ["LawClass", "mse_range", "gap_range", "BoundResult", "mse_moment_form",
           "InfeasibleClassError", "SolverFailedError"]
