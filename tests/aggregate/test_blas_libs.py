"""The aggregation fit's thread-pool controller finds the libraries threadpoolctl's own search finds (speed55)."""

from __future__ import annotations

import threadpoolctl

from labelwise.aggregate import _blas_libs
from labelwise.aggregate._base import _blas_controller


def _libraries(controller: threadpoolctl.ThreadpoolController) -> set[tuple[str, str, str, str]]:
    return {(c.user_api, c.internal_api, c.prefix, c.filepath) for c in controller.lib_controllers}


def test_the_same_libraries_as_threadpoolctl_finds() -> None:
    """Skipping extension modules finds every library ``ThreadpoolController()`` finds, and no other."""
    import numpy as np
    import scipy.sparse  # noqa: F401  (scipy's own BLAS loaded too)

    np.ones((3, 3)) @ np.ones(3)
    ours = _libraries(_blas_libs.blas_controller())
    assert ours == _libraries(threadpoolctl.ThreadpoolController())
    assert any(api == "blas" for api, *_ in ours)  # numpy's BLAS is among them


def test_the_fit_s_controller_limits_blas_to_one_thread() -> None:
    """The cached controller's limit sets every BLAS library to one thread, and restores it after."""
    controller = _blas_controller()
    before = [c.num_threads for c in controller.lib_controllers]
    with controller.limit(limits=1, user_api="blas"):
        assert all(c.num_threads == 1 for c in controller.lib_controllers if c.user_api == "blas")
    assert [c.num_threads for c in controller.lib_controllers] == before


def test_extension_modules_are_told_from_libraries() -> None:
    """CPython and stable-ABI extension modules are skipped; shared libraries, BLAS included, are not."""
    tag = _blas_libs.EXTENSION_SUFFIXES[0]
    assert _blas_libs._extension_module(f"/x/numpy/_core/_multiarray_umath{tag}x86_64-linux-gnu.so")
    assert _blas_libs._extension_module("/x/pyarrow/lib.abi3.so")
    assert not _blas_libs._extension_module("/x/numpy.libs/libscipy_openblas64_-32a4b2a6.so")
    assert not _blas_libs._extension_module("/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0")
    assert not _blas_libs._extension_module("/usr/lib/libopenblas.so.0")


def test_without_threadpoolctl_s_private_steps_its_own_search(monkeypatch) -> None:
    """Where threadpoolctl lacks the private steps reused, the controller is ``ThreadpoolController()``'s."""
    monkeypatch.delattr(threadpoolctl.ThreadpoolController, "_from_controllers")
    assert _libraries(_blas_libs.blas_controller()) == _libraries(threadpoolctl.ThreadpoolController())
