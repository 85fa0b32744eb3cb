"""``labelwise._stage_progress.Stage``: the total a line shows never grows once the stage's work has
begun, whatever counts it (a pass's chunks, Dask tasks, ``distributed`` futures), drawn on a fake sink."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._stage_progress import Stage


@dataclass
class _Line:
    id: int
    total: float | None
    completed: int = 0


class FakeBars:
    """What rich's ``Progress`` offers a stage (``add_task``, ``update``, ``tasks``), recording the
    line as it would be drawn after every update: ``(done, total)``, total None for ``done/?``."""

    def __init__(self) -> None:
        self.tasks: list[_Line] = []
        self.frames: list[tuple[int, float | None]] = []

    def add_task(self, name: str, total: float | None = None) -> int:
        self.tasks.append(_Line(len(self.tasks), total))
        return self.tasks[-1].id

    def update(self, task_id: int, *, total: float | None = None, completed: int | None = None) -> None:
        line = self.tasks[task_id]
        if total is not None:
            line.total = total
        if completed is not None:
            line.completed = completed
        self.frames.append((line.completed, line.total))


class FakeFuture:
    """A ``distributed`` future whose done callbacks run when the test says it finished."""

    def __init__(self) -> None:
        self.callbacks: list = []

    def add_done_callback(self, fn) -> None:
        self.callbacks.append(fn)

    def finish(self) -> None:
        for fn in self.callbacks:
            fn(self)


def _assert_never_grows(frames: list[tuple[int, float | None]]) -> None:
    """Before the last frame (the stage's end), every frame with work done shows either no total or
    the one first shown with work done, and once hidden a total is not shown again."""
    shown_with_work = {t for d, t in frames[:-1] if d > 0 and t is not None}
    assert len(shown_with_work) <= 1, frames
    hidden_at = next((i for i, (_, t) in enumerate(frames) if t is None and i > 0), None)
    if hidden_at is not None:
        assert all(t is None for _, t in frames[hidden_at:-1]), frames
    assert all(t is None or d <= t for d, t in frames), frames


class TestChunkPasses:
    def test_one_pass_shows_its_chunks_as_the_total(self):
        """A stage of one pass of 4 chunks draws 1/4 ... 4/4."""
        bars = FakeBars()
        stage = Stage(bars, "pass 1: thresholds", None)
        stage.add(4)
        for _ in range(4):
            stage.advance()
        stage.finish()
        assert [t for d, t in bars.frames if d > 0] == [4, 4, 4, 4, 4]

    def test_a_second_pass_hides_the_total_instead_of_growing_it(self):
        """Two passes of 3 chunks: 3/3, then 4/? and 5/? (main drew 4/6: a total that grew), 6/6 at the end."""
        bars = FakeBars()
        stage = Stage(bars, "pass 3: pruning", None)
        for _ in range(2):
            stage.add(3)
            for _ in range(3):
                stage.advance()
        stage.finish()
        assert bars.frames[-1] == (6, 6)
        assert [(d, t) for d, t in bars.frames if d in (4, 5)] == [(4, None), (5, None)]
        _assert_never_grows(bars.frames)

    def test_passes_added_before_any_work_stay_one_known_total(self):
        """Chunks added before the first is done (two passes queued together) are one total: 1/6."""
        bars = FakeBars()
        stage = Stage(bars, "two passes", None)
        stage.add(3)
        stage.add(3)
        stage.advance()
        assert bars.frames[-1] == (1, 6)


class TestDistributedFutures:
    def test_futures_of_two_computations_show_no_total_until_the_end(self):
        """Futures tracked by two persists of one stage: done/? throughout (main drew 2/2, then 2/3), 3/3 at the end."""
        bars = FakeBars()
        stage = Stage(bars, "pass 2: confident joint", None)
        first = [FakeFuture(), FakeFuture()]
        stage.track(first)
        for f in first:
            f.finish()
        second = [FakeFuture()]
        stage.track(second)
        second[0].finish()
        stage.finish()
        assert [t for _, t in bars.frames[:-1]] == [None, None, None]
        assert bars.frames[-1] == (3, 3)


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 5)),
        st.tuples(st.just("add_tasks"), st.integers(1, 5)),
        st.tuples(st.just("track"), st.integers(1, 5)),
        st.tuples(st.just("advance"), st.integers(1, 5)),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(steps=_STEPS, given_total=st.one_of(st.none(), st.integers(1, 10)))
def test_no_sequence_of_counts_draws_a_growing_total(steps, given_total):
    """Any mix of passes, tasks and futures, each followed by some work done: no frame before the end
    shows a total that grew once work had begun, and the end shows done/done."""
    bars = FakeBars()
    stage = Stage(bars, "stage", given_total)
    pending = 0
    for kind, n in steps:
        if kind == "advance":
            todo = min(n, pending)
            pending -= todo
            for _ in range(todo):
                stage.advance()
        elif kind == "track":
            futures = [FakeFuture() for _ in range(n)]
            stage.track(futures)
            for f in futures:
                f.finish()
        else:
            getattr(stage, kind)(n)
            pending += n
    stage.finish()
    _assert_never_grows(bars.frames)
    done, total = bars.frames[-1]
    assert done == total == max(stage.done, 1)
