"""The menu of model families the ``auto`` chooser compares: a registry of small builders.

Adding a family means adding one :class:`Family` to ``FAMILIES``; nothing else changes.

References
----------
.. [1] Breiman, "Random Forests", Machine Learning 45, 2001 (the forest; out-of-bag estimates).
.. [2] Geurts, Ernst & Wehenkel, "Extremely randomized trees", Machine Learning 63, 2006.
.. [3] Bühlmann & Yu, "Analyzing bagging", Annals of Statistics 30(4), 2002 (subagging).
.. [4] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise: a
   Loss Correction Approach", CVPR 2017 (the logistic family's forward correction under auto).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ..columns import ColumnRoles
from ._forward import ForwardLogistic
from ._knn import CappedNeighbors, capped_neighbors_note
from ._subbag import SubsampledExtraTrees


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
    min_rows : int
        ``auto`` with its default menu tries the family only on tables with at least this many
        rows (a menu given explicitly tries it on any table).
    lazy : bool
        Predicting costs time in proportion to the training rows too (kNN compares every test
        row with every training row); the time probe extrapolates prediction accordingly.
    n_log_n : bool
        Fitting grows as ``n log n`` in the training rows (trees grown to small leaves) rather
        than linearly; the time probe extrapolates accordingly.
    in_default_menu : bool
        Compared by ``auto`` when no menu is given (``families=None``); a family left out is
        still available by name (``--model``, ``families=[...]``).
    out_of_bag : bool
        A bagged ensemble whose out-of-sample probabilities ``auto`` takes from one fit on all
        rows, as its out-of-bag ones (each row scored by the members whose bootstrap sample or
        subsample left it out, Breiman 2001), instead of one fit per fold. The classifier must accept
        ``oob_score=True`` and then set ``oob_decision_function_``.
    audit_classifier : callable or None
        ``random_state -> unfitted classifier`` whose out-of-fold probabilities ``auto`` compares
        and audits with, when not ``classifier``'s (the logistic family's noise-corrected fit);
        ``classifier`` stays what ``--model NAME`` and training use.
    fold_note : callable
        ``training rows of each fold -> None`` when the settings hold on folds of those sizes, else
        the words for how they change (kNN's neighbours capped at the rows), which ``auto`` adds
        to the candidate's description and notices.
    """

    name: str
    description: str
    classifier: Callable[[int | None], Any]
    dense: bool = False
    applies: Callable[[ColumnRoles], str | None] = lambda roles: None
    min_rows: int = 0
    lazy: bool = False
    n_log_n: bool = False
    in_default_menu: bool = True
    out_of_bag: bool = False
    audit_classifier: Callable[[int | None], Any] | None = None
    fold_note: Callable[[list[int]], str | None] = lambda train_rows: None

    def audit_model(self, random_state: int | None = 0) -> Any:
        """The unfitted classifier ``auto`` cross-validates (``audit_classifier``, else ``classifier``)."""
        make = self.classifier if self.audit_classifier is None else self.audit_classifier
        return make(random_state)

    def skip_reason(self, roles: ColumnRoles, n_rows: int | None = None) -> str | None:
        """Why ``auto`` does not try this family on a table (None: it does; ``n_rows=None``: any size)."""
        if n_rows is not None and n_rows < self.min_rows:
            return f"tried from {self.min_rows:,} rows on, the table has {n_rows:,}"
        return self.applies(roles)

    def build(self, roles: ColumnRoles, random_state: int | None = 0, *, audit: bool = False) -> Pipeline:
        """The full pipeline: column transformer for ``roles``, then this family's classifier.

        ``audit=True``: the classifier ``auto`` cross-validates (:meth:`audit_model`).
        """
        columns = roles.transformer(dense=self.dense, random_state=random_state)
        model = self.audit_model(random_state) if audit else self.classifier(random_state)
        return Pipeline([("columns", columns), ("classifier", model)])


def _no_text(roles: ColumnRoles) -> str | None:
    if roles.columns("text"):
        return f"needs dense features and text columns {roles.columns('text')} give sparse TF-IDF ones"
    return None


#: Neighbours of the kNN family (fewer where a training part holds fewer rows: :class:`CappedNeighbors`).
KNN_NEIGHBORS = 15

#: Below this many rows ``auto`` leaves boosting out: on the dev seeds of
#: ``benchmarks/bench_default_model.py`` (tables of 150 to 1,797 rows) adding it to logistic, kNN
#: and the forest lowered the F1 of the flagged set (it often won on log loss, then flagged worse)
#: and it was the slowest family.
BOOSTING_MIN_ROWS = 2000


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in [
        # C=0.1: stronger regularisation keeps out-of-fold probabilities from being overconfident,
        # which confident learning relies on (C=1 flagged worse on the dev seeds: benchmarks/RESULTS.md).
        # auto scores it forward-corrected for label noise, T from each training fold (_forward):
        # adopted by the rule of benchmarks/dev_auto_forward.py (numbers in benchmarks/RESULTS.md).
        Family(
            "logistic",
            "multinomial logistic regression, C=0.1 (auto: forward-corrected for label noise, "
            "T from anchor points of each training fold)",
            lambda rs: LogisticRegression(max_iter=2000, C=0.1, random_state=rs),
            audit_classifier=lambda rs: ForwardLogistic(C=0.1, max_iter=2000),
        ),
        Family(
            "knn",
            f"{KNN_NEIGHBORS} nearest neighbours (distance-weighted) on the standardised column features",
            lambda rs: CappedNeighbors(n_neighbors=KNN_NEIGHBORS, weights="distance"),
            dense=True,
            applies=_no_text,
            lazy=True,
            fold_note=lambda train_rows: capped_neighbors_note(KNN_NEIGHBORS, train_rows),
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
            min_rows=BOOSTING_MIN_ROWS,
        ),
        # Out of auto's default menu since issue 16's third pass: extremely randomised trees
        # flagged better on the dev seeds at a fraction of the time (benchmarks/RESULTS.md).
        Family(
            "forest",
            "random forest, 50 trees, min_samples_leaf=2 (auto: out-of-bag probabilities)",
            lambda rs: RandomForestClassifier(n_estimators=50, min_samples_leaf=2, random_state=rs),
            n_log_n=True,
            in_default_menu=False,
            out_of_bag=True,
        ),
        # Each tree on half the rows drawn without replacement, so that auto fits it once on all
        # rows and uses its out-of-bag probabilities (see _runner), each row scored by half the
        # trees; 75 trees: chosen on the dev seeds of benchmarks/dev_auto_subbag.py by the rule
        # written there (numbers in benchmarks/RESULTS.md).
        Family(
            "extra_trees",
            "extremely randomised trees, 75 trees each on half the rows (drawn without replacement), "
            "min_samples_leaf=2 (auto: out-of-bag probabilities)",
            lambda rs: SubsampledExtraTrees(n_estimators=75, max_samples=0.5, min_samples_leaf=2, random_state=rs),
            n_log_n=True,
            out_of_bag=True,
        ),
    ]
}
