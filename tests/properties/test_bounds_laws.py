"""Laws of cm.bounds: the range contains every law of the class, monotone in the class, zero for exact fits.

The MSE of each drawn law is computed independently by enumerating atom tuples
(network forward passes), or from the law's own cumulants for continuous laws.
Ranges are computed once per class (module cache) so that the properties stay fast.
"""

import functools
import itertools
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cumulants.bounds import LawClass, mse_range
from cumulants.distributions import Discrete, Rademacher, Uniform, standardise
from cumulants.generalisation import mse
from cumulants.layers import Dense, Network, Quadratic
from cumulants.state import Cumulants

NET = Network([Dense(np.array([[0.62, 0.58], [0.5, 0.55], [0.45, 0.61]])), Quadratic(0.5),
               Dense([[0.64**2, 0.6**2, 0.66**2]], [-0.3])])
TARGET = Dense([[1 / math.sqrt(2)] * 2])
HALF = 2.0


@functools.lru_cache(maxsize=None)
def cached_range(kurtosis=None):
    return mse_range(NET, TARGET, LawClass.standardised((-HALF, HALF), kurtosis=kurtosis))


def enumerate_mse(atoms, weights):
    X = np.array(list(itertools.product(atoms, repeat=2)))
    P = np.prod(np.array(list(itertools.product(weights, repeat=2))), axis=1)
    e = NET.apply(X)[:, 0] - TARGET.apply(X)[:, 0]
    return float(P @ e**2)


@st.composite
def standardised_discrete(draw, max_atoms=4):
    """A discrete law with 2-4 atoms, standardised to mean 0 and variance 1, kept if on [-HALF, HALF]."""
    n = draw(st.integers(2, max_atoms))
    atoms = np.array(draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n, unique=True)))
    w = np.array(draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n)))
    w = w / w.sum()
    mean = w @ atoms
    sd = math.sqrt(w @ (atoms - mean) ** 2)
    assume(sd > 1e-3)
    z = (atoms - mean) / sd
    assume(np.abs(z).max() <= HALF)
    return Discrete(list(z), list(w))


def inside(value, res, rel=1e-7):
    tol = rel * max(1.0, abs(res.upper))
    return res.lower - tol <= value <= res.upper + tol


@given(standardised_discrete())
def test_range_contains_every_discrete_law_of_the_class(law):
    assume(abs(law.moment(2) - 1) < 1e-9)
    assert inside(enumerate_mse(law.atoms, law.weights), cached_range())


@given(st.sampled_from(["uniform", "rademacher"]), st.floats(0.5, 1.0))
def test_range_contains_rescaled_catalogue_laws(name, _):
    law = standardise(Uniform(-1.0, 1.0)) if name == "uniform" else Rademacher()
    value = float(mse(NET, TARGET, Cumulants.iid(law, 2, 4)))
    assert inside(value, cached_range())


@settings(max_examples=5)
@given(st.floats(-1.2, 1.0), st.floats(0.1, 2.0))
def test_shrinking_the_class_never_widens_the_range(lo, width):
    big = cached_range((-1.2, 3))
    small = mse_range(NET, TARGET, LawClass.standardised((-HALF, HALF), kurtosis=(lo, lo + width)))
    tol = 1e-7 * big.upper
    assert small.lower >= big.lower - tol and small.upper <= big.upper + tol


@settings(max_examples=4)
@given(st.lists(st.integers(-3, 3), min_size=2, max_size=2), st.floats(1.0, 3.0))
def test_exactly_representable_targets_give_zero(weights, half):
    target = Dense([weights])
    model = Network([Dense([weights]), Quadratic(0)])  # the same map, written differently
    res = mse_range(model, target, LawClass.standardised((-half, half)))
    assert abs(res.lower) < 1e-9 and abs(res.upper) < 1e-9
