"""Read a PyTorch module by exporting it through ONNX (needs the ``torch`` extra)."""

from __future__ import annotations

import io

from ..errors import MethodUnavailableError, bad_argument

__all__ = ["from_torch"]


def from_torch(module, example_input, *, method="gaussian", degree=None, opset=17):
    """A :class:`~cumulants.layers.Network` computing ``module(x)``, via ``torch.onnx.export``.

    ``example_input`` is a tensor of shape ``(batch, *features)``; the batch axis is
    exported as dynamic and the feature shape as fixed.  The module is put in
    ``eval()`` mode (dropout off).  ``method`` and ``degree`` apply to non-polynomial
    activations as in :func:`~cumulants.io.from_onnx`.  Requires ``torch`` (``pip install
    'cumulants[torch]'``) and ``onnx``.

    Example (not run in the test suite when torch is absent)::

        net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        cm.io.from_torch(net, torch.zeros(1, 3))
    """
    try:
        import torch
    except ImportError:
        raise MethodUnavailableError(
            "from_torch needs PyTorch: pip install 'cumulants[torch]' (or export the model "
            "with torch.onnx.export yourself and call cumulants.io.from_onnx)") from None
    from .onnx_import import from_onnx

    if not isinstance(module, torch.nn.Module):
        raise bad_argument("module", module, "a torch.nn.Module")
    if not isinstance(example_input, torch.Tensor) or example_input.dim() < 2:
        raise bad_argument("example_input", example_input,
                           "a tensor of shape (batch, features...)")
    kwargs = dict(input_names=["x"], output_names=["y"], opset_version=opset,
                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    was_training = module.training
    module.eval()
    try:
        buf = _export(torch, module, example_input, kwargs)
    finally:
        module.train(was_training)
    return from_onnx(buf.getvalue(), method=method, degree=degree)


def _export(torch, module, example_input, kwargs):
    """ONNX bytes of ``module``: the TorchScript exporter where it exists, else the default."""
    from .onnx_import import UnsupportedModelError

    attempts = ({"dynamo": False}, {})     # torch < 2.5 knows no dynamo= argument
    failure = None
    for extra in attempts:
        buf = io.BytesIO()
        try:
            torch.onnx.export(module, (example_input,), buf, **kwargs, **extra)
            return buf
        except Exception as exc:  # noqa: BLE001 - torch raises many types; reported below
            failure = exc
    raise UnsupportedModelError(f"torch.onnx.export could not export the module: {failure}")
