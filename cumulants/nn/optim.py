"""First-order optimisers for the numpy backend: Adam (with decoupled weight decay) and SGD.

An optimiser updates a dict of named float arrays in place from a dict of gradients with
the same keys.  Weight decay is decoupled (AdamW-style: ``p -= lr * wd * p``) and applies
only to the names listed in ``decay`` (the model passes its weight parameters, not biases
or activation coefficients).

>>> import numpy as np
>>> opt = Adam(lr=0.1)
>>> params = {"w": np.array([1.0])}
>>> opt.step(params, {"w": np.array([2.0])})
>>> params["w"]
array([0.9])
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import InvalidParameterError, MethodUnavailableError, bad_argument

__all__ = ["Optimizer", "Adam", "SGD", "get_optimizer"]


def _nonneg(name, value, *, positive=False, below_one=False):
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and math.isfinite(value) and (value > 0 if positive else value >= 0)
          and (value < 1 if below_one else True))
    if not ok:
        what = "a finite number " + ("> 0" if positive else ">= 0")
        raise bad_argument(name, value, what + (" and < 1" if below_one else ""),
                           cls=InvalidParameterError)
    return float(value)


class Optimizer:
    """Base class: ``step(params, grads)`` updates ``params`` in place."""

    def __init__(self, lr, weight_decay=0.0, decay=None):
        self.lr = _nonneg("lr", lr, positive=True)
        self.weight_decay = _nonneg("weight_decay", weight_decay)
        self.decay = None if decay is None else frozenset(decay)
        self.t = 0

    def reset(self):
        """Forget the accumulated state (moments, step count)."""
        self.t = 0

    def _decays(self, name):
        return self.weight_decay > 0 and (self.decay is None or name in self.decay)

    def step(self, params, grads):  # pragma: no cover - abstract
        """Update every array in ``params`` in place from the matching ``grads``."""
        raise NotImplementedError


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction and decoupled weight decay.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps) - lr * wd * p``.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decay=None):
        super().__init__(lr, weight_decay, decay)
        self.beta1 = _nonneg("beta1", beta1, below_one=True)
        self.beta2 = _nonneg("beta2", beta2, below_one=True)
        self.eps = _nonneg("eps", eps, positive=True)
        self._m = {}
        self._v = {}

    def __repr__(self):
        return (f"Adam(lr={self.lr!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, "
                f"eps={self.eps!r}, weight_decay={self.weight_decay!r})")

    def reset(self):
        super().reset()
        self._m.clear()
        self._v.clear()

    def step(self, params, grads):
        """One Adam update of every array in ``params`` (in place)."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1.0 - b1**self.t
        c2 = 1.0 - b2**self.t
        step = self.lr * math.sqrt(c2) / c1
        eps = self.eps * math.sqrt(c2)
        for name, g in grads.items():
            p = params[name]
            m = self._m.get(name)
            if m is None:
                m = self._m[name] = np.zeros_like(p)
                self._v[name] = np.zeros_like(p)
            v = self._v[name]
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            if self._decays(name):
                p -= (self.lr * self.weight_decay) * p
            # lr * m_hat / (sqrt(v_hat) + eps) with the corrections folded into two scalars
            p -= step * m / (np.sqrt(v) + eps)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (heavy-ball) momentum and weight decay.

    >>> opt = SGD(lr=0.5)
    >>> params = {"w": np.array([1.0])}
    >>> opt.step(params, {"w": np.array([1.0])})
    >>> params["w"]
    array([0.5])
    """

    def __init__(self, lr=1e-2, momentum=0.0, weight_decay=0.0, decay=None):
        super().__init__(lr, weight_decay, decay)
        self.momentum = _nonneg("momentum", momentum, below_one=True)
        self._buf = {}

    def __repr__(self):
        return (f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, "
                f"weight_decay={self.weight_decay!r})")

    def reset(self):
        super().reset()
        self._buf.clear()

    def step(self, params, grads):
        """One SGD update of every array in ``params`` (in place)."""
        self.t += 1
        for name, g in grads.items():
            p = params[name]
            if self._decays(name):
                p -= (self.lr * self.weight_decay) * p
            if self.momentum:
                buf = self._buf.get(name)
                if buf is None:
                    buf = self._buf[name] = np.zeros_like(p)
                buf *= self.momentum
                buf += g
                g = buf
            p -= self.lr * g


def get_optimizer(spec, *, lr, weight_decay=0.0, decay=None) -> Optimizer:
    """An optimiser from a name (``"adam"``, ``"sgd"``) or an :class:`Optimizer` instance.

    >>> get_optimizer("sgd", lr=0.1)
    SGD(lr=0.1, momentum=0.0, weight_decay=0.0)
    """
    if isinstance(spec, Optimizer):
        return spec
    if spec == "adam":
        return Adam(lr=lr, weight_decay=weight_decay, decay=decay)
    if spec == "sgd":
        return SGD(lr=lr, weight_decay=weight_decay, decay=decay)
    raise bad_argument("optimizer", spec, "'adam', 'sgd' or an Optimizer instance",
                       cls=MethodUnavailableError)
