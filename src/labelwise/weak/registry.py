"""``LABEL_MODELS``: the label models by command-line name (the names: ``weak._names.LABEL_MODEL_NAMES``)."""

from .dawid_skene import DawidSkeneLabelModel
from .iwmv import IWMVLabelModel
from .label_model import LabelModel

__all__ = ["LABEL_MODELS"]

#: Label models by command-line name.
LABEL_MODELS = {"label-model": LabelModel, "dawid-skene": DawidSkeneLabelModel, "iwmv": IWMVLabelModel}
