"""Upper-body keypoints from MediaPipe Pose: head, shoulders, elbows, wrists and hands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.controls.mediapipe_solutions import mediapipe_solution

# (name, MediaPipe Pose landmark index); left/right are the person's own sides.
UPPER_BODY = (
    ("nose", 0),
    ("left_ear", 7),
    ("right_ear", 8),
    ("left_shoulder", 11),
    ("right_shoulder", 12),
    ("left_elbow", 13),
    ("right_elbow", 14),
    ("left_wrist", 15),
    ("right_wrist", 16),
    ("left_pinky", 17),
    ("right_pinky", 18),
    ("left_index", 19),
    ("right_index", 20),
)
BODY_KEYPOINTS = tuple(name for name, _ in UPPER_BODY)
SHOULDERS = (BODY_KEYPOINTS.index("left_shoulder"), BODY_KEYPOINTS.index("right_shoulder"))
# A person framed as at a webcam: shoulders this many frame heights wide (or more) …
REFERENCE_SHOULDER_WIDTH = 0.45
REFERENCE_ASPECT = 4 / 3  # … in a frame this wide for one high
# MediaPipe keeps returning a guessed skeleton after the person leaves; a body counts as
# present only while its shoulders are judged visible.
PRESENCE_VISIBILITY = 0.5


def shoulder_width(keypoints: np.ndarray) -> float:
    """Median distance between the shoulders of (T, K, 2) keypoints, in their units; NaN where
    they were never seen."""
    widths = np.linalg.norm(keypoints[:, SHOULDERS[0]] - keypoints[:, SHOULDERS[1]], axis=1)
    widths = widths[np.isfinite(widths)]
    return float(np.median(widths)) if widths.size else np.nan


def flow_share(shoulder_width: float, aspect: float) -> float:
    """How much a person `shoulder_width` frame heights wide, in a frame `aspect` wide for one
    high, moves the frame's mean optical flow, relative to the same movement framed as at a
    webcam: their share of the frame's area times the distance they cover in frame heights, so
    the cube of their size (half the size: an eighth)."""
    return (shoulder_width / REFERENCE_SHOULDER_WIDTH) ** 3 * REFERENCE_ASPECT / aspect


@dataclass(frozen=True)
class BodyObservation:
    keypoints: np.ndarray  # (K, 2) x right, y down, in frame heights from the top-left corner
    visibility: np.ndarray  # (K,) MediaPipe's visibility estimate in [0, 1]


class BodyAnalyzer:
    """Tracks one person's pose through consecutive frames (MediaPipe Pose, full model)."""

    def __init__(self, min_confidence: float = 0.5):
        # model_complexity=1 is the model that ships inside the mediapipe wheel.
        self._pose = mediapipe_solution("pose").Pose(
            static_image_mode=False,
            model_complexity=1,
            smooth_landmarks=False,  # its smoothing lags; ours is zero-phase (timeline.py)
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def __call__(self, image: np.ndarray) -> BodyObservation | None:
        result = self._pose.process(image)
        if result.pose_landmarks is None:
            return None
        height, width = image.shape[:2]
        landmarks = result.pose_landmarks.landmark
        chosen = [landmarks[index] for _, index in UPPER_BODY]
        keypoints = np.array([(p.x * width / height, p.y) for p in chosen])
        visibility = np.array([p.visibility for p in chosen])
        if visibility[list(SHOULDERS)].mean() < PRESENCE_VISIBILITY:
            return None
        return BodyObservation(keypoints, visibility)

    def close(self) -> None:
        self._pose.close()
