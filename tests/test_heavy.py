"""``labelwise._heavy.LazyModule``: a module imported the first time one of its attributes is used."""

from __future__ import annotations

import pickle
import sys
import types

import pytest

from labelwise._heavy import LazyModule, pandas


@pytest.fixture
def toy_module(tmp_path, monkeypatch):
    """A module ``lazytoy`` on ``sys.path``, not imported yet."""
    (tmp_path / "lazytoy.py").write_text("VALUE = 3\n\ndef double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazytoy", raising=False)
    yield "lazytoy"
    sys.modules.pop("lazytoy", None)


class TestLazyModule:
    def test_nothing_is_imported_until_an_attribute_is_read(self, toy_module):
        """Making the lazy module imports nothing; reading an attribute imports the module and gives its value."""
        lazy = LazyModule(toy_module)
        assert toy_module not in sys.modules
        assert "not imported yet" in repr(lazy)
        assert lazy.double(lazy.VALUE) == 6
        assert toy_module in sys.modules and "(imported)" in repr(lazy)

    def test_reads_follow_the_module_as_it_is_now(self, toy_module, monkeypatch):
        """A value patched on the real module is what the lazy module gives (a test's monkeypatch is seen)."""
        lazy = LazyModule(toy_module)
        assert lazy.VALUE == 3
        monkeypatch.setattr(sys.modules[toy_module], "VALUE", 5)
        assert lazy.VALUE == 5

    def test_setting_and_deleting_act_on_the_module(self, toy_module):
        """Setting or deleting an attribute of the lazy module sets or deletes it on the module itself."""
        lazy = LazyModule(toy_module)
        lazy.EXTRA = 7
        assert sys.modules[toy_module].EXTRA == 7
        del lazy.EXTRA
        assert not hasattr(sys.modules[toy_module], "EXTRA")

    def test_an_unknown_attribute_is_an_attribute_error(self, toy_module):
        """A name the module does not have raises AttributeError, as the module would."""
        with pytest.raises(AttributeError, match="no_such_name"):
            LazyModule(toy_module).no_such_name  # noqa: B018

    def test_a_missing_module_fails_on_first_use(self):
        """A module that does not exist is an ImportError when first used, not when named."""
        lazy = LazyModule("labelwise_no_such_module")
        with pytest.raises(ModuleNotFoundError):
            lazy.anything  # noqa: B018

    def test_pickles_as_the_module_itself(self, toy_module):
        """Pickled (to a Dask worker, say) the lazy module arrives as the real module."""
        restored = pickle.loads(pickle.dumps(LazyModule(toy_module)))
        assert isinstance(restored, types.ModuleType) and restored is sys.modules[toy_module]

    def test_dir_lists_the_modules_names(self, toy_module):
        """``dir()`` lists the module's names."""
        assert {"VALUE", "double"} <= set(dir(LazyModule(toy_module)))


def test_pandas_stands_for_pandas():
    """``labelwise._heavy.pandas`` gives pandas' own objects."""
    import pandas as pd

    assert pandas.DataFrame is pd.DataFrame and isinstance(pandas.Series([1]), pd.Series)
