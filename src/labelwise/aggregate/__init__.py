"""Many annotators -> training labels: majority vote, Wawa, zero-based skill, Dawid-Skene,
one-coin Dawid-Skene, GLAD, MACE, BWA (Bayesian weighted averaging), KOS, MMSR, a gold-weighted
vote, soft-label averaging, a model+annotators consensus, and
``AutoAggregator`` (``"auto"``), which picks a method by the held-out likelihood of the answers.
Free-text answers (transcriptions) are aggregated by ``ROVER`` (table item, annotator, text), and
scored by ``word_error_rate``.

Every estimator is fitted on a long answer table (columns ``item``, ``annotator``, ``label``) with
``fit(answers, probs=None)`` and exposes ``labels_``, ``probas_``, ``annotator_skill_``,
``loss_history_``, ``n_iter_`` and ``converged_``. ``METHODS`` maps the command-line method names
to the classes. Answers given as vectors or free texts (one answer chosen per item):
``ClosestToAverage``, ``RASA``, ``HRRASA`` and their text versions, ``TEXT_METHODS``.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._answers import EncodedAnswers, encode_answers
    from ._masks_em import SegmentationEM
    from ._masks_rasa import SegmentationRASA
    from .activelab import ActiveLabScores, active_learning_scores
    from .agreement import (
        Agreement,
        agreement,
        annotator_agreement,
        fleiss_kappa,
        item_agreement,
        krippendorff_alpha,
    )
    from .auto import AutoAggregator
    from .boxes import BoxConsensus, WeightedBoxesFusion, compare_boxes, simulate_boxes
    from .bwa import BWA
    from .crowd_metrics import accuracy_on_aggregates, consistency, uncertainty
    from .crowdlab import CrowdLab
    from .dawid_skene import DawidSkene
    from .embeddings import HRRASA, RASA, ClosestToAverage
    from .glad import GLAD
    from .gold_majority import GoldMajorityVote
    from .kos import KOS
    from .mace import MACE
    from .majority import MajorityVote
    from .masks import STAPLE, MaskMajorityVote
    from .methods import METHODS
    from .mmsr import MMSR
    from .multilabel import MultiLabelAggregator, MultiLabelCrowd, simulate_multilabel_crowd
    from .numeric import NUMERIC_METHODS, BiasPrecision, NumericMean, NumericMedian, RobustBiasPrecision
    from .one_coin import OneCoinDawidSkene
    from .pairwise import PAIRWISE_METHODS, BradleyTerry, NoisyBradleyTerry
    from .priors import agreement_accuracy, diagonal_confusion_prior
    from .rover import ROVER, word_error_rate
    from .sampler import ObserverLabelSampler
    from .simulate import SimulatedAnnotations, simulate_annotators
    from .simulate_sparse import SparseCrowd, simulate_sparse_crowd
    from .soft import SOFT_MEMBERS as SOFT_MEMBERS  # not in __all__, kept as before
    from .soft import SoftLabelAverage
    from .texts import TEXT_METHODS, TextClosestToAverage, TextHRRASA, TextRASA, tfidf_encoder
    from .uncertain import UncertainAnswers, apply_uncertain_policy
    from .wawa import Wawa
    from .zero_based_skill import ZeroBasedSkill

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)


__all__ = [
    "ClosestToAverage",
    "HRRASA",
    "RASA",
    "TEXT_METHODS",
    "TextClosestToAverage",
    "TextHRRASA",
    "TextRASA",
    "tfidf_encoder",
    "ActiveLabScores",
    "active_learning_scores",
    "Agreement",
    "AutoAggregator",
    "BWA",
    "BradleyTerry",
    "NoisyBradleyTerry",
    "PAIRWISE_METHODS",
    "ObserverLabelSampler",
    "SimulatedAnnotations",
    "UncertainAnswers",
    "agreement",
    "annotator_agreement",
    "apply_uncertain_policy",
    "fleiss_kappa",
    "item_agreement",
    "krippendorff_alpha",
    "simulate_annotators",
    "SparseCrowd",
    "agreement_accuracy",
    "diagonal_confusion_prior",
    "simulate_sparse_crowd",
    "METHODS",
    "CrowdLab",
    "DawidSkene",
    "EncodedAnswers",
    "GLAD",
    "MACE",
    "MajorityVote",
    "MaskMajorityVote",
    "STAPLE",
    "SegmentationEM",
    "SegmentationRASA",
    "MultiLabelAggregator",
    "MultiLabelCrowd",
    "simulate_multilabel_crowd",
    "OneCoinDawidSkene",
    "ROVER",
    "word_error_rate",
    "SoftLabelAverage",
    "Wawa",
    "ZeroBasedSkill",
    "encode_answers",
    "GoldMajorityVote",
    "KOS",
    "MMSR",
    "accuracy_on_aggregates",
    "consistency",
    "uncertainty",
    "BoxConsensus",
    "WeightedBoxesFusion",
    "compare_boxes",
    "simulate_boxes",
    "NUMERIC_METHODS",
    "BiasPrecision",
    "NumericMean",
    "NumericMedian",
    "RobustBiasPrecision",
]
