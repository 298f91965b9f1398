"""The literature the derivations rest on, as BibTeX.

A :class:`~theory.Derivation` cites works by key; :func:`bibtex` turns a set of
keys into a ``.bib`` file, so an exported derivation carries its citations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._errors import InvalidParameter

__all__ = ["REFERENCES", "bibtex"]

REFERENCES: Mapping[str, str] = {
    "Kramers1940": """@article{Kramers1940,
  author  = {Kramers, H. A.},
  title   = {Brownian motion in a field of force and the diffusion model of chemical reactions},
  journal = {Physica},
  volume  = {7},
  number  = {4},
  pages   = {284--304},
  year    = {1940},
  doi     = {10.1016/S0031-8914(40)90098-2}
}""",
    "Hanggi1990": """@article{Hanggi1990,
  author  = {H{\\"a}nggi, Peter and Talkner, Peter and Borkovec, Michal},
  title   = {Reaction-rate theory: fifty years after {K}ramers},
  journal = {Reviews of Modern Physics},
  volume  = {62},
  number  = {2},
  pages   = {251--341},
  year    = {1990},
  doi     = {10.1103/RevModPhys.62.251}
}""",
    "Berglund2013": """@article{Berglund2013,
  author  = {Berglund, Nils},
  title   = {Kramers' law: validity, derivations and generalisations},
  journal = {Markov Processes and Related Fields},
  volume  = {19},
  number  = {3},
  pages   = {459--490},
  year    = {2013},
  eprint  = {1106.5799},
  archivePrefix = {arXiv}
}""",
    "BerglundGentz2010": """@article{BerglundGentz2010,
  author  = {Berglund, Nils and Gentz, Barbara},
  title   = {The {E}yring--{K}ramers law for potentials with nonquadratic saddles},
  journal = {Markov Processes and Related Fields},
  volume  = {16},
  pages   = {549--598},
  year    = {2010},
  eprint  = {0807.1681},
  archivePrefix = {arXiv}
}""",
    "Bovier2004": """@article{Bovier2004,
  author  = {Bovier, Anton and Eckhoff, Michael and Gayrard, V{\\'e}ronique and Klein, Markus},
  title   = {Metastability in reversible diffusion processes {I}: Sharp asymptotics for capacities and exit times},
  journal = {Journal of the European Mathematical Society},
  volume  = {6},
  number  = {4},
  pages   = {399--424},
  year    = {2004}
}""",
    "Langer1969": """@article{Langer1969,
  author  = {Langer, J. S.},
  title   = {Statistical theory of the decay of metastable states},
  journal = {Annals of Physics},
  volume  = {54},
  number  = {2},
  pages   = {258--275},
  year    = {1969}
}""",
    "Gardiner2009": """@book{Gardiner2009,
  author    = {Gardiner, Crispin},
  title     = {Stochastic Methods: A Handbook for the Natural and Social Sciences},
  edition   = {4},
  publisher = {Springer},
  year      = {2009}
}""",
    "Kirkpatrick2017": """@article{Kirkpatrick2017,
  author  = {Kirkpatrick, James and others},
  title   = {Overcoming catastrophic forgetting in neural networks},
  journal = {Proceedings of the National Academy of Sciences},
  volume  = {114},
  number  = {13},
  pages   = {3521--3526},
  year    = {2017}
}""",
    "Kim2026": """@article{Kim2026,
  author  = {Kim, Gunn},
  title   = {Non-Equilibrium Stochastic Dynamics as a Unified Framework for Insight and Repetitive Learning: A {K}ramers Escape Approach to Continual Learning},
  year    = {2026},
  eprint  = {2604.04154},
  archivePrefix = {arXiv}
}""",
    "Gobet2000": """@article{Gobet2000,
  author  = {Gobet, Emmanuel},
  title   = {Weak approximation of killed diffusion using {E}uler schemes},
  journal = {Stochastic Processes and their Applications},
  volume  = {87},
  number  = {2},
  pages   = {167--197},
  year    = {2000}
}""",
    "Salmon2011": """@inproceedings{Salmon2011,
  author    = {Salmon, John K. and Moraes, Mark A. and Dror, Ron O. and Shaw, David E.},
  title     = {Parallel random numbers: as easy as 1, 2, 3},
  booktitle = {Proceedings of the International Conference for High Performance Computing, Networking, Storage and Analysis (SC11)},
  year      = {2011}
}""",
    "Bender1999": """@book{Bender1999,
  author    = {Bender, Carl M. and Orszag, Steven A.},
  title     = {Advanced Mathematical Methods for Scientists and Engineers {I}: Asymptotic Methods and Perturbation Theory},
  publisher = {Springer},
  year      = {1999}
}""",
    "Liu2025skills": """@article{Liu2025skills,
  author  = {Liu, Ziming and Liu, Yizhou and Michaud, Eric J. and Gore, Jeff and Tegmark, Max},
  title   = {Physics of Skill Learning},
  year    = {2025},
  eprint  = {2501.12391},
  archivePrefix = {arXiv},
  primaryClass = {cs.LG}
}""",
    "Michaud2023quanta": """@inproceedings{Michaud2023quanta,
  author  = {Michaud, Eric J. and Liu, Ziming and Girit, Uzay and Tegmark, Max},
  title   = {The Quantization Model of Neural Scaling},
  booktitle = {Advances in Neural Information Processing Systems},
  volume  = {36},
  year    = {2023},
  eprint  = {2303.13506},
  archivePrefix = {arXiv}
}""",
    "KloedenPlaten1992": """@book{KloedenPlaten1992,
  author    = {Kloeden, Peter E. and Platen, Eckhard},
  title     = {Numerical Solution of Stochastic Differential Equations},
  publisher = {Springer},
  year      = {1992},
  doi       = {10.1007/978-3-662-12616-5}
}""",
    "LeimkuhlerMatthews2013": """@article{LeimkuhlerMatthews2013,
  author  = {Leimkuhler, Benedict and Matthews, Charles},
  title   = {Rational construction of stochastic numerical methods for molecular sampling},
  journal = {Applied Mathematics Research eXpress},
  volume  = {2013},
  number  = {1},
  pages   = {34--56},
  year    = {2013},
  doi     = {10.1093/amrx/abs010}
}""",
    "Stein1981": """@article{Stein1981,
  author  = {Stein, Charles M.},
  title   = {Estimation of the mean of a multivariate normal distribution},
  journal = {The Annals of Statistics},
  volume  = {9},
  number  = {6},
  pages   = {1135--1151},
  year    = {1981},
  doi     = {10.1214/aos/1176345632}
}""",
}


def bibtex(keys: Iterable[str]) -> str:
    """The BibTeX entries for ``keys``, in first-cited order, without repeats."""
    entries = []
    for key in dict.fromkeys(keys):
        if key not in REFERENCES:
            raise InvalidParameter(f"reference key {key!r} is unknown; known keys: {', '.join(REFERENCES)}")
        entries.append(REFERENCES[key])
    return "\n\n".join(entries) + "\n"
