"""Programmatic labelers: labeling functions, their analysis, label models, model votes."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._answer_parsers import ANSWER_PARSERS
    from ._augment_points import AugmentedPoints
    from ._structure_learning import LearnedDependencies, learn_dependencies
    from ._votes import Votes, as_votes
    from .analysis import analysis, lf_empirical_probs, lf_statistics
    from .apply import LabelingFunctionError, apply
    from .augment_stream import augment_batches
    from .augmentation import Augmented, TransformationFunctionError, augment
    from .baselines import MajorityClassVoter, MajorityLabelVoter, RandomVoter
    from .buckets import Labeled, filter_unlabeled, label_buckets
    from .dawid_skene import DawidSkeneLabelModel
    from .iwmv import IWMVLabelModel
    from .label_model import LabelModel
    from .labeling_function import LabelingFunction, labeling_function
    from .policies import ApplyAllPolicy, ApplyEachPolicy, ApplyOnePolicy, MeanFieldPolicy, Policy, RandomPolicy
    from .predictions import filter_labels, preds_to_probs, probs_to_preds, score_predictions
    from .preprocessor import Preprocessor, preprocessor
    from .registry import LABEL_MODELS
    from .self_consistency import self_consistency
    from .simulate import SimulatedVotes, simulate_lfs
    from .slices import SliceMembership, apply_slices, slice_dataframe
    from .slicing_function import SlicingFunction, slicing_function
    from .training import expand_soft_labels, training_labels
    from .transformation_function import AugmentRow, TransformationFunction, transformation_function

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)


__all__ = [
    "ANSWER_PARSERS",
    "LABEL_MODELS",
    "ApplyAllPolicy",
    "ApplyEachPolicy",
    "ApplyOnePolicy",
    "AugmentRow",
    "Augmented",
    "AugmentedPoints",
    "DawidSkeneLabelModel",
    "IWMVLabelModel",
    "LabelModel",
    "Labeled",
    "LabelingFunction",
    "LabelingFunctionError",
    "LearnedDependencies",
    "MajorityClassVoter",
    "MajorityLabelVoter",
    "MeanFieldPolicy",
    "Policy",
    "Preprocessor",
    "RandomPolicy",
    "RandomVoter",
    "SimulatedVotes",
    "SliceMembership",
    "SlicingFunction",
    "TransformationFunction",
    "TransformationFunctionError",
    "Votes",
    "analysis",
    "apply",
    "apply_slices",
    "as_votes",
    "augment",
    "augment_batches",
    "expand_soft_labels",
    "filter_labels",
    "filter_unlabeled",
    "label_buckets",
    "learn_dependencies",
    "labeling_function",
    "lf_empirical_probs",
    "lf_statistics",
    "preds_to_probs",
    "preprocessor",
    "probs_to_preds",
    "score_predictions",
    "self_consistency",
    "simulate_lfs",
    "slice_dataframe",
    "slicing_function",
    "training_labels",
    "transformation_function",
]
