"""Training analytics: daily and weekly series, load metrics, warnings, pre-fill, plan.

Pure functions over plain values (:class:`Run`, :class:`Shoe`); storage turns
its rows into these. The public surface:

* :func:`overview` - weeks, warnings and load context as the CLI and web show them,
* :func:`training_prefill` - assessment answers the history can give,
* :func:`make_plan` - the next 4-8 weeks.
"""

from __future__ import annotations

from kneeguard.training.model import RUNNING_SPORTS, Run, Shoe, Warning
from kneeguard.training.overview import Overview, overview
from kneeguard.training.plan import Plan, make_plan
from kneeguard.training.prefill import training_prefill

__all__ = ["RUNNING_SPORTS", "Overview", "Plan", "Run", "Shoe", "Warning", "make_plan",
           "overview", "training_prefill"]
