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
# MediaPipe keeps returning a guessed skeleton after the person leaves; a body counts as
# present only while its shoulders are judged visible.
PRESENCE_VISIBILITY = 0.5


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
