"""Exact cumulant algebra: set partitions, moment <-> cumulant conversion, products."""

from .partitions import (
    bell_number,
    connected_partitions,
    integer_partitions,
    partition_multiplicity,
    set_partitions,
)
from .multivariate import joint_cumulant_from_moments, joint_moment_from_cumulants
from .products import cumulant_of_products
from .univariate import (
    cumulant_formula,
    cumulants_from_moments,
    kappa,
    kappas,
    moment_formula,
    moment_symbol,
    moment_symbols,
    moments_from_cumulants,
)

__all__ = [
    "joint_cumulant_from_moments",
    "joint_moment_from_cumulants",
    "cumulant_of_products",
    "bell_number",
    "connected_partitions",
    "integer_partitions",
    "partition_multiplicity",
    "set_partitions",
    "cumulant_formula",
    "cumulants_from_moments",
    "kappa",
    "kappas",
    "moment_formula",
    "moment_symbol",
    "moment_symbols",
    "moments_from_cumulants",
]
