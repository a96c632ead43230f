"""Rhythm and sync metrics between a person's movement and the music, each with its chance level.

Music side: the beats, onsets and onset envelope that librosa hears in the audio
(expotion.audio.timing). Movement side: the movement beats of movement.py, from optical flow
and from the body's keypoints, as stops (speed minima, the headline) or peaks (speed maxima).
Definitions:

- **BAS motion→music** (Beat Align Score, as in the music-to-dance literature): mean over
  movement beats m of exp(−min_b (m − b)² / 2σ²), b over music beats. **BAS music→motion**:
  the same with the roles swapped. Headline: `bas_motion_to_music` and `bas_music_to_motion`,
  flow stops, σ = 0.1 s. Every other combination is named `bas_<direction>@<source>-<convention>-<σ>`
  (sources flow, body; conventions stops, peaks; σ 0.1 and 0.05 s).
- **BCS / BHS** in the LORIS style, on **1 s bins** (another definition, on beat-to-beat
  matching, also exists): a bin is a hit when it holds both a music beat and a movement beat
  (flow stops); BCS (coverage) = hits / bins holding a music beat, BHS (hit rate) = hits /
  bins holding a movement beat; F1 their harmonic mean.
- **Onset correlation**: peak normalised cross-correlation between the movement-beat pulse
  (flow stops, 50 ms bumps) and the music's onset envelope over lags within ±0.5 s, and the
  lag of that peak (positive: the music comes after the movement).
- **Tempo consistency**: librosa's tempo of the music vs librosa's tempo of the movement-beat
  pulse; strict when within 8 %, octave-tolerant when within 8 % of ×⅓, ×½, ×1, ×2 or ×3.

Chance: every metric is also computed with the music circularly shifted in time by 20
offsets spread over the middle 80 % of the clip, and averaged — what unrelated music with
the same rhythm would score.

Where the movement has no beats (a still clip), the metrics measured against them do not
apply: they are NaN, and the report leaves the clip out of their means.
"""

from __future__ import annotations

import numpy as np

from expotion.audio.timing import ENVELOPE_RATE, MusicTiming
from expotion.evaluation.movement import CONVENTIONS, SOURCES

SIGMAS_S = (0.1, 0.05)  # headline first
HEADLINE_SOURCE, HEADLINE_CONVENTION = "flow", "stops"
BIN_S = 1.0
MAX_LAG_S = 0.5
PULSE_WIDTH_S = 0.05
TEMPO_TOLERANCE = 0.08
CHANCE_SHIFTS = 20
DIRECTIONS = ("bas_motion_to_music", "bas_music_to_motion")


def bas_name(direction: str, source: str, convention: str, sigma: float) -> str:
    """The metric's name: the bare direction for the headline combination."""
    if (source, convention, sigma) == (HEADLINE_SOURCE, HEADLINE_CONVENTION, SIGMAS_S[0]):
        return direction
    return f"{direction}@{source}-{convention}-{sigma:g}"


def beat_align_score(reference: np.ndarray, candidates: np.ndarray, sigma: float) -> float:
    """Mean over `reference` times of exp(−distance² / 2σ²) to the nearest candidate."""
    if len(reference) == 0 or len(candidates) == 0:
        return 0.0
    distance = np.min(np.abs(reference[:, None] - candidates[None, :]), axis=1)
    return float(np.mean(np.exp(-(distance**2) / (2 * sigma**2))))


def beat_bins(music_beats: np.ndarray, movement_beats: np.ndarray, duration: float, bin_s: float = BIN_S) -> dict[str, float]:
    """LORIS-style BCS, BHS and F1 on bins of `bin_s` seconds."""
    edges = np.arange(0.0, duration + bin_s, bin_s)
    music = np.histogram(music_beats, edges)[0] > 0
    movement = np.histogram(movement_beats, edges)[0] > 0
    hits = np.sum(music & movement)
    coverage = hits / music.sum() if music.sum() else 0.0
    hit_rate = hits / movement.sum() if movement.sum() else 0.0
    f1 = 2 * coverage * hit_rate / (coverage + hit_rate) if coverage + hit_rate else 0.0
    return {"bcs": float(coverage), "bhs": float(hit_rate), "beat_f1": float(f1)}


def pulse(times: np.ndarray, length: int, rate: float = ENVELOPE_RATE) -> np.ndarray:
    """Movement beats as a curve on the music envelope's grid: a 50 ms bump at each."""
    grid = np.arange(length) / rate
    curve = np.zeros(length)
    for time in times:
        curve += np.exp(-0.5 * ((grid - time) / PULSE_WIDTH_S) ** 2)
    return curve


def onset_correlation(motion: np.ndarray, onsets: np.ndarray, max_lag_s: float = MAX_LAG_S) -> tuple[float, float]:
    """(peak normalised cross-correlation, lag in s) of two curves at ENVELOPE_RATE."""
    length = min(len(motion), len(onsets))
    a, b = motion[:length], onsets[:length]
    a = (a - a.mean()) / (a.std() + 1e-12)
    b = (b - b.mean()) / (b.std() + 1e-12)
    lags = np.arange(-int(max_lag_s * ENVELOPE_RATE), int(max_lag_s * ENVELOPE_RATE) + 1)
    values = [np.mean(a[max(0, -lag) : length - max(0, lag)] * b[max(0, lag) : length - max(0, -lag)]) for lag in lags]
    best = int(np.argmax(values))
    return float(values[best]), float(lags[best] / ENVELOPE_RATE)


def movement_tempo(movement_pulse: np.ndarray) -> float:
    import librosa

    return float(np.atleast_1d(librosa.feature.tempo(onset_envelope=movement_pulse, sr=ENVELOPE_RATE, hop_length=1))[0])


def tempo_consistency(music_bpm: float, movement_bpm: float) -> dict[str, float]:
    ratio_error = abs(music_bpm - movement_bpm) / movement_bpm
    octave_error = min(abs(music_bpm - f * movement_bpm) / (f * movement_bpm) for f in (1 / 3, 0.5, 1, 2, 3))
    return {
        "tempo_error": float(ratio_error),
        "tempo_match": float(ratio_error <= TEMPO_TOLERANCE),
        "tempo_match_octave": float(octave_error <= TEMPO_TOLERANCE),
    }


def shifted(music: MusicTiming, offset: float) -> MusicTiming:
    """The music circularly shifted later by `offset` seconds."""
    return MusicTiming(
        envelope=np.roll(music.envelope, int(round(offset * ENVELOPE_RATE))),
        onsets=np.sort((music.onsets + offset) % music.duration),
        beats=np.sort((music.beats + offset) % music.duration),
        bpm=music.bpm,
        duration=music.duration,
    )


def rhythm_metrics(movement: dict[tuple[str, str], np.ndarray], music: MusicTiming) -> dict[str, float]:
    """All rhythm and sync metrics of one clip's music against its movement beats, given per
    (source, convention) as in movement.py."""
    metrics = {}
    for source in SOURCES:
        for convention in CONVENTIONS:
            beats = movement[source, convention]
            moved = len(beats) > 0
            for sigma in SIGMAS_S:
                to_music = beat_align_score(beats, music.beats, sigma) if moved else np.nan
                to_motion = beat_align_score(music.beats, beats, sigma) if moved else np.nan
                metrics[bas_name("bas_motion_to_music", source, convention, sigma)] = to_music
                metrics[bas_name("bas_music_to_motion", source, convention, sigma)] = to_motion
    stops = movement[HEADLINE_SOURCE, HEADLINE_CONVENTION]
    motion = pulse(stops, len(music.envelope))
    correlation, lag = onset_correlation(motion, music.envelope)
    movement_bpm = movement_tempo(motion)
    against_stops = {
        **beat_bins(music.beats, stops, music.duration),
        "onset_xcorr": correlation,
        "onset_xcorr_lag_s": lag,
        **tempo_consistency(music.bpm, movement_bpm),
    }
    if len(stops) == 0:
        against_stops = dict.fromkeys(against_stops, np.nan)
    return {**metrics, **against_stops, "music_bpm": music.bpm, "movement_bpm": movement_bpm if len(stops) else np.nan}


def chance_levels(movement: dict[tuple[str, str], np.ndarray], music: MusicTiming) -> dict[str, float]:
    """Each metric averaged over circular shifts of the music (see module docstring)."""
    offsets = np.linspace(0.1, 0.9, CHANCE_SHIFTS) * music.duration
    runs = [rhythm_metrics(movement, shifted(music, offset)) for offset in offsets]
    return {name: float(np.mean([run[name] for run in runs])) for name in runs[0]}
