"""The options preprocessor and transformation_function share: one check, one wording for both."""

from __future__ import annotations

import re

import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError

DECORATORS = [
    pytest.param(weak.preprocessor, "preprocessor", id="preprocessor"),
    pytest.param(weak.transformation_function, "transformation function", id="transformation_function"),
]


def refused(make, message: str, *args, **kwargs) -> None:
    """``make(*args, **kwargs)`` raises InvalidParameterError with exactly ``message``."""
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        make(*args, **kwargs)


@pytest.mark.parametrize(("make", "kind"), DECORATORS)
class TestSharedOptions:
    """Each bad option gives the same message from both decorators (the kind of function named)."""

    @pytest.mark.parametrize(("name", "got"), [("", "str ''"), (3, "int 3"), (["a"], "list ['a']")])
    def test_name_must_be_a_non_empty_string(self, make, kind, name, got):
        """``name``: a non-empty string or None; the message names the expected and the given type."""
        refused(make, f"name must be a non-empty string (the {kind}'s name) or None, got {got}", name=name)

    @pytest.mark.parametrize("option", ["vectorized", "memoize"])
    @pytest.mark.parametrize(("value", "got"), [("yes", "str 'yes'"), (1, "int 1"), (None, "NoneType None")])
    def test_flags_must_be_booleans(self, make, kind, option, value, got):
        """``vectorized`` and ``memoize``: True or False, not a truthy string or an int."""
        refused(make, f"{option} must be True or False, got {got}", **{option: value})

    def test_a_vectorized_function_cannot_be_memoised(self, make, kind):
        """``memoize=True`` with ``vectorized=True``: refused, saying why, naming both."""
        refused(
            make,
            f"memoize must be False for a vectorized {kind} (it is called once per frame, not once per row), got "
            "memoize=True with vectorized=True",
            vectorized=True,
            memoize=True,
        )

    def test_memoize_key_must_be_a_function(self, make, kind):
        """``memoize_key``: a function of a row, or None."""
        refused(
            make,
            "memoize_key must be a function of a row returning a hashable key, or None, got str 'text'",
            memoize=True,
            memoize_key="text",
        )

    def test_memoize_key_needs_memoize(self, make, kind):
        """A key without ``memoize=True`` is refused (Snorkel would ignore it silently)."""
        refused(
            make,
            "memoize_key needs memoize=True (the key is used only to memoise; Snorkel ignores it otherwise), got "
            "memoize=False",
            memoize_key=len,
        )

    def test_func_must_be_callable(self, make, kind):
        """What the decorator wraps must be a function; the message names the decorator."""
        decorator = make.__name__
        refused(make, f"{decorator} needs a callable (the function to wrap), got int 3", 3)
        refused(make(name="f"), f"{decorator} needs a callable (the function to wrap), got str 'f'", "f")
