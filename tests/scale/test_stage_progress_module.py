"""``labelwise._stage_progress``: when bars are drawn, how a stage's line counts, and nesting."""

from __future__ import annotations

import re

import pytest

from labelwise._stage_progress import bars_open, compute, current_stage, persist, stage, stages

from ._bars import _ANSI, _LINE, drawn, final_stages


class TestStages:
    def test_without_open_bars_a_stage_is_none_and_draws_nothing(self, capsys):
        """Outside any ``stages`` block (as in tests), ``stage`` yields None and nothing is printed."""
        with stage("pass 1: thresholds") as shown:
            assert shown is None and current_stage() is None
        assert capsys.readouterr() == ("", "")

    def test_none_draws_nothing_when_stderr_is_not_a_terminal(self, capsys):
        """``verbose=None`` with a captured stderr opens no bars."""
        with stages(None), stage("x") as shown:
            assert shown is None and not bars_open()
        assert capsys.readouterr() == ("", "")

    def test_an_inner_block_reuses_the_outer_bars_and_false_turns_them_off(self):
        """Inside open bars, ``stages(None)`` adds to them; ``stages(False)`` hides what runs inside,
        ``stages(None)`` within it included."""
        with drawn() as buf:
            with stages(None), stage("outer stage") as shown:
                shown.add(2)
                shown.advance(2)
            with stages(False), stages(None), stage("hidden stage") as hidden:
                assert hidden is None
        assert final_stages(buf.getvalue()) == {"outer stage": (2, "2")}


class TestStage:
    def test_a_stage_that_counted_nothing_ends_at_one_of_one(self):
        """A stage with no countable unit (a pandas write) still ends complete."""
        with drawn() as buf, stage("writing issues.parquet"):
            pass
        assert final_stages(buf.getvalue()) == {"writing issues.parquet": (1, "1")}

    def test_set_total_ends_a_loop_that_stopped_early_complete(self):
        """EM that converged after 3 of 100 iterations shows 3/3."""
        with drawn() as buf, stage("EM iterations", total=100, count_tasks=False) as shown:
            shown.advance(3)
            shown.set_total(3)
        assert final_stages(buf.getvalue()) == {"EM iterations": (3, "3")}

    def test_a_late_advance_after_the_end_changes_nothing(self):
        """A done callback that runs after the stage ended does not push it past its total."""
        with drawn() as buf:
            with stage("pass 3: pruning") as shown:
                shown.add(2)
                shown.advance(2)
            shown.advance()
        assert shown.done == shown.total == 2
        assert final_stages(buf.getvalue()) == {"pass 3: pruning": (2, "2")}

    def test_a_failing_stage_is_not_shown_complete(self):
        """An error inside a stage propagates and leaves its line where it stopped."""
        with drawn() as buf, pytest.raises(ValueError, match="boom"), stage("pass 1: thresholds") as shown:
            shown.add(4)
            shown.advance()
            raise ValueError("boom")
        assert final_stages(buf.getvalue()) == {"pass 1: thresholds": (1, "4")}


class TestDaskHooks:
    def test_local_scheduler_tasks_are_counted_and_results_unchanged(self):
        """On dask's threads, the stage counts every task of ``compute`` and ``persist``."""
        dask = pytest.importorskip("dask")
        da = pytest.importorskip("dask.array")
        x = da.arange(100, chunks=10)
        with dask.config.set(scheduler="threads"), drawn() as buf, stage("sum") as shown:
            (total,) = compute(x.sum())
            (kept,) = persist(x + 1)
            assert shown.total >= 10 + 10  # at least one task per chunk, twice
        assert int(total) == 4950 and int(kept.sum().compute()) == 5050
        done, count = final_stages(buf.getvalue())["sum"]
        assert done == int(count) >= 20

    def test_without_a_stage_compute_is_dask_compute(self):
        """No stage open: ``compute`` returns what ``dask.compute`` does, non-dask values included."""
        pytest.importorskip("dask")
        da = pytest.importorskip("dask.array")
        assert compute(da.ones(4, chunks=2).sum(), 7) == (4.0, 7)

    def test_a_stage_of_several_computations_never_shows_a_growing_total(self):
        """Two computations in one stage: every frame drawn shows no total or the final one (main drew
        10/10, then 11/20: a total that grew as the second computation started)."""
        dask = pytest.importorskip("dask")
        da = pytest.importorskip("dask.array")
        from dask.callbacks import Callback

        from labelwise._stage_progress import _BARS

        x = da.arange(100, chunks=10)
        redraw = Callback(posttask=lambda *_: _BARS.get().refresh())  # a frame after every task
        with dask.config.set(scheduler="synchronous"), drawn() as buf:
            with stage("two sums"), redraw:
                (first,) = compute(x.sum())
                (second,) = compute((x * 2).sum())
        assert (int(first), int(second)) == (4950, 9900)
        frames = [_LINE.match(raw.strip()) for raw in re.split(r"[\r\n]", _ANSI.sub("", buf.getvalue()))]
        shown = [(int(m["done"]), m["total"]) for m in frames if m and m["name"] == "two sums"]
        done, total = final_stages(buf.getvalue())["two sums"]
        assert done == int(total) >= 20
        assert {t for _, t in shown} == {"?", total}  # no total while running, then the final one
        assert all(t == "?" for d, t in shown if d < done)
