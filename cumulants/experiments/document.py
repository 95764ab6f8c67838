"""One source for the report: a small document model rendered to Markdown and LaTeX.

A report is a list of blocks (:class:`Section`, :class:`Paragraph`,
:class:`Bullets`, :class:`Table`, :class:`Figure`, :class:`Equation`).  Text uses a
tiny inline markup shared by both outputs: ``$...$`` for mathematics (LaTeX
syntax), ``**bold**`` and ```code```.  Numbers in tables are :class:`Num` values
(a value, its standard error and the spread over seeds) and are typeset by each
renderer, so the two documents cannot disagree.

Number format: the standard error fixes the last shown digit (two significant
digits of the SE), values are written in scientific notation when outside
``[1e-3, 1e4)``, and a value below float resolution (``|v| < 1e-20``, as for an
exactly representable map) is written "exact (0 within rounding)".

>>> doc = [Section("Result", [Paragraph("We find $\\\\kappa_4$ matters."),
...         Table(["law", "MSE"], [["Laplace", Num(1.234e-4, 2.1e-6)]], "MSE.", "t")])]
>>> print(to_markdown(doc).splitlines()[-1])
| Laplace | 1.234(21)×10⁻⁴ |
>>> r"(1.234 \\pm 0.021)\\times 10^{-4}" in to_latex(doc, title="T")
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["Num", "Section", "Paragraph", "Bullets", "Table", "Figure", "Equation",
           "to_markdown", "to_latex", "format_number", "ROUNDING_FLOOR"]

#: Below this a mean squared error is zero up to float rounding.
ROUNDING_FLOOR = 1e-20
EXACT_TEXT = "exact (0 within rounding)"
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class Num:
    """A number with an optional standard error ``se`` and spread over seeds ``sd``.

    ``floor`` (default :data:`ROUNDING_FLOOR`) marks values that are zero within
    float rounding; ``digits`` significant digits are shown when there is no SE.
    """

    value: float | None
    se: float | None = None
    sd: float | None = None
    floor: float | None = ROUNDING_FLOOR
    digits: int = 3
    signed: bool = False

    def parts(self):
        """``(mantissa text, se text, sd text, exponent)`` or ``None`` when not finite/absent."""
        v = self.value
        if v is None or not math.isfinite(v):
            return None
        scale = max(abs(v), abs(self.se or 0.0))
        exp = 0 if scale == 0 or 1e-3 <= scale < 1e4 else math.floor(math.log10(scale))
        f = 10.0 ** -exp
        if self.se is not None and self.se > 0 and math.isfinite(self.se):
            # two significant digits of the SE fix the last digit shown
            last = math.floor(math.log10(self.se * f)) - 1
            if round(self.se * f * 10.0 ** -last) >= 100:  # 0.0000996 rounds to 100: one digit up
                last += 1
            dec = max(0, -last)
            m = f"{v * f:.{dec}f}"
            se_digits = round(self.se * f * 10 ** dec)
            se = f"{se_digits}" if dec > 0 else f"{self.se * f:.0f}"
        else:
            m = _sig(v * f, self.digits)
            se = None
        sd = None
        if self.sd is not None and math.isfinite(self.sd):
            sd = _sig(self.sd * f, 2)
        if self.signed and not m.startswith("-"):
            m = "+" + m
        return m, se, sd, exp

    def is_exact(self) -> bool:
        """True when the value is zero within float rounding."""
        return self.value is not None and self.floor is not None and abs(self.value) < self.floor


def _sig(x: float, digits: int) -> str:
    if x == 0:
        return "0"
    x = float(f"{x:.{digits - 1}e}")  # round first: 0.99999 -> 1.00, not 1.000
    dec = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{dec}f}"


def format_number(num: Num, target: str = "md") -> str:
    """Typeset ``num`` for ``target`` ``"md"`` (Unicode) or ``"tex"``.

    >>> format_number(Num(0.0123456, 0.00031))
    '0.01235(31)'
    >>> format_number(Num(3e-33, 1e-34))
    'exact (0 within rounding)'
    >>> format_number(Num(2.5e-9, 3e-11, sd=4e-10), "tex")
    '$(2.500 \\\\pm 0.030)\\\\times 10^{-9}$ [sd $0.40\\\\times 10^{-9}$]'
    """
    if num.is_exact():
        return EXACT_TEXT
    p = num.parts()
    if p is None:
        return "—"
    m, se, sd, exp = p
    if target == "md":
        text = f"{m}({se})" if se is not None else m
        tail = f"×10{str(exp).translate(_SUP)}" if exp else ""
        out = text + tail
        if sd is not None:
            out += f" [sd {sd}{tail}]"
        return out
    tail = f"\\times 10^{{{exp}}}" if exp else ""
    if se is not None:
        sev = _se_value(m, se)
        core = f"({m} \\pm {sev}){tail}" if tail else f"{m} \\pm {sev}"
    else:
        core = f"{m}{tail}"
    out = f"${core}$"
    if sd is not None:
        out += f" [sd ${sd}{tail}$]"
    return out


def _se_value(mantissa: str, se_digits: str) -> str:
    """``"1.234", "21"`` -> ``"0.021"``: the SE in the units of the mantissa's last digit."""
    if "." not in mantissa:
        return se_digits
    dec = len(mantissa.split(".")[1])
    return f"{int(se_digits) / 10 ** dec:.{dec}f}"


@dataclass
class Paragraph:
    """A paragraph of inline-marked-up text."""

    text: str


@dataclass
class Bullets:
    """A bulleted list of inline-marked-up items."""

    items: list


@dataclass
class Equation:
    """A displayed equation (LaTeX math, rendered as ``$$...$$`` in Markdown)."""

    latex: str


@dataclass
class Table:
    """A table: ``header`` strings, ``rows`` of strings or :class:`Num`, a caption and a label."""

    header: list
    rows: list
    caption: str
    label: str


@dataclass
class Figure:
    """A figure file ``name`` (PNG; a PDF of the same stem is used by LaTeX) with a caption."""

    name: str
    caption: str
    label: str
    width: float = 1.0


@dataclass
class Section:
    """A titled section of blocks; nested sections are subsections."""

    title: str
    blocks: list = field(default_factory=list)
    label: str | None = None


# ------------------------------------------------------------------------ Markdown
def _md_inline(text: str) -> str:
    return text


def _md_cell(item) -> str:
    text = format_number(item, "md") if isinstance(item, Num) else str(item)
    return text.replace("|", "\\|").replace("\n", " ")


def _md_blocks(blocks, depth, out):
    for block in blocks:
        if isinstance(block, Section):
            out += ["#" * min(depth, 6) + " " + block.title, ""]
            _md_blocks(block.blocks, depth + 1, out)
        elif isinstance(block, Paragraph):
            out += [_md_inline(block.text), ""]
        elif isinstance(block, Bullets):
            out += [f"- {_md_inline(item)}" for item in block.items] + [""]
        elif isinstance(block, Equation):
            out += ["$$", block.latex, "$$", ""]
        elif isinstance(block, Table):
            out += [f"**Table.** {_md_inline(block.caption)}", ""]
            out.append("| " + " | ".join(_md_cell(h) for h in block.header) + " |")
            out.append("|" + "|".join("---" for _ in block.header) + "|")
            for row in block.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
            out.append("")
        elif isinstance(block, Figure):
            alt = re.sub(r"[\[\]$*`]", "", block.caption.split(".")[0])
            out += [f"![{alt}]({block.name})", "", f"**Figure.** {_md_inline(block.caption)}", ""]
        else:  # pragma: no cover - programming error
            raise TypeError(f"unknown block {block!r}")


def to_markdown(doc, *, title: str | None = None) -> str:
    """Render a list of blocks as GitHub-flavoured Markdown."""
    out = [f"# {title}", ""] if title else []
    _md_blocks(doc, 2, out)
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- LaTeX
_TEX_ESCAPE = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
               "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
               "|": r"\textbar{}", "<": r"\textless{}", ">": r"\textgreater{}",
               "—": "---", "–": "--", "×": r"$\times$", "±": r"$\pm$", "≤": r"$\le$",
               "≥": r"$\ge$", "≈": r"$\approx$", "κ": r"$\kappa$", "−": "-", "→": r"$\to$",
               "·": r"$\cdot$", "’": "'", "“": "``", "”": "''"}


def _tex_text(text: str) -> str:
    return "".join(_TEX_ESCAPE.get(ch, ch) for ch in text)


_INLINE = re.compile(r"(\$[^$]+\$|\*\*[^*]+\*\*|`[^`]+`)")


def _tex_inline(text: str) -> str:
    out = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("$"):
            out.append(part)
        elif part.startswith("**"):
            out.append(r"\textbf{" + _tex_inline(part[2:-2]) + "}")
        elif part.startswith("`"):
            out.append(r"\texttt{" + _tex_text(part[1:-1]) + "}")
        else:
            out.append(_tex_text(part))
    return "".join(out)


def _tex_cell(item) -> str:
    return format_number(item, "tex") if isinstance(item, Num) else _tex_inline(str(item))


def _column_chunks(table, keys=2, per_chunk=3):
    """Column indices of each printed part: a wide table is split into stacked tabulars
    that repeat its first ``keys`` columns, ``per_chunk`` further columns each."""
    n = len(table.header)
    if n <= keys + per_chunk + 1:
        return [list(range(n))]
    rest = list(range(keys, n))
    return [list(range(keys)) + rest[i:i + per_chunk] for i in range(0, len(rest), per_chunk)]


_LEVELS = ["section", "subsection", "subsubsection", "paragraph"]


def _tex_blocks(blocks, depth, out):
    for block in blocks:
        if isinstance(block, Section):
            out.append(f"\\{_LEVELS[min(depth, 3)]}{{{_tex_inline(block.title)}}}")
            if block.label:
                out.append(f"\\label{{sec:{block.label}}}")
            out.append("")
            _tex_blocks(block.blocks, depth + 1, out)
        elif isinstance(block, Paragraph):
            out += [_tex_inline(block.text), ""]
        elif isinstance(block, Bullets):
            out.append(r"\begin{itemize}")
            out += [r"  \item " + _tex_inline(item) for item in block.items]
            out += [r"\end{itemize}", ""]
        elif isinstance(block, Equation):
            out += [r"\begin{equation*}", block.latex, r"\end{equation*}", ""]
        elif isinstance(block, Table):
            out += [r"\begin{table}[htbp]", r"\centering", r"\scriptsize",
                    f"\\caption{{{_tex_inline(block.caption)}}}", f"\\label{{tab:{block.label}}}"]
            for k, cols in enumerate(_column_chunks(block)):
                if k:
                    out.append(r"\par\medskip")
                out += [r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
                        f"\\begin{{tabular}}{{{'l' * len(cols)}}}", r"\toprule",
                        " & ".join(_tex_cell(block.header[i]) for i in cols) + r" \\", r"\midrule"]
                out += [" & ".join(_tex_cell(row[i]) for i in cols) + r" \\" for row in block.rows]
                out += [r"\bottomrule", r"\end{tabular}}"]
            out += [r"\end{table}", ""]
        elif isinstance(block, Figure):
            stem = block.name.rsplit(".", 1)[0]
            out += [r"\begin{figure}[htbp]", r"\centering",
                    f"\\includegraphics[width={block.width:g}\\linewidth]{{{stem}.pdf}}",
                    f"\\caption{{{_tex_inline(block.caption)}}}", f"\\label{{fig:{block.label}}}",
                    r"\end{figure}", ""]
        else:  # pragma: no cover
            raise TypeError(f"unknown block {block!r}")


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{graphicx}
\usepackage[hidelinks]{hyperref}
\usepackage{caption}
\captionsetup{font=small}
\setlength{\parskip}{0.4em}
\setlength{\parindent}{0pt}
"""


def to_latex(doc, *, title: str, abstract: str | None = None, date: str = "") -> str:
    """Render a list of blocks as a complete LaTeX document (booktabs tables, PDF figures)."""
    out = [PREAMBLE, f"\\title{{{_tex_inline(title)}}}", f"\\date{{{_tex_text(date)}}}",
           r"\begin{document}", r"\maketitle", ""]
    if abstract:
        out += [r"\begin{abstract}", _tex_inline(abstract), r"\end{abstract}", ""]
    _tex_blocks(doc, 0, out)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
