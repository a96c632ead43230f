"""`Controls` made from known movement, without a video: a person (face and body seen all
the time) whose body stops or turns at given times."""

from __future__ import annotations

import numpy as np

from expotion.controls.body import BODY_KEYPOINTS
from expotion.controls.controls import Controls
from expotion.controls.face import EXPRESSION_DIM, HEAD_POSE
from expotion.controls.motion import MOTION_REGIONS

RATE = 50.0


def synthetic_controls(duration: float, movement_beats, strengths=None, energy: float = 0.15, rate: float = RATE) -> Controls:
    """Controls of `duration` seconds whose movement beats are `movement_beats` (s); the motion
    energy is `energy` frame heights per second, rising between beats; the face is neutral."""
    beats = np.asarray(movement_beats, dtype=float)
    strengths = np.ones(len(beats)) if strengths is None else np.asarray(strengths, dtype=float)
    frames = int(np.ceil(duration * rate - 1e-9))
    t = np.arange(frames) / rate
    if len(beats):
        distance = np.min(np.abs(t[:, None] - beats[None, :]), axis=1)
        speed = np.clip(distance / 0.25, 0, 1)
    else:
        speed = np.zeros(frames)
    keypoints = np.tile(np.linspace(0.2, 0.8, 2 * len(BODY_KEYPOINTS)).reshape(1, -1, 2), (frames, 1, 1))
    return Controls(
        rate=rate,
        duration=duration,
        face_expression=np.zeros((frames, EXPRESSION_DIM)),
        head_pose=np.zeros((frames, len(HEAD_POSE))),
        face_scalars=np.tile([0.1, 0.0, 0.5, 0.3], (frames, 1)) + 0.01 * np.sin(t)[:, None],
        face_mask=np.ones(frames, bool),
        body_keypoints=keypoints,
        body_visibility=np.ones((frames, len(BODY_KEYPOINTS))),
        body_velocity=np.zeros((frames, len(BODY_KEYPOINTS), 2)),
        body_mask=np.ones(frames, bool),
        motion_energy=energy * (0.5 + speed),
        motion_regions=np.tile((energy * (0.5 + speed))[:, None], (1, len(MOTION_REGIONS))),
        motion_flow=np.zeros((frames, len(MOTION_REGIONS), 2)),
        movement_speed=speed,
        movement_beats=beats,
        movement_beat_strengths=strengths,
        provenance={"source": "synthetic"},
    )
