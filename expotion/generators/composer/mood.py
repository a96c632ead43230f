"""Mood and energy from the controls, bar by bar, and sections where the face changes.

Energy follows how much the person moves (optical-flow speed and body-keypoint speed).
Mood follows the face: valence from the smile (and a lowered head), arousal from an open
mouth, raised brows and wide eyes. Faces differ, so face channels count relative to the
clip's own range; the prompt's mood words set the level they move around. A clear change
of expression that lasts starts a new section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.controls import Controls
from expotion.controls.face import FACE_SCALARS, HEAD_POSE

NOVELTY_WINDOW_S = 2.0
NOVELTY_THRESHOLD = 1.2  # in clip-normalised units of expression change
MIN_SECTION_BARS = 2
FACE_WEIGHT = 0.6  # how far the face moves the prompt's mood, at full expression range
# Motion this fast (frame heights per second) counts as full energy whatever the clip.
FULL_ENERGY_MOTION = 0.25
HAPPY_VALENCE = 0.5  # a section this positive, and aroused, is happy


@dataclass(frozen=True)
class Section:
    start_bar: int
    end_bar: int  # exclusive
    valence: float  # −1 … 1
    arousal: float  # −1 … 1

    @property
    def happy(self) -> bool:
        return self.valence >= HAPPY_VALENCE and self.arousal > 0


def _bar_means(values: np.ndarray, controls: Controls, bar_starts: np.ndarray, duration: float) -> np.ndarray:
    """Mean of a (T, …) series over each bar (NaN-aware), one row per bar."""
    edges = np.append(bar_starts, duration)
    index = np.clip(np.round(edges * controls.rate).astype(int), 0, controls.num_frames)
    rows = []
    for start, stop in zip(index[:-1], index[1:]):
        window = values[start : max(stop, start + 1)]
        rows.append(np.nanmean(window, axis=0) if np.isfinite(window).any() else np.full(values.shape[1:], np.nan))
    return np.array(rows)


def bar_energy(controls: Controls, bar_starts: np.ndarray, duration: float, arousal_bias: float = 0.0) -> np.ndarray:
    """Energy per bar in [0.1, 1]: a floor of 0.25 (music, even for a still person) plus
    half the clip-relative rank of the bar's motion and half its absolute speed, nudged
    by the prompt's arousal."""
    motion = controls.motion_energy
    if controls.body_mask.any():
        body_speed = np.linalg.norm(controls.body_velocity, axis=2)
        seen = np.isfinite(body_speed)
        mean_speed = np.where(seen, body_speed, 0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
        motion = np.where(controls.body_mask & seen.any(axis=1), 0.5 * motion + 0.5 * mean_speed / 4, motion)
    per_bar = _bar_means(motion, controls, bar_starts, duration)
    per_bar = np.nan_to_num(per_bar, nan=float(np.nanmean(per_bar)) if np.isfinite(per_bar).any() else 0.0)
    rank = (np.argsort(np.argsort(per_bar)) + 0.5) / len(per_bar) if len(per_bar) > 1 else np.full(len(per_bar), 0.5)
    absolute = np.clip(per_bar / FULL_ENERGY_MOTION, 0, 1)
    return np.clip(0.25 + 0.75 * (0.5 * rank + 0.5 * absolute) + 0.15 * arousal_bias, 0.1, 1.0)


def face_mood_curves(controls: Controls) -> tuple[np.ndarray, np.ndarray]:
    """(valence, arousal) per grid step in about [−1, 1], relative to the clip; NaN without a face."""
    scalars = controls.face_scalars
    valid = controls.face_mask
    valence = np.full(controls.num_frames, np.nan)
    arousal = np.full(controls.num_frames, np.nan)
    if valid.sum() < 2:
        return valence, arousal
    z = (scalars - np.nanmean(scalars[valid], axis=0)) / (np.nanstd(scalars[valid], axis=0) + 1e-6)
    smile, brows, eyes, mouth = (z[:, FACE_SCALARS.index(n)] for n in ("smile", "brow_raise", "eye_open", "mouth_open"))
    pitch = controls.head_pose[:, HEAD_POSE.index("pitch")]
    looking_down = np.clip(-(pitch - np.nanmedian(pitch[valid])) / 20.0, -1, 1)
    valence[valid] = np.tanh(0.6 * smile[valid] - 0.3 * looking_down[valid])
    arousal[valid] = np.tanh(0.4 * mouth[valid] + 0.3 * brows[valid] + 0.3 * eyes[valid])
    return valence, arousal


def expression_novelty(controls: Controls) -> np.ndarray:
    """How different the expression is in the seconds after each moment from the seconds before."""
    features = controls.face_scalars.copy()
    valid = controls.face_mask
    novelty = np.zeros(controls.num_frames)
    if valid.sum() < 2:
        return novelty
    features = (features - np.nanmean(features[valid], axis=0)) / (np.nanstd(features[valid], axis=0) + 1e-6)
    half = int(NOVELTY_WINDOW_S * controls.rate)
    for t in range(half, controls.num_frames - half):
        before, after = features[t - half : t], features[t : t + half]
        if np.isfinite(before).any() and np.isfinite(after).any():
            novelty[t] = np.linalg.norm(np.nanmean(after, axis=0) - np.nanmean(before, axis=0))
    return novelty


def plan_sections(
    controls: Controls, bar_starts: np.ndarray, duration: float, valence_bias: float, arousal_bias: float, face_weight: float = 1.0
) -> list[Section]:
    """Sections split at bars where the expression clearly changes, each with its mood;
    `face_weight` 0…1 scales how far the face moves the prompt's mood."""
    bars = len(bar_starts)
    novelty = _bar_means(expression_novelty(controls), controls, bar_starts, duration)
    boundaries = [0]
    for bar in np.argsort(novelty)[::-1]:
        if novelty[bar] < NOVELTY_THRESHOLD:
            break
        if all(abs(bar - b) >= MIN_SECTION_BARS for b in boundaries) and bars - bar >= MIN_SECTION_BARS:
            boundaries.append(int(bar))
    boundaries = sorted(boundaries) + [bars]
    valence, arousal = face_mood_curves(controls)
    valence_bars = _bar_means(valence, controls, bar_starts, duration)
    arousal_bars = _bar_means(arousal, controls, bar_starts, duration)
    sections = []
    for start, end in zip(boundaries[:-1], boundaries[1:]):
        face_v = np.nanmean(valence_bars[start:end]) if np.isfinite(valence_bars[start:end]).any() else 0.0
        face_a = np.nanmean(arousal_bars[start:end]) if np.isfinite(arousal_bars[start:end]).any() else 0.0
        weight = FACE_WEIGHT * face_weight
        sections.append(Section(start, end, float(np.clip(valence_bias + weight * face_v, -1, 1)),
                                float(np.clip(arousal_bias + weight * face_a, -1, 1))))
    return sections
