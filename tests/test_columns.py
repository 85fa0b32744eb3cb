"""labelwise.columns: column roles on hand-made frames, and the transformer they build."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.columns import ROLES, DateFeatures, infer_column_roles
from labelwise.errors import InvalidParameterError, LabelwiseError


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "row_id": np.arange(n),
            "code": [f"c{i:04d}" for i in rng.permutation(n)],
            "x": rng.normal(size=n),
            "count": rng.integers(0, 5, n),
            "flag": rng.random(n) > 0.5,
            "colour": rng.choice(["red", "green", "blue"], n),
            "city": [f"city{i}" for i in rng.integers(0, 120, n)],
            "note": [" ".join(rng.choice(["good", "bad", "fine", "poor"], 4)) for _ in range(n)],
            "when": pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "iso": [
                f"2022-{m:02d}-{d:02d}" for m, d in zip(rng.integers(1, 13, n), rng.integers(1, 29, n), strict=False)
            ],
            "same": ["k"] * n,
            "empty": [np.nan] * n,
        }
    )


class TestRoles:
    def test_every_kind_of_column_gets_its_role(self):
        """Ids, numbers, booleans, categories, high cardinality, text, dates and constants are told apart."""
        roles = infer_column_roles(_frame()).roles
        assert roles == {
            "row_id": "identifier",
            "code": "identifier",
            "x": "numeric",
            "count": "numeric",
            "flag": "categorical",
            "colour": "categorical",
            "city": "high_cardinality",
            "note": "text",
            "when": "date",
            "iso": "date",
            "same": "constant",
            "empty": "constant",
        }

    def test_every_column_has_a_known_role_and_a_reason(self):
        """to_dict has one entry per column with a role from ROLES and a non-empty reason."""
        out = infer_column_roles(_frame()).to_dict()
        assert list(out) == list(_frame().columns)
        assert all(v["role"] in ROLES and v["reason"] for v in out.values())

    def test_a_constant_column_shows_its_value_as_python_writes_it(self):
        """The reason shows 1.5, not numpy's repr np.float64(1.5)."""
        reasons = infer_column_roles(pd.DataFrame({"c": [1.5] * 10, "x": np.arange(10.0)})).reasons
        assert reasons["c"] == "one value (1.5)"

    def test_day_first_strings_parse_with_their_format(self):
        """d/m/Y strings with days above 12 are parsed day-first, and the format is recorded."""
        days = pd.date_range("2020-01-01", periods=90, freq="D").strftime("%d/%m/%Y")
        roles = infer_column_roles(pd.DataFrame({"d": days}))
        assert roles.roles["d"] == "date"
        assert roles.date_formats["d"] == "%d/%m/%Y"

    def test_date_like_strings_that_do_not_parse_say_so(self):
        """Date-shaped strings that fail to parse stay categorical, and the reason and notices say so."""
        bad = pd.DataFrame({"d": ["2020-01-01", "2020-13-45", "2020-02-01"] * 10})
        roles = infer_column_roles(bad)
        assert roles.roles["d"] == "categorical"
        assert "does not parse" in roles.reasons["d"] and "treated as categorical" in roles.reasons["d"]
        assert any("does not parse" in line for line in roles.notices)

    def test_a_date_column_with_some_values_that_are_not_dates_says_so(self):
        """One value in seven not a date: the column is not a date, and the reason and notices say so (was silent)."""
        days = pd.Series(pd.date_range("2020-01-01", periods=210, freq="D").strftime("%Y-%m-%d"), dtype=object)
        days.iloc[::7] = "not recorded"
        roles = infer_column_roles(pd.DataFrame({"d": days}))
        assert roles.roles["d"] == "high_cardinality"
        assert "looks like dates" in roles.reasons["d"] and "treated as high_cardinality" in roles.reasons["d"]
        assert any(line.startswith("column 'd':") and "does not parse" in line for line in roles.notices)

    def test_a_date_column_that_does_not_parse_with_many_values_is_not_one_hot(self):
        """Mixed date formats over 120 days: high cardinality (target-encoded), as any column of 120 values."""
        days = pd.date_range("2020-01-01", periods=120, freq="D")
        mixed = [d.strftime("%Y-%m-%d") if i % 2 else d.strftime("%d/%m/%Y") for i, d in enumerate(days)]
        roles = infer_column_roles(pd.DataFrame({"d": mixed}))
        assert roles.roles["d"] == "high_cardinality"
        assert "does not parse" in roles.reasons["d"] and "treated as high_cardinality" in roles.reasons["d"]

    def test_text_whose_words_never_repeat_is_dropped_with_a_notice(self):
        """Every family failed with TF-IDF's "After pruning, no terms remain. Try a lower min_df"."""
        frame = pd.DataFrame({"x": np.arange(60) % 7, "t": [f"w{3 * i} w{3 * i + 1} w{3 * i + 2}" for i in range(60)]})
        roles = infer_column_roles(frame)
        assert roles.roles["t"] == "identifier" and "no word occurs in 2 rows" in roles.reasons["t"]
        assert any(line.startswith("dropped column 't'") for line in roles.notices)
        roles.transformer().fit_transform(frame)  # raised ValueError before
        repeated = frame.assign(t=[f"w{i} shared word" for i in range(60)])
        assert infer_column_roles(repeated).roles["t"] == "text"

    def test_distinct_integers_out_of_order_stay_numeric(self):
        """All-distinct integers are an identifier only when in monotone order."""
        values = np.random.default_rng(0).permutation(40)
        assert infer_column_roles(pd.DataFrame({"v": values})).roles["v"] == "numeric"
        assert infer_column_roles(pd.DataFrame({"v": np.arange(40)[::-1]})).roles["v"] == "identifier"

    def test_small_tables_keep_distinct_strings(self):
        """Below IDENTIFIER_MIN_ROWS rows, distinct strings are categories, not ids."""
        assert infer_column_roles(pd.DataFrame({"s": list("abcdef")})).roles["s"] == "categorical"

    def test_notices_name_the_dropped_columns(self):
        notices = infer_column_roles(_frame()).notices
        for name in ("row_id", "code", "same", "empty"):
            assert any(f"dropped column {name!r}" in line for line in notices)

    def test_roles_do_not_depend_on_row_order(self):
        """Shuffling rows (no monotone id column) leaves every role unchanged."""
        frame = _frame().drop(columns="row_id")
        shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
        assert infer_column_roles(shuffled).roles == infer_column_roles(frame).roles

    @pytest.mark.parametrize(
        "bad, match", [(np.zeros((3, 2)), "DataFrame"), (pd.DataFrame([[1, 2]], columns=["a", "a"]), "unique")]
    )
    def test_bad_input(self, bad, match):
        with pytest.raises(LabelwiseError, match=match):
            infer_column_roles(bad)

    @pytest.mark.parametrize("value", [["a", "b"], {"k": 1}])
    def test_a_column_of_lists_or_dicts_is_named(self, value):
        """Nested JSON Lines values raised pandas' 'unhashable type' TypeError (a traceback in audit, train, pseudolabel)."""
        frame = pd.DataFrame({"x": np.arange(4.0), "tags": [None, value, value, None]})
        kind = type(value).__name__
        with pytest.raises(
            InvalidParameterError, match=f"column 'tags' must hold single values .*row 1 holds a {kind}"
        ):
            infer_column_roles(frame)

    def test_columns_rejects_unknown_role(self):
        with pytest.raises(InvalidParameterError, match="role must be one of"):
            infer_column_roles(_frame()).columns("dates")


class TestTransformer:
    def test_features_are_finite_and_ids_dropped(self):
        """The transformer uses every non-dropped column, fills missing values, gives finite numbers."""
        frame = _frame()
        frame.loc[3, "x"] = np.nan
        frame.loc[4, "colour"] = None
        y = np.random.default_rng(1).choice(["a", "b"], len(frame))
        out = infer_column_roles(frame).transformer(dense=True).fit_transform(frame, y)
        assert isinstance(out, np.ndarray) and np.isfinite(out).all()
        # numeric 2 + dates 2x5 + one-hot (flag 2, colour <=4) + target-encoded city 1 + TF-IDF note 4 words
        assert out.shape[0] == len(frame) and out.shape[1] >= 2 + 10 + 2 + 3 + 1 + 4

    @pytest.mark.parametrize("factor", [1e200, 1e-200])
    def test_a_numeric_column_of_extreme_size_gets_the_z_scores_of_the_ordinary_one(self, factor):
        """A column times 1e200 (StandardScaler alone: nan) or 1e-200 (alone: constant) is z-scored as before."""
        rng = np.random.default_rng(2)
        frame = pd.DataFrame({"x": rng.normal(size=100), "z": rng.normal(3.0, 2.0, size=100)})
        big = frame.assign(z=frame["z"] * factor)
        y = rng.choice(["a", "b"], len(frame))
        plain = infer_column_roles(frame).transformer(dense=True).fit_transform(frame, y)
        out = infer_column_roles(big).transformer(dense=True).fit_transform(big, y)
        np.testing.assert_allclose(out, plain, rtol=1e-12, atol=1e-12)

    def test_high_cardinality_is_not_one_hot(self):
        """An 80-category column becomes one target-encoded feature per class (binary: one), not 55."""
        rng = np.random.default_rng(0)
        frame = pd.DataFrame({"city": [f"c{i}" for i in rng.integers(0, 80, 400)]})
        y = rng.choice([0, 1], 400)
        roles = infer_column_roles(frame)
        assert roles.roles["city"] == "high_cardinality"
        assert roles.transformer().fit_transform(frame, y).shape == (400, 1)

    def test_only_dropped_columns_is_an_error(self):
        frame = pd.DataFrame({"id": np.arange(30), "k": ["same"] * 30})
        with pytest.raises(InvalidParameterError, match="at least one usable column"):
            infer_column_roles(frame).transformer()


class TestDateFeatures:
    def test_known_dates(self):
        """Year, day-of-year angle, weekday and days since the first date are exact."""
        dates = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-01-08", "2025-07-04", None])})
        out = DateFeatures().fit(dates).transform(dates)
        np.testing.assert_allclose(out[:3, 0], [2024, 2024, 2025])
        np.testing.assert_allclose(out[:3, 3], [0, 0, 4])  # Monday, Monday, Friday
        np.testing.assert_allclose(out[:3, 4], [0, 7, 550])
        np.testing.assert_allclose(out[0, 1:3], [0.0, 1.0], atol=1e-12)  # 1 January: angle 0
        assert np.isnan(out[3]).all()

    def test_strings_with_a_format(self):
        frame = pd.DataFrame({"d": ["03/02/2020", "04/02/2020"]})
        out = DateFeatures({"d": "%d/%m/%Y"}).fit(frame).transform(frame)
        np.testing.assert_allclose(out[:, 4], [0, 1])
        assert list(DateFeatures().fit(frame).get_feature_names_out(["d"]))[-1] == "d_days"

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.integers(0, 20000), min_size=2, max_size=30), st.integers(0, 10_000))
    def test_time_index_is_translation_invariant_in_differences(self, days, shift):
        """Days-since-first differences equal the day differences, whatever the start."""
        base = pd.Timestamp("1990-01-01") + pd.to_timedelta(shift, unit="D")
        dates = pd.DataFrame({"d": base + pd.to_timedelta(days, unit="D")})
        index = DateFeatures().fit(dates).transform(dates)[:, 4]
        np.testing.assert_allclose(index - index.min(), np.array(days) - min(days))


def test_docstring_example_runs():
    """The example in infer_column_roles' docstring gives its documented output."""
    import doctest

    import labelwise.columns

    result = doctest.testmod(labelwise.columns, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_median_imputer_matches_sklearn():
    """MedianImputer fills like SimpleImputer(strategy="median", keep_empty_features=True)."""
    from sklearn.impute import SimpleImputer

    from labelwise.columns import MedianImputer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    X[rng.random((50, 4)) < 0.2] = np.nan
    X[:, 3] = np.nan
    new = rng.normal(size=(10, 4))
    new[0] = np.nan
    ours = MedianImputer().fit(X)
    peer = SimpleImputer(strategy="median", keep_empty_features=True).fit(X)
    np.testing.assert_allclose(ours.transform(X), peer.transform(X))
    np.testing.assert_allclose(ours.transform(new), peer.transform(new))


#: Month-name formats (with the case they are written in) that infer_column_roles recognises.
MONTH_FORMATS = [
    "%B %d, %Y",  # March 04, 2021
    "%b %d %Y",  # Mar 04 2021
    "%d %B %Y",  # 04 March 2021
    "%d-%b-%Y",  # 04-Mar-2021
    "%d-%b-%y",  # 04-Mar-21
    "%Y-%b-%d",  # 2021-Mar-04
    "%a, %d %b %Y %H:%M:%S",  # Thu, 04 Mar 2021 10:00:00 (RFC 2822 without zone)
    "%A, %B %d, %Y %I:%M %p",  # Thursday, March 04, 2021 10:00 AM
]
CASES = {"as written": lambda s: s, "lower": str.lower, "upper": str.upper}


def _iso_features(stamps: pd.DatetimeIndex) -> np.ndarray:
    """DateFeatures of ``stamps`` written in ISO 8601 (the numeric path, unchanged by month names)."""
    iso = pd.DataFrame({"d": stamps.strftime("%Y-%m-%dT%H:%M:%S")})
    roles = infer_column_roles(iso)
    assert roles.roles["d"] == "date"
    return DateFeatures(roles.date_formats).fit_transform(iso)


def _month_features(stamps: pd.DatetimeIndex, fmt: str, case=str) -> tuple[object, np.ndarray]:
    frame = pd.DataFrame({"d": [case(s) for s in stamps.strftime(fmt)]})
    roles = infer_column_roles(frame)
    return roles, DateFeatures(roles.date_formats).fit_transform(frame)


class TestMonthNameDates:
    STAMPS = pd.date_range("2019-12-20 10:00", periods=120, freq="D")

    @pytest.mark.parametrize("case", list(CASES))
    @pytest.mark.parametrize("fmt", MONTH_FORMATS)
    def test_each_month_name_format_is_a_date_with_the_features_of_iso(self, fmt, case):
        """'March 4, 2021', '04-mar-21', 'THU, 04 MAR 2021 10:00:00', ...: role date, format recorded, ISO's features."""
        roles, features = _month_features(self.STAMPS, fmt, CASES[case])
        assert roles.roles["d"] == "date", roles.reasons["d"]
        assert roles.date_formats["d"] == fmt and not roles.notices
        np.testing.assert_array_equal(features, _iso_features(self.STAMPS))

    def test_rfc_2822_with_offsets_that_differ_is_parsed_to_utc(self):
        """'Thu, 04 Mar 2021 10:00:00 +0100' beside '-0500': one instant each (pandas raised 'Mixed timezones')."""
        stamps = self.STAMPS.tz_localize("UTC")
        written = [
            (s.tz_convert("Europe/Paris") if i % 2 else s.tz_convert("America/New_York")).strftime(
                "%a, %d %b %Y %H:%M:%S %z"
            )
            for i, s in enumerate(stamps)
        ]
        roles = infer_column_roles(pd.DataFrame({"d": written}))
        assert roles.roles["d"] == "date" and roles.date_formats["d"] == "%a, %d %b %Y %H:%M:%S %z"
        features = DateFeatures(roles.date_formats).fit_transform(pd.DataFrame({"d": written}))
        np.testing.assert_array_equal(features, _iso_features(self.STAMPS))

    def test_iso_with_milliseconds_and_z_was_already_a_date(self):
        """'2021-03-04T10:00:00.123Z' takes the numeric path: a date in UTC."""
        written = self.STAMPS.strftime("%Y-%m-%dT%H:%M:%S.123Z")
        roles = infer_column_roles(pd.DataFrame({"d": written}))
        assert roles.roles["d"] == "date" and roles.date_formats["d"] == "%Y-%m-%dT%H:%M:%S.%f%z"
        features = DateFeatures(roles.date_formats).fit_transform(pd.DataFrame({"d": written}))
        np.testing.assert_allclose(features, _iso_features(self.STAMPS + pd.Timedelta("123ms")))

    def test_a_first_value_in_may_does_not_fix_full_or_abbreviated_names(self):
        """'May 04, 2021' is both %B and %b: the format that parses the column is kept."""
        stamps = pd.date_range("2021-05-01", periods=90, freq="D")
        roles, features = _month_features(stamps, "%b %d, %Y")
        assert roles.roles["d"] == "date" and roles.date_formats["d"] == "%b %d, %Y"
        np.testing.assert_array_equal(features, DateFeatures().fit_transform(pd.DataFrame({"d": stamps})))

    def test_predict_parses_with_the_format_chosen_in_fit(self):
        """The fitted transformer turns new month-name rows into the features the ISO transformer gives."""
        train, new = self.STAMPS[:80], self.STAMPS[80:]
        written = pd.DataFrame({"d": train.strftime("%d %B %Y")})
        iso = pd.DataFrame({"d": train.strftime("%Y-%m-%d")})
        ours = infer_column_roles(written).transformer(dense=True).fit(written)
        theirs = infer_column_roles(iso).transformer(dense=True).fit(iso)
        np.testing.assert_array_equal(
            ours.transform(pd.DataFrame({"d": new.strftime("%d %B %Y")})),
            theirs.transform(pd.DataFrame({"d": new.strftime("%Y-%m-%d")})),
        )

    def test_free_text_that_mentions_a_month_stays_text(self):
        """A month word inside a sentence is not a date: the shape must cover the whole string."""
        notes = ["meeting in March about budgets", "budget review on May 4 2021 with team", "call in June"] * 20
        roles = infer_column_roles(pd.DataFrame({"t": notes}))
        assert roles.roles["t"] == "text" and not roles.notices

    @pytest.mark.parametrize(
        "other", ["%d-%b-%Y", "%Y-%m-%d"], ids=["two month-name formats", "month names beside numbers"]
    )
    def test_mixed_formats_fall_back_with_the_notice(self, other):
        """Half 'March 04, 2021', half another format: no one format parses 95%, so high cardinality, said so."""
        written = [s.strftime("%B %d, %Y") if i % 2 else s.strftime(other) for i, s in enumerate(self.STAMPS)]
        roles = infer_column_roles(pd.DataFrame({"d": written}))
        assert roles.roles["d"] == "high_cardinality" and "d" not in roles.date_formats
        assert "looks like dates but does not parse" in roles.reasons["d"]
        assert any(line.startswith("column 'd':") and "does not parse" in line for line in roles.notices)

    def test_month_names_that_pandas_does_not_read_fall_back_with_the_notice(self):
        """'Sept 04, 2021' is date-shaped but %b reads only 'Sep': the column falls back (to text, 3 words), said so."""
        written = [f"Sept {d:02d}, 2021" for d in range(1, 31)]
        roles = infer_column_roles(pd.DataFrame({"d": written}))
        assert roles.roles["d"] == "text" and "does not parse" in roles.reasons["d"]

    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(st.integers(0, 35000), min_size=2, max_size=40, unique=True),
        st.sampled_from(MONTH_FORMATS),
        st.sampled_from(list(CASES)),
    )
    @example(days=[120, 121], fmt="%B %d, %Y", case="as written")  # May only: %b found, the same texts
    def test_any_supported_format_gives_the_features_of_iso(self, days, fmt, case):
        """Dates from 1970 to 2065 written in any supported format and case give ISO's features to the bit."""
        stamps = pd.DatetimeIndex(pd.Timestamp("1970-01-01 10:00") + pd.to_timedelta(days, unit="D"))
        roles, features = _month_features(stamps, fmt, CASES[case])
        assert roles.roles["d"] == "date"
        # the format found writes these dates as ``fmt`` does (May is both %B and %b: 'May 01, 1970')
        assert list(stamps.strftime(roles.date_formats["d"])) == list(stamps.strftime(fmt))
        np.testing.assert_array_equal(features, _iso_features(stamps))


def test_text_columns_whose_names_hold_a_double_underscore_are_encoded():
    """scikit-learn refuses a step name with ``__``; the transformer used to name each text step after
    its column, so a text column called ``my__text`` (or ``a__b`` beside ``a_b``) broke every audit."""
    n = 60
    frame = pd.DataFrame(
        {
            "x": np.linspace(0, 1, n),
            "my__text": [f"alpha{i % 7} beta{i % 3} gamma delta{i}" for i in range(n)],
            "my_text": [f"one{i % 5} two{i % 4} three four{i}" for i in range(n)],
        }
    )
    roles = infer_column_roles(frame)
    assert roles.columns("text") == ["my__text", "my_text"]
    out = roles.transformer(dense=True).fit_transform(frame, np.arange(n) % 2)
    assert out.shape[0] == n and out.shape[1] > 3
