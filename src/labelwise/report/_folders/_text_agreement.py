"""Each annotator's agreement with ``aggregate-texts``' chosen texts, where the folder has no annotators.csv.

``closest`` (and ``rover``) weigh no annotator, so the command writes no annotators table. The page
scores each annotator's answers, read from the answers file the run read (rows without a text
dropped and ``--duplicates last`` applied, as the run did), against its items' chosen texts in the
distance the method itself uses: the cosine similarity of the answers' TF-IDF vectors
(:func:`~labelwise.aggregate.tfidf_encoder`, fitted on all the answers as the run fitted it) for
the methods that choose by that distance, and the word error rate
(:func:`~labelwise.aggregate.word_error_rate`: word edits over the chosen text's words) for ROVER,
which composes its text word by word (Fiscus 1997).

References
----------
Salton, G., Buckley, C. (1988). Term-weighting approaches in automatic text retrieval. Information
Processing & Management 24(5), 513-523.
Fiscus, J. G. (1997). A post-processing system to yield reduced word error rates: Recognizer Output
Voting Error Reduction (ROVER). IEEE Workshop on Automatic Speech Recognition and Understanding, 347-354.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import LabelwiseError
from .._annotators import Quality
from ._common import Folder, input_table


@dataclass(frozen=True)
class Scoring:
    """How one method's answers are scored against the chosen texts: a ratio of sums over a group of
    answers (an annotator's, an item's).

    Attributes
    ----------
    quality : Quality
        The score's column and wording in the annotators section.
    what : str
        The score, for the section's note.
    terms : callable
        ``answers -> (numerator, denominator)``, one of each per answer (columns text and chosen): a
        group's score is the sum of its numerators over the sum of its denominators.
    """

    quality: Quality
    what: str
    terms: Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]


def _similarity_terms(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each answer's cosine similarity to its chosen text, over 1: a group's mean similarity."""
    return similarities(table), np.ones(len(table))


def _word_error_terms(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each answer's word edits to its chosen text, over the chosen text's words: a group's word error
    rate as :func:`~labelwise.aggregate.word_error_rate` computes it on the group's pairs."""
    from ...aggregate._rover_align import edit_distances
    from ...aggregate._rover_tokens import split_words, tokenize

    n = len(table)
    texts = [*table["chosen"].astype(str), *table["text"].astype(str)]
    words = tokenize(texts, split_words, "tokenizer", lambda h: f"text {h}")
    return edit_distances(words.codes, words.lengths, n).astype(float), words.lengths[:n].astype(float)


_SIMILARITY = Scoring(
    Quality("mean_similarity", "similarity to the chosen text", "least similar", active="n_answers"),
    "the mean cosine similarity of its answers' TF-IDF vectors to the chosen texts' (the command's encoding)",
    _similarity_terms,
)
#: Method -> how its answers are scored (the distance the method chooses its text by).
SCORINGS: dict[str, Scoring] = {
    "closest": _SIMILARITY,
    "rasa": _SIMILARITY,
    "hrrasa": _SIMILARITY,
    "rover": Scoring(
        Quality("word_error_rate", "word error rate to the chosen text", "most words off", False, "n_answers"),
        "the word error rate of its answers against the chosen texts (word edits over the chosen texts' words)",
        _word_error_terms,
    ),
}


def per(table: pd.DataFrame, by: str) -> pd.Series:
    """The score of each ``by`` group of a :func:`scored` table (NaN where the denominators sum to 0)."""
    sums = table.groupby(by, sort=True)[["numerator", "denominator"]].sum()
    return sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)


def answers_used(folder: Folder, texts: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """The answers the run used (item, annotator, text) with their item's chosen text (``chosen``) and
    whether they are it (``is_chosen``); or None and why they cannot be read as the run read them."""
    columns = folder.summary.get("columns") or {}
    names = [str(columns.get(k) or k) for k in ("item", "annotator", "text")]
    table = input_table(folder, "answers", names)
    if table is None:
        where = folder.summary.get("answers")
        return None, f"the answers file the run read ({where}) is not there, or lacks its columns {names}"
    table = table.loc[table[names[2]].notna(), names].set_axis(["item", "annotator", "text"], axis=1)
    duplicates = folder.get("duplicates")
    if isinstance(duplicates, dict) and duplicates.get("policy") == "last":
        table = table.drop_duplicates(["item", "annotator"], keep="last")
    table = table.reset_index(drop=True)
    # an empty cell: ROVER composed no word for the item
    chosen = dict(zip(texts["item"].astype(str), texts["text"].fillna("").astype(str), strict=False))
    table["chosen"] = table["item"].astype(str).map(chosen)
    expected = folder.summary.get("n_answers")
    if (expected is not None and len(table) != int(expected)) or table["chosen"].isna().any():
        return None, f"the answers file has changed since the run: {len(table):,} answers now, {expected} then"
    table["is_chosen"] = table["text"].astype(str) == table["chosen"]
    return table, ""


def similarities(table: pd.DataFrame) -> np.ndarray:
    """The cosine similarity of each answer's TF-IDF vector to its chosen text's (the chosen text is one
    of its item's answers; the vectors are fitted on all the answers, L2-normalised)."""
    from ...aggregate import tfidf_encoder

    vectors = tfidf_encoder(table["text"].astype(str).tolist())
    first = table.reset_index().drop_duplicates(["item", "text"]).set_index(["item", "text"])["index"]
    rows = first.reindex(pd.MultiIndex.from_arrays([table["item"], table["chosen"]])).to_numpy(dtype=float)
    if np.isnan(rows).any():
        raise ValueError("a chosen text is none of its item's answers")
    return np.asarray(vectors.multiply(vectors[rows.astype(np.int64)]).sum(axis=1)).ravel()


def scored(folder: Folder, texts: pd.DataFrame) -> tuple[pd.DataFrame | None, Scoring, str]:
    """:func:`answers_used` with the method's terms (columns numerator, denominator), and the
    :class:`Scoring`; or None and why not. Computed once per folder."""
    if "text-scores" not in folder.cache:
        scoring = SCORINGS.get(str(folder.summary.get("method")), _SIMILARITY)
        table, why = answers_used(folder, texts)
        if table is not None:
            try:
                table["numerator"], table["denominator"] = scoring.terms(table)
            except (LabelwiseError, ValueError) as exc:
                table, why = None, f"the answers could not be scored: {exc}"
        folder.cache["text-scores"] = (table, scoring, why)
    return folder.cache["text-scores"]


def text_agreement(folder: Folder, texts: pd.DataFrame) -> tuple[pd.DataFrame | None, Scoring, str]:
    """Per annotator: n_answers, n_chosen (answers that are the chosen text) and the method's score
    (:data:`SCORINGS`); or None and why not."""
    table, scoring, why = scored(folder, texts)
    if table is None:
        return None, scoring, why
    groups = table.groupby("annotator", sort=True)
    frame = pd.DataFrame({"n_answers": groups.size(), "n_chosen": groups["is_chosen"].sum()})
    frame[scoring.quality.column] = per(table, "annotator")
    return frame.rename_axis("annotator").reset_index(), scoring, ""
