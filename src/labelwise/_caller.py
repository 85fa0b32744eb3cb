"""Warnings at the line that called labelwise: the first frame of the stack outside the package.

A fixed ``stacklevel`` is right for one call path only: the same fit is reached from ``est.fit``,
from a wrapper (a Dask frame's ``fit`` goes through ``fit_dask_frame``) or from another package's
fit, each a different number of frames deep. Python 3.12's ``skip_file_prefixes`` does this walk;
this module does it on the versions before it. The command line's own modules (``labelwise/cli``)
count as callers: they call the API as a user's script does. The standard library's ``contextlib`` frames are
passed over: a labelwise function decorated by a context manager (``dask_data_issues``) or a ``@contextmanager``'s
``__enter__`` puts one between two of labelwise's frames, and the user's line is further out.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

__all__ = ["caller_stacklevel", "warn_at_caller"]


def caller_stacklevel() -> int:
    """The ``stacklevel`` that :func:`warnings.warn`, called by the function calling this one, gives
    to point at the first frame outside labelwise (or in ``labelwise/cli``).

    Returns
    -------
    int
        At least 1 (the calling function's own line, when every frame is labelwise's).
    """
    here = sys._getframe(0)
    root = os.path.dirname(here.f_code.co_filename) + os.sep  # the package's path as its modules were compiled
    cli = root + "cli" + os.sep
    glue = contextlib.__file__  # a context decorator's ``inner``, a context manager's ``__enter__``
    frame, level = here.f_back, 1  # level 1: the caller of this function, as warnings.warn counts from it
    while frame is not None and frame.f_back is not None:
        name = frame.f_code.co_filename
        if (not name.startswith(root) or name.startswith(cli)) and name != glue:
            break
        frame, level = frame.f_back, level + 1
    return level


def warn_at_caller(message: Warning) -> None:
    """Issue ``message`` (a :class:`Warning` instance, its class the category) at labelwise's caller's
    line (:func:`caller_stacklevel`), under the user's warning filters."""
    warnings.warn(message, stacklevel=caller_stacklevel())  # both count from this function
