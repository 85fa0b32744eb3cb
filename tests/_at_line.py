"""``at_line(record, file, *phrases)``: every labelwise warning recorded is at ``file`` (the test's own line, the first
frame outside labelwise), and each phrase is in one of them. The ``tests/<package>/test_warnings_at_callers_line.py``
files use it; ``tests/weak/test_warnings_at_callers_line.py`` is their model."""

from __future__ import annotations

from labelwise.errors import LabelwiseWarning


def at_line(record, file: str, *phrases: str, category: type[Warning] = LabelwiseWarning) -> None:
    """Each of ``phrases`` is in a recorded warning of ``category``, and every such warning is at ``file``."""
    said = [w for w in record if issubclass(w.category, category)]
    for phrase in phrases:
        assert any(phrase in str(w.message) for w in said), (phrase, [str(w.message)[:80] for w in said])
    assert said and [w.filename for w in said] == [file] * len(said), [(w.filename, w.lineno) for w in said]
