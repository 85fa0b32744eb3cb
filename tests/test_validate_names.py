"""One "did you mean" for every name labelwise refuses (``labelwise._validate.names``).

On main two helpers had two rules: the command line's column hints (``cli._column_hint``: case-folded,
difflib ratio at least 0.8) and the data checks' check and option names (``checks._options``:
difflib's 0.6, with case). Both call ``did_you_mean`` now: case and surrounding spaces first, then
the closest case-folded name at ratio 0.6. The tests of the changed messages fail on main.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise._validate.names import CUTOFF, closest_name, did_you_mean
from labelwise.checks import find_data_issues
from labelwise.checks._options import did_you_mean as checks_hint
from labelwise.cli._column_hint import column_hint
from labelwise.errors import InvalidParameterError


class TestClosestName:
    def test_same_but_for_case_and_spaces_comes_first(self):
        """A name equal but for case and spaces wins over a closer spelling."""
        assert closest_name("Label", ["labels", " label "]) == " label "
        assert did_you_mean("TARGET", ["target", "Target2"]) == " (did you mean 'target'?)"

    @pytest.mark.parametrize(
        ("name", "known", "meant"),
        [
            ("tgt", ["x", "target"], "target"),
            ("thresh", ["threshold", "k"], "threshold"),
            ("blocks", ["block_size", "properties"], "block_size"),
            ("specie", ["island", "species"], "species"),
            ("price", ["island", "species"], None),
            ("y", ["x"], None),
        ],
    )
    def test_the_documented_rule(self, name, known, meant):
        """One letter off in a name of three or more, two in five or more: suggested; unrelated: not."""
        assert closest_name(name, known) == meant
        assert did_you_mean(name, known) == ("" if meant is None else f" (did you mean {meant!r}?)")

    @given(name=st.text(max_size=12), known=st.lists(st.text(max_size=12), max_size=8))
    def test_a_suggestion_is_a_valid_name_and_both_callers_agree(self, name, known):
        """Whatever the names, the suggestion is one of ``known`` (as text) and the column hint and the
        checks' hint say the same."""
        found = closest_name(name, known)
        assert found is None or found in known
        assert column_hint(name, known) == checks_hint(name, known) == did_you_mean(name, known)

    @given(known=st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), min_size=1, max_size=8),
           pick=st.integers(0, 7))  # fmt: skip
    def test_a_valid_name_in_another_case_suggests_the_first_such_name(self, known, pick):
        """A valid name written in capitals with spaces around suggests the first valid name equal to it
        but for case."""
        wanted = known[pick % len(known)]
        first = next(k for k in known if k.casefold() == wanted.casefold())
        assert closest_name(f" {wanted.upper()} ", known) == first

    def test_cutoff_is_difflib_s_default(self):
        assert CUTOFF == 0.6


class TestMessagesThatChanged:
    def test_a_column_two_letters_off_is_suggested(self):
        """``--label tgt`` on a table with ``target``: main's 0.8 said nothing."""
        assert column_hint("tgt", ["a", "b", "target"]) == " (did you mean 'target'?)"

    def test_a_check_name_in_capitals_is_suggested(self):
        """``checks=["NEAR_DUPLICATE"]``: main compared with case and said nothing."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        y = np.repeat([0, 1, 2], 10)
        with pytest.raises(InvalidParameterError, match=r"\(did you mean 'near_duplicate'\?\)"):
            find_data_issues(X, y, checks=["NEAR_DUPLICATE"])

    def test_an_option_in_another_case_is_suggested(self):
        """``check_options={"outlier": {"FENCE": 2}}``: the option ``fence`` (main compared with case)."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        y = np.repeat([0, 1, 2], 10)
        with pytest.raises(InvalidParameterError, match=r"has no option 'FENCE' \(did you mean 'fence'\?\)"):
            find_data_issues(X, y, checks=["outlier"], check_options={"outlier": {"FENCE": 2.0}})
