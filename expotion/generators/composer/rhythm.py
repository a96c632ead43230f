"""Tempo and beats from the body: the music's beats land on the person's movement accents.

Tempo is the period at which the accent curve best repeats (autocorrelation), weighted
towards the prompt's tempo range to settle octave ambiguity. Beats are then placed by
dynamic programming (Ellis 2007, "Beat tracking by dynamic programming"): a beat sequence
scores the accent strength at its beats minus a penalty for each beat-to-beat interval
that strays from the period (squared log-ratio), so beats sit on accents, and the tempo may
drift where the movement does. Each beat close to a detected accent is then snapped onto
the accent's sub-frame time. Without rhythmic movement the prompt sets the tempo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_BPM, MAX_BPM = 40.0, 220.0
MIN_PERIODICITY = 0.12  # normalised autocorrelation below this: the movement has no pulse
MIN_ACCENTS = 4
TIGHTNESS = 40.0  # weight of the tempo-deviation penalty against accent strength
SNAP_TOLERANCE_S = 0.06


@dataclass(frozen=True)
class BeatGrid:
    times: np.ndarray  # beat onsets (s), the first at or after 0, the last before the end
    bpm: float  # median tempo
    source: str  # "movement" or "prompt"
    periodicity: float  # 0…1: how strongly the movement repeats at that tempo
    meter: int  # beats per bar
    downbeat: int  # index in `times` of the first bar's first beat

    @property
    def period(self) -> float:
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else 60.0 / self.bpm

    def time(self, position: float) -> float:
        """Seconds at a beat position (beat index + fraction), linear between tracked beats
        and continued at the median period before the first and after the last."""
        last = len(self.times) - 1
        if position <= 0 or last == 0:
            return float(self.times[0] + position * self.period)
        if position >= last:
            return float(self.times[last] + (position - last) * self.period)
        index = int(position)
        return float(self.times[index] + (position - index) * (self.times[index + 1] - self.times[index]))

    def bar_first_beats(self) -> np.ndarray:
        """Beat index where each bar starts; a pickup before the first downbeat makes a
        first bar that starts before the clip (negative index)."""
        first = self.downbeat - (self.meter if self.downbeat > 0 else 0)
        return np.arange(first, len(self.times), self.meter)

    def bar_starts(self) -> np.ndarray:
        return np.array([max(self.time(beat), 0.0) for beat in self.bar_first_beats()])


def _log_prior(bpm: np.ndarray, tempo_range: tuple[float, float], width_octaves: float) -> np.ndarray:
    centre = np.sqrt(tempo_range[0] * tempo_range[1])
    return -0.5 * (np.log2(bpm / centre) / width_octaves) ** 2


def movement_tempo(curve: np.ndarray, rate: float, tempo_range: tuple[float, float], prompt_sets_tempo: bool) -> tuple[float, float]:
    """(bpm, periodicity) of the accent curve, leaning towards `tempo_range`."""
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
    score = np.log(strength) + _log_prior(bpm, tempo_range, 0.35 if prompt_sets_tempo else 0.8)
    best = int(np.argmax(score))
    # refine the lag between integer samples with a parabola through the neighbours
    lag = float(lags[best])
    if 0 < best < len(lags) - 1:
        a, b, c = autocorrelation[lags[best] - 1 : lags[best] + 2]
        if a - 2 * b + c < 0:
            lag += 0.5 * (a - c) / (a - 2 * b + c)
    return 60.0 * rate / lag, float(autocorrelation[lags[best]])


def track_beats(curve: np.ndarray, rate: float, bpm: float, tightness: float = TIGHTNESS) -> np.ndarray:
    """Beat times (s) maximising accent strength at beats minus tempo-deviation penalties."""
    period = rate * 60.0 / bpm
    strength = curve / (curve.std() + 1e-9)
    total = strength.copy()
    previous = np.full(len(curve), -1)
    shortest, longest = max(1, int(round(period / 2))), int(round(2 * period))
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


def snap_to_accents(beats: np.ndarray, accents: np.ndarray, tolerance: float = SNAP_TOLERANCE_S) -> np.ndarray:
    """Move each beat within `tolerance` of an accent exactly onto it."""
    if len(accents) == 0:
        return beats
    nearest = accents[np.clip(np.searchsorted(accents, beats), 0, len(accents) - 1)]
    before = accents[np.clip(np.searchsorted(accents, beats) - 1, 0, len(accents) - 1)]
    nearest = np.where(np.abs(before - beats) < np.abs(nearest - beats), before, nearest)
    return np.where(np.abs(nearest - beats) <= tolerance, nearest, beats)


def choose_downbeat(beats: np.ndarray, curve: np.ndarray, rate: float, meter: int) -> int:
    """The bar phase whose first beats carry the most accent strength."""
    strength = curve[np.clip(np.round(beats * rate).astype(int), 0, len(curve) - 1)]
    return int(np.argmax([strength[phase::meter].sum() for phase in range(min(meter, len(beats)))])) if len(beats) else 0


def plan_beats(
    accent_curve: np.ndarray,
    accent_times: np.ndarray,
    rate: float,
    duration: float,
    tempo_range: tuple[float, float],
    prompt_sets_tempo: bool = False,
    meter: int = 4,
) -> BeatGrid:
    """The beat grid for a clip: from the movement when it has a pulse, else from the prompt."""
    bpm, periodicity = movement_tempo(accent_curve, rate, tempo_range, prompt_sets_tempo)
    if periodicity >= MIN_PERIODICITY and len(accent_times) >= MIN_ACCENTS:
        beats = snap_to_accents(track_beats(accent_curve, rate, bpm), accent_times)
        intervals = np.diff(beats)
        period = float(np.median(intervals)) if len(intervals) else 60.0 / bpm
        beats = extend_to_cover(beats, duration, period)
        source = "movement"
    else:
        bpm = float(np.sqrt(tempo_range[0] * tempo_range[1]))
        period = 60.0 / bpm
        phase = accent_times[0] % period if len(accent_times) else 0.0
        beats = extend_to_cover(np.array([phase]), duration, period)
        source = "prompt"
    median_bpm = 60.0 / float(np.median(np.diff(beats))) if len(beats) > 1 else bpm
    return BeatGrid(beats, median_bpm, source, max(periodicity, 0.0), meter, choose_downbeat(beats, accent_curve, rate, meter))
