"""``--scheduler processes``: a worker process that dies in the middle of a task (killed, most
often out of memory) is one line naming the option, not ``BrokenProcessPool``'s traceback (session
40, dask40: before, the commands ended with the traceback and exit status 1)."""

from __future__ import annotations

import os

import pytest

from labelwise.cli._scale import scheduler
from labelwise.errors import InvalidParameterError

dask = pytest.importorskip("dask")


@pytest.mark.slow
def test_a_worker_process_that_dies_is_one_line_naming_the_option():
    with pytest.raises(InvalidParameterError, match=r"^--scheduler processes: a worker process died") as caught:
        with scheduler("processes"):
            dask.compute(dask.delayed(os._exit)(1))  # the worker process ends at once, as the OOM killer ends it
    assert "no output was written" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
