"""A progress callback for the demo build tests: what it was told, and on which threads."""

from __future__ import annotations

import threading


class ProgressSeen:
    """Records each progress message and the name of the thread that reported it."""

    def __init__(self) -> None:
        self.threads: set[str] = set()
        self.messages: list[str] = []

    def __call__(self, fraction: float, message: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.messages.append(message)
