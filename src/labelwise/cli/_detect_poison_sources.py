"""``detect-poison --detector provenance``: what the screen says about sources that were not judged.

Kept out of ``detect_poison.py`` (near its size limit, shared by several helpers).
"""

from __future__ import annotations

from .._heavy import pandas as pd


def unjudged_sources_note(per_source: pd.DataFrame) -> str:
    """A line naming the sources whose removal effect is NaN (empty in sources.csv), and why; empty when
    every source was judged. Without such a line the screen shows ``nan`` and ``False``, which reads as
    "judged harmless"."""
    unjudged = per_source.loc[per_source["effect"].isna(), "source"].astype(str).tolist()
    if not unjudged:
        return ""
    shown = ", ".join(unjudged[:5]) + (f" and {len(unjudged) - 5} more" if len(unjudged) > 5 else "")
    return (
        f"notice: {len(unjudged)} of {len(per_source)} sources not judged ({shown}; effect empty in sources.csv, "
        "never flagged): the rows left without each of them (and without the sources flagged before it) hold one "
        "class, or no held-out row is left to measure on"
    )
