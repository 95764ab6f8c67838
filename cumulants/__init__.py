"""cumulants: exact propagation of joint cumulants through network layers and RG steps.

>>> import cumulants as cm
>>> cm.cumulants_from_moments([1, 5, 13, 73])
(1, 4, 0, 0)
"""

from .errors import (
    CumulantError,
    InsufficientOrderError,
    InvalidCumulantsError,
    InvalidParameterError,
    MethodUnavailableError,
    NotPolynomialError,
    ApproximationError,
    ApproximationWarning,
    OrderTooHighError,
    ShapeMismatchError,
)
from .algebra import (
    cumulant_formula,
    cumulant_of_products,
    cumulants_from_moments,
    kappa,
    kappas,
    moment_formula,
    moments_from_cumulants,
)
from .state import Cumulants
from . import distributions, layers
from .layers import (
    GELU,
    Dense,
    Erf,
    Exp,
    Heaviside,
    Identity,
    MessagePassing,
    Network,
    Polynomial,
    Quadratic,
    ReLU,
    Sigmoid,
    Sin,
    Tanh,
)
from .printing import latex
from .estimators import (
    joint_k_statistic,
    joint_k_statistics,
    joint_k_statistics_se,
    k_statistic_variance,
    k_statistics,
    k_statistics_se,
)
from . import bounds, constraints, estimators, generalisation, io, nn, rg, testing

__version__ = "0.2.0"

__all__ = [
    "CumulantError",
    "InsufficientOrderError",
    "InvalidCumulantsError",
    "InvalidParameterError",
    "MethodUnavailableError",
    "NotPolynomialError",
    "ApproximationError",
    "ApproximationWarning",
    "OrderTooHighError",
    "ShapeMismatchError",
    "cumulant_formula",
    "cumulant_of_products",
    "cumulants_from_moments",
    "kappa",
    "kappas",
    "moment_formula",
    "moments_from_cumulants",
    "Cumulants",
    "distributions",
    "layers",
    "Dense",
    "Identity",
    "MessagePassing",
    "Network",
    "Polynomial",
    "Quadratic",
    "ReLU",
    "Tanh",
    "Erf",
    "GELU",
    "Sigmoid",
    "Heaviside",
    "Sin",
    "Exp",
    "latex",
    "k_statistics",
    "joint_k_statistic",
    "joint_k_statistics",
    "k_statistic_variance",
    "k_statistics_se",
    "joint_k_statistics_se",
    "constraints",
    "estimators",
    "io",
    "nn",
    "rg",
    "generalisation",
    "testing",
    "bounds",
]
