"""A guitar amplifier for the chords of a distorted guitar.

A soundfont's distorted guitar is a recording of one string through an amp, and it plays a
chord as several such recordings summed, clean. A guitarist's chord goes through the amp as one
signal: its distortion of the sum — the notes' sum and difference tones, the chord squashed to
one even level — is the sound of a power chord, and without it an audio tagger trained on
recorded music heard the composer's metal as funk (benchmarks/README.md, "Distorted chords
through an amp"). So the chords of an overdriven or a distorted guitar (General MIDI programs
29 and 30), struck together, play through an amp of their own: a drive (soft clipping, tanh)
and a cabinet (a 4th-order low-pass at 5 kHz, where a guitar speaker's response falls away).
A lead, or a chord broken one note at a time, has no chord to distort and stays as the
soundfont plays it; so do a swung groove's chords, whose ghosted upbeat the amp would make as
loud as the beat (the arranger says whether its chords play through the amp:
`Arranger.chords_through_amp`, which the mix reads as `MixPlan.amplified`).

The amp is set on the soundfont itself, as the attack times are: a power chord struck at the
track's median velocity drives it `DRIVE[program]` times past the clipping level, and comes
out as loud (RMS) as it went in, so that the chords keep their place in the mix.
"""

from __future__ import annotations

import functools

import numpy as np
import pretty_midi

from expotion.audio.synth import Renderer
from expotion.convolution import Convolver, StreamingConvolver

DRIVE = {29: 4.0, 30: 12.0}  # GM program (overdriven, distortion guitar) → a test chord's drive past clipping
CABINET_HZ = 5000.0
CABINET_RESPONSE_S = 0.01  # long enough for the low-pass's response to have died away
POWER_CHORD = (0, 7, 12)  # root, fifth and octave
TEST_CHORD_S = 1.0


def is_distorted_guitar(track: pretty_midi.Instrument) -> bool:
    """An overdriven or a distortion guitar, whose chords the amp plays."""
    return not track.is_drum and track.program in DRIVE


def _lowpass_section(signal: np.ndarray, cutoff: float, q: float, sample_rate: int) -> np.ndarray:
    """One second-order low-pass section (bilinear transform) applied to a short signal."""
    w = 2 * np.pi * cutoff / sample_rate
    alpha = np.sin(w) / (2 * q)
    b = np.array([1 - np.cos(w), 2 * (1 - np.cos(w)), 1 - np.cos(w)]) / 2
    a = np.array([1 + alpha, -2 * np.cos(w), 1 - alpha])
    x, y = np.concatenate([np.zeros(2), signal]), np.zeros(len(signal) + 2)
    for n in range(2, len(x)):
        y[n] = (b @ x[n - 2 : n + 1][::-1] - a[1] * y[n - 1] - a[2] * y[n - 2]) / a[0]
    return y[2:]


@functools.lru_cache(maxsize=4)
def cabinet(sample_rate: int) -> Convolver:
    """The cabinet's impulse response: a 4th-order Butterworth low-pass (two sections), causal
    and minimum-phase as a speaker is, so that it delays the chords by a fraction of a millisecond."""
    response = np.zeros(int(CABINET_RESPONSE_S * sample_rate))
    response[0] = 1.0
    for q in (0.5412, 1.3066):  # the two sections' Q of a 4th-order Butterworth
        response = _lowpass_section(response, CABINET_HZ, q, sample_rate)
    return Convolver(response.astype(np.float32))


class GuitarAmp:
    """Drive and cabinet, block by block: stereo blocks of the guitar in, mono blocks out."""

    def __init__(self, renderer: Renderer, track: pretty_midi.Instrument):
        self.cabinet = StreamingConvolver(cabinet(renderer.sample_rate))
        root = int(np.median([note.pitch for note in track.notes])) if track.notes else 40
        velocity = int(np.median([note.velocity for note in track.notes])) if track.notes else 100
        chord = renderer.sound(track, tuple(root + step for step in POWER_CHORD), TEST_CHORD_S, velocity).mean(axis=1)
        self.input_gain = DRIVE[track.program] / max(float(np.abs(chord).max()), 1e-9)
        driven = cabinet(renderer.sample_rate)(np.tanh(self.input_gain * chord))
        self.output_gain = float(np.sqrt(np.mean(chord**2) / max(np.mean(driven**2), 1e-18)))

    def __call__(self, block: np.ndarray) -> np.ndarray:
        return self.output_gain * self.cabinet(np.tanh(self.input_gain * block.mean(axis=1)))
