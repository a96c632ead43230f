"""A video's identity by content: the same bytes give the same fingerprint, whatever the path."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def content_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes, in hex (about 1 s per GB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
