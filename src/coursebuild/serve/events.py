"""Server-sent events: one queue per connected page, fed by every rebuild."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

PING_SECONDS = 15.0
"""A comment line this often keeps proxies and browsers from timing out."""
QUEUE_LIMIT = 64
"""A page that stopped reading is dropped rather than buffered forever."""
RETRY_MS = 500
"""How soon a browser reconnects after the server restarted."""

_CLOSE = object()


def format_event(event: str, data: Any) -> bytes:
    """One SSE message; JSON data never holds a raw newline, so one data line suffices."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode("utf-8")


class Subscription:
    """The queue of one connected page."""

    def __init__(self) -> None:
        self._queue: queue.Queue[object] = queue.Queue(QUEUE_LIMIT)

    def put(self, item: object) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            return False

    def next_message(self, timeout: float = PING_SECONDS) -> bytes | None:
        """The next message to send, a ping comment on timeout, None when closed."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return b": ping\n\n"
        return None if item is _CLOSE else item  # type: ignore[return-value]

    def close(self) -> None:
        # The reader must see the close even when its queue is full.
        while not self.put(_CLOSE):
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass


class EventBroker:
    """Fan each published event out to every subscriber."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()
        self._closed = False

    def subscribe(self) -> Subscription:
        sub = Subscription()
        with self._lock:
            if self._closed:
                sub.close()
            else:
                self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    def publish(self, event: str, data: Any) -> None:
        message = format_event(event, data)
        with self._lock:
            stuck = [sub for sub in self._subscribers if not sub.put(message)]
            for sub in stuck:
                self._subscribers.discard(sub)
                sub.close()

    def close(self) -> None:
        """End every open event stream (server shutdown)."""
        with self._lock:
            self._closed = True
            subscribers, self._subscribers = self._subscribers, set()
        for sub in subscribers:
            sub.close()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._subscribers)
