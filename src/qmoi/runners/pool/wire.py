"""Messages between the supervisor and a worker: one JSON document per message on a duplex
pipe (``multiprocessing`` frames each message, so a line break inside a log line is safe).

Supervisor → worker: ``{"op": "run", "request": {...}}``, ``{"op": "cancel", "key"}``,
``{"op": "stop"}``. Worker → supervisor: ``{"op": "ready", "pid"}``, ``{"op": "beat"}``,
``{"op": "events", "items": [[key, {...}], ...]}`` (``Event.to_json``, in the order they
happened), ``{"op": "done", "key", "cpu", "maxrss"}`` (CPU seconds and the peak RSS the
kernel saw, both for this job only).
"""

from __future__ import annotations

import json
import queue
import threading
from multiprocessing.connection import Connection
from typing import Any

Message = dict[str, Any]


class Channel:
    """One end of the pipe; ``send`` may be called from any thread."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, message: Message) -> bool:
        """False when the other end is gone."""
        data = json.dumps(message, ensure_ascii=False).encode("utf-8")
        try:
            with self._lock:
                self.conn.send_bytes(data)
        except (OSError, ValueError):
            return False
        return True

    def receive(self) -> Message:
        """The next message; raises ``EOFError`` when the other end closed."""
        data = self.conn.recv_bytes()
        message = json.loads(data.decode("utf-8"))
        if not isinstance(message, dict):
            raise EOFError("malformed message")
        return message

    def close(self) -> None:
        self.conn.close()


_Item = tuple[bool, Any] | None  # (is an event, [key, event] or a whole message)


class Outbox:
    """What a worker's jobs send, sent by one thread of its own, in order: whatever piled
    up while the last message went out goes as one ``events`` message. A step printing
    200,000 lines sent as many messages, each a JSON document, a pipe write and a wake-up
    of the supervisor; a quiet job's events still go at once. A job's ``done`` goes
    through here too, so it never overtakes that job's events."""

    BATCH = 512  # events in one message at most

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="qmoi-outbox", daemon=True)
        self._thread.start()

    def event(self, key: str, event: dict[str, Any]) -> None:
        self._queue.put((True, [key, event]))

    def message(self, message: Message) -> None:
        self._queue.put((False, message))

    def close(self) -> None:
        """Send what is queued; then the thread ends."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < self.BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not self._send(items):
                return

    def _send(self, items: list[_Item]) -> bool:
        """Send ``items`` in order, runs of events as one message; False after the end."""
        events: list[Any] = []
        for item in items:
            if item is None:
                self._events(events)
                return False
            is_event, payload = item
            if is_event:
                events.append(payload)
                continue
            self._events(events)
            events = []
            self.channel.send(payload)
        self._events(events)
        return True

    def _events(self, events: list[Any]) -> None:
        if events:
            self.channel.send({"op": "events", "items": events})
