"""Messages between the supervisor and a worker: one JSON document per message on a duplex
pipe (``multiprocessing`` frames each message, so a line break inside a log line is safe).

Supervisor → worker: ``{"op": "run", "request": {...}}``, ``{"op": "cancel", "key"}``,
``{"op": "stop"}``. Worker → supervisor: ``{"op": "ready", "pid"}``, ``{"op": "beat"}``,
``{"op": "event", "event": {...}}`` (``Event.to_json``), ``{"op": "done", "key", "cpu",
"maxrss"}`` (CPU seconds and the peak RSS the kernel saw, both for this job only).
"""

from __future__ import annotations

import json
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
