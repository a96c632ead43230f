"""The one interface every music generator backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pretty_midi

from expotion.controls import Controls


@dataclass
class Music:
    audio: np.ndarray  # (samples, channels) float32 in [-1, 1], exactly the requested duration
    sample_rate: int
    score: pretty_midi.PrettyMIDI | None = None  # symbolic backends only
    beat_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    decisions: dict = field(default_factory=dict)  # tempo, key, sections, instruments, …
    stems: dict[str, np.ndarray] = field(default_factory=dict)  # role → audio like `audio`; they sum to it

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate


class Generator(Protocol):
    """controls + prompt + duration + seed → music. Knows nothing of files or the CLI."""

    name: str
    symbolic: bool  # it writes a score (MIDI) as well as audio
    stem_roles: tuple[str, ...]  # the stems its music comes with (empty: none)

    def configured(self, options) -> "Generator":
        """The same backend (sharing anything loaded) with other options."""
        ...

    def generate(self, controls: Controls, prompt: str, duration: float, seed: int, progress=None) -> Music:
        """`progress(done, total)`, when given, is told how far the work is."""
        ...
