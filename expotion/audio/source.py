"""Music as a source of audio blocks: held whole in memory, or made as it is read (mix.py)."""

from __future__ import annotations

from typing import Iterator, Protocol

import numpy as np


class AudioSource(Protocol):
    sample_rate: int
    length: int  # samples
    roles: tuple[str, ...]  # the stems it can give (empty: none)

    def blocks(self, stems: bool = False) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """(mix, {role: stem}) blocks of float32 stereo, in order; stems only when asked for."""
        ...

    def read(self, stems: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The whole mix (and stems) in memory."""
        ...


class ArrayAudio:
    """Audio already in memory (MusicGen's windows, tests)."""

    block = 1 << 16

    def __init__(self, audio: np.ndarray, sample_rate: int, stems: dict[str, np.ndarray] | None = None):
        self.audio, self.sample_rate, self.stems = audio, sample_rate, stems or {}
        self.length, self.roles = len(audio), tuple(self.stems)

    def blocks(self, stems: bool = False) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        for start in range(0, self.length, self.block):
            end = start + self.block
            yield self.audio[start:end], ({role: s[start:end] for role, s in self.stems.items()} if stems else {})

    def read(self, stems: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return self.audio, (self.stems if stems else {})
