"""Law: malformed input is refused with a CumulantError, whatever its shape.

Driven by ``cumulants.testing.bad_inputs``, the strategy users can reuse for their own
wrappers; the exhaustive per-function catalogue lives in ``tests/hostile``.
"""

import numpy as np
import pytest
from hypothesis import given

import cumulants as cm
from cumulants.distributions import Exponential, Normal
from cumulants.testing import bad_inputs


def _refused(fn, *args, **kwargs):
    with pytest.raises(cm.CumulantError):
        fn(*args, **kwargs)


@given(bad_inputs("scalar"))
def test_bad_scalars_are_refused_by_laws_and_layers(value):
    _refused(Normal, value, 1)
    _refused(Exponential, value)
    _refused(cm.Quadratic, value)
    _refused(cm.Polynomial, [0, value])


@given(bad_inputs("order"))
def test_bad_orders_are_refused(value):
    _refused(cm.kappas, value)
    _refused(cm.cumulant_formula, value)
    _refused(cm.Cumulants.iid, Normal(0, 1), 2, value)
    _refused(Exponential(1).cumulants, value)


@given(bad_inputs("matrix"))
def test_bad_matrices_are_refused(value):
    _refused(cm.Dense, value)


@given(bad_inputs("samples"))
def test_bad_samples_are_refused(value):
    _refused(cm.k_statistics, value, 2)
    _refused(cm.Cumulants.from_samples, value, 2)


def test_bad_inputs_rejects_unknown_kind():
    _refused(bad_inputs, "vector")


def test_valid_inputs_still_work():
    """The guards do not refuse ordinary work (values from docs/formulas.md §1.4)."""
    assert cm.cumulants_from_moments([1, 5, 13, 73]) == (1, 4, 0, 0)
    assert len(cm.cumulant_formula(30).args) == 5604  # p(30) terms, below the limit
    x = np.random.default_rng(0).normal(size=(200, 2))
    assert len(cm.joint_k_statistics(x, 6)) > 0
