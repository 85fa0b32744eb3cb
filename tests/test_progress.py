"""``labelwise._progress``: a ``quiet`` block turns every bar off, whatever ``verbose`` says."""

from __future__ import annotations

import io

from rich.console import Console

from labelwise._progress import is_quiet, progress_enabled, quiet, track
from labelwise._stage_progress import bars_open, stage, stages


class TestQuiet:
    def test_inside_quiet_no_bar_is_enabled_even_when_asked_for(self):
        """verbose=True draws outside the block and nothing inside; the block ends with it."""
        assert progress_enabled(True) and not is_quiet()
        with quiet():
            assert is_quiet() and not progress_enabled(True) and not progress_enabled(None)
        assert progress_enabled(True) and not is_quiet()

    def test_quiet_false_changes_nothing_and_keeps_an_outer_block(self):
        """quiet(False) (a command run without --quiet) leaves bars as they were, inside quiet() too."""
        with quiet(False):
            assert progress_enabled(True)
        with quiet(), quiet(False):
            assert not progress_enabled(True)

    def test_stage_bars_are_not_opened_inside_quiet(self):
        """stages(True) on a terminal console opens no bars inside quiet(): nothing is drawn."""
        buf = io.StringIO()
        with quiet(), stages(True, console=Console(file=buf, force_terminal=True)), stage("work") as shown:
            assert shown is None and not bars_open()
        assert buf.getvalue() == ""

    def test_track_yields_every_item_inside_quiet(self):
        """track(verbose=True) inside quiet() still yields the items, in order."""
        with quiet():
            assert list(track(range(5), total=5, verbose=True)) == [0, 1, 2, 3, 4]
