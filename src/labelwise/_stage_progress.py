"""One progress bar per stage of a run at scale: the audit's passes, aggregation's steps, writing.

A run opens the bars with :func:`stages` (one rich display on stderr for the whole run; a block
inside another one's reuses its bars) and marks its stages with :func:`stage`; each stage is one
line: its name, a bar, done / total and the time it took. What a stage counts depends on where the
data are, and the counting lives here, not in the algorithms:

- numpy, memory-mapped and zarr arrays: the row chunks of every pass the stage runs
  (:class:`labelwise._chunks.RowChunks` ticks one per chunk done);
- Dask's local schedulers (threads, processes, synchronous): every task of every computation the
  stage starts, through a :class:`dask.callbacks.Callback`;
- ``distributed``: the futures each :func:`persist` or :func:`compute` sends, counted by a done
  callback as they finish (nothing is gathered to count them, nothing waits for them but the end of
  the stage).

A line never shows a total that grows once its work has begun (``7/17``, then ``21/22``, then
``23/31``): a later pass's chunks, or a later computation's tasks or futures, are not known before
it starts. So a total given when the stage opens is shown; the chunks of a stage's first pass are
shown as its total until a later pass adds more, and from then on the line shows ``done/?``; Dask's
tasks and futures (one stage may start several computations) show ``done/?`` from the first one
on. When the stage ends the line shows done/done.

With no bars open (tests, ``verbose=False``, stderr not a terminal) :func:`stage` yields ``None`` and
:func:`persist` / :func:`compute` are ``dask.persist`` / ``dask.compute``: one context-variable read.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from ._progress import progress_enabled

#: The open bars (a ``rich.progress.Progress``), ``_OFF`` inside ``stages(False)``, None outside any block.
_BARS: ContextVar[Any] = ContextVar("labelwise_stage_bars", default=None)
_OFF = object()
_STAGE: ContextVar[Stage | None] = ContextVar("labelwise_stage", default=None)


class Stage:
    """One line of the display: what is done and, while it is known, the total.

    The total shown stays as it is once a unit is done: more units added after that (a later
    pass, :meth:`add`) hide it until :meth:`finish`, and Dask's tasks and futures
    (:meth:`add_tasks`, :meth:`track`) hide it from the first.
    """

    def __init__(self, bars: Any, name: str, total: int | None) -> None:
        self._bars = bars
        self._lock = threading.Lock()
        self.total = int(total or 0)
        self.done = 0
        self._task = bars.add_task(name, total=total)
        self.futures: list[Any] = []  # ``distributed`` futures to wait for before the stage ends
        self.closed = False  # after :meth:`finish`: a late done callback changes nothing
        self.total_hidden = False  # the line shows done/? until the end

    def add(self, n: int) -> None:
        """``n`` more units to do (a pass's chunks): shown in the total while none is done yet."""
        self._grow(n, hide=self.done > 0)

    def add_tasks(self, n: int) -> None:
        """``n`` more Dask tasks (a computation started on a local scheduler): counted in ``total``,
        but the line shows no total from now until the stage ends, since the stage's next
        computations are not known yet."""
        self._grow(n, hide=True)

    def _grow(self, n: int, *, hide: bool) -> None:
        with self._lock:
            self.total += int(n)
            if hide and not self.total_hidden:
                self.total_hidden = True
                for task in self._bars.tasks:  # rich's update() cannot unset a total
                    if task.id == self._task:
                        task.total = None
            if not self.total_hidden:
                self._bars.update(self._task, total=self.total)

    def advance(self, n: int = 1) -> None:
        """``n`` units done (thread-safe: the numpy backend's threads and done callbacks call it)."""
        with self._lock:
            if self.closed:
                return
            self.done += int(n)
            self._bars.update(self._task, completed=self.done)

    def track(self, futures: list[Any]) -> None:
        """Count ``distributed`` futures: one unit each, done when it finishes (a callback, no waiting);
        as for :meth:`add_tasks`, the line shows no total until the stage ends."""
        self._grow(len(futures), hide=True)
        self.futures.extend(futures)
        for future in futures:
            future.add_done_callback(lambda _: self.advance())

    def set_total(self, n: int) -> None:
        """The total is ``n`` after all (a loop that stopped early: EM that converged)."""
        with self._lock:
            self.total = int(n)
            if not self.total_hidden:
                self._bars.update(self._task, total=self.total)

    def finish(self) -> None:
        """Show the stage complete: done equals the total (a stage that counted nothing shows 1/1)."""
        with self._lock:
            self.closed = True
            self.total = self.done = max(self.total, self.done, 1)
            self._bars.update(self._task, total=self.total, completed=self.done)


@contextlib.contextmanager
def stages(verbose: bool | None, *, console: Any = None) -> Iterator[None]:
    """Draw the stages run inside the block, one line each, on stderr (or ``console``).

    Parameters
    ----------
    verbose : bool or None
        True draws, False draws nothing (even inside another block's bars), None draws when stderr
        is a terminal (:func:`labelwise._progress.progress_enabled`). Inside another block, True
        and None do as it does: add their stages to its display, or draw nothing inside
        ``stages(False)`` (a command's ``--quiet`` holds for the functions it calls).
    console : rich.console.Console, optional
        Where to draw (default: a console on stderr).
    """
    if verbose is False:
        token = _BARS.set(_OFF)
        try:
            yield
        finally:
            _BARS.reset(token)
        return
    if _BARS.get() is not None or not progress_enabled(verbose):
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # redirect_stdout=False: a report printed meanwhile goes to stdout as it is, never into the bars
    bars = Progress(*columns, console=console or Console(stderr=True), redirect_stdout=False)
    with bars:
        token = _BARS.set(bars)
        try:
            yield
        finally:
            _BARS.reset(token)


@contextlib.contextmanager
def stage(name: str, *, total: int | None = None, count_tasks: bool = True) -> Iterator[Stage | None]:
    """A stage of the run: a line of the open bars (``None`` when none are open).

    With ``count_tasks`` the tasks of the Dask computations it starts on a local scheduler are
    counted; without, the caller advances the stage itself (e.g. once per EM iteration).
    """
    bars = _BARS.get()
    if bars is None or bars is _OFF:
        yield None
        return
    current = Stage(bars, name, total)
    token = _STAGE.set(current)
    counting = _TaskCounter(current) if count_tasks and "dask" in sys.modules else contextlib.nullcontext()
    try:
        with counting:
            yield current
        if current.futures:  # the bar ends where the stage's work does, not before
            from distributed import wait

            wait(current.futures)
        current.finish()
    finally:
        current.futures.clear()
        _STAGE.reset(token)


@contextlib.contextmanager
def step(name: str) -> Iterator[Stage | None]:
    """:func:`stage` inside its own :func:`stages` block (``verbose=None``) when no block is open:
    for a function without a ``verbose`` parameter whose steps run on Dask (the data checks)."""
    with stages(None), stage(name) as current:
        yield current


def bars_open() -> bool:
    """Whether a :func:`stages` block draws in this context."""
    return _BARS.get() not in (None, _OFF)


def current_stage() -> Stage | None:
    """The stage open in this context (read it in the calling thread, before handing work to others)."""
    return _STAGE.get()


class _TaskCounter:
    """A :class:`dask.callbacks.Callback` (made on entry) counting a stage's tasks on local schedulers."""

    def __init__(self, target: Stage) -> None:
        from dask.callbacks import Callback

        def start_state(dsk: Any, state: dict) -> None:
            target.add_tasks(sum(len(state[k]) for k in ("ready", "waiting", "running")))

        def posttask(key: Any, result: Any, dsk: Any, state: dict, worker_id: Any) -> None:
            target.advance()

        self._callback = Callback(start_state=start_state, posttask=posttask)

    def __enter__(self) -> None:
        self._callback.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._callback.__exit__(*exc)


def _client() -> Any:
    """The default ``distributed`` client when it is the scheduler in use, else None."""
    if "distributed" not in sys.modules:
        return None
    import dask

    if dask.config.get("scheduler", None) not in (None, "dask.distributed", "distributed"):
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


def persist(*values: Any, **kwargs: Any) -> tuple[Any, ...]:
    """``dask.persist(*values, **kwargs)``; on ``distributed`` inside a stage, the persisted futures
    are counted as they finish (the stage waits for them when it ends; this call does not)."""
    import dask

    out = dask.persist(*values, **kwargs)
    target = _STAGE.get()
    client = _client() if target is not None else None
    if target is not None and client is not None:
        from distributed import futures_of

        target.track(futures_of(list(out)))
    return out


def compute(*values: Any, optimize_graph: bool = True) -> tuple[Any, ...]:
    """``dask.compute(*values)``; on ``distributed`` inside a stage, the results' futures are counted
    as they finish, then gathered (only these results reach the client, as with ``dask.compute``).
    ``optimize_graph=False``: values built on an optimised graph (``to_delayed()``'s) are not
    optimised again (Dask's optimisation costs per task)."""
    import dask

    target = _STAGE.get()
    client = _client() if target is not None else None
    if target is None or client is None:
        return dask.compute(*values, optimize_graph=optimize_graph)
    lazy = [i for i, v in enumerate(values) if dask.is_dask_collection(v)]
    futures = client.compute([values[i] for i in lazy], optimize_graph=optimize_graph)  # one graph
    target.track(futures)
    out = list(values)
    for i, value in zip(lazy, client.gather(futures), strict=True):
        out[i] = value
    return tuple(out)
