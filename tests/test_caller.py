"""``labelwise._caller``: warnings at the first frame of the stack outside labelwise (the command line's modules count
as callers)."""

from __future__ import annotations

import inspect
import warnings

import pytest

from labelwise._caller import caller_stacklevel, warn_at_caller
from labelwise.errors import LabelwiseWarning


class TestCallerStacklevel:
    def test_called_from_outside_the_package_it_is_the_callers_own_line(self):
        """From a test (outside labelwise) the level is 1: ``warnings.warn`` called here points here."""
        assert caller_stacklevel() == 1


class TestWarnAtCaller:
    def test_called_from_outside_the_package_the_warning_is_at_the_calling_line(self):
        """The warning's file and line are this call's."""
        with pytest.warns(LabelwiseWarning, match="here") as record:
            line = inspect.currentframe().f_lineno + 1
            warn_at_caller(LabelwiseWarning("here"))
        assert (record[0].filename, record[0].lineno) == (__file__, line)

    def test_the_users_filters_apply(self):
        """An ``error`` filter turns the warning into the exception, as for any warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            with pytest.raises(LabelwiseWarning, match="as an error"):
                warn_at_caller(LabelwiseWarning("as an error"))
