"""A warning when ``-1``, Snorkel's abstain value, became a class because the classes were not given.

Snorkel's labeling functions return ``-1`` to abstain, and labelwise's vote matrix writes an abstain
as ``-1`` too; a function ported from Snorkel (``np.where(mask, SPAM, -1)``) without
``abstain=-1`` therefore votes the class ``-1`` on every row it meant to skip. Where the classes are
declared, such a value is refused as outside them; where they are taken from the values returned, the
votes are well formed and only a warning can say so. ``-1`` can be a real class (sentiment
``-1, 0, 1``): declaring the classes says so and silences the warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from .labeling_function import LabelingFunction

__all__ = ["minus_one_hint", "warn_minus_one_class"]


def _is_minus_one(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, (bool, np.bool_)) and value == -1


def warn_minus_one_class(answers: pd.DataFrame, lfs: Sequence[LabelingFunction], classes: np.ndarray) -> None:
    """Warn when ``classes`` (taken from ``answers``, the votes) hold ``-1`` returned by a function whose
    abstain value is another one: each such function named with its number of ``-1`` votes."""
    if not any(_is_minus_one(c) for c in classes.tolist()):
        return
    minus_one = answers["label"].map(_is_minus_one).to_numpy(dtype=bool)
    counts = answers.loc[minus_one, "labeler"].value_counts(sort=False)
    abstains = {lf.name: lf.abstain for lf in lfs}
    named = [f"{name!r} ({int(n)} rows)" for name, n in counts.items() if not _is_minus_one(abstains.get(name))]
    if not named:
        return
    warn_at_caller(
        LabelwiseWarning(
            f"labeling function(s) {', '.join(named)} returned -1, taken as a class: the classes are "
            f"{classes.tolist()}. If -1 means no vote (Snorkel's abstain value), give the "
            "function abstain=-1 (@labeling_function(abstain=-1)); if -1 is a class, pass classes= "
            "(--classes on the command line) to say so"
        )
    )


def minus_one_hint(lf: LabelingFunction, value: Any) -> str:
    """For ``value`` outside the declared classes: when it is ``-1`` and ``lf`` abstains otherwise, the likely
    cause (a function written for Snorkel, whose abstain value is ``-1``) and its fix; else ``""``."""
    if not _is_minus_one(value) or _is_minus_one(lf.abstain):
        return ""
    return f" (-1 is Snorkel's abstain value: if it means no vote here, give {lf.name!r} abstain=-1)"
