"""The annotation formats, in the order ``format="auto"`` tries them, and the entry points."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from ..._validate.arguments import check_choice
from ...errors import AnnotationError
from ..na_values import NaValues, check_na_values
from ..plain_text import plain_text, shown_as
from . import labelstudio, long, mturk, prodigy, votes
from ._common import Annotations, check_file, clear_cache

__all__ = ["FORMATS", "READERS", "READERS_BY_NAME", "Reader", "detect_format", "read_annotations"]


class Reader(Protocol):
    """What a format module provides (see the package docstring)."""

    NAME: str

    def recognise(self, path: Path) -> bool: ...

    def read(self, path: Path, **options: Any) -> Annotations: ...


#: The format modules in detection order: the first whose ``recognise`` says yes reads the file.
#: ``long`` recognises everything, so it comes last.
READERS: tuple[Reader, ...] = (prodigy, labelstudio, mturk, votes, long)
READERS_BY_NAME: dict[str, Reader] = {reader.NAME: reader for reader in READERS}
#: The values of ``format=``: ``"auto"`` and every reader's name.
FORMATS: tuple[str, ...] = ("auto", *READERS_BY_NAME)


def _recognise(path: Path) -> Reader:
    return next(reader for reader in READERS if reader.recognise(path))


def detect_format(path: str | os.PathLike) -> str:
    """Guess the export format of ``path``: the name of the first reader in :data:`READERS` that recognises it.

    Rules: a ``.jsonl`` whose first record has Prodigy's ``_input_hash``, ``_task_hash`` or
    ``answer`` keys is Prodigy; a ``.json`` list of tasks with ``annotations`` (or
    ``completions``) is Label Studio JSON; a list of flat records with ``annotator`` is Label
    Studio JSON_MIN; a CSV with ``WorkerId`` and ``Answer.*`` columns is MTurk; anything else is
    a ``.jsonl``/``.csv`` with ``item``, ``answer`` and a ``sample``, ``prompt`` or ``model`` field
    (and no ``label``) is repeated model samples (``votes``); anything else is a long table.

    Returns
    -------
    str
        ``"prodigy"``, ``"labelstudio"``, ``"mturk"``, ``"votes"`` or ``"long"``.
    """
    p = check_file(path)
    src = plain_text(p)
    try:
        with shown_as(src, p):
            return _recognise(src).NAME
    finally:
        clear_cache()


def read_annotations(
    path: str | os.PathLike,
    format: str = "auto",
    *,
    item_column: str | None = None,
    annotator_column: str | None = None,
    label_column: str | None = None,
    na_values: NaValues = None,
) -> Annotations:
    """Read an annotation export into one long table of answers.

    Parameters
    ----------
    path : path-like
        The export file; it may be compressed (``export.jsonl.gz``, ``answers.csv.zip``...) or UTF-16
        text with a BOM, as :func:`labelwise.io.read_table` reads them.
    format : {"auto", "prodigy", "labelstudio", "mturk", "votes", "long"}
        The source format (one of :data:`FORMATS`); ``"auto"`` detects it with :func:`detect_format`.
    item_column : str, optional
        Long table: the item column (default ``"item"``). Label Studio: a ``data`` field (JSON) or
        record key (JSON_MIN) to use as item id instead of the task id. MTurk: an ``Input.*``
        column (default ``Input.id`` when present, else ``HITId``). Prodigy: a record key
        (default ``_input_hash`` for choice tasks, ``_task_hash`` for binary ones).
    annotator_column : str, optional
        Long table: the annotator column (default ``"annotator"``). Prodigy: a record key
        (default ``_annotator_id``, else ``_session_id``).
    label_column : str, optional
        Long table: the label column (default ``"label"``). Label Studio: the ``from_name`` of the
        choices control (JSON) or the record key (JSON_MIN); needed only when there are several.
        MTurk: the answer name (``Answer.<name>``); needed only when there are several.
    na_values : None, str or list of str, optional
        Long CSV table: the texts read as missing (an answer read as missing is dropped as
        ``empty``), as :func:`labelwise.io.read_table` takes them: None for pandas' markers
        (``NA``, ``None``, ``null``, ``nan``, ...), ``""`` for only empty cells. The votes and MTurk
        CSV readers always read only empty cells as missing (``NA`` stays an answer); Label Studio
        and Prodigy exports are JSON, whose nulls are typed.

    Returns
    -------
    Annotations
        The long table and counts of records read and dropped.

    Raises
    ------
    DataFileError
        The file is missing, empty or malformed (the message names the file and the line, or the
        Label Studio task id).
    MissingColumnError
        A needed column is absent (the message lists those present).
    AnnotationError
        Null item or annotator ids, or an ambiguous label field.

    Examples
    --------
    >>> from labelwise.io import read_annotations
    >>> read = read_annotations("export.json", format="labelstudio")   # doctest: +SKIP
    >>> read.answers.columns.tolist(), read.n_cancelled                # doctest: +SKIP
    (['item', 'annotator', 'label'], 2)
    """
    check_choice("format", format, FORMATS)
    na = check_na_values(na_values)
    p = check_file(path)
    src = plain_text(p)  # a compressed or UTF-16 export: its decoded copy
    try:
        with shown_as(src, p):
            reader = _recognise(src) if format == "auto" else READERS_BY_NAME[format]
            result = reader.read(
                src, item_column=item_column, annotator_column=annotator_column, label_column=label_column, na_values=na
            )
    finally:
        clear_cache()
    if src != p:
        result = replace(result, source=str(p))
    if result.answers.shape[0] == 0:
        raise AnnotationError(
            f"annotation file {str(p)!r} ({result.format}) has no usable answers: {result.n_records} record(s) read, "
            f"dropped {dict(result.dropped) or 'none'}"
            + (" (only 'choices' results are read)" if result.format.startswith("labelstudio") else "")
        )
    return result
