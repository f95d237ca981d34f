"""qmoi.digest.sha256 is SHA-256, byte for byte what hashlib gives."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from qmoi.digest import sha256


@given(st.lists(st.binary(max_size=300), max_size=5))
def test_the_same_digests_as_hashlib(chunks: list[bytes]) -> None:
    ours, theirs = sha256(b""), hashlib.sha256()
    for chunk in chunks:
        ours.update(chunk)
        theirs.update(chunk)
    assert ours.hexdigest() == theirs.hexdigest() and ours.digest() == theirs.digest()


def test_the_known_vector() -> None:
    assert sha256(b"abc").hexdigest() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
