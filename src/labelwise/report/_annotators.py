"""The report's Annotators section: a bar chart of each annotator's quality and its table, worst first.

One function for every folder with an annotators table: ``aggregate`` (estimated accuracy),
``aggregate-boxes`` (F1 against the consensus), ``aggregate-masks`` (Dice), ``aggregate-numbers``
(noise sd, where higher is worse), ``aggregate-texts`` and ``aggregate-pairs`` (skill),
``aggregate-tags`` (mean skill over the tags) and ``train-crowds`` (estimated accuracy). Where the
command writes no annotators table (``aggregate-boxes --method wbf``, ``aggregate-texts --method
closest`` or ``rover``, ``aggregate-pairs --method bt``), the folder's view scores each annotator's
answers against the result itself; :func:`unscored_section` says why when it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import _plots

__all__ = ["Quality", "annotator_section", "unscored_section"]

#: Annotators drawn in the bar chart (the most active) and listed in the table (the worst).
PLOTTED, LISTED = 40, 60


@dataclass(frozen=True)
class Quality:
    """How an annotators table says an annotator's quality.

    Attributes
    ----------
    column : str
        The column of the score.
    label : str
        Its name on the chart's axis (``estimated accuracy``).
    worst : str
        What the worst annotators are, for the note (``least accurate``).
    higher_is_better : bool
        False for a score where higher is worse (a noise sd).
    active : str or None
        The column counting each annotator's answers: the chart shows the most active.
    """

    column: str
    label: str
    worst: str
    higher_is_better: bool = True
    active: str | None = None


def annotator_section(ann: pd.DataFrame, quality: Quality | None, *, note: str, name: str = "annotator") -> str:
    """The ``annotators`` section: ``quality``'s bar chart (the :data:`PLOTTED` most active annotators,
    best first) beside the table, worst first (:data:`LISTED` rows); ``note`` says what the scores are.

    Without ``quality`` (or its column), the table alone, in the file's order.
    """
    from ._build import _img, _table

    col = quality.column if quality is not None and quality.column in ann.columns else None
    plot, table, order_note = "", ann, ""
    if quality is not None and col is not None:
        active = quality.active if quality.active in ann.columns else col
        shown = ann.sort_values(active, ascending=False).head(PLOTTED)
        shown = shown.sort_values(col, ascending=not quality.higher_is_better)
        bar = _plots.bar_png(
            shown[name].astype(str).tolist(),
            shown[col].astype(float).to_numpy(),
            xlabel="annotator",
            ylabel=quality.label,
            horizontal=True,
            value_fmt="{:.2f}",
            title=f"{quality.label} per annotator" + (f" ({PLOTTED} most active)" if len(ann) > PLOTTED else ""),
        )
        alt = "bar chart of per-annotator " + quality.label.removeprefix("estimated ")
        plot = _img(bar, alt=alt, id_="annotator-" + quality.label.removeprefix("estimated ").replace(" ", "-"))
        table = ann.sort_values(col, ascending=quality.higher_is_better, kind="stable")
        order_note = f"; the table lists the {quality.worst} first"
    more = f" ({LISTED} of {len(ann)})" if len(ann) > LISTED else ""
    return (
        '<section id="annotators"><h2>Annotators</h2>'
        f'<p class="note">{note}{order_note}{more}.</p>'
        f'<div class="row2">{plot}{_table(table.head(LISTED))}</div></section>'
    )


def unscored_section(why: str) -> str:
    """The ``annotators`` section of a folder whose annotators cannot be scored: one note, ``why`` (plain text)."""
    from ._build import _e

    return f'<section id="annotators"><h2>Annotators</h2><p class="note">{_e(why)}</p></section>'
