"""The default model for a table: a scikit-learn pipeline suited to its columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ._validate import check_choice
from .errors import InvalidParameterError

MODELS = ("logistic", "forest")
#: A string column whose values average at least this many words is treated as free text.
TEXT_MIN_WORDS = 3.0


def _as_text(column: pd.Series | np.ndarray) -> np.ndarray:
    """Missing text becomes the empty string; input is one column (1-D) for TF-IDF."""
    values = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column).ravel()
    return np.where(pd.isna(values), "", values).astype(str)


def column_kinds(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Split feature columns into ``numeric``, ``categorical`` and ``text``.

    Numbers (not booleans) are numeric; strings averaging at least ``TEXT_MIN_WORDS`` words are
    text; other strings, booleans and categories are categorical. Datetimes become numeric.
    """
    kinds: dict[str, list[str]] = {"numeric": [], "categorical": [], "text": []}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            kinds["categorical"].append(name)
        elif pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
            kinds["numeric"].append(name)
        else:
            words = col.dropna().astype(str).str.split().str.len()
            is_text = len(words) > 0 and float(words.mean()) >= TEXT_MIN_WORDS
            kinds["text" if is_text else "categorical"].append(name)
    return kinds


def default_model(features: pd.DataFrame, *, model: str = "logistic", random_state: int | None = 0) -> Pipeline:
    """A pipeline for ``features``: impute, scale/one-hot/TF-IDF per column kind, then classify.

    Parameters
    ----------
    features : DataFrame
        The feature columns (not the label).
    model : {"logistic", "forest"}
        Multinomial logistic regression (fast, well-calibrated probabilities; the default) or a
        random forest (non-linear, slower).
    random_state : int or None
        Seed of the classifier.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Missing values are tolerated: numeric ones imputed by the median, categorical ones by
        the most frequent value, text by the empty string.
    """
    check_choice("model", model, MODELS)
    if features.shape[1] == 0:
        raise InvalidParameterError("features must have at least one column besides the label, got none")
    kinds = column_kinds(features)
    parts = []
    if kinds["numeric"]:
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), kinds["numeric"]))
    if kinds["categorical"]:
        encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=50)
        cat = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
        parts.append(("categorical", cat, kinds["categorical"]))
    for name in kinds["text"]:
        text = make_pipeline(FunctionTransformer(_as_text), TfidfVectorizer(min_df=2, max_features=20000, sublinear_tf=True))
        parts.append((f"text_{name}", text, name))
    columns = ColumnTransformer(parts, sparse_threshold=0.3)
    if model == "logistic":
        # C=0.1: stronger regularisation keeps out-of-fold probabilities from being overconfident,
        # which confident learning relies on (digits demo: precision 0.83 vs 0.75 at C=1).
        classifier = LogisticRegression(max_iter=2000, C=0.1, random_state=random_state)
    else:
        classifier = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, n_jobs=-1, random_state=random_state)
    return Pipeline([("columns", columns), ("classifier", classifier)])
