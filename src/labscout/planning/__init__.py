"""The plan: where to aim (reach, match, safer), who to write to, and what to read first.

:func:`plan` -> :class:`Plan` is the library call behind ``labscout plan`` and the web's
``/plan``; :mod:`labscout.planning.export` writes a plan as Markdown or a self-contained
HTML file; :meth:`Plan.bibtex` gives its works as BibTeX. docs/plan.md explains each rule.
"""

from labscout.planning.build import plan
from labscout.planning.types import Band, LinkedWork, Plan, PlanParams, Target, TargetPerson

__all__ = ["Band", "LinkedWork", "Plan", "PlanParams", "Target", "TargetPerson", "plan"]
