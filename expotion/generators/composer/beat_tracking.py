"""Tempo and beats for the composer, from the pulse of the person's movement beats.

Tempo: the autocorrelation peak, weighted towards an expected range to settle octave
ambiguity. Beats: dynamic programming (Ellis 2007, "Beat tracking by dynamic programming"),
where a beat sequence scores the curve's strength at its beats minus, for each interval,
`tightness` × (log(interval / period))², so beats sit on movement beats and may drift in tempo.

This is the algorithm of `librosa.beat.beat_track`, written out here for two measured reasons:
the music is scored by librosa's tracker (expotion.audio.timing, expotion evaluate), and the
beats must be placed by other code than the one that scores them; and importing
`librosa.beat` costs 3.2 s on a 2-core laptop (numba; 30 s more the first time in a new
environment), more than the composer, the reverb and the mp4 writing of a 10 s clip together.
"""

from __future__ import annotations

import numpy as np

MIN_BPM, MAX_BPM = 40.0, 220.0
TIGHTNESS = 20.0  # weight of the tempo-deviation penalty against (standardised) strength
# A pulse that repeats every P also repeats every 2P: the half lag is taken while its
# autocorrelation keeps this share of the chosen lag's.
FUNDAMENTAL_SHARE = 0.7


def _log_prior(bpm: np.ndarray, tempo_range: tuple[float, float], width_octaves: float) -> np.ndarray:
    centre = np.sqrt(tempo_range[0] * tempo_range[1])
    return -0.5 * (np.log2(bpm / centre) / width_octaves) ** 2


def estimate_tempo(
    curve: np.ndarray, rate: float, tempo_range: tuple[float, float] = (80, 140), prior_octaves: float = 0.8
) -> tuple[float, float]:
    """(bpm, periodicity) of an onset-strength curve: the lag where its autocorrelation,
    weighted by a log-normal prior around `tempo_range` (width in octaves), is highest;
    periodicity is the autocorrelation there (0…1)."""
    centred = curve - curve.mean()
    if len(centred) < 4 or not np.any(centred):
        return float(np.sqrt(tempo_range[0] * tempo_range[1])), 0.0
    spectrum = np.fft.rfft(centred, 2 * len(centred))
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))[: len(centred)]
    autocorrelation /= autocorrelation[0]
    lags = np.arange(max(1, int(rate * 60 / MAX_BPM)), min(len(centred) // 2, int(rate * 60 / MIN_BPM)) + 1)
    if len(lags) == 0:
        return float(np.sqrt(tempo_range[0] * tempo_range[1])), 0.0
    bpm = 60.0 * rate / lags
    strength = np.clip(autocorrelation[lags], 1e-6, None)
    score = np.log(strength) + _log_prior(bpm, tempo_range, prior_octaves)
    best = fundamental(lags, autocorrelation, int(np.argmax(score)))
    # refine the lag between integer samples with a parabola through the neighbours
    lag = float(lags[best])
    if 0 < best < len(lags) - 1:
        a, b, c = autocorrelation[lags[best] - 1 : lags[best] + 2]
        if a - 2 * b + c < 0:
            lag += 0.5 * (a - c) / (a - 2 * b + c)
    return 60.0 * rate / lag, float(autocorrelation[lags[best]])


def fundamental(lags: np.ndarray, autocorrelation: np.ndarray, best: int) -> int:
    """Index into `lags` of the shortest period that `lags[best]` is a multiple of, among
    halvings whose autocorrelation (best within ±10 % of the half lag) holds up."""
    while True:
        near = np.flatnonzero(np.abs(lags - lags[best] / 2) <= 0.1 * lags[best] / 2)
        if len(near) == 0:
            return best
        half = int(near[np.argmax(autocorrelation[lags[near]])])
        if autocorrelation[lags[half]] < FUNDAMENTAL_SHARE * autocorrelation[lags[best]]:
            return best
        best = half


def track_beats(curve: np.ndarray, rate: float, bpm: float, tightness: float = TIGHTNESS) -> np.ndarray:
    """Beat times (s) maximising accent strength at beats minus tempo-deviation penalties."""
    period = rate * 60.0 / bpm
    strength = curve / (curve.std() + 1e-9)
    total = strength.copy()
    previous = np.full(len(curve), -1)
    # A beat comes between 3/4 and 4/3 of a period after the last: the tempo may drift, but a
    # skipped or extra half beat would break the bar.
    shortest, longest = max(1, int(round(0.75 * period))), int(round(4 / 3 * period))
    for t in range(shortest, len(curve)):
        candidates = np.arange(max(0, t - longest), t - shortest + 1)
        scores = total[candidates] - tightness * np.log((t - candidates) / period) ** 2
        best = int(np.argmax(scores))
        if scores[best] > 0:
            total[t] += scores[best]
            previous[t] = candidates[best]
    last_window = np.arange(max(0, len(curve) - int(round(period))), len(curve))
    beat = int(last_window[np.argmax(total[last_window])])
    beats = [beat]
    while previous[beat] >= 0:
        beat = int(previous[beat])
        beats.append(beat)
    return np.array(beats[::-1], dtype=float) / rate


def extend_to_cover(beats: np.ndarray, duration: float, period: float) -> np.ndarray:
    """Continue the beat sequence at `period` back to time 0 and on to the end."""
    if len(beats) == 0:
        return np.arange(0.0, duration, period)
    before = beats[0] - period * np.arange(1, int(beats[0] / period) + 1)
    after = beats[-1] + period * np.arange(1, int((duration - beats[-1]) / period) + 2)
    joined = np.concatenate([before[::-1], beats, after])
    return joined[(joined >= -1e-9) & (joined < duration - 1e-9)]
