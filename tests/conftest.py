"""Shared test configuration: hypothesis profiles and fixed seeds."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# ``ci``: enough examples to matter, no deadline (sympy is slow to warm up).
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
# ``dev``: quick local iterations.
settings.register_profile(
    "dev", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# ``thorough``: for a nightly run.
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    """A fixed-seed generator: Monte Carlo tests are reproducible."""
    return np.random.default_rng(20251016)
