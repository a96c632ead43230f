"""Render a score to audio with an SF2 soundfont — no system library needed.

TinySoundFont (the `tinysoundfont` wheel) plays the General MIDI soundfont that ships with
pretty_midi (TimGM6mb), or a better one when installed: Debian's fluid-soundfont-gm
(FluidR3_GM), or any file named by `--soundfont` / $EXPOTION_SOUNDFONT. Events are placed
at their exact sample, so the audio keeps the score's timing to 1/44100 s.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pretty_midi
from scipy.signal import fftconvolve

from expotion.errors import ExpotionError

SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)
BUNDLED_SOUNDFONT = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
DRUM_CHANNEL = 9
DRUM_BANK = 128


def find_soundfont(requested: str | os.PathLike | None = None) -> Path:
    """The soundfont to play: the one asked for, else the best installed, else the bundled one."""
    explicit = requested or os.environ.get("EXPOTION_SOUNDFONT")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ExpotionError(f"soundfont not found: {path}")
        return path
    for candidate in SYSTEM_SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    return BUNDLED_SOUNDFONT


def _channels(score: pretty_midi.PrettyMIDI) -> list[tuple[int, pretty_midi.Instrument]]:
    melodic = iter(c for c in range(16) if c != DRUM_CHANNEL)
    return [(DRUM_CHANNEL if track.is_drum else next(melodic), track) for track in score.instruments]


def _events(score: pretty_midi.PrettyMIDI, sample_rate: int, length: int) -> list[tuple[int, int, int, int, int]]:
    """(sample, order, channel, key, velocity) sorted; note-offs (order 0) before note-ons."""
    events = []
    for channel, track in _channels(score):
        for note in track.notes:
            start = int(round(note.start * sample_rate))
            if start >= length:
                continue
            events.append((start, 1, channel, note.pitch, note.velocity))
            events.append((min(int(round(note.end * sample_rate)), length), 0, channel, note.pitch, 0))
    return sorted(events)


def render(score: pretty_midi.PrettyMIDI, duration: float, sample_rate: int = 44100, soundfont: Path | None = None) -> np.ndarray:
    """Stereo float32 audio of exactly round(duration × sample_rate) samples."""
    import tinysoundfont  # imported here: only rendering needs it

    length = int(round(duration * sample_rate))
    synth = tinysoundfont.Synth(samplerate=sample_rate)
    font = synth.sfload(str(soundfont or find_soundfont()))
    for channel, track in _channels(score):
        if track.is_drum:
            synth.program_select(channel, font, DRUM_BANK, 0, True)
        else:
            synth.program_select(channel, font, 0, track.program)
    audio = np.zeros((length, 2), dtype=np.float32)
    cursor = 0
    for sample, _, channel, key, velocity in _events(score, sample_rate, length) + [(length, 0, -1, 0, 0)]:
        if sample > cursor:
            block = np.frombuffer(synth.generate(sample - cursor), dtype=np.float32)
            audio[cursor:sample] = block.reshape(-1, 2)
            cursor = sample
        if channel < 0:
            break
        if velocity:
            synth.noteon(channel, key, velocity)
        else:
            synth.noteoff(channel, key)
    return audio


def room_reverb(audio: np.ndarray, sample_rate: int, decay_s: float = 1.2, wet: float = 0.12) -> np.ndarray:
    """A little room: convolution with decaying, darkened noise (−60 dB after `decay_s`)."""
    rng = np.random.default_rng(0)
    t = np.arange(int(decay_s * sample_rate)) / sample_rate
    envelope = np.exp(-6.9 * t / decay_s)
    response = rng.normal(size=(len(t), 2)) * envelope[:, None]
    response = fftconvolve(response, np.ones((32, 1)) / 32, mode="same", axes=0)  # soften the highs
    response /= np.sqrt((response**2).sum(axis=0, keepdims=True))
    tail = fftconvolve(audio, response, mode="full", axes=0)[: len(audio)]
    return ((1 - wet) * audio + wet * tail).astype(np.float32)
