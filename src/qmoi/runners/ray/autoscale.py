"""Asking Ray's autoscaler for the nodes waiting jobs need.

``request_resources`` is declarative: each call replaces the previous request with "the
cluster should be able to hold these resource shapes at once", counting what already
runs (https://docs.ray.io/en/latest/cluster/running-applications/autoscaling/reference.html).
So while jobs wait, the request is the shapes of every unfinished job; once none waits it
is cleared, letting idle nodes go. Without an autoscaler behind the cluster the request is
only recorded.
"""

from __future__ import annotations

import threading

from ray.autoscaler.sdk import request_resources

MAX_BUNDLES = 1000  # more shapes than this tell the autoscaler nothing new


class Autoscaler:
    def __init__(self) -> None:
        self._last: list[dict[str, float]] = []
        self._lock = threading.Lock()
        self.requests = 0  # how many times the request changed (for tests and stats)

    @property
    def requested(self) -> list[dict[str, float]]:
        with self._lock:
            return list(self._last)

    def update(self, bundles: list[dict[str, float]]) -> None:
        """Request ``bundles`` (all unfinished jobs' shapes) when it differs from before."""
        wanted = sorted(bundles, key=lambda b: sorted(b.items()))[:MAX_BUNDLES]
        with self._lock:
            if wanted == self._last:
                return
            self._last = wanted
            self.requests += 1
        request_resources(bundles=[dict(b) for b in wanted])

    def clear(self) -> None:
        self.update([])
