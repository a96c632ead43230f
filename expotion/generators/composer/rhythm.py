"""Tempo and beats from the body: the music's beats land on the person's movement accents.

The accent curve is tracked like a music onset curve (expotion.beats): tempo from its
autocorrelation, leaning to the prompt's tempo range; beats by dynamic programming, so they
sit on accents and drift where the movement does. Each beat close to a detected accent is
then snapped onto the accent's sub-frame time. Without rhythmic movement the prompt sets
the tempo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.beats import estimate_tempo, extend_to_cover, track_beats

MIN_PERIODICITY = 0.12  # normalised autocorrelation below this: the movement has no pulse
MIN_ACCENTS = 4
SNAP_TOLERANCE_S = 0.06
MOVEMENT_PRIOR_OCTAVES = 0.8  # a wide lean to the prompt's range: the movement's own period wins


def metrical_fit(bpm: float, tempo_range: tuple[float, float]) -> float:
    """The movement's tempo halved or doubled to come closest to the prompt's range, so the
    beats keep falling on the movement (a slow prompt on a fast dance gets half time)."""
    centre = np.sqrt(tempo_range[0] * tempo_range[1])
    return min((bpm / 2, bpm, bpm * 2), key=lambda candidate: abs(np.log(candidate / centre)))


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
    bpm, periodicity = estimate_tempo(accent_curve, rate, tempo_range, MOVEMENT_PRIOR_OCTAVES)
    if prompt_sets_tempo:
        bpm = metrical_fit(bpm, tempo_range)
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
