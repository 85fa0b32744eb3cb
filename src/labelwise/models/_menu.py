"""The menu of model families the ``auto`` chooser compares: a registry of small builders.

Adding a family means adding one :class:`Family` to ``FAMILIES``; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from ..columns import ColumnRoles


@dataclass(frozen=True)
class Family:
    """One entry of the menu.

    Attributes
    ----------
    name : str
        Name used by ``--model`` and in results.
    description : str
        The setting, in words (printed and written to summary.json).
    classifier : callable
        ``random_state -> unfitted classifier``.
    dense : bool
        The classifier needs dense input (the transformer densifies; text columns make it skip).
    applies : callable
        ``ColumnRoles -> None`` when the family suits the table, else the one-line reason to skip it.
    """

    name: str
    description: str
    classifier: Callable[[int | None], Any]
    dense: bool = False
    applies: Callable[[ColumnRoles], str | None] = lambda roles: None

    def build(self, roles: ColumnRoles, random_state: int | None = 0) -> Pipeline:
        """The full pipeline: column transformer for ``roles``, then this family's classifier."""
        columns = roles.transformer(dense=self.dense, random_state=random_state)
        return Pipeline([("columns", columns), ("classifier", self.classifier(random_state))])


def _no_text(roles: ColumnRoles) -> str | None:
    if roles.columns("text"):
        return f"needs dense features and text columns {roles.columns('text')} give sparse TF-IDF ones"
    return None


def _dense_vectors(roles: ColumnRoles) -> str | None:
    if not roles.is_dense_embedding:
        return "kNN is tried only on dense embedding-like features (8 or more numeric columns and nothing else)"
    return None


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in [
        # C=0.1: stronger regularisation keeps out-of-fold probabilities from being overconfident,
        # which confident learning relies on (digits demo: precision 0.83 vs 0.75 at C=1).
        Family(
            "logistic",
            "multinomial logistic regression, C=0.1",
            lambda rs: LogisticRegression(max_iter=2000, C=0.1, random_state=rs),
        ),
        Family(
            "knn",
            "15 nearest neighbours (distance-weighted) on standardised features",
            lambda rs: KNeighborsClassifier(n_neighbors=15, weights="distance"),
            dense=True,
            applies=_dense_vectors,
        ),
        Family(
            "boosting",
            "histogram gradient boosting, 100 rounds of 15-leaf trees, l2=1",
            lambda rs: HistGradientBoostingClassifier(
                max_iter=100,
                max_leaf_nodes=15,
                min_samples_leaf=20,
                l2_regularization=1.0,
                early_stopping=False,
                random_state=rs,
            ),
            dense=True,
            applies=_no_text,
        ),
        Family(
            "forest",
            "random forest, 100 trees, min_samples_leaf=2",
            lambda rs: RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=rs),
        ),
    ]
}
