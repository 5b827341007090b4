"""writing_beside: an import's chunks written in a thread of their own, in order, errors kept."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from salesops.importing.beside import writing_beside


class Recorder:
    """A sink that records each chunk's number and the thread it ran in (may fail on one)."""

    def __init__(self, fail_on: int | None = None, pause: float = 0.0) -> None:
        self.seen: list[int] = []
        self.threads: set[str] = set()
        self.fail_on = fail_on
        self.pause = pause
        self.running = False

    def __call__(self, plan, typed: pd.DataFrame, issues: list) -> None:
        self.running = True
        time.sleep(self.pause)
        self.threads.add(threading.current_thread().name)
        number = int(typed["n"].iloc[0])
        self.running = False
        if number == self.fail_on:
            raise RuntimeError(f"chunk {number} failed")
        self.seen.append(number)


def chunk(number: int) -> pd.DataFrame:
    return pd.DataFrame({"n": [number]})


def test_every_chunk_reaches_the_sink_in_order_in_another_thread():
    sink = Recorder()
    with writing_beside(sink) as chunks:
        for number in range(20):
            chunks(None, chunk(number), [])
    assert sink.seen == list(range(20))
    assert sink.threads == {"salesops-import-writer"}


def test_the_sinks_error_is_raised_and_later_chunks_are_not_written():
    sink = Recorder(fail_on=3)
    with pytest.raises(RuntimeError, match="chunk 3 failed"), writing_beside(sink) as chunks:
        for number in range(10):
            chunks(None, chunk(number), [])
    assert sink.seen == [0, 1, 2]


def test_leaving_on_the_callers_error_waits_for_the_sink():
    sink = Recorder(pause=0.05)
    with pytest.raises(ValueError, match="reading failed"), writing_beside(sink) as chunks:
        chunks(None, chunk(0), [])
        raise ValueError("reading failed")
    assert not sink.running
    assert sink.seen == [0]
