"""When music is heard to move: its onset envelope, onsets, beats and tempo, by librosa.

This is the listener's side of every rhythm figure: librosa's onset strength (spectral flux
of a log-power mel spectrogram) and its dynamic-programming beat tracker (Ellis 2007) with
their default settings, run on the audio as it is played. It never sees how the music was
made, so it scores any system's music — and ours — the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.audio.read import on_video_clock
from expotion.errors import ExpotionError

ANALYSIS_SAMPLE_RATE = 22050
HOP = 512  # librosa's default: an envelope frame every 23 ms
ENVELOPE_RATE = ANALYSIS_SAMPLE_RATE / HOP


@dataclass(frozen=True)
class MusicTiming:
    envelope: np.ndarray  # onset strength, frame i at time i / ENVELOPE_RATE
    onsets: np.ndarray  # seconds
    beats: np.ndarray  # seconds
    bpm: float
    duration: float


def music_timing(audio: np.ndarray, sample_rate: int, start: float = 0.0) -> MusicTiming:
    """Onsets, beats and tempo of mono or (samples, channels) audio whose first sample plays
    at `start` seconds on the video's clock (0 = the first frame); results are on that clock."""
    import librosa  # imported here: it takes seconds, and only analysis needs it

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    if not np.any(np.abs(mono) > 1e-4):
        raise ExpotionError("the music is silent: nothing to time")
    y = on_video_clock(mono.astype(np.float32), sample_rate, start)
    if sample_rate != ANALYSIS_SAMPLE_RATE:
        y = librosa.resample(y, orig_sr=sample_rate, target_sr=ANALYSIS_SAMPLE_RATE)
    envelope = librosa.onset.onset_strength(y=y, sr=ANALYSIS_SAMPLE_RATE, hop_length=HOP)
    bpm, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=ANALYSIS_SAMPLE_RATE, hop_length=HOP, units="time")
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=ANALYSIS_SAMPLE_RATE, hop_length=HOP, units="time")
    return MusicTiming(envelope, onsets, beats, float(np.atleast_1d(bpm)[0]), len(y) / ANALYSIS_SAMPLE_RATE)
