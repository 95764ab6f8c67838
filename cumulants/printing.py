r"""LaTeX printing in kappa notation, in one place.

:func:`latex` dispatches on the object: sympy expressions and equations go
through :class:`CumulantLatexPrinter` (a subclass of sympy's printer that
renders ``kappa_3`` as :math:`\kappa_{3}`, ``kappa_{0,1}`` as
:math:`\kappa_{0,1}`, ``m_4`` as :math:`\mu'_{4}` and ``mu_4`` as
:math:`\mu_{4}`); states, layers, sequences and derivation documents are
assembled here too, so no other module builds LaTeX strings by hand.
"""

from __future__ import annotations

import re

import numpy as np
import sympy
from sympy.printing.latex import LatexPrinter

from .errors import bad_argument

__all__ = ["CumulantLatexPrinter", "latex", "align", "document", "derivation_cli"]

_KAPPA = re.compile(r"^(kappa|m|mu|x|y|z|w|v|b|c)_\{?([0-9,]+)\}?$")
_PRIMED = re.compile(r"^kappa'_\{?([0-9,]+)\}?$")
_GREEK = {"kappa": r"\kappa", "m": r"\mu'", "mu": r"\mu"}


class CumulantLatexPrinter(LatexPrinter):
    """sympy LaTeX printer with the package's kappa / moment notation.

    >>> print(CumulantLatexPrinter().doprint(sympy.Symbol('kappa_3') + sympy.Symbol('m_2')))
    \\kappa_{3} + {\\mu'_{2}}
    """

    printmethod = "_cumulants_latex"

    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        match = _KAPPA.match(name)
        if match:
            head, sub = match.groups()
            if head == "m":  # the prime is a superscript: brace it so powers stay valid
                return f"{{\\mu'_{{{sub}}}}}"
            return f"{_GREEK.get(head, head)}_{{{sub}}}"
        match = _PRIMED.match(name)
        if match:
            return rf"{{\kappa'_{{{match.group(1)}}}}}"
        return super()._print_Symbol(expr, style=style)


_PRINTER_SETTINGS = {"order": "lex"}


def _expr(e, **settings):
    s = dict(_PRINTER_SETTINGS)
    s.update(settings)
    if isinstance(e, (float, np.floating)):
        return f"{float(e):.12g}"
    if isinstance(e, (int, np.integer)):
        return str(int(e))
    if e is None or isinstance(e, (str, bytes, complex)):
        raise bad_argument("obj", e, "a sympy expression, number, sequence, state or layer (a "
                           "string is not parsed: build the expression with sympy)")
    try:
        expr = sympy.sympify(e, strict=True)
    except (sympy.SympifyError, TypeError, ValueError):
        raise bad_argument("obj", e, "a sympy expression, number, sequence, state or layer") from None
    return CumulantLatexPrinter(s).doprint(expr)


def align(rows) -> str:
    """An ``align*`` block from ``(lhs, rhs)`` pairs (sympy objects or LaTeX strings).

    >>> print(align([(sympy.Symbol('kappa_1'), 0)]))
    \\begin{align*}
      \\kappa_{1} &= 0
    \\end{align*}
    """
    if rows is None or isinstance(rows, (str, bytes)):
        raise bad_argument("rows", rows, "a sequence of (lhs, rhs) pairs")
    try:
        rows = [tuple(r) for r in rows]
    except TypeError:
        raise bad_argument("rows", rows, "a sequence of (lhs, rhs) pairs") from None
    if any(len(r) != 2 for r in rows):
        raise bad_argument("rows", rows, "a sequence of (lhs, rhs) pairs")
    lines = []
    for lhs, rhs in rows:
        left = lhs if isinstance(lhs, str) else _expr(lhs)
        right = rhs if isinstance(rhs, str) else _expr(rhs)
        lines.append(f"  {left} &= {right}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _state_latex(state, name="x", max_entries=200):
    from . import _tensor

    rows = []
    for n in range(1, state.order + 1):
        if state.is_independent:
            keys = [(i,) * n for i in range(state.dim)]
        else:
            keys = [tuple(int(a) for a in m) for m in _tensor.multisets(state.dim, n)]
        for key in keys:
            value = state[key]
            if not state.is_independent and value == 0 and n > 1:
                continue
            rows.append((rf"\kappa({','.join(f'{name}_{{{k}}}' for k in key)})"
                         if state.dim > 1 else rf"\kappa_{{{n}}}({name})", value))
            if len(rows) >= max_entries:
                break
    note = "" if state.exact else f"\n% approximate: {state.method}"
    return align(rows) + note


def _layer_latex(layer):
    from .layers import Dense, Network, Polynomial

    if isinstance(layer, Network):
        return " \\circ ".join(_layer_latex(lay) for lay in reversed(layer.layers))
    if isinstance(layer, Polynomial):
        z = sympy.Symbol("z")
        return r"z \mapsto " + _expr(sum(c * z**k for k, c in enumerate(layer.coeffs)))
    if isinstance(layer, Dense):
        W = sympy.Matrix(layer.weight.tolist())
        out = r"x \mapsto " + _expr(W) + " x"
        if layer.bias is not None:
            out += " + " + _expr(sympy.Matrix(layer.bias.tolist()))
        return out
    return r"\mathrm{" + type(layer).__name__ + "}"


def latex(obj, **settings) -> str:
    """LaTeX for an expression, equation, sequence, ``Cumulants`` state or layer.

    >>> import cumulants as cm
    >>> print(latex(cm.cumulant_formula(2)))
    - {\\mu'_{1}}^{2} + {\\mu'_{2}}
    >>> print(latex(cm.kappa(3) ** 2))
    \\kappa_{3}^{2}
    """
    from .layers.base import Layer
    from .state import Cumulants

    if isinstance(obj, Cumulants):
        return _state_latex(obj, **settings)
    if isinstance(obj, Layer):
        return _layer_latex(obj)
    if isinstance(obj, np.ndarray):
        obj = sympy.Matrix(obj.tolist()) if obj.ndim == 2 else tuple(obj.tolist())
    if isinstance(obj, list):
        obj = tuple(obj)
    return _expr(obj, **settings)


def document(title: str, sections, *, preamble: str = "") -> str:
    """A standalone LaTeX document: ``sections`` is a list of ``(text, rows_or_latex)``.

    Each section prints its text, then an ``align*`` block (from ``(lhs, rhs)``
    rows) or a LaTeX string verbatim.

    >>> doc = document("Demo", [("Mean.", [(sympy.Symbol('kappa_1'), 0)])])
    >>> doc.count("\\\\begin{align*}"), doc.strip().endswith("\\\\end{document}")
    (1, True)
    """
    if not isinstance(title, str):
        raise bad_argument("title", title, "a string")
    if not isinstance(preamble, str):
        raise bad_argument("preamble", preamble, "a string of LaTeX")
    if sections is None or isinstance(sections, (str, bytes)):
        raise bad_argument("sections", sections, "a list of (text, rows_or_latex) pairs")
    try:
        sections = [tuple(sec) for sec in sections]
    except TypeError:
        raise bad_argument("sections", sections, "a list of (text, rows_or_latex) pairs") from None
    if any(len(sec) != 2 or not isinstance(sec[0], str) for sec in sections):
        raise bad_argument("sections", sections, "a list of (text, rows_or_latex) pairs")
    parts = [
        "\\documentclass{article}",
        "\\usepackage{amsmath,amssymb}",
        preamble,
        f"\\title{{{title}}}",
        "\\date{}",
        "\\begin{document}",
        "\\maketitle",
    ]
    for text, body in sections:
        parts.append(text)
        if isinstance(body, str):
            parts.append(body)
        elif body:
            parts.append(align(body))
    parts.append("\\end{document}")
    return "\n".join(p for p in parts if p) + "\n"


def derivation_cli(main, doc: str, tex_name: str, argv=None) -> None:
    """Command line of a derivation script: ``python script.py [--out DIR]``.

    Calls ``main(out_dir)`` (which writes ``tex_name`` there) and says where it wrote.
    """
    import argparse
    from pathlib import Path

    if not callable(main):
        raise bad_argument("main", main, "a function main(out_dir) that writes the document")
    if not isinstance(doc, str) or not doc.strip():
        raise bad_argument("doc", doc, "the script's docstring (a non-empty string)")
    if not isinstance(tex_name, str) or not tex_name:
        raise bad_argument("tex_name", tex_name, "the file name the script writes, e.g. 'clt.tex'")
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--out", default=".", help="output directory (default: current)")
    args = parser.parse_args(argv)
    main(args.out)
    print(f"wrote {Path(args.out) / tex_name}")
