"""The one interface every music generator backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
import pretty_midi

from expotion.audio.source import ArrayAudio, AudioSource
from expotion.controls import Controls


@dataclass
class Music:
    """A backend's music: its audio (a source that streams it, or an array), score and decisions."""

    source: AudioSource | np.ndarray  # exactly the requested duration; an array is (samples, 2) float32
    sample_rate: int
    score: pretty_midi.PrettyMIDI | None = None  # symbolic backends only
    beat_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    decisions: dict = field(default_factory=dict)  # tempo, key, sections, instruments, …

    def __post_init__(self):
        if isinstance(self.source, np.ndarray):
            self.source = ArrayAudio(self.source, self.sample_rate)

    @property
    def duration(self) -> float:
        return self.source.length / self.sample_rate

    @cached_property
    def audio(self) -> np.ndarray:
        """The whole mix, (samples, 2) float32 in [-1, 1] (made on first use)."""
        return self.source.read()[0]

    @cached_property
    def stems(self) -> dict[str, np.ndarray]:
        """role → audio like `audio`, summing to it (made on first use; empty without stems)."""
        return self.source.read(stems=True)[1]


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
