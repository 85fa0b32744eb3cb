"""Readers and writers: data tables, annotation exports, and atomic (never half-written) files."""

from .annotations import Annotations, detect_format, read_annotations
from .atomic import atomic_write, write_csv, write_json, write_npy
from .tables import read_table

__all__ = [
    "Annotations",
    "atomic_write",
    "detect_format",
    "read_annotations",
    "read_table",
    "write_csv",
    "write_json",
    "write_npy",
]
