"""Which missing-abstain fits the label model's relabelling guard checks: every one (Dawid-Skene's own guard).

:func:`~._missing_guard.guard_missing` checked a missing-abstain fit (Dawid-Skene's model [1]_: abstains say nothing
of the class) for a relabelled class only where most votes come from functions that vote one class only
(:data:`~._missing_guard.ONE_CLASS_VOTES`). On sets of few multi-class functions of low coverage (three to ten
functions, most items with one to three votes) that model, with its class balance estimated, can also end with a
class emptied: ``p_y`` near 0 and the items majority vote gives to ``y`` sent to another class, many points below
majority vote (``benchmarks/dev_weak_low_coverage.py``). :class:`labelwise.aggregate.DawidSkene`'s default guards
every fit against that (:func:`~labelwise.aggregate._guard.relabelled_classes`, then majority vote); with
:data:`EVERY_MISSING_FIT` the label model's missing-abstain fit gets the same guard, whatever its votes' one-class
share. The informative-abstain fit keeps its own gate (:mod:`._one_class_fit`).

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

__all__ = ["EVERY_MISSING_FIT", "advice", "checked"]

#: Registered candidate (session 51, ``benchmarks/dev_weak_low_coverage.py``): True, every missing-abstain fit is
#: checked; False, main's guard (only where more than ``ONE_CLASS_VOTES`` of the votes are one-class).
EVERY_MISSING_FIT = True


def checked(abstains: str, one_class_share: float, one_class_votes: float) -> bool:
    """Whether the relabelling guard checks a fit with ``abstains`` (``"missing"`` or ``"informative"``) on votes of
    which ``one_class_share`` come from one-class functions (``one_class_votes``: the guard's one-class threshold)."""
    return one_class_share > one_class_votes or (EVERY_MISSING_FIT and abstains == "missing")


def advice(one_class_share: float, one_class_votes: float) -> str:
    """The warning's advice for a relabelling missing-abstain fit."""
    if one_class_share > one_class_votes:
        return (
            "With functions that vote one class only the model is not identified: abstains='informative' may avoid it"
        )
    return "With few votes per item EM can empty a class: abstains='informative' or a fixed class_balance may avoid it"
