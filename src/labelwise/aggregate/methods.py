"""``METHODS``: the single-label aggregation methods by command-line name.

Its names are :data:`labelwise.aggregate._names.METHOD_NAMES` (read by the command line without
importing the classes); ``tests/test_registry_names.py`` checks that the two agree.
"""

from .auto import AutoAggregator
from .bwa import BWA
from .crowdlab import CrowdLab
from .gold_majority import GoldMajorityVote
from .kos import KOS
from .mmsr import MMSR
from .soft import SOFT_MEMBERS, SoftLabelAverage

__all__ = ["METHODS"]

METHODS = {
    **SOFT_MEMBERS,  # majority-vote, wawa, zero-based-skill, dawid-skene, one-coin, glad, mace
    "bwa": BWA,
    "kos": KOS,
    "mmsr": MMSR,
    "gold-majority-vote": GoldMajorityVote,
    "soft-average": SoftLabelAverage,
    "crowdlab": CrowdLab,
    "auto": AutoAggregator,
}
