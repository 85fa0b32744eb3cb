"""Valid small calls of every public callable, for the bad-argument sweep in ``test_bad_arguments``.

``SPECS`` maps a public name (``"aggregate.DawidSkene"``) to a function ``call(**overrides)``
that runs the entry point on small valid inputs with ``overrides`` replacing keyword
arguments (for an estimator: constructor parameters, then ``fit``, where scikit-learn-style
estimators validate). ``NOT_COVERED`` lists the public callables the sweep does not call,
each with the reason, so that a new public name must be added to one or the other.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import labelwise as lw

N, K = 36, 3
LABELS = np.arange(N) % K
_RNG = np.random.default_rng(0)
PROBS = _RNG.dirichlet(np.ones(K), size=N) * 0.4
PROBS[np.arange(N), LABELS] += 0.6
X = _RNG.normal(size=(N, 4)) + LABELS[:, None]
X2 = np.vstack([_RNG.normal(-1.5, 1, size=(20, 2)), _RNG.normal(1.5, 1, size=(20, 2))])
Y2 = np.repeat([0, 1], 20)
ANSWERS = pd.DataFrame(
    {
        "item": np.repeat(np.arange(12), 3),
        "annotator": np.tile(["a", "b", "c"], 12),
        "label": [(i // 3) % K if (i % 7) else ((i // 3) + 1) % K for i in range(36)],
    }
)
TEXT_ANSWERS = pd.DataFrame(
    {"item": [0, 0, 0, 1, 1], "annotator": list("abcab"), "text": ["a b", "a c", "a b", "x y", "x"]}
)
PAIRS = pd.DataFrame(
    {
        "left": list("abcdab") * 2,
        "right": list("bcdacd") * 2,
        "winner": list("bcdaad") + list("acdacb"),
        "annotator": ["u"] * 6 + ["v"] * 6,
    }
)
NUMBERS = ANSWERS.assign(value=ANSWERS["label"] * 1.5 + np.arange(36) % 4).drop(columns="label")
CONSENSUS = pd.Series(np.arange(12) % K, index=np.arange(12))
SEMI_Y = np.where(np.arange(N) % 2 == 0, LABELS, -1)
TEXT_ANSWERS = pd.DataFrame(
    {
        "item": np.repeat(np.arange(4), 3),
        "annotator": np.tile(["a", "b", "c"], 4),
        "text": ["the cat sat", "the cat sat down", "teh cat sat"] * 4,
    }
).assign(answer=lambda t: t.text)
VECTOR_ANSWERS = TEXT_ANSWERS.assign(embedding=list(_RNG.normal(size=(12, 3))))
MASKS = {"img": (_RNG.random((3, 6, 5)) < 0.4).astype(np.uint8)}


def _votes() -> Any:
    return lw.weak.simulate_lfs(n_items=120, n_lfs=4, random_state=0).votes


def _kw(fixed: dict, overrides: dict) -> dict:
    return {**fixed, **overrides}


def _fn(func: Callable, *args: Any, **fixed: Any) -> Callable[..., Any]:
    """A call of ``func(*args, **fixed)``, every argument passed by name so overrides replace any."""
    named = inspect.signature(func).bind_partial(*args, **fixed).arguments
    return lambda **o: func(**_kw(named, o))


def _est(cls: type, fit_args: Callable[[], tuple], **fixed: Any) -> Callable[..., Any]:
    """``cls(**fixed, **overrides).fit(*fit_args())``; overrides naming a ``fit`` parameter go to ``fit``."""
    fit_names = set(inspect.signature(cls.fit).parameters) - {"self"}

    def call(**o: Any) -> Any:
        fit_named = inspect.signature(cls.fit).bind_partial(None, *fit_args()).arguments
        fit_named.pop("self")
        fit_o = {k: v for k, v in o.items() if k in fit_names}
        init_o = {k: v for k, v in o.items() if k not in fit_names}
        return cls(**_kw(fixed, init_o)).fit(**_kw(fit_named, fit_o))

    return call


BOXES = lw.aggregate.simulate_boxes(5, 3, n_spammers=1, random_state=0)
_ANS = lambda: (ANSWERS,)  # noqa: E731
_XY = lambda: (X, LABELS)  # noqa: E731
_XTAGS = lambda: (X, np.column_stack([LABELS == 0, LABELS > 0, np.arange(N) % 2]).astype(int))  # noqa: E731
_XY2 = lambda: (X2, Y2)  # noqa: E731
_agg = lw.aggregate
_p = lw.poison

SPECS: dict[str, Callable[..., Any]] = {
    "find_label_issues": _fn(lw.find_label_issues, LABELS, PROBS),
    "label_quality_scores": _fn(lw.label_quality_scores, LABELS, PROBS),
    "out_of_fold_probs": _fn(lw.out_of_fold_probs, LogisticRegression(max_iter=50), X, LABELS, cv=2),
    "audit.class_overlap": _fn(lw.audit.class_overlap, LABELS, PROBS),
    "audit.calibrate_confident_joint": _fn(lw.audit.calibrate_confident_joint, np.eye(K) * 10 + 1, np.full(K, 12)),
    "audit.estimate_joint": _fn(lw.audit.estimate_joint, np.eye(K) * 10 + 1),
    "audit.noise_matrix_from_joint": _fn(lw.audit.noise_matrix_from_joint, np.full((K, K), 1 / K**2)),
    "audit.inverse_noise_matrix_from_joint": _fn(lw.audit.inverse_noise_matrix_from_joint, np.full((K, K), 1 / K**2)),
    "aggregate.AutoAggregator": _est(_agg.AutoAggregator, _ANS, n_folds=2, min_items=4),
    "aggregate.BWA": _est(_agg.BWA, _ANS, max_iter=5),
    "aggregate.BradleyTerry": _est(_agg.BradleyTerry, lambda: (PAIRS,)),
    "aggregate.NoisyBradleyTerry": _est(_agg.NoisyBradleyTerry, lambda: (PAIRS,), max_iter=20),
    "aggregate.ClosestToAverage": _est(_agg.ClosestToAverage, lambda: (VECTOR_ANSWERS,)),
    "aggregate.RASA": _est(_agg.RASA, lambda: (VECTOR_ANSWERS,)),
    "aggregate.HRRASA": _est(_agg.HRRASA, lambda: (VECTOR_ANSWERS,), answer_col="answer"),
    "aggregate.TextClosestToAverage": _est(_agg.TextClosestToAverage, lambda: (TEXT_ANSWERS,)),
    "aggregate.TextRASA": _est(_agg.TextRASA, lambda: (TEXT_ANSWERS,)),
    "aggregate.TextHRRASA": _est(_agg.TextHRRASA, lambda: (TEXT_ANSWERS,)),
    "aggregate.BiasPrecision": _est(_agg.BiasPrecision, lambda: (NUMBERS,), max_iter=5),
    "aggregate.NumericMean": _est(_agg.NumericMean, lambda: (NUMBERS,)),
    "aggregate.NumericMedian": _est(_agg.NumericMedian, lambda: (NUMBERS,)),
    "aggregate.RobustBiasPrecision": _est(_agg.RobustBiasPrecision, lambda: (NUMBERS,), max_iter=5),
    "aggregate.CrowdLab": _est(_agg.CrowdLab, lambda: (ANSWERS, PROBS[:12])),
    "aggregate.DawidSkene": _est(_agg.DawidSkene, _ANS, max_iter=5),
    "aggregate.GLAD": _est(_agg.GLAD, _ANS, max_iter=3),
    "aggregate.MACE": _est(_agg.MACE, _ANS, n_restarts=1, max_iter=3),
    "aggregate.MajorityVote": _est(_agg.MajorityVote, _ANS),
    "aggregate.MaskMajorityVote": _est(_agg.MaskMajorityVote, lambda: (MASKS,)),
    "aggregate.WeightedBoxesFusion": _est(_agg.WeightedBoxesFusion, lambda: (BOXES.boxes,), score_col="score"),
    "aggregate.BoxConsensus": _est(_agg.BoxConsensus, lambda: (BOXES.boxes, BOXES.labeled)),
    "aggregate.compare_boxes": _fn(_agg.compare_boxes, BOXES.boxes, BOXES.truth),
    "aggregate.simulate_boxes": _fn(_agg.simulate_boxes, 4, 3, random_state=0),
    "aggregate.STAPLE": _est(_agg.STAPLE, lambda: (MASKS,), max_iter=5),
    "aggregate.SegmentationEM": _est(_agg.SegmentationEM, lambda: (MASKS,), max_iter=3),
    "aggregate.SegmentationRASA": _est(_agg.SegmentationRASA, lambda: (MASKS,), max_iter=3),
    "aggregate.MultiLabelAggregator": _est(
        _agg.MultiLabelAggregator,
        lambda: (ANSWERS.assign(tags=ANSWERS["label"].map(lambda v: ["x", "y", "z"][: v + 1])),),
    ),
    "aggregate.OneCoinDawidSkene": _est(_agg.OneCoinDawidSkene, _ANS, max_iter=5),
    "aggregate.SoftLabelAverage": _est(_agg.SoftLabelAverage, _ANS, methods=("majority-vote", "wawa")),
    "aggregate.Wawa": _est(_agg.Wawa, _ANS),
    "aggregate.ZeroBasedSkill": _est(_agg.ZeroBasedSkill, _ANS, max_iter=5),
    "aggregate.KOS": _est(_agg.KOS, lambda: (ANSWERS.assign(label=ANSWERS["label"] % 2),), n_iter=5),
    "aggregate.MMSR": _est(_agg.MMSR, _ANS, max_iter=50),
    "aggregate.GoldMajorityVote": _est(_agg.GoldMajorityVote, _ANS, gold=CONSENSUS),
    "aggregate.uncertainty": _fn(_agg.uncertainty, ANSWERS),
    "aggregate.consistency": _fn(_agg.consistency, ANSWERS),
    "aggregate.accuracy_on_aggregates": _fn(_agg.accuracy_on_aggregates, ANSWERS),
    "aggregate.agreement": _fn(_agg.agreement, ANSWERS),
    "aggregate.active_learning_scores": _fn(_agg.active_learning_scores, ANSWERS, PROBS[:12], PROBS[12:15]),
    "aggregate.annotator_agreement": _fn(_agg.annotator_agreement, ANSWERS, CONSENSUS),
    "aggregate.apply_uncertain_policy": _fn(_agg.apply_uncertain_policy, ANSWERS, 2),
    "aggregate.fleiss_kappa": _fn(_agg.fleiss_kappa, ANSWERS),
    "aggregate.item_agreement": _fn(_agg.item_agreement, ANSWERS, CONSENSUS),
    "aggregate.krippendorff_alpha": _fn(_agg.krippendorff_alpha, ANSWERS),
    "aggregate.ROVER": _est(_agg.ROVER, lambda: (TEXT_ANSWERS,)),
    "aggregate.word_error_rate": _fn(_agg.word_error_rate, ["a b c", "d e"], ["a c", "d e f"]),
    "aggregate.simulate_annotators": _fn(_agg.simulate_annotators, LABELS, n_annotators=4),
    "aggregate.diagonal_confusion_prior": _fn(_agg.diagonal_confusion_prior, 3, strength=8.0, accuracy=0.7),
    "aggregate.simulate_multilabel_crowd": _fn(_agg.simulate_multilabel_crowd, n_items=30, n_tags=3, n_annotators=5),
    "aggregate.simulate_sparse_crowd": _fn(_agg.simulate_sparse_crowd, n_items=50, n_classes=3, n_annotators=10),
    "aggregate.encode_answers": _fn(_agg.encode_answers, ANSWERS),
    "checks.find_data_issues": _fn(lw.checks.find_data_issues, X, LABELS, PROBS, k=5),
    "checks.image_properties": _fn(lw.checks.image_properties, _RNG.integers(0, 256, (N, 8, 8), dtype=np.uint8)),
    "checks.spurious_correlations": _fn(lw.checks.spurious_correlations, pd.DataFrame(X), LABELS),
    "evaluate.corrected_benchmark": _fn(
        lw.evaluate.corrected_benchmark, {"m": LABELS}, LABELS, np.roll(LABELS, 1), seeds=2
    ),
    "evaluate.corrections_from_counts": _fn(
        lw.evaluate.corrections_from_counts, np.eye(K)[LABELS] * 3, LABELS, classes=[0, 1, 2]
    ),
    "evaluate.ranking_agreement": _fn(
        lw.evaluate.ranking_agreement,
        dict(zip("abcdefgh", range(8), strict=True)),
        dict(zip("abcdefgh", [1, 0, 2, 3, 5, 4, 6, 7], strict=True)),
        n_boot=20,
    ),
    "evaluate.rbo_ext": _fn(lw.evaluate.rbo_ext, ["a", "b", "c"], ["b", "a", "c"]),
    "evaluate.slice_scores": _fn(
        lw.evaluate.slice_scores, LABELS, np.roll(LABELS, 1), {"s": np.arange(N) < 10}, n_bootstrap=5
    ),
    "noise.corrupt_targets": _fn(lw.noise.corrupt_targets, X[:, 0], random_state=0),
    "noise.corrupt_masks": _fn(lw.noise.corrupt_masks, np.tile(np.arange(4) % 2, (2, 4, 1)), random_state=0),
    "noise.flip_labels": _fn(lw.noise.flip_labels, LABELS, 0.2),
    "noise.flip_tags": _fn(lw.noise.flip_tags, np.eye(K, dtype=bool)[LABELS], random_state=0),
    "noise.flip_token_tags": _fn(lw.noise.flip_token_tags, [["O", "B-PER", "I-PER"], ["B-LOC", "O"]], random_state=0),
    "noise.instance_dependent_flips": _fn(lw.noise.instance_dependent_flips, LABELS, PROBS, 0.2),
    "noise.kms_field": _fn(lw.noise.kms_field, (4, 4), 0.5),
    "noise.noise_matrix": _fn(lw.noise.noise_matrix, K=3, noise_rate=0.2, random_state=0),
    "poison.AuditThenTrain": _est(_p.AuditThenTrain, _XY2, cv=2),
    "poison.CurieSVC": _est(_p.CurieSVC, _XY2),
    "poison.FloralSVC": _est(_p.FloralSVC, _XY2, n_rounds=3),
    "poison.GraphSanitizedSVC": _est(_p.GraphSanitizedSVC, _XY2),
    "poison.LNSVC": _est(_p.LNSVC, _XY2),
    "poison.LabelSanitizedSVC": _est(_p.LabelSanitizedSVC, _XY2),
    "poison.alfa": _fn(_p.alfa, X2, Y2, 0.1, max_iter=2),
    "poison.spectral_signatures": _fn(_p.spectral_signatures, X, LABELS),
    "poison.activation_clustering": _fn(_p.activation_clustering, X, LABELS, analysis="silhouette"),
    "poison.roni": _fn(
        _p.roni, X, LABELS, estimator=_p.make_model("svc"), X_valid=X, y_valid=LABELS, n_base=10, random_state=0
    ),
    "poison.provenance": _fn(
        _p.provenance, X, LABELS, np.arange(len(LABELS)) % 3, estimator=LogisticRegression(), random_state=0
    ),
    "poison.farthest_first": _fn(_p.farthest_first, X2, Y2, 0.1),
    "poison.backdoor": _fn(_p.backdoor, np.zeros((6, 5, 5)), [0, 1, 2] * 2, 2, target=0, random_state=0),
    "poison.attack_success_rate": _fn(
        _p.attack_success_rate, LogisticRegression().fit(X, LABELS), X, LABELS, 1, trigger="pixel", image_shape=(2, 2)
    ),
    "poison.lfa": _fn(_p.lfa, X2, Y2, 0.05, n_candidates=4),
    "poison.topk_sv": _fn(_p.topk_sv, X2, Y2, 0.1),
    "poison.random_flips": _fn(_p.random_flips, X2, Y2, 0.1),
    "poison.make_model": _fn(_p.make_model, "svc"),
    "poison.curie_filter": _fn(_p.curie_filter, X2, Y2),
    "poison.sanitize_islands": _fn(_p.sanitize_islands, X2, Y2),
    "poison.sanitize_labels": _fn(_p.sanitize_labels, X2, Y2),
    "poison.robustness_curve": _fn(
        _p.robustness_curve, ("svc",), X2, Y2, attacks=("random",), budgets=(0.1,), seeds=1, include_clean=False
    ),
    "robust.CleanClassifier": _est(lw.robust.CleanClassifier, _XY, estimator=LogisticRegression(max_iter=50), cv=2),
    "robust.CrowdClassifier": _est(
        lw.robust.CrowdClassifier,
        lambda: (X[:12], ANSWERS),
        estimator=LogisticRegression(max_iter=50),
        cv=2,
        max_iter=3,
    ),
    "robust.ImportanceReweighting": _est(
        lw.robust.ImportanceReweighting, _XY, estimator=LogisticRegression(max_iter=50), cv=2
    ),
    "robust.ForwardCorrection": _est(lw.robust.ForwardCorrection, _XY, cv=2, max_iter=50),
    "robust.estimate_transition": _fn(lw.robust.estimate_transition, PROBS, LABELS),
    "robust.CleanMultilabelClassifier": _est(
        lw.robust.CleanMultilabelClassifier, _XTAGS, estimator=LogisticRegression(max_iter=50), cv=2
    ),
    "semi.SelfTrainer": _est(
        lw.semi.SelfTrainer, lambda: (X, SEMI_Y), estimator=LogisticRegression(max_iter=50), max_iter=2
    ),
    "shift.PriorShiftAdjuster": _est(lw.shift.PriorShiftAdjuster, _XY, model=LogisticRegression().fit(X, LABELS)),
    "shift.estimate_priors": _fn(lw.shift.estimate_priors, PROBS, LABELS, PROBS),
    "shift.familiarity": _fn(lw.shift.familiarity, ["cat", "dog"], ["cat", "wolf"], k=2),
    "weak.LabelModel": _est(lw.weak.LabelModel, lambda: (_votes(),), n_em_iter=5, max_iter=20),
    "weak.DawidSkeneLabelModel": _est(lw.weak.DawidSkeneLabelModel, lambda: (_votes(),)),
    "weak.MajorityLabelVoter": _est(lw.weak.MajorityLabelVoter, lambda: (_votes(),)),
    "weak.IWMVLabelModel": _est(lw.weak.IWMVLabelModel, lambda: (_votes(),)),
    "weak.MajorityClassVoter": _est(lw.weak.MajorityClassVoter, lambda: (_votes(),)),
    "weak.RandomVoter": _est(lw.weak.RandomVoter, lambda: (_votes(),)),
    "weak.probs_to_preds": _fn(lw.weak.probs_to_preds, PROBS),
    "weak.preds_to_probs": _fn(lw.weak.preds_to_probs, LABELS, K),
    "weak.filter_labels": _fn(lw.weak.filter_labels, {"golds": LABELS}, {"golds": [-1]}),
    "weak.score_predictions": _fn(lw.weak.score_predictions, LABELS, LABELS, PROBS),
    "weak.expand_soft_labels": _fn(lw.weak.expand_soft_labels, X, PROBS),
    "weak.self_consistency": _fn(lw.weak.self_consistency, ANSWERS),
    "weak.learn_dependencies": _fn(lw.weak.learn_dependencies, _votes()),
    "weak.simulate_lfs": _fn(lw.weak.simulate_lfs, n_items=60, n_lfs=4, n_classes=2, random_state=0),
    "semi.flexmatch_thresholds": _fn(lw.semi.flexmatch_thresholds, PROBS.max(1), PROBS.argmax(1), K),
    "semi.freematch_thresholds": _fn(lw.semi.freematch_thresholds, PROBS),
    "semi.llkd_thresholds": _fn(lw.semi.llkd_thresholds, PROBS.max(1), PROBS.argmax(1), K),
    "semi.softmatch_weights": _fn(lw.semi.softmatch_weights, PROBS),
    "semi.select_k_best": _fn(lw.semi.select_k_best, PROBS.max(1), k=5),
    "weak.augment": _fn(
        lw.weak.augment,
        [lw.weak.transformation_function(lambda row: {**row, "a": row["a"] + 1}, name="bump")],
        pd.DataFrame({"a": [1, 2, 3]}),
        policy=lw.weak.RandomPolicy(n_per_original=2, random_state=0),
    ),
    "weak.augment_batches": _fn(
        lw.weak.augment_batches,
        [lw.weak.transformation_function(lambda row: {**row, "a": row["a"] + 1}, name="bump")],
        pd.DataFrame({"a": [1, 2, 3]}),
        policy=lw.weak.RandomPolicy(n_per_original=2, random_state=0),
        batch_size=2,
    ),
    "semi.select_threshold": _fn(lw.semi.select_threshold, PROBS.max(1), threshold=0.5),
    "semi.select_class_balanced": _fn(lw.semi.select_class_balanced, PROBS.max(1), PROBS.argmax(1), K, k=2),
}

_INTERNAL = "a building block exported for the other packages; its callers validate, its bad values are not a user's"
_OUTPUT_DIR = "reads an audit/aggregate output folder: covered by tests/report and tests/review, not by this sweep"
NOT_COVERED: dict[str, str] = {
    "audit.find_label_issues": "the same function as the top-level find_label_issues, swept there",
    "audit.label_quality_scores": "the same function as the top-level label_quality_scores, swept there",
    "aggregate.tfidf_encoder": "no parameter but the texts (any list of str)",
    "aggregate.agreement_accuracy": _INTERNAL,
    "noise.flip_counts": _INTERNAL,
    "noise.check_noise_matrix": "is itself a validator (its `name` is the display name, any string)",
    "poison.budget_count": "is itself a validator (its `name` is the display name, any string)",
    "poison.dual_violation": _INTERNAL,
    "poison.project_dual": _INTERNAL,
    "poison.randomized_topk_flips": _INTERNAL,
    "semi.curriculum_threshold": _INTERNAL,
    "semi.normalized_entropy": "no parameter but the probabilities",
    "weak.lf_statistics": _INTERNAL,
    "weak.apply": "classes is the label set (its checks are in tests/weak/test_apply.py), verbose a flag",
    "weak.as_votes": "its `name` is the display name, any string; `classes` any sequence",
    "weak.analysis": "keyword parameter `model` is any fitted label model (duck-typed)",
    "weak.labeling_function": "a decorator: `name`, `abstain` are free values",
    "weak.slicing_function": "a decorator: `name` is a free value (checks in tests/weak/test_slices.py)",
    "weak.apply_slices": "verbose a flag; its checks are in tests/weak/test_slices.py",
    "weak.slice_dataframe": "no keyword parameter",
    "weak.preprocessor": "a decorator: `name` is a free value (checks in tests/weak/test_preprocessor.py)",
    "weak.label_buckets": "no keyword parameter (checks in tests/weak/test_buckets.py)",
    "weak.filter_unlabeled": "no keyword parameter (checks in tests/weak/test_buckets.py)",
    "weak.lf_empirical_probs": "`classes` any sequence of labels (checks in tests/weak/test_buckets.py)",
    "weak.training_labels": "needs a fitted label model; `unlabeled` is any value",
    "weak.transformation_function": "a decorator: `name` is a free value (checks in tests/weak/test_augment.py)",
    "evaluate.corrections_from_changes": "no numeric or enum keyword but `source`, a free label",
    "evaluate.read_corrections": _OUTPUT_DIR,
    "evaluate.kendall_tau": "no keyword parameter",
    "evaluate.spearman_rho": "no keyword parameter",
    "evaluate.tau_ap": "no keyword parameter",
    "noise.corrupt_boxes": "needs box annotations; covered by tests/noise",
    "report.load_aggregate": _OUTPUT_DIR,
    "report.load_audit": _OUTPUT_DIR,
    "report.write_report": _OUTPUT_DIR,
    "review.cleaned_table": _OUTPUT_DIR,
    "review.create_app": _OUTPUT_DIR,
    "review.export_cleaned": _OUTPUT_DIR,
    "review.export_label_studio": _OUTPUT_DIR,
    "review.keep_one_of_duplicates": _OUTPUT_DIR,
    "review.label_studio_tasks": _OUTPUT_DIR,
    "shift.tfidf_embed": "no keyword parameter",
}
