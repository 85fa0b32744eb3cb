"""Readers and writers: data tables, annotation exports, and atomic (never half-written) files.

The names are imported on first use (:mod:`labelwise._lazy`): the command line's ``--help`` does not
import pandas.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from .annotations import Annotations, detect_format, read_annotations
    from .arrays import load_npy, load_npz
    from .atomic import atomic_write, files_together, write_csv, write_json, write_npy, write_npz, write_table
    from .box_answers import CocoBoxTable, coco_results, read_coco_boxes
    from .coco import CocoBoxes, read_coco, read_coco_predictions
    from .conll import ConllCorpus, read_conll
    from .masks import read_masks
    from .names import read_names
    from .paths import require_file, require_folder, require_path
    from .tables import read_table

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "Annotations",
    "CocoBoxTable",
    "CocoBoxes",
    "ConllCorpus",
    "atomic_write",
    "coco_results",
    "files_together",
    "load_npy",
    "load_npz",
    "detect_format",
    "read_annotations",
    "read_coco",
    "read_coco_boxes",
    "read_coco_predictions",
    "read_conll",
    "read_masks",
    "read_names",
    "read_table",
    "require_file",
    "require_folder",
    "require_path",
    "write_csv",
    "write_json",
    "write_npy",
    "write_npz",
    "write_table",
]
