"""``labelwise.report``'s warning that the previews are left out (the data table changed since the audit) points at
the line that called ``write_report``, not inside the report's builder."""

from __future__ import annotations

import warnings

from labelwise.report import write_report
from tests._at_line import at_line
from tests.review.test_audited_data import _rewrite, reviewed  # noqa: F401 (a fixture)


def test_previews_of_changed_data_are_left_out_with_a_warning_at_the_callers_line(reviewed):  # noqa: F811
    data, out = reviewed
    _rewrite(data, lambda f: f.iloc[::-1])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        write_report(out)
    at_line(record, __file__, "previews left out")
