"""The training core shared by the numpy models: parameters, mean-squared loss, ``fit``.

A model holds a dict of named float64 parameter arrays and provides a forward pass with a
cache and a hand-written backward pass.  :meth:`Model.fit` runs mini-batch training on the
mean squared error ``L = mean((f(X) - Y)^2)`` (averaged over samples and outputs) with an
optimiser from :mod:`cumulants.nn.optim`, optional validation split and early stopping.
Every random choice (initialisation, shuffling, validation split) comes from generators
derived from the model's ``seed``, so a seed fixes the trained weights bit for bit.
"""

from __future__ import annotations

import copy
import math
import numbers
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import ShapeMismatchError, bad_argument
from .optim import get_optimizer

__all__ = ["Model", "History"]


@dataclass
class History:
    """What :meth:`Model.fit` did, epoch by epoch.

    ``loss[e]`` is the training loss of epoch ``e`` (the mean of the mini-batch losses,
    weighted by batch size, taken as the epoch ran); ``val_loss[e]`` the loss on the
    validation split after the epoch (empty without validation).
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.loss)

    def __len__(self):
        return len(self.loss)

    def to_dict(self) -> dict:
        """A JSON-ready dict of the history."""
        return asdict(self)


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise bad_argument(name, value, "a positive integer")
    return int(value)


def _as_float_array(name, value, ndim=None):
    if value is None or isinstance(value, (str, bytes)):
        raise bad_argument(name, value, "a real array")
    if np.iscomplexobj(value) or (isinstance(value, (list, tuple)) and any(
            isinstance(v, complex) for v in np.asarray(value, dtype=object).ravel())):
        raise bad_argument(name, "<complex array>", "a real array (complex values are not "
                           "supported)")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise bad_argument(name, value, "a real array") from None
    if ndim is not None and arr.ndim != ndim:
        raise bad_argument(name, f"<array of shape {arr.shape}>", f"a {ndim}-D array",
                           cls=ShapeMismatchError)
    if not np.all(np.isfinite(arr)):
        raise bad_argument(name, "<array with NaN or inf>", "finite values")
    return arr


def _seed_streams(seed):
    """Two independent generators (initialisation, training) and the seed's entropy."""
    if isinstance(seed, np.random.SeedSequence):
        ss = seed
    elif seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
                          and seed >= 0):
        ss = np.random.SeedSequence(None if seed is None else int(seed))
    else:
        raise bad_argument("seed", seed, "None or a non-negative integer")
    init, train = ss.spawn(2)
    return np.random.default_rng(init), np.random.default_rng(train), ss.entropy


class Model:
    """Base class of the numpy models (:class:`~cumulants.nn.MLP`, :class:`~cumulants.nn.GNN`).

    Subclasses set ``n_inputs``, ``n_outputs``, ``_params`` (name -> array) and
    ``_decay`` (names subject to weight decay) and implement ``_forward(X, params) ->
    (out, cache)`` and ``_backward(cache, dout, params) -> grads``.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model:
            from ..errors import MethodUnavailableError

            raise MethodUnavailableError("Model is an abstract base class; use MLP or GNN")
        return super().__new__(cls)

    n_inputs: int
    n_outputs: int

    # -- parameters ----------------------------------------------------------------
    def parameters(self) -> dict:
        """Copies of the trainable parameter arrays, by name."""
        return {k: v.copy() for k, v in self._params.items()}

    def set_parameters(self, params) -> None:
        """Replace the trainable parameters (same names and shapes as :meth:`parameters`)."""
        if not isinstance(params, dict) or set(params) != set(self._params):
            got = sorted(params) if isinstance(params, dict) else params
            raise bad_argument("params", got, f"a dict with keys {sorted(self._params)}",
                               cls=ShapeMismatchError)
        new = {}
        for k, old in self._params.items():
            arr = _as_float_array(f"params[{k!r}]", params[k])
            if arr.shape != old.shape:
                raise bad_argument(f"params[{k!r}]", f"<array of shape {arr.shape}>",
                                   f"shape {old.shape}", cls=ShapeMismatchError)
            new[k] = arr.copy()
        self._params = new

    @property
    def n_params(self) -> int:
        """Total number of trainable scalars."""
        return int(sum(v.size for v in self._params.values()))

    def copy(self):
        """An independent copy (parameters and random streams included)."""
        return copy.deepcopy(self)

    # -- evaluation -------------------------------------------------------------------
    def _check_X(self, X):
        X = _as_float_array("X", X)
        if X.ndim == 1 and self.n_inputs == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise bad_argument("X", f"<array of shape {X.shape}>",
                               f"shape (n, {self.n_inputs})", cls=ShapeMismatchError)
        return X

    def _check_XY(self, X, Y):
        X = self._check_X(X)
        Y = _as_float_array("Y", Y)
        if Y.ndim == 1 and self.n_outputs == 1:
            Y = Y[:, None]
        if Y.ndim != 2 or Y.shape != (X.shape[0], self.n_outputs):
            raise bad_argument("Y", f"<array of shape {Y.shape}>",
                               f"shape ({X.shape[0]}, {self.n_outputs}) to match X",
                               cls=ShapeMismatchError)
        return X, Y

    def predict(self, X) -> np.ndarray:
        """The network output on the rows of ``X``, shape ``(n, n_outputs)``."""
        out, _ = self._forward(self._check_X(X), self._params)
        return out

    def loss(self, X, Y) -> float:
        """Mean squared error ``mean((predict(X) - Y)^2)`` over samples and outputs."""
        X, Y = self._check_XY(X, Y)
        out, _ = self._forward(X, self._params)
        return float(np.mean((out - Y) ** 2))

    def loss_and_grad(self, X, Y) -> tuple:
        """The loss and its gradient with respect to every parameter (dict, by name)."""
        X, Y = self._check_XY(X, Y)
        return self._loss_and_grad(X, Y, self._params)

    def _loss_and_grad(self, X, Y, params):
        out, cache = self._forward(X, params)
        diff = out - Y
        loss = float(np.mean(diff * diff))
        grads = self._backward(cache, (2.0 / diff.size) * diff, params)
        return loss, grads

    # -- training ------------------------------------------------------------------------
    def fit(self, X, Y, *, epochs=100, batch_size=32, lr=1e-3, optimizer="adam",
            weight_decay=0.0, validation=0.0, validation_data=None, patience=None,
            min_delta=0.0, restore_best=True, shuffle=True, rng=None,
            progress=False) -> History:
        """Train in place by mini-batch gradient descent on the mean squared error.

        ``lr`` is a number or a callable ``epoch -> lr`` (a schedule).  ``optimizer`` is
        ``"adam"`` (default), ``"sgd"`` or an optimiser instance (its state carries over
        between calls).  ``weight_decay`` is decoupled and applies to weight parameters
        only.  ``validation`` holds out that fraction of the rows (or pass
        ``validation_data=(Xv, Yv)``); with ``patience`` training stops after that many
        epochs without an improvement of the validation loss by more than ``min_delta``,
        and ``restore_best`` brings back the best parameters.  ``rng`` overrides the
        model's training stream.  ``progress=True`` prints a progress line to stderr.

        Raises :class:`~cumulants.errors.InvalidParameterError` if the loss stops being
        finite (the step size is too large); the parameters of the last finite epoch are
        kept.
        """
        X, Y = self._check_XY(X, Y)
        epochs = _positive_int("epochs", epochs)
        batch_size = _positive_int("batch_size", batch_size)
        schedule = lr if callable(lr) else None
        lr0 = schedule(0) if schedule else lr
        opt = get_optimizer(optimizer, lr=lr0, weight_decay=weight_decay, decay=self._decay)
        if rng is None:
            rng = self._train_rng
        elif not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)

        if validation_data is not None:
            if validation:
                raise bad_argument("validation", validation,
                                   "0 when validation_data is given")
            Xv, Yv = self._check_XY(*validation_data)
            Xt, Yt = X, Y
        elif validation:
            if isinstance(validation, bool) or not (0 < validation < 1):
                raise bad_argument("validation", validation, "a fraction in (0, 1)")
            n_val = max(1, int(round(validation * X.shape[0])))
            if n_val >= X.shape[0]:
                raise bad_argument("validation", validation,
                                   f"a fraction leaving training rows out of {X.shape[0]}")
            perm = rng.permutation(X.shape[0])
            Xv, Yv = X[perm[:n_val]], Y[perm[:n_val]]
            Xt, Yt = X[perm[n_val:]], Y[perm[n_val:]]
        else:
            Xv = Yv = None
            Xt, Yt = X, Y
        if patience is not None:
            patience = _positive_int("patience", patience)
            if Xv is None:
                raise bad_argument("patience", patience,
                                   "None unless validation or validation_data is given")

        hist = History()
        params = self._params
        n = Xt.shape[0]
        best = math.inf
        best_params = None
        wait = 0
        start = time.perf_counter()
        last_print = 0.0
        for epoch in range(epochs):
            if schedule:
                opt.lr = float(schedule(epoch))
            saved = {k: v.copy() for k, v in params.items()}
            order = rng.permutation(n) if shuffle else np.arange(n)
            total = 0.0
            # a diverging run overflows; the finiteness check below reports it in our words
            with np.errstate(over="ignore", invalid="ignore"):
                for s in range(0, n, batch_size):
                    idx = order[s:s + batch_size]
                    loss, grads = self._loss_and_grad(Xt[idx], Yt[idx], params)
                    opt.step(params, grads)
                    total += loss * idx.size
            epoch_loss = total / n
            if not (math.isfinite(epoch_loss)
                    and all(np.all(np.isfinite(v)) for v in params.values())):
                self._params = saved
                raise bad_argument("lr", opt.lr, f"a smaller step size: training diverged "
                                   f"in epoch {epoch} (loss {epoch_loss})")
            hist.loss.append(epoch_loss)
            hist.lr.append(opt.lr)
            if Xv is not None:
                out, _ = self._forward(Xv, params)
                val = float(np.mean((out - Yv) ** 2))
                hist.val_loss.append(val)
                if val < best - min_delta:
                    best, wait, hist.best_epoch = val, 0, epoch
                    if patience is not None and restore_best:
                        best_params = {k: v.copy() for k, v in params.items()}
                else:
                    wait += 1
            if progress:
                now = time.perf_counter() - start
                if now - last_print > 0.1 or epoch == epochs - 1:
                    last_print = now
                    val_txt = f" val {hist.val_loss[-1]:.3e}" if hist.val_loss else ""
                    sys.stderr.write(f"\r{type(self).__name__} epoch {epoch + 1}/{epochs} "
                                     f"loss {epoch_loss:.3e}{val_txt} [{now:.1f}s]")
                    sys.stderr.flush()
            if patience is not None and wait >= patience:
                hist.stopped_early = True
                break
        if progress:
            sys.stderr.write("\n")
        if best_params is not None:
            self._params = best_params
        hist.seconds = time.perf_counter() - start
        return hist

    # -- serialisation ------------------------------------------------------------------
    def _params_to_dict(self):
        return {k: v.tolist() for k, v in self._params.items()}

    def _load_params(self, d):
        self.set_parameters({k: np.asarray(v, dtype=float) for k, v in d.items()})

    # -- to be provided by subclasses -------------------------------------------------
    def _forward(self, X, params):  # pragma: no cover - abstract
        raise NotImplementedError

    def _backward(self, cache, dout, params):  # pragma: no cover - abstract
        raise NotImplementedError

