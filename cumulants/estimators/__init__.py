r"""Unbiased estimators of cumulants from samples: k-statistics of any order.

The k-statistic :math:`k_r` is the unique symmetric function of a sample that is
an unbiased estimator of the cumulant :math:`\kappa_r` (Fisher 1930).  For a
set partition :math:`\pi` of :math:`\{1..r\}` let :math:`U(\pi)` be the unbiased
estimator of :math:`\prod_{B\in\pi}\mu'_{|B|}`, the augmented symmetric function

.. math::

    U(\pi) = \frac{1}{n_{(k)}} \sum_{i_1..i_k \text{ distinct}}
             \prod_{j=1}^{k} x_{i_j}^{|B_j|},
    \qquad k_r = \sum_{\pi} (-1)^{|\pi|-1} (|\pi|-1)!\, U(\pi),

with :math:`n_{(k)}` the falling factorial.  Möbius inversion over the set
partitions of the :math:`k` blocks writes :math:`U(\pi)` in power sums
:math:`S_q = \sum_i x_i^q`.  Every coefficient depends on block sizes only, so
the formula of :math:`k_r` is derived once per order as :math:`p(r)` numbers (one
per integer partition of :math:`r`), not :math:`\mathrm{Bell}(r)`.  The joint
(generalised) k-statistics use the same coefficients with multivariate power
sums :math:`S_{a_1..a_q} = \sum_s \prod_j X_{s a_j}`.

Float data are centred before power sums are formed (:math:`k_r`, :math:`r\ge 2`,
is shift invariant), which removes the catastrophic cancellation of raw power
sums.  The sampling noise of high-order k-statistics is intrinsic: var(k_r)
involves kappa_{2r} (see :func:`k_statistic_variance`, :func:`k_statistics_se`).

Exact inputs (Python ints, :class:`fractions.Fraction`, sympy numbers or
symbols) give exact sympy results; numpy arrays give floats; mpmath values keep
their precision.

References: R. A. Fisher (1930), "Moments and product moments of sampling
distributions", Proc. London Math. Soc. (2) 30, 199-238; P. McCullagh (1987),
*Tensor Methods in Statistics*, ch. 4 (generalised k-statistics).
"""

from .joint import joint_k_statistic, joint_k_statistics
from .kstat import AUTO_PLUGIN_ORDER, MAX_VARIANCE_ORDER, k_statistic_formula, k_statistics
from .variance import joint_k_statistics_se, k_statistic_variance, k_statistics_se

__all__ = [
    "k_statistics",
    "k_statistic_formula",
    "joint_k_statistics",
    "joint_k_statistic",
    "k_statistic_variance",
    "k_statistics_se",
    "joint_k_statistics_se",
    "MAX_VARIANCE_ORDER",
    "AUTO_PLUGIN_ORDER",
]
