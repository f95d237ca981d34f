"""SHA-256 without loading OpenSSL, for the caches ``qmoi run`` and ``qmoi lint`` consult at
start-up. ``import hashlib`` loads ``_hashlib`` (OpenSSL's libcrypto) straight away: ~3 ms of
a run's start-up here, to hash a few kilobytes. CPython's own SHA-256 module gives the same
digests; ``hashlib`` stays the fallback for an interpreter built without it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def _sha256() -> Callable[[bytes], Hash]:
    # _sha2 since CPython 3.12, _sha256 before
    for name in ("_sha2", "_sha256"):
        try:
            found: Callable[[bytes], Hash] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    import hashlib

    return hashlib.sha256


sha256 = _sha256()
