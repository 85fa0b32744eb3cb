"""The names of the aggregation registries, in a module that imports nothing.

The command line's options list these names (``--method``, ``--conf-type``, ...) and its ``--help``
must not import scipy, scikit-learn or pandas to show them; each registry keeps its classes beside
them in its own module, and ``tests/test_registry_names.py`` checks that the two agree.
"""

__all__ = [
    "BOX_METHOD_NAMES",
    "CONF_TYPES",
    "METHOD_NAMES",
    "MULTILABEL_METHODS",
    "NUMERIC_METHOD_NAMES",
    "PAIRWISE_METHOD_NAMES",
    "POLICIES",
    "SKILL_TYPES",
    "TEXT_METHOD_NAMES",
]

#: The keys of :data:`labelwise.aggregate.METHODS`, in order.
METHOD_NAMES = (
    "majority-vote",
    "wawa",
    "zero-based-skill",
    "dawid-skene",
    "one-coin",
    "glad",
    "mace",
    "bwa",
    "kos",
    "mmsr",
    "gold-majority-vote",
    "soft-average",
    "crowdlab",
    "auto",
)
#: The keys of :data:`labelwise.aggregate.multilabel.TAG_METHODS`: the methods binary relevance runs per tag (every
#: method but the two that need more than a tag's answers: gold labels, a classifier's probabilities).
MULTILABEL_METHODS = tuple(m for m in METHOD_NAMES if m not in ("gold-majority-vote", "crowdlab"))
#: The keys of :data:`labelwise.aggregate.numeric.NUMERIC_METHODS`.
NUMERIC_METHOD_NAMES = ("mean", "median", "bias-precision", "robust")
#: The keys of :data:`labelwise.aggregate.pairwise.PAIRWISE_METHODS`.
PAIRWISE_METHOD_NAMES = ("bt", "noisy-bt")
#: The keys of :data:`labelwise.aggregate.texts.TEXT_METHODS`.
TEXT_METHOD_NAMES = ("closest", "rasa", "hrrasa", "rover")
#: The keys of :data:`labelwise.aggregate.boxes.BOX_METHODS`.
BOX_METHOD_NAMES = ("wbf", "consensus")
#: How :class:`~labelwise.aggregate.boxes.WeightedBoxesFusion` scores a fused box (the names of
#: ensemble-boxes' ``conf_type``).
CONF_TYPES = ("avg", "max", "box_and_model_avg", "absent_model_aware_avg")
#: The reference of :class:`~labelwise.aggregate.boxes.BoxConsensus`'s skill table: the consensus, or
#: the other annotators' consensus.
SKILL_TYPES = ("in-sample", "leave-one-out")
#: What :func:`~labelwise.aggregate.uncertain.apply_uncertain_policy` does with an "unsure" answer.
POLICIES = ("ignore", "zeros", "ones", "class")
