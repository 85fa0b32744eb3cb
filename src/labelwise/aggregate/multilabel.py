"""Multi-label answers (each annotator tags an item with a set of tags) -> one tag set per item.

Binary relevance: one binary aggregation per tag, with any method of
:data:`labelwise.aggregate.METHODS` that takes labels from answers alone.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, check_fraction, check_positive_int, show
from ..errors import AnnotationError, InvalidParameterError, MissingColumnError
from ._answers import DUPLICATE_POLICIES, EncodedAnswers, encode_answers
from ._base import BaseAggregator, _blas_controller
from ._column_params import check_column_name
from ._multilabel_blocks import fit_blocks, is_dask_frame
from ._multilabel_simulate import MultiLabelCrowd, simulate_multilabel_crowd
from ._multilabel_tags import TagPairs, check_separator, parse_tags
from ._names import MULTILABEL_METHODS
from .auto import AutoAggregator
from .bwa import BWA
from .kos import KOS, UnsettledLabelsWarning, unsettled_message
from .mmsr import MMSR
from .soft import SOFT_MEMBERS, SoftLabelAverage

__all__ = [
    "MULTILABEL_METHODS",
    "TAG_METHODS",
    "MultiLabelAggregator",
    "MultiLabelCrowd",
    "select_tags",
    "simulate_multilabel_crowd",
]

#: Parameters the tag models get from :class:`MultiLabelAggregator` itself, not from ``**params``.
_OWN = ("labels", "duplicates", "item_col", "annotator_col", "label_col", "random_state")
_BINARY = np.array([0, 1])


#: The methods binary relevance runs per tag, by name: ``METHODS`` less the ones that need a model's
#: probabilities (``crowdlab``) or gold labels (``gold-majority-vote``);
#: ``tests/aggregate/test_multilabel.py`` checks the two maps agree.
TAG_METHODS: dict[str, type[BaseAggregator]] = {
    **SOFT_MEMBERS,
    "bwa": BWA,
    "kos": KOS,
    "mmsr": MMSR,
    "soft-average": SoftLabelAverage,
    "auto": AutoAggregator,
}


class MultiLabelAggregator(BaseEstimator):
    """Aggregate multi-label answers by binary relevance: one binary aggregation per tag.

    Each answer is a set of tags an annotator gave an item. For each tag ``t`` the answers become
    binary: an annotator who answered the item and chose ``t`` voted 1, one who answered the item
    without choosing ``t`` voted 0 (an answer is a judgement on every tag: not choosing is a "no",
    not an abstention), and an annotator who did not answer the item abstains on every tag. The
    empty set (``[]``, ``""`` or a missing cell) is an answer too: "none of these tags", a 0 on
    every tag. The binary answers of tag ``t`` are fitted by an estimator of ``method`` with
    ``**params`` (Zhang & Zhou 2014, section 3.1; crowd-kit's ``BinaryRelevance`` applies the same
    decomposition to crowd answers), giving ``P(t | answers)`` for every item.

    The answers are encoded once (items, annotators, the (answer, tag) pairs); each tag's binary
    labels are then one vectorised assignment into a fresh array, fitted on the shared item and
    annotator codes without building or parsing a table per tag.

    An item's tag set holds the tags with ``P(t) > threshold``; an exact tie at the threshold is not
    chosen (a 2-2 vote at the default 0.5 leaves the tag out; crowd-kit's majority vote picks
    a side by the order of its columns). When fewer than
    ``min_tags`` tags pass, the most probable remaining tags are added (ties by tag order), e.g.
    ``min_tags=1`` when every item is known to carry at least one tag.

    Parameters
    ----------
    method : str, default "dawid-skene"
        A name of :data:`labelwise.aggregate.METHODS`, except ``"crowdlab"`` (it needs a model's
        probabilities).
    threshold : float in [0, 1), default 0.5
        A tag is chosen when its probability is above this.
    min_tags : int >= 0, default 0
        Fewest tags per item (never more than the number of tags).
    tag_separator : str or None, default "|"
        A string cell ``"a|b"`` is the tags ``a`` and ``b`` (each stripped; blanks dropped); None reads
        a string as one tag. A tag in a list may not contain it (its output could not be read back).
    duplicates : {"keep", "last"}
        Several answers of one annotator on one item: keep all, or only the last (row order).
    item_col, annotator_col, tags_col : str
        Column names of the answer table (default ``item``, ``annotator``, ``tags``).
    random_state : int, Generator or None, default 0
        Passed to every tag's estimator.
    **params
        Parameters of ``method``'s estimator (e.g. ``max_iter=50``); part of ``get_params``.

    Attributes
    ----------
    tags_ : pandas.Index
        The tags (sorted; first-seen order when they cannot be sorted).
    labels_ : pandas.Series indexed by item, named ``"tags"``
        Each item's tag set, a tuple in ``tags_`` order.
    probas_ : pandas.DataFrame, items x tags
        ``P(tag | answers)``.
    confidence_ : pandas.Series indexed by item
        The probability of the item's exact tag set, ``prod_t P(t)`` over chosen tags times
        ``prod_t (1 - P(t))`` over the others (the tags are independent under binary relevance).
    tag_models_ : dict
        Tag -> its fitted estimator (classes ``0`` and ``1``).
    annotator_skill_ : pandas.DataFrame, annotators x tags
        Each tag model's ``annotator_skill_``.
    n_answers_per_item_ : pandas.Series
    n_answers_, n_items_, n_annotators_, n_tags_, n_empty_answers_, n_duplicates_,
    n_duplicates_dropped_ : int

    References
    ----------
    M.-L. Zhang and Z.-H. Zhou, "A review on multi-label learning algorithms", IEEE Transactions
    on Knowledge and Data Engineering 26(8), 1819-1837, 2014.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 1, 2, 2, 2], "annotator": list("abcabc"),
    ...                         "tags": ["cat|dog", "cat", "cat|dog", "dog", "", "dog|owl"]})
    >>> MultiLabelAggregator(method="majority-vote").fit(answers).labels_.tolist()
    [('cat', 'dog'), ('dog',)]
    """

    def __init__(
        self,
        method: str = "dawid-skene",
        *,
        threshold: float = 0.5,
        min_tags: int = 0,
        tag_separator: str | None = "|",
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        tags_col: str = "tags",
        random_state: Any = 0,
        **params: Any,
    ) -> None:
        self.method = method
        self.threshold = threshold
        self.min_tags = min_tags
        self.tag_separator = tag_separator
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.tags_col = tags_col
        self.random_state = random_state
        self.params = params

    # scikit-learn's get_params sees only the named arguments: the method's own ones are added
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {**super().get_params(deep=deep), **self.params}

    def set_params(self, **params: Any) -> MultiLabelAggregator:
        own = self._get_param_names()
        for name, value in params.items():
            if name in own:
                setattr(self, name, value)
            else:
                self.params[name] = value
        return self

    def _template(self) -> BaseAggregator:
        """An unfitted estimator of ``method`` with ``params``; every parameter checked."""
        methods = TAG_METHODS
        check_choice("method", self.method, list(methods))
        shared = sorted(set(self.params) & set(_OWN))
        if shared:
            raise InvalidParameterError(
                f"params must not set {shared}: the multi-label aggregator sets them itself "
                "(duplicates and random_state are its own parameters)"
            )
        cls = methods[self.method]
        valid = sorted(set(cls().get_params()) - set(_OWN))
        unknown = sorted(set(self.params) - set(valid))
        if unknown:
            raise InvalidParameterError(
                f"params {unknown} are not parameters of method {self.method!r}; valid: {', '.join(valid) or 'none'}"
            )
        est = cls(random_state=self.random_state, **self.params)
        est._check_params()
        return est

    def _check_own(self) -> None:
        check_fraction("threshold", self.threshold)
        check_positive_int("min_tags", self.min_tags, minimum=0)
        check_separator(self.tag_separator)
        check_choice("duplicates", self.duplicates, DUPLICATE_POLICIES)
        for attr in ("item_col", "annotator_col", "tags_col"):
            check_column_name(attr, getattr(self, attr))
        if len({self.item_col, self.annotator_col, self.tags_col}) < 3:
            raise InvalidParameterError(
                f"item_col, annotator_col and tags_col must be three different columns, got "
                f"{[self.item_col, self.annotator_col, self.tags_col]}"
            )

    def fit(self, answers: pd.DataFrame) -> MultiLabelAggregator:
        """Fit on a long table: one row per answer (item, annotator, tag set).

        Parameters
        ----------
        answers : pandas.DataFrame
            Columns ``item_col``, ``annotator_col`` and ``tags_col``; a tag cell is a list, tuple
            or set of hashable tags, a string separated by ``tag_separator``, any other hashable
            value (one tag: ``3`` is the set ``{3}``), or missing (the empty set).
            A dask DataFrame (e.g. ``dask.dataframe.read_parquet`` of a folder) is read partition by
            partition, each encoded on the scheduler's workers; only integer codes reach the fit,
            and the results are those of the same table in memory, for any partitioning
            (:mod:`labelwise.aggregate._multilabel_blocks`).

        Returns
        -------
        self

        Raises
        ------
        MissingColumnError
            If ``answers`` is not a DataFrame or lacks a column.
        AnnotationError
            If it is empty, has a null item or annotator, or a tag cell that cannot be read (an
            unhashable tag, a missing tag in a list, a tag containing ``tag_separator``), or when
            no answer chose any tag.
        InvalidParameterError
            For a bad parameter.
        """
        self._check_own()
        if is_dask_frame(answers):  # a Parquet folder: the partitions read one by one, codes only kept
            return fit_blocks(self, answers)
        template = self._template()
        cols = [self.item_col, self.annotator_col, self.tags_col]
        if not isinstance(answers, pd.DataFrame):
            raise MissingColumnError(
                f"answers must be a pandas DataFrame with columns {cols}, got {type(answers).__name__}"
            )
        if self.tags_col not in answers.columns:
            raise MissingColumnError(
                f"answers must have the columns {cols}; missing {[self.tags_col]} (tags_col), the table has "
                f"{[str(c) for c in answers.columns][:30]}"
            )
        base = encode_answers(
            answers.assign(**{"__label": np.zeros(len(answers), dtype=np.int8)}),
            item_col=self.item_col,
            annotator_col=self.annotator_col,
            label_col="__label",
        )
        item, ann = np.asarray(base.item_idx, dtype=np.int64), np.asarray(base.annotator_idx, dtype=np.int64)
        column = answers[self.tags_col]
        tags = parse_tags(column, check_separator(self.tag_separator), name="answers", col=self.tags_col)
        self._fit_codes(template, base, item, ann, tags, len(column))
        return self

    def _fit_codes(
        self, template: BaseAggregator, base: EncodedAnswers, item: np.ndarray, ann: np.ndarray, tags: TagPairs, n: int
    ) -> None:
        """The fit on the encoded answers (``n`` of them, in row order): ``duplicates``, then one model per tag."""
        keep = None
        if self.duplicates == "last" and base.n_duplicates:
            pair = item * max(base.n_annotators, 1) + ann
            _, last = np.unique(pair[::-1], return_index=True)
            keep = np.sort(len(pair) - 1 - last)
            item, ann = item[keep], ann[keep]
            tags = _select_rows(tags, keep, n)
        if len(tags.tags) == 0:
            raise AnnotationError(
                f"answers column {self.tags_col!r} must choose at least one tag somewhere; every answer is the empty set"
            )
        self._fit_tags(template, base, item, ann, tags)
        self.n_duplicates_ = base.n_duplicates
        self.n_duplicates_dropped_ = 0 if keep is None else n - len(keep)

    def _fit_tags(
        self, template: BaseAggregator, base: EncodedAnswers, item: np.ndarray, ann: np.ndarray, tags: TagPairs
    ) -> None:
        """Fit one binary model per tag on the shared codes; set the fitted attributes."""
        item.setflags(write=False)
        ann.setflags(write=False)
        models: dict[Any, BaseAggregator] = {}
        probas = np.empty((base.n_items, len(tags.tags)))
        skills = np.empty((base.n_annotators, len(tags.tags)))
        unsettled: list[tuple[Any, warnings.WarningMessage]] = []  # (tag, KOS's warning): said once, after the loop
        with _blas_controller().limit(limits=1, user_api="blas"):
            for t, tag in enumerate(tags.tags):
                label = np.zeros(item.shape[0], dtype=np.int64)
                label[tags.chosen(t)] = 1
                enc = EncodedAnswers(
                    item_idx=item,
                    annotator_idx=ann,
                    label_idx=label,
                    item_values=base.item_values,
                    annotator_values=base.annotator_values,
                    classes=_BINARY,
                    item_name=base.item_name,
                    annotator_name=base.annotator_name,
                    label_name=str(tag),
                )
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    est = clone(template)._fit_encoded(enc)
                for w in caught:  # the tag named: the same message for several tags is otherwise a puzzle
                    if isinstance(w.message, UnsettledLabelsWarning) and w.message.details:
                        unsettled.append((tag, w))
                        continue
                    warnings.warn_explicit(
                        f"tag {show(tag)}: {w.message}", w.category, w.filename, w.lineno, module=__name__
                    )
                models[tag] = est
                probas[:, t] = est.probas_.to_numpy()[:, 1]
                skills[:, t] = est.annotator_skill_.to_numpy()
        if unsettled:
            w = unsettled[0][1]
            said = _unsettled_tags([(tag, w.message.details) for tag, w in unsettled])  # type: ignore[union-attr]
            warnings.warn_explicit(said, w.category, w.filename, w.lineno, module=__name__)
        items, tag_index = base.item_index(), tags.tags
        chosen = select_tags(probas, float(self.threshold), int(self.min_tags))
        if 0 < len(tag_index) <= int(self.min_tags):
            warn_at_caller(
                UserWarning(
                    f"every item gets every tag: min_tags={int(self.min_tags)} asks for at least as many tags "
                    f"as the answers hold ({len(tag_index)})"
                )
            )
        self.tags_ = tag_index
        self.tag_models_ = models
        self.probas_ = pd.DataFrame(probas, index=items, columns=tag_index)
        self.annotator_skill_ = pd.DataFrame(skills, index=base.annotator_index(), columns=tag_index)
        values = tag_index.to_numpy(dtype=object)
        self.labels_ = pd.Series([tuple(values[row]) for row in chosen], index=items, name="tags", dtype=object)
        with np.errstate(divide="ignore"):
            log_p = np.where(chosen, np.log(probas), np.log1p(-probas))
        self.confidence_ = pd.Series(np.exp(log_p.sum(axis=1)), index=items, name="confidence")
        self.n_answers_per_item_ = pd.Series(np.bincount(item, minlength=base.n_items), index=items, name="n_answers")
        self.n_answers_ = int(item.shape[0])
        self.n_items_, self.n_annotators_, self.n_tags_ = base.n_items, base.n_annotators, len(tag_index)
        self.n_empty_answers_ = tags.n_empty

    def fit_predict(self, answers: pd.DataFrame) -> pd.Series:
        """Fit, then return ``labels_``."""
        return self.fit(answers).labels_


def select_tags(probas: np.ndarray, threshold: float, min_tags: int = 0) -> np.ndarray:
    """Boolean (items, tags): ``probas > threshold``, then the most probable remaining tags of rows
    with fewer than ``min_tags`` (ties by column order), up to ``min(min_tags, n_tags)``."""
    chosen = probas > threshold
    want = min(min_tags, probas.shape[1])
    if want == 0:
        return chosen
    short = np.flatnonzero(chosen.sum(axis=1) < want)
    if short.size:
        sub = np.where(chosen[short], np.inf, probas[short])  # already chosen first
        order = np.argsort(-sub, axis=1, kind="stable")[:, :want]
        rows = chosen[short]
        np.put_along_axis(rows, order, True, axis=1)
        chosen[short] = rows
    return chosen


def _select_rows(tags: TagPairs, keep: np.ndarray, n: int) -> TagPairs:
    """``tags`` of the kept answers only, renumbered to their positions in ``keep``."""
    new_pos = np.full(n, -1, dtype=np.int64)
    new_pos[keep] = np.arange(keep.size)
    rows = new_pos[tags.rows]
    kept = rows >= 0
    tag_of = np.repeat(np.arange(len(tags.tags)), np.diff(tags.bounds))[kept]
    bounds = np.zeros(len(tags.tags) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tag_of, minlength=len(tags.tags)), out=bounds[1:])
    n_with = np.unique(rows[kept]).size
    return TagPairs(rows=rows[kept], bounds=bounds, tags=tags.tags, n_empty=int(keep.size - n_with))


def _unsettled_tags(found: list[tuple[Any, Any]], shown: int = 5) -> str:
    """One warning for the tags on which KOS labelled items against all of their answers (``found``:
    each tag and its :class:`UnsettledLabelsWarning` details, classes 1 / 0 the tag or not): the tags
    (the first ``shown``, then how many more) and the first tag's first item."""
    first_tag, details = found[0]
    if len(found) == 1:
        return f"tag {show(first_tag)}: {unsettled_message(*details, tag=first_tag, has_tag=_BINARY[1])}"
    names = ", ".join(show(tag) for tag, _ in found[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    total = sum(int(d[0]) for _, d in found)
    words = unsettled_message(total, *details[1:], tag=first_tag, has_tag=_BINARY[1], counted=" (counted per tag)")
    return f"{len(found)} tags ({names}{more}): {words}"
