"""Configuration of the study: every size, law and training setting is an option.

The built-in defaults live in ``default.toml`` beside this module (print them
with ``cumulants reproduce --print-config``); a user file overrides any subset
of keys.  ``--quick`` applies the ``[quick]`` table on top, for a run of about
a minute on two cores.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import sys
from importlib import resources

from ..errors import InvalidParameterError, bad_argument

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_config", "default_config_text", "config_hash", "ARCHITECTURE_KINDS"]

ARCHITECTURE_KINDS = ("mlp", "gnn")
_ACTIVATIONS = ("identity", "quadratic", "tanh", "relu")
_LAWS = ("gaussian", "uniform", "rademacher", "laplace", "exponential")


def default_config_text() -> str:
    """The text of the built-in ``default.toml``."""
    return resources.files(__package__).joinpath("default.toml").read_text()


def _merge(base, over, path=""):
    out = copy.deepcopy(base)
    for key, value in over.items():
        where = f"{path}.{key}" if path else key
        if key not in out and key not in ("architectures",):
            raise InvalidParameterError(f"unknown configuration key {where!r}; valid keys at this "
                                        f"level: {sorted(out)}")
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, where)
        elif isinstance(out.get(key), dict):
            raise bad_argument(where, value, f"a [{where}] table of keys {sorted(out[key])}")
        else:
            out[key] = copy.deepcopy(value)
    return out


#: Upper bounds of the integer settings: generous for real studies, far below what would
#: exhaust memory or run for days (see cumulants._limits for the reasoning).
_INT_RANGES = {
    "block": (2, 64),
    "train_samples": (1, 10**7),
    "test_samples": (1, 10**7),
    "epochs": (1, 10**6),
    "batch_size": (1, 10**7),
    "rg_steps": (1, 12),
    "rg_samples": (1, 10**7),
    "predict_rg_steps": (0, 12),
    "max_prediction_order": (1, 64),
}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _validate(cfg):
    from .._limits import MAX_ARRAY_ENTRIES

    study = cfg["study"]
    for key, (lo, hi) in _INT_RANGES.items():
        if key not in study:
            continue
        v = study[key]
        if not _is_int(v) or not lo <= v <= hi:
            raise bad_argument(f"study.{key}", v, f"an integer in [{lo}, {hi}]")
    sites = study["block"] ** study["rg_steps"]
    if sites * study.get("rg_samples", 1) > MAX_ARRAY_ENTRIES:
        raise bad_argument("study.rg_steps", study["rg_steps"],
                           f"block**rg_steps * rg_samples <= {MAX_ARRAY_ENTRIES} (the lattice of "
                           f"{sites} sites times the samples would not fit in memory)")
    for key in ("train_samples", "test_samples"):
        if study[key] * study["block"] > MAX_ARRAY_ENTRIES:
            raise bad_argument(f"study.{key}", study[key],
                               f"at most {MAX_ARRAY_ENTRIES // study['block']} samples of "
                               f"{study['block']} sites")
    if not isinstance(study["seeds"], list) or not study["seeds"] or \
            not all(_is_int(s) and 0 <= s < 2**32 for s in study["seeds"]):
        raise bad_argument("study.seeds", study["seeds"],
                           "a non-empty list of integers in [0, 2**32)")
    if len(set(study["seeds"])) != len(study["seeds"]):
        raise bad_argument("study.seeds", study["seeds"], "distinct seeds")
    for key, lo_open in (("z_threshold", True), ("weight_decay", False), ("alpha", None)):
        if key not in study:
            continue
        v = study[key]
        ok = _is_real(v) and (lo_open is None or (v > 0 if lo_open else v >= 0))
        if not ok:
            want = {True: "a finite number > 0", False: "a finite number >= 0",
                    None: "a finite number"}[lo_open]
            raise bad_argument(f"study.{key}", v, want)
    for key in ("train_laws", "test_laws"):
        laws = study[key]
        if not isinstance(laws, list) or not laws:
            raise bad_argument(f"study.{key}", laws, f"a non-empty list drawn from {list(_LAWS)}")
        for law in laws:
            name, _, var = str(law).partition("@")
            ok = name in _LAWS
            if ok and var:
                try:
                    ok = math.isfinite(float(var)) and float(var) > 0
                except ValueError:
                    ok = False
            if not ok:
                raise bad_argument(f"study.{key}", law,
                                   f"one of {list(_LAWS)}, optionally with '@variance' (e.g. 'gaussian@2')")
    if not _is_real(study["lr"]) or study["lr"] <= 0:
        raise bad_argument("study.lr", study["lr"], "a finite positive number")
    if not _is_real(study["variance"]) or study["variance"] <= 0:
        raise bad_argument("study.variance", study["variance"], "a finite positive number")
    if not isinstance(study["bounds"], bool):
        raise bad_argument("study.bounds", study["bounds"], "true or false")
    c = study["bounds_c"]
    if not isinstance(c, (int, float)) or isinstance(c, bool) or not math.isfinite(c) \
            or not c > 1 / math.sqrt(3):
        raise bad_argument("study.bounds_c", c, "a number > 1/sqrt(3) (a law of the study's "
                           "variance needs a support wider than one standard deviation each way)")
    k = study["bounds_kurtosis"]
    if not (isinstance(k, list) and len(k) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                    for v in k) and -2 <= k[0] <= k[1]):
        raise bad_argument("study.bounds_kurtosis", k, "two numbers [lo, hi] with -2 <= lo <= hi "
                           "(excess kurtosis is at least -2)")
    archs = cfg["architectures"]
    if not isinstance(archs, list) or not archs:
        raise bad_argument("architectures", archs, "a non-empty list of [[architectures]] tables")
    names = set()
    for i, arch in enumerate(archs):
        if not isinstance(arch, dict):
            raise bad_argument(f"architectures[{i}]", arch, "an [[architectures]] table")
        for key in ("name", "kind", "activation"):
            if key not in arch:
                raise InvalidParameterError(f"architectures[{i}] lacks the key {key!r}")
        if arch["name"] in names:
            raise bad_argument(f"architectures[{i}].name", arch["name"], "a unique name")
        names.add(arch["name"])
        if arch["kind"] not in ARCHITECTURE_KINDS:
            raise bad_argument(f"architectures[{i}].kind", arch["kind"], f"one of {list(ARCHITECTURE_KINDS)}")
        if arch["activation"] not in _ACTIVATIONS:
            raise bad_argument(f"architectures[{i}].activation", arch["activation"],
                               f"one of {list(_ACTIVATIONS)}")
    return cfg


def load_config(path=None, *, quick=False) -> dict:
    """The study configuration: defaults, then ``[quick]`` if asked, then the user file.

    >>> cfg = load_config(quick=True)
    >>> cfg["study"]["block"], len(cfg["architectures"]) > 3
    (4, True)
    """
    base = tomllib.loads(default_config_text())
    quick_table = base.pop("quick", {})
    cfg = base
    if quick:
        over = dict(quick_table)
        keep = over.pop("architectures", None)
        cfg = _merge(cfg, over)
        if keep is not None:
            cfg["architectures"] = [a for a in cfg["architectures"] if a["name"] in keep]
    if path is not None:
        try:
            with open(path, "rb") as fh:
                user = tomllib.loads(fh.read().decode("utf-8"))
        except FileNotFoundError:
            raise bad_argument("--config", str(path), "an existing TOML file") from None
        except IsADirectoryError:
            raise bad_argument("--config", str(path), "a TOML file, not a directory") from None
        except PermissionError:
            raise bad_argument("--config", str(path), "a readable TOML file") from None
        except OSError as exc:
            raise bad_argument("--config", str(path), f"a readable TOML file ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise InvalidParameterError(f"config file {path} is not UTF-8 text (byte "
                                        f"{exc.start}); save it as UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidParameterError(f"config file {path} is not valid TOML: {exc}") from None
        user.pop("quick", None)
        cfg = _merge(cfg, user)
    return _validate(cfg)


def config_hash(obj) -> str:
    """A short stable hash of a JSON-serialisable object (identifies finished cells)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
