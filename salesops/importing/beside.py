"""Writing an import's chunks in a thread of its own while the next ones are read and validated.

Reading a chunk (Arrow's CSV reader) and validating it (pandas) need no database; writing it
is mostly the database's work (SQLite's inserts release the GIL, PostgreSQL's COPY waits on
the server). `writing_beside(sink)` runs the sink - the import's writer - in one thread, so
the two overlap: a chunk is handed over once the last one is written (two at most are held),
and the sink sees every chunk, in order, on the import's connection, which nothing else uses
meanwhile. Its first error stops it (later chunks are dropped) and is raised at the caller's
next chunk or at the end: the import's transaction then rolls back as before. Leaving the
block (however) waits for the thread, so the connection is never used by two at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from salesops.importing.issues import RowIssue
from salesops.importing.pipeline import ChunkSink
from salesops.importing.plan import FilePlan

_DONE = None  # what tells the thread no chunk follows


class _Beside:
    """A sink that hands each chunk to `sink` in a thread of its own (one chunk waiting)."""

    def __init__(self, sink: ChunkSink) -> None:
        self.sink = sink
        self.error: BaseException | None = None
        self._chunks: queue.Queue[tuple[FilePlan, pd.DataFrame, list[RowIssue]] | None]
        self._chunks = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="salesops-import-writer")
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not _DONE:
            if self.error is None:
                try:
                    self.sink(*chunk)
                except BaseException as exc:  # raised in the caller's thread
                    self.error = exc
            self._chunks.task_done()

    def __call__(self, plan: FilePlan, typed: pd.DataFrame, issues: list[RowIssue]) -> None:
        """Hands a chunk to the sink once it is done with the last one (raises its error, if any).

        Two chunks at most are held at once: the one written and the one read meanwhile.
        """
        self._chunks.join()
        self.raise_error()
        self._chunks.put((plan, typed, list(issues)))

    def raise_error(self) -> None:
        """Raises the error the sink stopped on, if any."""
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Waits until the sink has taken every queued chunk and the thread has ended."""
        self._chunks.put(_DONE)
        self._thread.join()


@contextmanager
def writing_beside(sink: ChunkSink) -> Iterator[ChunkSink]:
    """Yields a sink writing through `sink` in a thread; on leaving, waits for it to end.

    Raises the sink's error on leaving (when the block itself raised nothing).
    """
    beside = _Beside(sink)
    try:
        yield beside
    finally:
        beside.close()
    beside.raise_error()
