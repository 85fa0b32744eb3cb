"""The column transformers of labelwise.columns with pandas' nullable columns and scikit-learn's naming."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from labelwise.columns import DateFeatures, MedianImputer
from labelwise.models import default_model

N = 90
_RNG = np.random.default_rng(0)
Y = np.arange(N) % 3
FRAME = pd.DataFrame(
    {
        "a": _RNG.normal(size=N) + Y,
        "b": pd.array(_RNG.normal(size=N) + Y, dtype="Float64"),
        "c": pd.Categorical(np.array(list("pqr"))[Y]),
        "e": pd.date_range("2024-01-01", periods=N, freq="D"),
    }
)
FRAME.loc[3, "b"] = pd.NA


class TestMedianImputer:
    def test_a_nullable_float_column_with_na_is_imputed(self):
        """<NA> in a Float64 column is filled with the median (np.asarray raised 'float() ... NAType')."""
        out = MedianImputer().fit_transform(FRAME[["a", "b"]])
        assert not np.isnan(out).any()
        assert out[3, 1] == np.nanmedian(FRAME["b"].to_numpy(dtype=float, na_value=np.nan))

    def test_pandas_output_keeps_the_column_names(self):
        """set_output(transform='pandas') names the columns a, b (not x0, x1)."""
        out = MedianImputer().set_output(transform="pandas").fit_transform(FRAME[["a", "b"]])
        assert list(out.columns) == ["a", "b"]


class TestDateFeatures:
    def test_feature_names_follow_the_dataframes_columns(self):
        """Fitted on a DataFrame, names are e_year, ... (they were x0_year, ...)."""
        names = DateFeatures().fit(FRAME[["e"]]).get_feature_names_out()
        assert list(names) == ["e_year", "e_doy_sin", "e_doy_cos", "e_weekday", "e_days"]


class TestDefaultModel:
    def test_a_frame_with_a_nullable_float_column_holding_na_fits(self):
        """default_model fits and predicts a frame whose Float64 column holds <NA> (raised TypeError)."""
        model = default_model(FRAME).fit(FRAME, pd.Series(pd.Categorical(np.array(["x", "y", "z"])[Y])))
        assert list(model.classes_) == ["x", "y", "z"]
        assert isinstance(model[-1], LogisticRegression)

    def test_the_preprocessing_names_its_output_columns(self):
        """get_feature_names_out of the preprocessing names each output column after its input column."""
        model = default_model(FRAME).fit(FRAME, Y)
        names = list(model[:-1].get_feature_names_out())
        assert len(names) == model[:-1].transform(FRAME).shape[1]
        assert "numeric__b" in names and "date__e_year" in names and any(n.startswith("categorical__c") for n in names)


class TestMissingOneHot:
    def test_a_missing_cell_is_nan_in_every_indicator_not_a_category(self):
        """Fitted on the present cells: two indicators for 'p', 'q'; the missing row NaN in both."""
        from labelwise._column_transformers import MissingOneHot

        column = pd.DataFrame({"c": ["p", None, "q", "p"]}, dtype=object)
        encoder = MissingOneHot().fit(column)
        out = encoder.transform(column)
        assert list(encoder.get_feature_names_out()) == ["c_p", "c_q"]
        assert np.isnan(out[1]).all()
        assert out[[0, 2, 3]].tolist() == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]

    def test_rare_and_unseen_categories_share_the_infrequent_indicator(self):
        """min_frequency=2 groups 'r' and 's' (seen once); an unseen 't' is counted with them."""
        from labelwise._column_transformers import MissingOneHot

        column = pd.DataFrame({"c": ["p", "p", "q", "q", "r", "s"]}, dtype=object)
        encoder = MissingOneHot(min_frequency=2).fit(column)
        assert list(encoder.get_feature_names_out()) == ["c_p", "c_q", "c_infrequent_sklearn"]
        out = encoder.transform(pd.DataFrame({"c": ["r", "s", "t"]}, dtype=object))
        assert out.tolist() == [[0.0, 0.0, 1.0]] * 3
