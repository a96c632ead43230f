"""`Controls`: what the person in the video does, on one uniform time grid.

This is the contract between extraction, both generator backends, training and evaluation.
Every time series (float32) has the grid's length T on axis 0; sample i describes time
i / rate seconds after the video's first frame. Where a face or body was not seen, values are NaN
and the modality's mask is False — never a fake zero.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from expotion.atomic import atomic_path
from expotion.controls.movement_beats import beat_pulse
from expotion.controls.timeline import grid_times, lowpass, on_screen_index, shot_slices, to_grid
from expotion.errors import ExpotionError

# Per-event arrays (one value per movement beat), not on the grid.
EVENT_FIELDS = ("movement_beats", "movement_beat_strengths")
# Which mask covers each masked time series.
MASK_OF = {
    "face_expression": "face_mask",
    "head_pose": "face_mask",
    "face_scalars": "face_mask",
    "body_keypoints": "body_mask",
    "body_visibility": "body_mask",
    "body_velocity": "body_mask",
}


@dataclass(frozen=True)
class Controls:
    rate: float  # grid samples per second
    duration: float  # seconds, from the first frame's start to the last frame's end
    face_expression: np.ndarray  # (T, E) expression landmarks in the face frame
    head_pose: np.ndarray  # (T, 3) yaw, pitch, roll in degrees
    face_scalars: np.ndarray  # (T, 4) mouth_open, smile, brow_raise, eye_open
    face_mask: np.ndarray  # (T,) bool: a face was seen
    body_keypoints: np.ndarray  # (T, K, 2) upper body, frame heights from the top-left
    body_visibility: np.ndarray  # (T, K) in [0, 1]
    body_velocity: np.ndarray  # (T, K, 2) frame heights per second
    body_mask: np.ndarray  # (T,) bool: a body was seen
    motion_energy: np.ndarray  # (T,) mean optical-flow speed, frame heights per second
    motion_regions: np.ndarray  # (T, 9) mean flow speed per 3×3 region
    motion_flow: np.ndarray  # (T, 9, 2) mean flow vector per region (x right, y down)
    movement_speed: np.ndarray  # (T,) how fast the person moves, about 1 at this clip's fast strokes
    movement_beats: np.ndarray  # (N,) seconds where the moving body stops or turns round
    movement_beat_strengths: np.ndarray  # (N,) peak speed of the stroke into each beat
    provenance: dict = field(default_factory=dict)  # source, fps, extractor versions, …

    def __post_init__(self):
        # Single precision is ample for what cameras measure, and halves the memory of long videos.
        for name in self.time_series_names():
            values = getattr(self, name)
            if values.dtype == np.float64:
                object.__setattr__(self, name, values.astype(np.float32))

    @property
    def num_frames(self) -> int:
        return len(self.movement_speed)

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.num_frames) / self.rate

    @property
    def has_person(self) -> bool:
        return bool(self.face_mask.any() or self.body_mask.any())

    @property
    def shot_cuts(self) -> np.ndarray:
        """When each shot after the first begins (s), in edited video; empty for one shot."""
        return np.asarray(self.provenance.get("shot_cuts", []), float)

    @property
    def movement_pulse(self) -> np.ndarray:
        """The movement beats on the grid (T,): a short bump as high as each beat's strength."""
        return beat_pulse(self.movement_beats, self.movement_beat_strengths, self.rate, self.num_frames)

    @classmethod
    def time_series_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name not in ("rate", "duration", "provenance") + EVENT_FIELDS)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every field as a numpy array (provenance as a JSON string), for .npz files."""
        arrays = {name: getattr(self, name) for name in self.time_series_names()}
        events = {name: getattr(self, name) for name in EVENT_FIELDS}
        return {**arrays, **events, "rate": np.float64(self.rate), "duration": np.float64(self.duration),
                "provenance": np.array(json.dumps(self.provenance))}

    @classmethod
    def from_arrays(cls, arrays) -> "Controls":
        values = {name: arrays[name] for name in cls.time_series_names() + EVENT_FIELDS}
        return cls(rate=float(arrays["rate"]), duration=float(arrays["duration"]),
                   provenance=json.loads(str(arrays["provenance"])), **values)

    def save(self, path: str | Path) -> None:
        """Write all arrays and the provenance to one .npz file, atomically."""
        with atomic_path(path) as tmp:
            self.save_to(tmp)

    def save_to(self, path: str | Path) -> None:
        """Write all arrays and the provenance to `path` (.npz content, whatever its name)."""
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **self.to_arrays())

    @classmethod
    def load(cls, path: str | Path) -> "Controls":
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls.from_arrays(data)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ExpotionError(f"cannot read controls from {path}: {error}")

    def window(self, start: float, duration: float) -> "Controls":
        """The controls from `start` for `duration` seconds (shorter at the clip's end),
        re-timed so the window starts at 0 (its movement beats and shot cuts too)."""
        first = int(round(start * self.rate))
        last = min(self.num_frames, first + int(round(duration * self.rate)))
        sliced = {name: getattr(self, name)[first:last] for name in self.time_series_names()}
        inside = (self.movement_beats >= start) & (self.movement_beats < start + duration)
        cuts = [float(time) - start for time in self.shot_cuts if start < time < start + duration]
        return replace(self, duration=(last - first) / self.rate, movement_beats=self.movement_beats[inside] - start,
                       movement_beat_strengths=self.movement_beat_strengths[inside], **sliced,
                       provenance={**self.provenance, "shot_cuts": cuts})

    def resample_to(self, rate: float) -> "Controls":
        """The same controls on a grid of another rate, interpolated by timestamp.

        Downsampling low-passes first (at 0.45 × the new rate) so that nothing aliases. Each
        shot of an edited video is resampled on its own: nothing is smoothed or interpolated
        across a cut.
        """
        if rate <= 0:
            raise ExpotionError(f"rate must be positive, got {rate}")
        grid = grid_times(self.duration, rate)
        on_screen = on_screen_index(self.times, grid)
        cutoff = 0.45 * rate if rate < self.rate else 0.0
        shots = shot_slices(self.times, self.shot_cuts)
        resampled = {}
        for name in self.time_series_names():
            values = getattr(self, name)
            if values.dtype == bool:
                resampled[name] = values[on_screen]
                continue
            mask = getattr(self, MASK_OF[name]) if name in MASK_OF else np.ones(self.num_frames, bool)
            smoothed = np.concatenate([lowpass(values[shot], self.rate, cutoff) for shot in shots])
            resampled[name], _ = to_grid(self.times, smoothed, mask, grid, max_gap=0, cutoff_hz=0, cuts=self.shot_cuts)
        return replace(self, rate=float(rate), **resampled)
