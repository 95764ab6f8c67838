"""Parsing of per-layer options (constraints, bias flags) shared by the numpy models."""

from __future__ import annotations

from .. import constraints as C
from ..errors import InvalidParameterError, ShapeMismatchError, bad_argument

__all__ = ["constraint_for", "per_role"]


def constraint_for(spec, shape, where="constraint") -> C.Constraint:
    """Turn one constraint spec into a :class:`~cumulants.constraints.Constraint` of ``shape``.

    A spec is ``None`` or ``"free"``, a name from :data:`cumulants.constraints.NAMES`, a
    dict ``{"name": ..., **keywords}`` (as in a config file), a ``Constraint`` of the
    right shape, or a callable ``shape -> Constraint``.

    >>> constraint_for({"name": "same_sign", "sign": -1}, (1, 3))
    same_sign((1, 3), sign=-1)
    """
    if spec is None:
        return C.free(shape)
    if isinstance(spec, C.Constraint):
        if spec.shape != tuple(shape):
            raise bad_argument(where, spec, f"a constraint of shape {tuple(shape)}",
                               cls=ShapeMismatchError)
        return spec
    if isinstance(spec, str):
        return C.get(spec, shape)
    if isinstance(spec, dict) and "name" in spec:
        kw = {k: v for k, v in spec.items() if k not in ("name", "shape")}
        return C.get(spec["name"], shape, **kw)
    if callable(spec):
        made = spec(shape)
        if not isinstance(made, C.Constraint):
            raise bad_argument(where, spec, "a callable returning a Constraint")
        return constraint_for(made, shape, where)
    raise bad_argument(where, spec, f"a name in {C.NAMES}, a dict with 'name', a Constraint "
                       "or a callable shape -> Constraint", cls=InvalidParameterError)


def per_role(spec, roles, *, default, where, is_single):
    """Expand an option into one value per layer.

    ``roles`` lists the role of every layer (e.g. ``["hidden", "hidden", "output"]``).  The
    option is a single value (``is_single(spec)``), a list with one value per layer, or a
    dict keyed by role (missing roles take ``default``).

    >>> per_role({"output": False}, ["hidden", "output"], default=True, where="bias",
    ...          is_single=lambda s: isinstance(s, bool))
    [True, False]
    """
    if isinstance(spec, dict) and not is_single(spec):
        unknown = set(spec) - set(roles)
        if unknown:
            raise bad_argument(where, spec, f"a dict with keys among {sorted(set(roles))}",
                               cls=InvalidParameterError)
        return [spec.get(r, default) for r in roles]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(roles):
            raise bad_argument(where, spec, f"one entry per layer ({len(roles)})",
                               cls=ShapeMismatchError)
        return list(spec)
    if not is_single(spec):
        raise bad_argument(where, spec, "a single value, a per-layer list or a dict by role")
    return [spec] * len(roles)
