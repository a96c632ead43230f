"""Tempo and beats from the body: the music's beats land where the person stops or turns.

The movement beats (expotion.controls.movement_beats) make a pulse curve that is tracked like
a music onset curve (beat_tracking.py): tempo from its autocorrelation (the shortest period
it repeats at; a prompt that asks for a faster tempo may double it where the body leads less
than fully, never halve it); beats by dynamic programming, so
they sit on movement beats (within one step of the controls' grid) and drift where the movement
does. They are not pulled further onto the stops' exact times: where the tracker left a beat off
a stop, it kept the beat even, and an even beat is what a listener follows (README, "Which stops
the composer aims at"). Two movement beats already give a phase, and a period where the pulse
repeats at all (MIN_PERIODICITY); where it does not, the prompt sets the tempo and the beats
are still tracked onto the stops they meet. With one movement beat, the prompt sets the tempo
and that beat the phase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.controls.movement_beats import beat_pulse
from expotion.generators.composer.beat_tracking import TIGHTNESS, estimate_tempo, extend_to_cover, track_beats

MIN_PERIODICITY = 0.12  # normalised autocorrelation below this: the movement has no pulse of its own
# Two stops give a period and a phase. A slow or small mover may make only two or three in a
# clip: a grid at the prompt's tempo through the first of them would miss the others.
MIN_MOVEMENT_BEATS = 2
MOVEMENT_PRIOR_OCTAVES = 3.0  # barely a lean to the prompt's range: the movement's own period decides
# Beats faster or slower than this are not heard as the beat by listeners (or by beat trackers,
# whose tempo prior centres near 120 BPM): the movement's tempo is halved or doubled into it.
HEARD_TEMPO = (60.0, 150.0)
# Below this tempo the beats keep steadier (the tempo penalty grows with (SLOW_BPM / bpm)⁴): a
# slow beat that wanders is heard at double speed, on the eighth notes.
SLOW_BPM = 100.0


def metrical_fit(bpm: float, tempo_range: tuple[float, float], follow: float) -> float:
    """The movement's tempo, or its double when that comes closer to the prompt's range by
    more than `follow` octaves: a body that leads fully (1) keeps its tempo. Doubling keeps a
    beat on every stop but adds one between them, which a viewer sees nothing move on (BAS
    motion→music over chance, measured on real footage, fell). The tempo is never halved:
    half time would leave every other stop of the body without a beat."""
    centre = np.sqrt(tempo_range[0] * tempo_range[1])
    closer = abs(np.log2(bpm / centre)) - abs(np.log2(2 * bpm / centre))
    return bpm * 2 if closer > follow else bpm


def heard_tempo(bpm: float) -> float:
    while bpm > HEARD_TEMPO[1]:
        bpm /= 2
    while bpm < HEARD_TEMPO[0]:
        bpm *= 2
    return bpm


@dataclass(frozen=True)
class BeatGrid:
    times: np.ndarray  # beat onsets (s), the first at or after 0, the last before the end
    bpm: float  # median tempo
    source: str  # "movement" or "prompt": where the tempo came from
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


def choose_downbeat(beats: np.ndarray, pulse: np.ndarray, rate: float, meter: int) -> int:
    """The bar phase whose first beats carry the strongest movement beats."""
    strength = pulse[np.clip(np.round(beats * rate).astype(int), 0, len(pulse) - 1)]
    return int(np.argmax([strength[phase::meter].sum() for phase in range(min(meter, len(beats)))])) if len(beats) else 0


def plan_beats(
    movement_beats: np.ndarray,
    strengths: np.ndarray,
    rate: float,
    duration: float,
    tempo_range: tuple[float, float],
    prompt_sets_tempo: bool = False,
    meter: int = 4,
    follow: float = 1.0,
) -> BeatGrid:
    """The beat grid for a clip: on the movement beats when there are enough of them, at the
    movement's own tempo when it has a pulse, else at the prompt's.

    `follow` 0…1 is how strongly the movement sets tempo and beats: lower values lean the
    tempo harder to the prompt's range and keep the beats more regular; 0 ignores the movement.
    """
    if follow <= 0:
        movement_beats, strengths = np.zeros(0), np.zeros(0)
    pulse = beat_pulse(movement_beats, strengths, rate, max(1, int(np.ceil(duration * rate))))
    bpm, periodicity = estimate_tempo(pulse, rate, tempo_range, MOVEMENT_PRIOR_OCTAVES * max(follow, 0.05))
    rhythmic = periodicity >= MIN_PERIODICITY and len(movement_beats) >= MIN_MOVEMENT_BEATS
    if not rhythmic:
        bpm = float(np.sqrt(tempo_range[0] * tempo_range[1]))
    elif prompt_sets_tempo:
        bpm = metrical_fit(bpm, tempo_range, follow)
    bpm = heard_tempo(bpm)
    if len(movement_beats) >= MIN_MOVEMENT_BEATS:
        beats = track_beats(pulse, rate, bpm, TIGHTNESS / follow * max(1.0, SLOW_BPM / bpm) ** 4)
        intervals = np.diff(beats)
        period = float(np.median(intervals)) if len(intervals) else 60.0 / bpm
    else:
        period = 60.0 / bpm
        beats = np.array([movement_beats[0] % period if len(movement_beats) else 0.0])
    beats = extend_to_cover(beats, duration, period)
    median_bpm = 60.0 / float(np.median(np.diff(beats))) if len(beats) > 1 else bpm
    source = "movement" if rhythmic else "prompt"
    return BeatGrid(beats, median_bpm, source, max(periodicity, 0.0), meter, choose_downbeat(beats, pulse, rate, meter))
