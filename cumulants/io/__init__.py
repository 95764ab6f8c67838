"""Bring your own network: trained models in and out through ONNX, and PyTorch modules.

* :func:`from_onnx` reads an ONNX model (written by ``torch.onnx.export``, ``tf2onnx``,
  ``jax2onnx``, ... or by :func:`to_onnx`) as a :class:`~cumulants.layers.Network`, so
  its exact cumulants, MSE and gaps are one call away;
* :func:`to_onnx` writes a network (e.g. ``cm.nn.MLP(...).to_network()``) for other
  frameworks; a round trip returns identical layers and weights;
* :func:`from_torch` exports a ``torch.nn.Module`` through ONNX and reads it back;
* :func:`load_model` opens a model file by its suffix (``.onnx``, or the ``.json`` of
  ``cm.nn`` models' ``to_dict()``), for scripts and the command line.

``onnx`` (and ``onnxruntime`` for independent forward passes) come with the ``onnx``
extra and ``torch`` with the ``torch`` extra; ``import cumulants`` needs neither.

>>> import cumulants as cm
>>> net = cm.nn.MLP([2, 3, 1], "quadratic:0.5", seed=0).to_network()
>>> again = cm.io.from_onnx(cm.io.to_onnx(net))
>>> [type(layer).__name__ for layer in again]
['Dense', 'Quadratic', 'Dense']
>>> bool(np.array_equal(again[0].weight, net[0].weight))
True
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..errors import InvalidParameterError, bad_argument
from .onnx_export import to_onnx
from .onnx_import import UnsupportedModelError, from_onnx
from .torch_export import from_torch

__all__ = ["from_onnx", "to_onnx", "from_torch", "load_model", "UnsupportedModelError"]


def load_model(path, *, method="gaussian", degree=None):
    """The :class:`~cumulants.layers.Network` stored in ``path``, chosen by its suffix.

    ``.onnx``: :func:`from_onnx` (``method``/``degree`` for non-polynomial activations);
    ``.json``: a ``cm.nn`` model saved with ``json.dump(model.to_dict(), f)``, rebuilt with
    :func:`cumulants.nn.from_dict` and converted with ``to_network()``, or a cell file of
    ``cumulants reproduce`` (``cells/<id>.json``), whose ``model`` entry is used.  Both
    ``cumulants propagate --model`` and ``cumulants bound --model`` call this.

    >>> load_model("net.txt")
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidParameterError: path='net.txt' is invalid: expected a .onnx file or the .json of a cm.nn model
    """
    p = os.fspath(path) if isinstance(path, (str, os.PathLike)) else path
    if not isinstance(p, str):
        raise bad_argument("path", path, "a file path")
    suffix = os.path.splitext(p)[1].lower()
    if suffix not in (".onnx", ".json"):
        raise bad_argument("path", p, "a .onnx file or the .json of a cm.nn model")
    if not os.path.isfile(p):
        raise bad_argument("path", p, "an existing file")
    if suffix == ".onnx":
        return from_onnx(p, method=method, degree=degree)
    from .. import nn

    try:
        with open(p, encoding="utf-8") as fh:
            d = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InvalidParameterError(f"path={p!r} is invalid: cannot read JSON ({exc})") from None
    if isinstance(d, dict) and "architecture" in d and isinstance(d.get("model"), dict):
        d = d["model"]  # a cell file of `cumulants reproduce` carries its trained model
    return nn.from_dict(d).to_network()
