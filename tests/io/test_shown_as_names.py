"""``shown_as``: an error raised on a decoded copy names the user's file, by path and by name alone."""

from __future__ import annotations

import gzip

import pytest

from labelwise.errors import DataFileError
from labelwise.io.plain_text import plain_text, shown_as


@pytest.fixture
def copy_and_file(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    return plain_text(path), path


def test_a_message_naming_the_copy_by_its_name_names_the_user_s_file(copy_and_file):
    """'t.csv' (the copy's name: a reader that says path.name) becomes 't.csv.gz', in either quotes."""
    copy, path = copy_and_file
    assert copy.name == "t.csv"
    with pytest.raises(DataFileError) as info, shown_as(copy, path):
        raise DataFileError(f'line 3 of {copy.name!r} has 3 cells; "{copy.name}" is the file')
    assert str(info.value) == "line 3 of 't.csv.gz' has 3 cells; \"t.csv.gz\" is the file"


def test_the_copy_s_path_is_the_user_s_path_and_other_names_stay(copy_and_file):
    """The copy's whole path becomes the user's; a name that only contains the copy's (t.csv.bak) is kept."""
    copy, path = copy_and_file
    with pytest.raises(DataFileError) as info, shown_as(copy, path):
        raise DataFileError(f"data file {str(copy)!r} is bad; see 't.csv.bak' and t.csv")
    assert str(info.value) == f"data file {str(path)!r} is bad; see 't.csv.bak' and t.csv"
