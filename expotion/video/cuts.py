"""Shot cuts: the frames where one shot ends and the next begins.

Edited video (a dance clip cut between angles, a sports highlight, a music video) jumps from
one shot to the next. Across a cut nothing moved, yet the optical flow between the two frames
is large and arbitrary, and every keypoint leaps to where the person is in the new shot: a
speed curve taken across it shows a stroke that never happened, and its end read as a stop.
Five 2 s pieces of the dev clips joined by four cuts had a movement beat 0.07–0.14 s after three
of the cuts, each among the strongest of the clip.

A cut changes the whole picture at once, where movement changes part of it, and does so from
one frame to the next, where a camera pan or a fast dancer changes the picture as much in the
frames around. So a frame begins a new shot when its picture differs from the one before by at
least `CUT_CHANGE` (mean absolute difference of the luma samples that `PictureChanges` compares,
inside any bars at the picture's edges: `video/letterbox.py`)
and by at least `CUT_RATIO` times as much as the frames around it differ from theirs (the
adaptive rule of PySceneDetect's AdaptiveDetector, on the same footing: 2 frames either side,
3 times, at least 15 levels). Measured: the dev clips and their 18 variants change by at most
9.5 levels from one frame to the next and by at most 2.2 times their neighbours; the cuts
between pieces of them by 45–90 levels, 14–43 times. Of the 32 cuts in eight joins of random
1.5–3 s pieces of the dev clips, 30 are found, and nothing else; the two missed are jump cuts
within one webcam shot (the same person and room a second later), whose change is no larger
than movement's. A gradual transition (a dissolve, a fade) is no cut either: the flow follows
it as it follows a change of light.
"""

from __future__ import annotations

import numpy as np

CUT_CHANGE = 15.0  # luma levels, mean over the picture
CUT_RATIO = 3.0  # times the mean change of the frames around
NEIGHBOURS = 2  # frames on each side


def shot_cuts(changes: np.ndarray) -> np.ndarray:
    """Indices of the frames that begin a new shot, from each frame's mean change from the frame
    before (`PictureChange.mean`; NaN for a first frame)."""
    changes = np.asarray(changes, dtype=float)
    cuts = []
    for frame in np.flatnonzero(changes >= CUT_CHANGE):
        around = np.concatenate([changes[max(0, frame - NEIGHBOURS) : frame], changes[frame + 1 : frame + 1 + NEIGHBOURS]])
        around = around[np.isfinite(around)]
        if not around.size or changes[frame] >= CUT_RATIO * around.mean():
            cuts.append(frame)
    return np.array(cuts, dtype=int)
