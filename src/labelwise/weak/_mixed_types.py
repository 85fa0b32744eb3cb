"""The error for labeling functions that return labels of several types (``'spam'`` and ``3``), which
cannot be sorted into classes: each type named with a function that returned it and a row, and the
rows it names carried (with their positions) for the command to add DATA's lines."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidLabelsError, LabelwiseError

__all__ = ["MixedLabelTypesError", "label_type_error", "mixed_types_error"]


class MixedLabelTypesError(InvalidLabelsError):
    """Labels of several types. ``named_rows`` holds, in the message's order, each named row's index label
    and its position in the frame the functions were applied to (None when it is not in it)."""

    def __init__(self, message: str, *, rows: tuple[tuple[Any, int | None], ...]) -> None:
        super().__init__(message)
        self.named_rows = rows


def mixed_types_error(answers: pd.DataFrame, items: pd.Index) -> MixedLabelTypesError:
    """``str from 'a' (e.g. 'spam' on row 0); int from 'b' (e.g. 3 on row 4)``: the first answer of
    each type among ``answers`` (item, labeler, label), its row's position in ``items``."""
    labels = answers["label"]
    kinds = labels.map(lambda v: type(v).__name__).to_numpy()
    firsts = [(kind, int(np.flatnonzero(kinds == kind)[0])) for kind in pd.unique(kinds)]
    examples = [
        f"{kind} from {answers['labeler'].iloc[i]!r} (e.g. {show(labels.iloc[i])} on row {show(answers['item'].iloc[i])})"
        for kind, i in firsts
    ]
    found = items.get_indexer([answers["item"].iloc[i] for _, i in firsts])
    return MixedLabelTypesError(
        f"the labeling functions returned labels of mixed types: {'; '.join(examples)}; make them return one "
        "type (e.g. all strings)",
        rows=tuple(
            (answers["item"].iloc[i], int(at) if at >= 0 else None) for (_, i), at in zip(firsts, found, strict=True)
        ),
    )


def label_type_error(answers: pd.DataFrame, items: pd.Index) -> LabelwiseError:
    """Which function returned what, when the votes cannot be sorted into classes (unhashable or mixed types);
    the error carries the position in ``items`` of each row it names (the command names their lines)."""
    labels = answers["label"]
    unhashable = np.flatnonzero(~labels.map(lambda v: isinstance(v, Hashable)).to_numpy(dtype=bool))
    if unhashable.size:
        first = answers.iloc[int(unhashable[0])]
        found = items.get_indexer([first["item"]])[0]
        from .apply import LabelingFunctionError

        return LabelingFunctionError(
            f"labeling function {first['labeler']!r} returned {first['label']!r} (a {type(first['label']).__name__}) "
            f"on row {show(first['item'])}, expected a single label (a string or a number) or its abstain value",
            row=first["item"],
            position=int(found) if found >= 0 else None,
        )
    return mixed_types_error(answers, items)
