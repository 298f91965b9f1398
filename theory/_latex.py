"""Export of the catalogue as a LaTeX document with its BibTeX file.

The document is built from the :class:`~theory.Derivation` objects alone: one
section per family (the module that derives it, titled by the first line of
that module's docstring), a booktabs table of every derivation with its
validity regime, each derivation's :meth:`~theory.Derivation.latex` (a labelled
equation with its symbols, conditions, validity and citations) and a
``\\bibliography`` whose entries :func:`bibliography` writes from
:data:`theory.REFERENCES`.  It compiles with ``pdflatex`` and ``bibtex`` from
a plain TeX Live (packages amsmath, amssymb, booktabs, fontenc, geometry; lmodern
where installed, for Type 1 fonts).  Each equation is printed in its readable
form (:attr:`~theory.Derivation.readable`) and its text is typeset
(:class:`~theory._typeset.Prose`): see docs/latex.md.  ``kramers latex
--section`` and the report's ``report.tex`` reuse :data:`PREAMBLE` and
:meth:`~theory.Derivation.latex` (verify._latex_section).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from ._catalog import DERIVATIONS, derivation
from ._derivation import Derivation
from ._typeset import prose_latex, text as _text
from ._references import bibtex

__all__ = ["latex_document", "bibliography", "derivation_family"]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{booktabs}
\usepackage[margin=2.5cm]{geometry}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
"""


def derivation_family(name: str) -> str:
    """The family of a catalogued derivation: the first line of its module's docstring."""
    module = importlib.import_module(DERIVATIONS[name].__module__)
    first = (module.__doc__ or module.__name__).strip().splitlines()[0].strip()
    return first.rstrip(".")


def _names(names: Sequence[str] | None) -> list[str]:
    names = list(names) if names else list(DERIVATIONS)
    for name in names:
        derivation(name)  # refuses unknown names with the list of known ones
    return list(dict.fromkeys(names))


def latex_document(names: Sequence[str] | None = None, *, bibliography_name: str = "derivations",
                   title: str = "Derivations of the kramers toolkit") -> str:
    """A complete LaTeX document of the named derivations (all when ``names`` is empty)."""
    names = _names(names)
    items: dict[str, list[tuple[str, Derivation]]] = {}
    for name in names:
        items.setdefault(derivation_family(name), []).append((name, derivation(name)))
    lines = [PREAMBLE, rf"\title{{{_text(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle", ""]
    lines += [
        r"\begin{table}[h]", r"\centering", r"\small", r"\begin{tabular}{lp{0.62\textwidth}l}", r"\toprule",
        r"Equation & Result & Validity \\", r"\midrule",
    ]
    for family in items.values():
        for name, item in family:
            regime = "exact" if item.validity.exact else "asymptotic"
            lines.append(rf"\eqref{{eq:{name}}} & {prose_latex(item.title)} & {regime} \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\caption{The derivations in this document.}", r"\end{table}", ""]
    for family, members in items.items():
        lines.append(rf"\section{{{_text(family)}}}")
        for _, item in members:
            lines.append(item.latex())
    lines += [r"\bibliographystyle{plain}", rf"\bibliography{{{bibliography_name}}}", r"\end{document}", ""]
    return "\n".join(lines)


def bibliography(names: Sequence[str] | None = None) -> str:
    """The BibTeX entries cited by the named derivations (all when ``names`` is empty)."""
    return bibtex(key for name in _names(names) for key in derivation(name).references)
