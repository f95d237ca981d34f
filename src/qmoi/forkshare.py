"""Work shared out over forked processes: ``qmoi lint`` checks a large tree of files in
this process and ``processes - 1`` forked ones, each taking the next batch of files as it
finishes the last, and the children send back only their results (pickled)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

_T = TypeVar("_T")

_TOKEN_BYTES = 2
MAX_TOKENS = 1024
"""Batches handed out through a pipe: 2 KB of tokens fit in any pipe's buffer, so all of
them are written before the fork and nobody waits on a writer."""


def _taken(tokens: int, batches: list[list[int]]) -> Iterator[int]:
    # A read of 2 bytes from a pipe is atomic: each batch goes to exactly one process,
    # and a drained pipe whose write end is closed reads as b"".
    while token := os.read(tokens, _TOKEN_BYTES):
        yield from batches[int.from_bytes(token, "little")]


def share(order: list[int], work: Callable[[int], _T], processes: int) -> dict[int, _T]:
    """``work(i)`` for every ``i`` of ``order``, in this process and ``processes - 1``
    forked ones. Each takes the next batch when it is done with its last one, so a slow
    file (or a core another program is using) does not leave the other processes idle.
    The children inherit ``work`` and its inputs and send back only their results."""
    size = -(-len(order) // MAX_TOKENS)
    batches = [order[i:i + size] for i in range(0, len(order), size)]
    tokens, writer = os.pipe()
    try:
        written = os.write(writer, b"".join(
            n.to_bytes(_TOKEN_BYTES, "little") for n in range(len(batches))))
        assert written == len(batches) * _TOKEN_BYTES
    finally:
        os.close(writer)
    import signal

    sys.stdout.flush()  # a child that writes (a warning, say) would repeat what is buffered
    sys.stderr.flush()
    # Frozen objects are not walked by the collector, so the children do not copy them.
    gc.freeze()
    children: list[tuple[int, int]] = []
    try:
        for _ in range(processes - 1):
            children.append(_fork(tokens, batches, work))
        found = {index: work(index) for index in _taken(tokens, batches)}
        while children:
            found.update(_collect(*children.pop()))
        return found
    finally:
        gc.unfreeze()  # a long-lived caller (the manager) must get its garbage collected
        os.close(tokens)
        for pid, results in children:  # only when this process failed
            os.close(results)
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)


def _fork(tokens: int, batches: list[list[int]], work: Callable[[int], object]
          ) -> tuple[int, int]:
    """A child process working through ``tokens``; its pid and the pipe of its results."""
    import pickle

    results, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, results
    status = 1
    try:  # the child: whatever happens, it ends here, never returning into the caller
        os.close(results)
        try:
            payload = pickle.dumps({i: work(i) for i in _taken(tokens, batches)},
                                   pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # the parent raises it
            payload = _pickled_error(error)
        with os.fdopen(writer, "wb") as stream:
            stream.write(payload)
        status = 0
    finally:
        os._exit(status)


def _pickled_error(error: BaseException) -> bytes:
    import pickle
    import traceback

    try:
        return pickle.dumps(error, pickle.HIGHEST_PROTOCOL)
    except Exception:  # one that cannot be pickled goes as its traceback
        text = "".join(traceback.format_exception(error))
        return pickle.dumps(RuntimeError(f"a lint process failed:\n{text}"))


def _collect(pid: int, results: int) -> dict[int, Any]:
    import pickle

    try:
        with os.fdopen(results, "rb") as stream:
            payload = stream.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if not payload:
        raise RuntimeError(f"a lint process ended without its results (status {status})")
    found = pickle.loads(payload)
    if isinstance(found, BaseException):
        raise found
    assert isinstance(found, dict)
    return found
