"""The ruler's own measurement of the movement, apart from the controls'.

The composer aims at the stops of the controls' optical flow (`controls/motion.py`: Farnebäck
at 160 px with settings tuned for speed, low-passed) and of their keypoints (pose 10 times a
second, low-passed at 4 Hz). Stops found on those same curves would grade the music against the
very measurements its beats were placed on, so the ruler looks at the video again, its own way,
at every picture and unfiltered (the ruler's own 50 ms Gaussian aside):

- **flow**: Farnebäck's algorithm with the parameters of OpenCV's own example (pyramid scale
  0.5, 3 levels, a 15 px window, 3 iterations, poly_n 5, poly_sigma 1.2) on a grey picture
  RULER_WIDTH pixels across, from each picture to the next; its speed is the mean flow over the
  frame in frame heights per second;
- **keypoints**: MediaPipe Pose on every picture (the tracker the controls use, the only one that
  ships offline), the upper body's keypoints' velocity from each picture to the next.

Each is timed halfway between the two pictures. A frame that shows the picture before again
(`video/repeats.py`) is no new picture: nothing moved to it. A conversion from another frame
rate repeats pictures in a steady pattern, and its pictures are timed as taken, evenly
(`taken_times`); timed when first shown, the speed dipped at every repeat, and each dip read as
a stop (a sway filmed at 24 pictures a second and stored at 30 had 25 flow stops for its 6
turns; 4 now, as on the controls' flow). A repeat that comes too seldom for a conversion's is
told apart by the flow around it, as the controls tell it (`video/repeats.came_late`): where the
movement goes on across it by a single step, its picture came late, and is timed as a
conversion's (a sway filmed at 28 pictures a second and stored at 30 had 10 flow stops for its 6
turns, its pictures timed when first shown; 6 now). Nothing is measured across a cut from one
shot to the next: the leap from one picture to another is no movement.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from expotion.atomic import atomic_path
from expotion.controls.body import BODY_KEYPOINTS, BodyAnalyzer, shoulder_width
from expotion.errors import ExpotionError
from expotion.video.decode import iter_frames, probe
from expotion.video.repeats import PictureChanges, came_late, taken_times

RULER_WIDTH = 320  # twice the controls' flow picture: a person a third of a webcam's size still spans 100 px
POSE_MAX_SIDE = 640  # pictures for pose are no larger (MediaPipe looks at 256 × 256 anyway)
FARNEBACK = (0.5, 3, 15, 3, 5, 1.2, 0)  # pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, flags
FLOWS_IN_FLIGHT = 4  # pairs of pictures waiting for the flow thread, at most
CUT_ROUNDING_S = 1e-3  # cut times are the first frames' times, rounded


@dataclass(frozen=True)
class MeasuredMovement:
    """The ruler's measurements from each picture of a clip to the next."""

    times: np.ndarray  # (N,) halfway between the times the two pictures were taken (s from the first frame)
    flow: np.ndarray  # (N,) mean optical-flow speed over the frame (frame heights per second)
    keypoint_velocity: np.ndarray  # (N, K, 2) frame heights per second; NaN where either picture shows no body
    visibility: np.ndarray  # (N, K) the lower of the two pictures' visibility estimates
    shoulder_width: float  # the person's median shoulder width (frame heights); NaN: never seen
    aspect: float  # the frame's width for one height

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            np.savez(tmp, **asdict(self))

    @classmethod
    def load(cls, path: Path) -> MeasuredMovement:
        try:
            with np.load(path, allow_pickle=False) as saved:
                return cls(**{name: (saved[name] if saved[name].ndim else float(saved[name])) for name in saved.files})
        except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
            raise ExpotionError(f"cannot read the ruler's measurements from {path}: {error}")


def measure_movement(video: Path, cuts: np.ndarray = np.zeros(0), progress: bool = False) -> MeasuredMovement:
    """Flow and keypoints from each picture of `video` to the next in the same shot. `cuts`:
    when each shot after the first begins (s from the first frame). The flow is measured on a
    worker thread while pose runs on this one (OpenCV and MediaPipe both release the GIL).
    `progress`: a bar on a terminal."""
    shown, repeats, pictures, flows, keypoints, visibility = [], [], [], [], [], []
    compare, previous_grey, size = PictureChanges(), None, (4, 3)
    in_flight: collections.deque[concurrent.futures.Future] = collections.deque()
    bar = tqdm(total=probe(video).frame_count if progress else None, unit="frame", desc="ruler",
               disable=None if progress else True, leave=False)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ruler-flow") as flow_thread, \
            contextlib.closing(BodyAnalyzer()) as pose, bar:
        for frame in iter_frames(video, max_side=POSE_MAX_SIDE):
            bar.update()
            shown.append(frame.time)
            repeats.append(compare(frame).repeat)
            if repeats[-1]:
                continue
            grey, image = frame.grey(RULER_WIDTH), frame.image
            if previous_grey is not None:
                in_flight.append(flow_thread.submit(flow_between, previous_grey, grey))
            body = pose(image)
            keypoints.append(body.keypoints if body else np.full((len(BODY_KEYPOINTS), 2), np.nan))
            visibility.append(body.visibility if body else np.zeros(len(BODY_KEYPOINTS)))
            pictures.append(frame.index)
            previous_grey, size = grey, image.shape[1::-1]
            while len(in_flight) > FLOWS_IN_FLIGHT:
                flows.append(in_flight.popleft().result())
        flows += [future.result() for future in in_flight]
    shown, repeats, pictures = np.array(shown), np.array(repeats), np.array(pictures)
    moved = np.array([speed for speed, _ in flows])
    directions = np.array([regions.ravel() for _, regions in flows])
    taken = taken_times(shown, repeats, *_missed_and_late(len(shown), pictures, moved, directions))
    return _between_pictures(shown[pictures], taken[pictures], moved, np.array(keypoints).reshape(-1, len(BODY_KEYPOINTS), 2),
                             np.array(visibility), cuts, size)


def flow_between(previous: np.ndarray, grey: np.ndarray) -> tuple[float, np.ndarray]:
    """The optical flow from one grey picture to the next: its mean speed over the frame and
    its mean vector in each of 3 × 3 regions, in picture heights."""
    flow = cv2.calcOpticalFlowFarneback(previous, grey, None, *FARNEBACK)
    regions = cv2.resize(flow, (3, 3), interpolation=cv2.INTER_AREA)
    return float(cv2.magnitude(flow[..., 0], flow[..., 1]).mean()) / grey.shape[0], regions / grey.shape[0]


def _missed_and_late(frames: int, pictures: np.ndarray, moved: np.ndarray, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the `frames` repeat a picture the camera missed, and which a picture that came
    late (`video/repeats.came_late`), by how far the movement went into the picture before them,
    across them to the next picture and on from there (`moved`, from each of the `pictures` to
    the next); where the flow reverses across them, neither (a real picture shown twice)."""
    missed, late = np.zeros(frames, bool), np.zeros(frames, bool)
    for picture in np.flatnonzero(np.diff(pictures) > 1):  # frames after this picture repeat it
        if picture == 0 or directions[picture - 1] @ directions[picture] <= 0:
            continue
        on = moved[picture + 1] if picture + 1 < len(moved) else None
        repeated = slice(pictures[picture] + 1, pictures[picture + 1])
        (late if came_late(moved[picture - 1], moved[picture], on) else missed)[repeated] = True
    return missed, late


def _between_pictures(shown, taken, moved, keypoints, visibility, cuts, size) -> MeasuredMovement:
    """The measurements from each picture to the next (first `shown` and `taken` at these
    times), timed as the pictures were taken, but for those across a cut."""
    shot = np.searchsorted(cuts, shown + CUT_ROUNDING_S, "right")
    kept = (shot[1:] == shot[:-1]) & (np.diff(taken) > 0)
    steps = np.diff(taken)[kept]
    velocity = np.diff(keypoints, axis=0)[kept] / steps[:, None, None]
    return MeasuredMovement(
        times=((taken[1:] + taken[:-1]) / 2)[kept],
        flow=moved[kept] / steps,
        keypoint_velocity=velocity,
        visibility=np.minimum(visibility[1:], visibility[:-1])[kept],
        shoulder_width=shoulder_width(keypoints),
        aspect=size[0] / size[1],
    )
