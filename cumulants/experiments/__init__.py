"""The study behind ``cumulants reproduce``.

Networks of varied weight constraints and expressivity learn the real-space RG
block step on one law and are tested on others; every measurement is set beside
its closed-form cumulant prediction.  The parts:

* :mod:`~cumulants.experiments.config` -- the TOML configuration (built-in defaults);
* :mod:`~cumulants.experiments.cells` -- one (architecture, law, seed) cell, a pure function;
* :mod:`~cumulants.experiments.runner` -- planning, executors, atomic resumable storage;
* :mod:`~cumulants.experiments.report` -- the report as a short paper (section builders),
  ``results.json`` with provenance;
* :mod:`~cumulants.experiments.document` -- one document model rendered to Markdown and LaTeX;
* :mod:`~cumulants.experiments.analysis` -- means, standard errors, slopes, diagnostics;
* :mod:`~cumulants.experiments.claims` -- the seed paper's claims (a)-(e) and their verdicts;
* :mod:`~cumulants.experiments.figures` -- the figures (200 dpi PNG and PDF).

>>> from cumulants.experiments import load_config, plan_cells
>>> len(plan_cells(load_config(quick=True)))
24
"""

from .config import load_config
from .report import summarise, write_report
from .runner import plan_cells, run_study

__all__ = ["load_config", "plan_cells", "run_study", "summarise", "write_report"]
