"""What the music does in time: its onset-strength envelope, onsets, beats and tempo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from expotion.audio.read import on_video_clock
from expotion.beats import estimate_tempo, extend_to_cover, track_beats
from expotion.errors import ExpotionError

ENVELOPE_RATE = 100.0  # onset envelope frames per second
ANALYSIS_SAMPLE_RATE = 22050
FFT_SIZE = 1024  # 46 ms: onset times within ~10 ms of the attack for clicks, drums, piano, strings


@dataclass(frozen=True)
class MusicTiming:
    envelope: np.ndarray  # onset strength at ENVELOPE_RATE, ≈1 at a clear onset
    onsets: np.ndarray  # seconds
    beats: np.ndarray  # seconds
    bpm: float
    duration: float


def onset_envelope(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Spectral flux of log-magnitude spectra (half-wave rectified), one value per 10 ms,
    frame i centred on time i / ENVELOPE_RATE; scaled so its 95th percentile is 1."""
    hop = int(round(sample_rate / ENVELOPE_RATE))
    padded = np.pad(audio, (FFT_SIZE // 2, FFT_SIZE // 2))
    count = 1 + (len(padded) - FFT_SIZE) // hop
    frames = np.lib.stride_tricks.as_strided(padded, (count, FFT_SIZE), (padded.strides[0] * hop, padded.strides[0]))
    spectrum = np.log1p(100 * np.abs(np.fft.rfft(frames * np.hanning(FFT_SIZE), axis=1)))
    flux = np.maximum(np.diff(spectrum, axis=0, prepend=spectrum[:1]), 0).sum(axis=1)
    scale = np.percentile(flux, 95)
    return flux / scale if scale > 0 else flux


def music_timing(audio: np.ndarray, sample_rate: int, start: float = 0.0) -> MusicTiming:
    """Onsets, beats and tempo of a mono signal whose first sample plays at `start`
    seconds on the video's clock (0 = the first frame); results are on that clock."""
    if not np.any(np.abs(audio) > 1e-4):
        raise ExpotionError("the music is silent: nothing to evaluate")
    audio = on_video_clock(audio, sample_rate, start)
    duration = len(audio) / sample_rate
    envelope = onset_envelope(audio, sample_rate)
    peaks, _ = find_peaks(envelope, height=0.3, distance=int(0.05 * ENVELOPE_RATE))
    bpm, _ = estimate_tempo(envelope, ENVELOPE_RATE, (70, 160), 1.0)
    beats = track_beats(envelope, ENVELOPE_RATE, bpm)
    period = float(np.median(np.diff(beats))) if len(beats) > 1 else 60 / bpm
    beats = extend_to_cover(beats, duration, period) if len(beats) < 2 else beats
    return MusicTiming(envelope, peaks / ENVELOPE_RATE, beats, 60.0 / period, duration)
