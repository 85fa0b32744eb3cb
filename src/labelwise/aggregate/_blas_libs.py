"""The thread-pool controller of the native libraries loaded (BLAS, OpenMP), found without resolving the path of
every Python extension module.

threadpoolctl [1]_ finds the libraries it can limit by resolving the real path of every shared object the process
has mapped (``/proc/self/maps`` on Linux), then matching the file's name against the libraries' prefixes
(``libopenblas``, ``libscipy_openblas``, ``libmkl_rt``, ``libgomp``, ...). After pandas, scipy and scikit-learn are
imported that is some 230 objects and ~7 ms of ``lstat`` calls, paid by the first aggregation fit of a process
(it limits BLAS to one thread, :meth:`~labelwise.aggregate._base.BaseAggregator.fit`). Almost all of them are
Python extension modules (``*.cpython-311-x86_64-linux-gnu.so``, ``*.abi3.so``), which are never such a
library; :func:`blas_controller` resolves only the others, so it finds the same libraries (the test compares them
with threadpoolctl's own search). Where the private steps it reuses are missing (another threadpoolctl, another
platform), it is threadpoolctl's own :class:`~threadpoolctl.ThreadpoolController`.

References
----------
.. [1] threadpoolctl, "Python helpers to limit the number of threads used in native libraries that handle their
   own internal threadpool (BLAS and OpenMP implementations)", https://github.com/joblib/threadpoolctl.
"""

from __future__ import annotations

import sys
from typing import Any

import threadpoolctl

__all__ = ["EXTENSION_SUFFIXES", "blas_controller"]

#: The file-name endings of Python extension modules that no BLAS or OpenMP library has (a bare ``.so`` is left in:
#: the libraries themselves end in it).
EXTENSION_SUFFIXES = (f".{sys.implementation.cache_tag}-", ".abi3.so")


def blas_controller() -> threadpoolctl.ThreadpoolController:
    """A :class:`~threadpoolctl.ThreadpoolController` of the loaded libraries threadpoolctl supports, as
    ``ThreadpoolController()`` finds them, without resolving the paths of Python extension modules (Linux; elsewhere,
    or without threadpoolctl's private steps, ``ThreadpoolController()`` itself)."""
    controller = threadpoolctl.ThreadpoolController
    cache = getattr(threadpoolctl, "_CDLL_CACHE", None)
    steps = ("_from_controllers", "_PATH_RE", "_warn_if_incompatible_openmp")
    if not sys.platform.startswith("linux") or cache is None or not all(hasattr(controller, s) for s in steps):
        return controller()
    try:
        with open("/proc/self/maps", "rb") as f:
            maps = f.read()
    except OSError:
        return controller()
    paths = {p.decode("utf-8") for p in set(controller._PATH_RE.findall(maps))}  # one line per mapped segment
    found = controller._from_controllers([])
    for path in sorted(paths):  # the order is threadpoolctl's set order there: no limit depends on it
        if _extension_module(path):
            continue
        lib: Any = cache.create_controller(path, found)
        if lib is not None and lib.filepath not in (other.filepath for other in found.lib_controllers):
            found.lib_controllers.append(lib)
    found._warn_if_incompatible_openmp()
    return found


def _extension_module(path: str) -> bool:
    """Whether ``path`` names a Python extension module (by its file name's ending)."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".abi3.so") or (EXTENSION_SUFFIXES[0] in name and name.endswith(".so"))
