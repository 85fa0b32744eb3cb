"""labeling_function and slicing_function check their options as preprocessor does, in its wording."""

from __future__ import annotations

import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError

DECORATORS = [
    pytest.param(weak.labeling_function, "labeling function", id="labeling_function"),
    pytest.param(weak.slicing_function, "slicing function", id="slicing_function"),
]


def message(make, *args, **kwargs) -> str:
    """The InvalidParameterError message of ``make(*args, **kwargs)``."""
    with pytest.raises(InvalidParameterError) as info:
        make(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(("make", "kind"), DECORATORS)
class TestOptions:
    """Each bad option names the option, what it must be and what it got (type and value)."""

    @pytest.mark.parametrize(("name", "got"), [("", "str ''"), (3, "int 3"), (["a"], "list ['a']")])
    def test_name_must_be_a_non_empty_string(self, make, kind, name, got):
        """``name``: a non-empty string or None, the kind of function named."""
        expected = f"name must be a non-empty string (the {kind}'s name) or None, got {got}"
        assert message(make, name=name) == expected

    @pytest.mark.parametrize(("value", "got"), [("yes", "str 'yes'"), (1, "int 1"), (None, "NoneType None")])
    def test_vectorized_must_be_a_boolean(self, make, kind, value, got):
        """``vectorized``: True or False, not a truthy string, an int or None."""
        assert message(make, vectorized=value) == f"vectorized must be True or False, got {got}"

    @pytest.mark.parametrize(("func", "got"), [(3, "int 3"), ("f", "str 'f'")])
    def test_func_must_be_callable(self, make, kind, func, got):
        """What the decorator wraps must be a function, with or without options; the decorator named."""
        expected = f"{make.__name__} needs a callable (the function to wrap), got {got}"
        assert message(make, func) == expected
        assert message(make(name="f"), func) == expected

    @pytest.mark.parametrize(
        "options", [{"name": 3}, {"name": ""}, {"vectorized": "yes"}, {"vectorized": None}], ids=repr
    )
    def test_the_wording_is_the_preprocessors(self, make, kind, options):
        """The message is the preprocessor's for the same option, the kind of function aside."""
        theirs = message(weak.preprocessor, **options).replace("preprocessor", kind)
        assert message(make, **options) == theirs
