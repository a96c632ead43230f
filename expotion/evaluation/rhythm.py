"""Rhythm and sync metrics between a person's movement and the music, each with its chance level.

Movement side: the movement-accent times and accent curve of the video's controls. Music
side: beats and the onset envelope of its audio (onsets.py). Definitions:

- **BAS motion→music** (Beat Align Score, as in the music-to-dance literature): mean over
  movement accents a of exp(−min_b (a − b)² / 2σ²), b over music beats; σ = 0.05 s unless
  set. **BAS music→motion**: the same with the roles swapped.
- **BCS / BHS** in the LORIS style, on **1 s bins** (another definition, on beat-to-beat
  matching, also exists): a bin is a hit when it holds both a music beat and a movement
  accent; BCS (coverage) = hits / bins holding a music beat, BHS (hit rate) = hits / bins
  holding a movement accent; F1 their harmonic mean.
- **Onset correlation**: peak normalised cross-correlation between the movement-accent
  curve and the music onset envelope (both z-scored, at 100 Hz) over lags within ±0.5 s,
  and the lag of that peak (positive: the music comes after the movement).
- **Tempo consistency**: music tempo vs movement tempo (autocorrelation estimates);
  strict when within 8 %, octave-tolerant when within 8 % of ×⅓, ×½, ×1, ×2 or ×3.

Chance: every metric is also computed with the music circularly shifted in time by 20
offsets spread over the middle 80 % of the clip, and averaged — what unrelated music with
the same rhythm would score.
"""

from __future__ import annotations

import numpy as np

from expotion.beats import estimate_tempo
from expotion.evaluation.onsets import ENVELOPE_RATE, MusicTiming

SIGMA_S = 0.05
BIN_S = 1.0
MAX_LAG_S = 0.5
TEMPO_TOLERANCE = 0.08
CHANCE_SHIFTS = 20


def beat_align_score(reference: np.ndarray, candidates: np.ndarray, sigma: float = SIGMA_S) -> float:
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


def tempo_consistency(music_bpm: float, movement_bpm: float) -> dict[str, float]:
    ratio_error = abs(music_bpm - movement_bpm) / movement_bpm
    octave_error = min(abs(music_bpm - f * movement_bpm) / (f * movement_bpm) for f in (1 / 3, 0.5, 1, 2, 3))
    return {
        "tempo_error": float(ratio_error),
        "tempo_match": float(ratio_error <= TEMPO_TOLERANCE),
        "tempo_match_octave": float(octave_error <= TEMPO_TOLERANCE),
    }


def movement_on_envelope_grid(accent_curve: np.ndarray, rate: float, length: int) -> np.ndarray:
    """The accent curve resampled by timestamp to the onset envelope's 100 Hz grid."""
    times = np.arange(length) / ENVELOPE_RATE
    return np.interp(times, np.arange(len(accent_curve)) / rate, accent_curve)


def shifted(music: MusicTiming, offset: float) -> MusicTiming:
    """The music circularly shifted later by `offset` seconds."""
    steps = int(round(offset * ENVELOPE_RATE))
    return MusicTiming(
        envelope=np.roll(music.envelope, steps),
        onsets=np.sort((music.onsets + offset) % music.duration),
        beats=np.sort((music.beats + offset) % music.duration),
        bpm=music.bpm,
        duration=music.duration,
    )


def rhythm_metrics(accent_times: np.ndarray, accent_curve: np.ndarray, rate: float, music: MusicTiming,
                   sigma: float = SIGMA_S) -> dict[str, float]:
    """All rhythm and sync metrics of one clip's music against its movement."""
    motion = movement_on_envelope_grid(accent_curve, rate, len(music.envelope))
    correlation, lag = onset_correlation(motion, music.envelope)
    movement_bpm, _ = estimate_tempo(accent_curve, rate, (70, 160), 1.0)
    return {
        "bas_motion_to_music": beat_align_score(accent_times, music.beats, sigma),
        "bas_music_to_motion": beat_align_score(music.beats, accent_times, sigma),
        **beat_bins(music.beats, accent_times, music.duration),
        "onset_xcorr": correlation,
        "onset_xcorr_lag_s": lag,
        **tempo_consistency(music.bpm, movement_bpm),
        "music_bpm": music.bpm,
        "movement_bpm": movement_bpm,
    }


def chance_levels(accent_times: np.ndarray, accent_curve: np.ndarray, rate: float, music: MusicTiming,
                  sigma: float = SIGMA_S) -> dict[str, float]:
    """Each metric averaged over circular shifts of the music (see module docstring)."""
    offsets = np.linspace(0.1, 0.9, CHANCE_SHIFTS) * music.duration
    runs = [rhythm_metrics(accent_times, accent_curve, rate, shifted(music, offset), sigma) for offset in offsets]
    return {name: float(np.mean([run[name] for run in runs])) for name in runs[0]}
