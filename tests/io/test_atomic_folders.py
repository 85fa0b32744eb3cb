"""``move_into_place``: a temporary folder moved onto its destination, at once or with ``files_together``."""

from __future__ import annotations

import pytest

from labelwise.io import files_together
from labelwise.io.atomic import move_into_place


def _folder(path, text):
    path.mkdir()
    (path / "part.0").write_text(text)
    return path


class TestMoveIntoPlace:
    def test_a_folder_replaces_the_previous_folder_and_leaves_nothing_aside(self, tmp_path):
        """The new folder's files replace the old folder's; no renamed-aside copy stays."""
        dest = _folder(tmp_path / "issues.parquet", "old")
        (dest / "part.1").write_text("old only")
        move_into_place(_folder(tmp_path / ".tmp", "new"), dest)
        assert sorted(p.name for p in dest.iterdir()) == ["part.0"]
        assert (dest / "part.0").read_text() == "new"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.parquet"]

    def test_inside_files_together_the_folder_moves_when_the_block_ends(self, tmp_path):
        """Within the block the previous folder is still in place; after it, the new one."""
        dest = _folder(tmp_path / "issues.parquet", "old")
        with files_together():
            move_into_place(_folder(tmp_path / ".tmp", "new"), dest)
            assert (dest / "part.0").read_text() == "old"
        assert (dest / "part.0").read_text() == "new"

    def test_a_block_that_raises_keeps_the_previous_folder_and_removes_the_new_one(self, tmp_path):
        """An error after the folder was finished (e.g. the summary's write) leaves the previous folder."""
        dest = _folder(tmp_path / "issues.parquet", "old")
        with pytest.raises(KeyboardInterrupt), files_together():
            move_into_place(_folder(tmp_path / ".tmp", "new"), dest)
            raise KeyboardInterrupt
        assert (dest / "part.0").read_text() == "old"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.parquet"]
