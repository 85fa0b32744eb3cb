"""The cleaned copy of a task audit's data in the format it came in: a table, a CoNLL file, a COCO
file, or a manifest of a mask folder. Pure functions of the data and the excluded units; reading
the audit and the decisions is :mod:`labelwise.review.task_export`'s job.
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from ..errors import DataFileError, InvalidParameterError
from ..io.conll import BLANK, COMMENT, TOKEN, line_kinds, split_fields, token_fields

__all__ = [
    "EXCLUDED_COMMENT",
    "cleaned_coco",
    "coco_bytes",
    "cleaned_conll",
    "cleaned_rows",
    "conll_sentences",
    "mask_manifest",
]

#: The comment that ``mark_excluded`` puts before an excluded sentence of a CoNLL file (CoNLL-U style).
EXCLUDED_COMMENT = "# excluded = true"


def cleaned_rows(
    frame: pd.DataFrame, excluded: Collection[int], *, mark_excluded: bool, column: str = "excluded"
) -> pd.DataFrame:
    """``frame`` without the rows at the positions ``excluded``, or with a boolean ``column`` marking them.

    Raises
    ------
    InvalidParameterError
        If ``mark_excluded`` and ``frame`` already has ``column``.
    """
    flag = pd.Series(False, index=frame.index)
    flag.iloc[sorted(excluded)] = True
    if not mark_excluded:
        return frame[~flag.to_numpy()]
    if column in frame.columns:
        raise InvalidParameterError(
            f"mark_excluded adds the column {column!r}, which the data already has; rename it or drop the rows instead"
        )
    return frame.assign(**{column: flag.to_numpy()})


def conll_sentences(lines: list[str]) -> tuple[list[int | None], list[list[int]]]:
    """Which sentence (as :func:`labelwise.io.read_conll` numbers them) owns each line of a CoNLL file.

    A sentence owns its token lines, the comment lines right above it (no blank line between:
    CoNLL-U's ``# sent_id``, ``# text``) and the one blank line that closes it; ``-DOCSTART-``
    lines and other blank lines belong to none. Lines are told apart by
    :func:`labelwise.io.conll.line_kinds`, the reader's own rule, so a comment is never inside a
    sentence and dropping a sentence never joins the two around it.

    Returns
    -------
    owner : list of int or None
        Per line, its sentence or None.
    token_lines : list of list of int
        Per sentence, the indices of its token lines.

    Raises
    ------
    DataFileError
        If a token line has another number of fields than the others.
    """
    owner: list[int | None] = [None] * len(lines)
    token_lines: list[list[int]] = []
    comments: list[int] = []
    previous = BLANK
    found = token_fields(lines)
    kinds = line_kinds(lines, n_fields=None if found is None else found[0], source="the CoNLL file, line")
    for i, (kind, _) in enumerate(kinds):
        if kind == TOKEN:
            if previous != TOKEN:
                token_lines.append([])
                for c in comments:
                    owner[c] = len(token_lines) - 1
                comments = []
            owner[i] = len(token_lines) - 1
            token_lines[-1].append(i)
        elif kind == BLANK and previous == TOKEN:
            owner[i] = len(token_lines) - 1
        comments = comments + [i] if kind == COMMENT else []
        previous = kind
    return owner, token_lines


def cleaned_conll(
    text: str, excluded_sentences: Collection[int], *, mark_excluded: bool, tokens: list[list[str]] | None = None
) -> tuple[str, int]:
    """A CoNLL file's text without the sentences ``excluded_sentences`` (with their comment lines and
    closing blank line), every other line as it was; or, with ``mark_excluded``, every line kept and
    :data:`EXCLUDED_COMMENT` on its own line above each excluded sentence's first token.

    ``tokens`` (each sentence's words, as the audit read them) is checked against the file.

    Returns
    -------
    text : str
    n_sentences : int
        Sentences in the file.

    Raises
    ------
    DataFileError
        If the file's sentences are not those of ``tokens`` (it changed since the audit).
    """
    lines = io.StringIO(text, newline="").readlines()  # the reader's lines: not str.splitlines's U+2028 or \x1c
    owner, token_lines = conll_sentences(lines)
    if tokens is not None:
        words = [[split_fields(lines[i])[0] for i in s] for s in token_lines]
        if words != tokens:
            bad = next(
                (k for k, (a, b) in enumerate(zip(words, tokens, strict=False)) if a != b), min(len(words), len(tokens))
            )
            raise DataFileError(
                f"the CoNLL file has {len(words)} sentences and differs from the audited one at sentence {bad}; "
                "it changed since the audit: rerun the audit before exporting"
            )
    drop = set(excluded_sentences)
    if not mark_excluded:
        return "".join(line for line, s in zip(lines, owner, strict=True) if s is None or s not in drop), len(
            token_lines
        )
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    first = {token_lines[s][0] for s in drop}
    out = [(EXCLUDED_COMMENT + newline if i in first else "") + line for i, line in enumerate(lines)]
    return "".join(out), len(token_lines)


def cleaned_coco(
    coco: dict, excluded_images: Collection[int], *, mark_excluded: bool, image_ids: list[str] | None = None
) -> dict:
    """A COCO labels file without the images at the positions ``excluded_images`` and their
    annotations, every other key as it was; or, with ``mark_excluded``, everything kept and
    ``"excluded": true`` added to each excluded image's entry.

    ``image_ids`` (the audited images' ids, as text, in file order) is checked against the file.

    Raises
    ------
    DataFileError
        If the file's images are not those of ``image_ids``.
    InvalidParameterError
        If ``mark_excluded`` and an image entry already has an ``excluded`` key.
    """
    images = coco.get("images")
    if not isinstance(images, list) or not isinstance(coco.get("annotations"), list):
        raise DataFileError("the COCO file needs 'images' and 'annotations' lists; it changed since the audit")
    if image_ids is not None and [str(im.get("id")) for im in images] != image_ids:
        raise DataFileError(
            f"the COCO file has {len(images)} images, not the {len(image_ids)} audited ones in the same order; "
            "it changed since the audit: rerun the audit before exporting"
        )
    drop = set(excluded_images)
    if mark_excluded:
        if any("excluded" in im for im in images):
            raise InvalidParameterError(
                "mark_excluded adds the key 'excluded' to the excluded images, and the COCO file's images already have it"
            )
        return {**coco, "images": [{**im, "excluded": True} if i in drop else im for i, im in enumerate(images)]}
    gone = {images[i].get("id") for i in drop}
    return {
        **coco,
        "images": [im for i, im in enumerate(images) if i not in drop],
        "annotations": [a for a in coco["annotations"] if a.get("image_id") not in gone],
    }


def mask_manifest(
    folder: Path, files: list[str], excluded: Collection[int], *, mark_excluded: bool, column: str = "excluded"
) -> pd.DataFrame:
    """The manifest of a folder of label masks: one row per kept mask (``image``: its index in the
    audit, ``file``, ``path``: absolute), or every mask with an ``excluded`` column."""
    frame = pd.DataFrame(
        {"image": range(len(files)), "file": files, "path": [str((folder / f).resolve()) for f in files]}
    )
    return cleaned_rows(frame, excluded, mark_excluded=mark_excluded, column=column)


def coco_bytes(coco: dict) -> bytes:
    """A COCO dict as UTF-8 JSON (non-ASCII kept)."""
    return (json.dumps(coco, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
