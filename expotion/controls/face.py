"""Face controls from MediaPipe face-mesh landmarks: expression, head pose, readable channels.

The 478 landmarks are expressed in a face-centred frame built from points that do not move
with expression (eye corners, nose bridge, forehead, nose tip). In that frame the head's
position, size and rotation are gone, so what remains of the mouth, eye and brow points is
expression; the frame's own rotation is the head pose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expotion.controls.mediapipe_solutions import mediapipe_solution

HEAD_POSE = ("yaw", "pitch", "roll")  # degrees; 0,0,0 faces the camera upright
# The nose-tip→forehead line leans back from the face's vertical: a frontal, level face
# (measured on a frontal portrait) reads this pitch before the offset is removed.
FRONTAL_PITCH_DEGREES = 14.0
FACE_SCALARS = ("mouth_open", "smile", "brow_raise", "eye_open")

# Face-mesh landmark indices (MediaPipe's canonical topology).
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, LEFT_EYE_INNER, LEFT_EYE_OUTER = 33, 133, 362, 263
NOSE_TIP, FOREHEAD = 1, 10
UPPER_LIP_INNER, LOWER_LIP_INNER, MOUTH_RIGHT, MOUTH_LEFT = 13, 14, 61, 291
UPPER_LIP_OUTER, LOWER_LIP_OUTER = 0, 17
RIGHT_EYE_LIDS = ((160, 144), (158, 153))  # (upper, lower) pairs
LEFT_EYE_LIDS = ((385, 380), (387, 373))
RIGHT_BROW_MID, LEFT_BROW_MID = 105, 334
RIGHT_UPPER_LID, LEFT_UPPER_LID = 159, 386

LIPS_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
LIPS_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95)
EYES = (33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380)
BROWS = (70, 63, 105, 66, 107, 300, 293, 334, 296, 336)
JAW = (152, 148, 377)
EXPRESSION_LANDMARKS = LIPS_OUTER + LIPS_INNER + EYES + BROWS + JAW
EXPRESSION_DIM = 3 * len(EXPRESSION_LANDMARKS)


@dataclass(frozen=True)
class FaceObservation:
    expression: np.ndarray  # (EXPRESSION_DIM,) aligned landmark coordinates, inter-ocular units
    head_pose: np.ndarray  # (3,) yaw, pitch, roll in degrees
    scalars: np.ndarray  # (4,) FACE_SCALARS


def face_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(origin, rotation, scale) of the face-centred frame, for points in camera coordinates.

    Camera coordinates: x right, y up, z towards the viewer (see `to_camera`). Face axes:
    x from the right eye's outer corner to the left eye's, y from the nose tip towards the
    forehead (orthogonalised), z = x × y out of the face. Scale is the outer inter-ocular
    distance; the origin is the midpoint between the outer eye corners.
    """
    right, left = points[RIGHT_EYE_OUTER], points[LEFT_EYE_OUTER]
    x_axis = left - right
    scale = float(np.linalg.norm(x_axis))
    x_axis = x_axis / scale
    up = points[FOREHEAD] - points[NOSE_TIP]
    y_axis = up - up.dot(x_axis) * x_axis
    y_axis /= np.linalg.norm(y_axis)
    rotation = np.stack([x_axis, y_axis, np.cross(x_axis, y_axis)], axis=1)  # columns: face axes
    return (right + left) / 2, rotation, scale


def to_camera(landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
    """MediaPipe's normalised (x right, y down, z away) landmarks to pixel-scaled camera axes."""
    return landmarks * np.array([width, -height, -width])


def to_face_coordinates(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks in the face frame (inter-ocular units) and the frame's rotation."""
    origin, rotation, scale = face_frame(points)
    return (points - origin) @ rotation / scale, rotation


def head_pose_degrees(rotation: np.ndarray) -> np.ndarray:
    """Yaw, pitch, roll of the face frame in degrees.

    Positive yaw turns the face towards the image's right, positive pitch looks up,
    positive roll tilts the head counter-clockwise as seen in the image.
    """
    yaw = np.degrees(np.arctan2(rotation[0, 2], rotation[2, 2]))
    pitch = np.degrees(np.arctan2(rotation[1, 2], np.hypot(rotation[0, 2], rotation[2, 2])))
    roll = np.degrees(np.arctan2(rotation[1, 0], rotation[0, 0]))
    return np.array([yaw, pitch - FRONTAL_PITCH_DEGREES, roll])


def _eye_openness(face: np.ndarray, lids, outer: int, inner: int) -> float:
    width = np.linalg.norm(face[outer] - face[inner])
    return float(np.mean([np.linalg.norm(face[up] - face[down]) for up, down in lids]) / width)


def readable_channels(face: np.ndarray) -> np.ndarray:
    """mouth_open, smile, brow_raise, eye_open from landmarks in the face frame."""
    mouth_open = np.linalg.norm(face[UPPER_LIP_INNER] - face[LOWER_LIP_INNER])
    lip_centre_height = (face[UPPER_LIP_OUTER, 1] + face[LOWER_LIP_OUTER, 1]) / 2
    smile = (face[MOUTH_RIGHT, 1] + face[MOUTH_LEFT, 1]) / 2 - lip_centre_height
    brow_raise = ((face[RIGHT_BROW_MID, 1] - face[RIGHT_UPPER_LID, 1]) + (face[LEFT_BROW_MID, 1] - face[LEFT_UPPER_LID, 1])) / 2
    eye_open = (
        _eye_openness(face, RIGHT_EYE_LIDS, RIGHT_EYE_OUTER, RIGHT_EYE_INNER)
        + _eye_openness(face, LEFT_EYE_LIDS, LEFT_EYE_OUTER, LEFT_EYE_INNER)
    ) / 2
    return np.array([mouth_open, smile, brow_raise, eye_open])


def describe_face(points: np.ndarray) -> FaceObservation:
    """Expression, head pose and readable channels of one face's landmarks (camera coordinates)."""
    face, rotation = to_face_coordinates(points)
    return FaceObservation(
        expression=face[list(EXPRESSION_LANDMARKS)].reshape(-1),
        head_pose=head_pose_degrees(rotation),
        scalars=readable_channels(face),
    )


class FaceAnalyzer:
    """Tracks the most prominent face through consecutive frames (MediaPipe face mesh)."""

    def __init__(self, min_confidence: float = 0.5):
        self._mesh = mediapipe_solution("face_mesh").FaceMesh(
            static_image_mode=False,
            max_num_faces=1,
            refine_landmarks=True,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def __call__(self, image: np.ndarray) -> FaceObservation | None:
        result = self._mesh.process(image)
        if not result.multi_face_landmarks:
            return None
        height, width = image.shape[:2]
        landmarks = result.multi_face_landmarks[0].landmark
        normalised = np.array([(p.x, p.y, p.z) for p in landmarks])
        return describe_face(to_camera(normalised, width, height))

    def close(self) -> None:
        self._mesh.close()
