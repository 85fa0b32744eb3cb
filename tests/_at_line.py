"""``at_line(record, file, *phrases)``: every labelwise warning recorded is at ``file`` (the test's own line, the first
frame outside labelwise), and each phrase is in one of them; ``recorded(call)``: every warning ``call()`` issues. The ``tests/<package>/test_warnings_at_callers_line.py``
files use it; ``tests/weak/test_warnings_at_callers_line.py`` is their model."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from labelwise.errors import LabelwiseWarning


def recorded(call: Callable[[], object]) -> list:
    """The warnings ``call()`` issues, each one recorded (the ``always`` filter)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        call()
    return record


def at_line(record, file: str, *phrases: str, category: type[Warning] = LabelwiseWarning) -> None:
    """Each of ``phrases`` is in a recorded warning of ``category``, and every such warning is at ``file``."""
    said = [w for w in record if issubclass(w.category, category)]
    for phrase in phrases:
        assert any(phrase in str(w.message) for w in said), (phrase, [str(w.message)[:80] for w in said])
    assert said and [w.filename for w in said] == [file] * len(said), [(w.filename, w.lineno) for w in said]
