"""Record ids: a kind prefix, then a ULID (48-bit milliseconds + 80 random bits, Crockford
base32, upper case). Time-ordered, and two clones that never talk will not collide."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIXES = {"customer": "CU", "event": "EV", "staff": "ST", "unit": "UN"}
ID_RE = re.compile(r"^(CU|EV|ST|UN)-[0-9A-HJKMNP-TV-Z]{26}$")
# What may be typed where an id is expected: id characters only, so no path tricks.
FRAGMENT_RE = re.compile(r"^[0-9A-Za-z-]{1,40}$")


def encode(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


# (milliseconds, 80 random bits) for new ids; None: the real clock and the OS's randomness.
_source: Callable[[], tuple[int, int]] | None = None


def new_id(kind: str, *, ms: int | None = None) -> str:
    prefix = PREFIXES[kind]
    if _source is not None:
        at, rand = _source()
        ms = at if ms is None else ms
    else:
        ms = int(time.time() * 1000) if ms is None else ms
        rand = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}-{encode(ms, 10)}{encode(rand, 16)}"


@contextmanager
def reproducible(source: Callable[[], tuple[int, int]]) -> Iterator[None]:
    """New ids from ``source`` (a simulated clock and a seeded generator) while inside: the
    demo's same seed gives the same ids. Never used for a real store."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous


def is_id(text: str, kind: str | None = None) -> bool:
    if not ID_RE.match(text):
        return False
    return kind is None or text.startswith(PREFIXES[kind] + "-")
