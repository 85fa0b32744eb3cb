"""Programmatic labelers: labeling functions, their analysis, label models, model votes."""

from ._votes import Votes, as_votes
from .analysis import analysis, lf_statistics
from .apply import LabelingFunctionError, apply
from .label_model import LabelModel
from .labeling_function import LabelingFunction, labeling_function
from .simulate import SimulatedVotes, simulate_lfs

__all__ = [
    "LabelModel",
    "LabelingFunction",
    "LabelingFunctionError",
    "SimulatedVotes",
    "Votes",
    "analysis",
    "apply",
    "as_votes",
    "labeling_function",
    "lf_statistics",
    "simulate_lfs",
]
