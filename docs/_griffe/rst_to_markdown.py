"""A griffe extension that renders the library's reStructuredText markup as Markdown.

The docstrings of ``cumulants`` mix numpy-style sections with plain reStructuredText
(``:math:`` roles, ``.. math::`` blocks, ``:class:`` roles, bare doctest sessions,
simple tables, definition lists).  mkdocstrings renders docstrings as Markdown, so this
extension rewrites those constructs before rendering -- without touching the code:

* ``:math:`x``` becomes ``$x$`` and a ``.. math::`` block becomes ``$$ ... $$``
  (typeset by MathJax through ``pymdownx.arithmatex``);
* ``:class:`~pkg.mod.Name``` (and ``:func:``, ``:meth:``, ``:mod:``, ``:data:``,
  ``:attr:``) becomes a cross-reference when the target is documented, else code;
* a bare doctest session becomes a fenced ``pycon`` block;
* a simple table (``====  ====``) becomes a Markdown table;
* a definition-list item (a term followed by an indented body) becomes a bullet.

Numpy-style sections (``Parameters``, ``Examples``, ...) are left to griffe's parser,
apart from the inline roles.
"""

from __future__ import annotations

import re

try:  # the conversion itself needs no griffe; only the extension class does
    import griffe
except ImportError:  # pragma: no cover
    griffe = None

__all__ = ["convert", "RstToMarkdown"]

_ROLE = re.compile(r":(class|func|meth|mod|data|attr|obj|exc):`(~?)([^`]+)`")
_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_MATH_DIRECTIVE = re.compile(r"^(\s*)\.\. math::\s*(.*)$")
_TABLE_BORDER = re.compile(r"^\s*=+( +=+)+\s*$")
_NUMPY_SECTION = {
    "parameters", "other parameters", "returns", "yields", "receives", "raises", "warns",
    "attributes", "methods", "examples", "see also", "functions", "classes", "modules",
}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _inline(line: str, resolve) -> str:
    line = _MATH_ROLE.sub(lambda m: "$" + m.group(1).strip() + "$", line)

    def role(m):
        tilde, target = m.group(2), m.group(3).strip()
        shown = target.split(".")[-1] if tilde else target
        if m.group(1) in ("func", "meth") and not shown.endswith(")"):
            shown += "()"
        path = resolve(target.rstrip("()")) if resolve else None
        return f"[`{shown}`][{path}]" if path else f"`{shown}`"

    return _ROLE.sub(role, line)


def _table(rows: list[str]) -> list[str]:
    """A reStructuredText simple table (border lines of ``=``) as a Markdown table."""
    border = next(r for r in rows if _TABLE_BORDER.match(r))
    spans = [(m.start(), m.end()) for m in re.finditer(r"=+", border)]

    def cells(line):
        out = []
        for k, (a, _) in enumerate(spans):
            b = spans[k + 1][0] if k + 1 < len(spans) else len(line)
            out.append(line[a:b].strip().replace("|", "\\|"))
        return out

    body = [r for r in rows if r.strip() and not _TABLE_BORDER.match(r)]
    head, rest = cells(body[0]), [cells(r) for r in body[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rest]
    return lines


def _math_blocks(lines: list[str]) -> list[str]:
    """Replace every ``.. math::`` directive by a ``$$`` block at the same indentation."""
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        match = _MATH_DIRECTIVE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        base = _indent(lines[i])
        body = [match.group(2)] if match.group(2).strip() else []
        i += 1
        while i < n and (not lines[i].strip() or _indent(lines[i]) > base):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        cut = min((_indent(b) for b in body if b.strip()), default=0)
        pad = " " * base
        if out and out[-1].strip():
            out.append("")
        out += [pad + "$$"] + [pad + b[cut:] if b.strip() else "" for b in body] + [pad + "$$"]
        if i < n and lines[i].strip():
            out.append("")
    return out


def convert(text: str, resolve=None) -> str:
    """Rewrite the reStructuredText constructs of one docstring as Markdown.

    ``resolve(target)`` returns the identifier of a documented object (or ``None``);
    without it every role becomes inline code.
    """
    lines = _math_blocks(text.splitlines())
    out: list[str] = []
    i, n = 0, len(lines)
    in_numpy = False
    after_item = False  # the previous block was a definition-list item
    while i < n:
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < n else ""
        # numpy section headers: griffe parses what follows
        if stripped and re.fullmatch(r"-{3,}", nxt.strip()) and _indent(line) == 0:
            in_numpy = stripped.lower() in _NUMPY_SECTION
            out += [line, nxt]
            i += 2
            continue
        if in_numpy:
            out.append(_inline(line, resolve))
            i += 1
            continue
        if stripped.startswith(">>>"):
            base = _indent(line)
            block = []
            while i < n and lines[i].strip():
                block.append(lines[i][base:] if _indent(lines[i]) >= base else lines[i].strip())
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += ["```pycon"] + block + ["```"]
            after_item = False
            continue
        if _TABLE_BORDER.match(line):
            block = []
            while i < n and lines[i].strip():
                block.append(lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += _table(block)
            after_item = False
            continue
        # definition list: a term at column 0 directly followed by an indented body
        prev_blank = not out or not out[-1].strip()
        if (stripped and _indent(line) == 0 and (prev_blank or after_item) and nxt.strip()
                and _indent(nxt) >= 2 and not re.match(r"([*+-]|\d+\.)\s", stripped)
                and not nxt.strip().startswith(">>>")):
            if not prev_blank:
                out.append("")
            out.append("* " + _inline(line, resolve))
            i += 1
            while i < n and (not lines[i].strip() or _indent(lines[i]) >= 2):
                body = lines[i].strip()
                out.append("    " + _inline(body, resolve) if body else "")
                i += 1
            after_item = True
            continue
        after_item = False
        out.append(_inline(line, resolve))
        i += 1
    return "\n".join(out)


if griffe is not None:

    class RstToMarkdown(griffe.Extension):
        """Convert every docstring of the loaded package (see the module docstring)."""

        def on_package(self, *, pkg, **kwargs):
            def walk(obj):
                yield obj
                for member in obj.members.values():
                    if not member.is_alias:
                        yield from walk(member)

            objects = list(walk(pkg))
            known = {obj.path for obj in objects if not any(
                part.startswith("_") for part in obj.path.split("."))}

            for obj in objects:
                if obj.docstring is None:
                    continue

                def resolve(target, obj=obj):
                    if target in known:
                        return target
                    scope = obj
                    while scope is not None:
                        candidate = f"{scope.path}.{target}"
                        if candidate in known:
                            return candidate
                        scope = scope.parent
                    hits = [p for p in known if p.endswith("." + target)]
                    return hits[0] if len(hits) == 1 else None

                obj.docstring.value = convert(obj.docstring.value, resolve)
