"""The ruler's own measurement of how fast the picture moves, apart from the controls'.

The composer aims at the stops of the controls' optical flow (`controls/motion.py`: Farnebäck
at 160 px with settings tuned for speed, low-passed). Stops found on that same curve would
grade the music against the very measurement its beats were placed on, so the ruler measures
the flow again, its own way: Farnebäck's algorithm with the parameters of OpenCV's own
example (pyramid scale 0.5, 3 levels, a 15 px window, 3 iterations, poly_n 5, poly_sigma 1.2)
on a grey picture RULER_WIDTH pixels across, from each picture to the next, unfiltered. Its
speed is the mean flow over the frame in frame heights per second, timed halfway between the
two pictures. A frame that shows the picture before again (`video/repeats.py`) is no new
picture: nothing moved to it. A conversion from another frame rate repeats pictures in a steady
pattern, and its pictures are timed as taken, evenly (`taken_times`); timed when first shown,
the speed dipped at every repeat, and each dip read as a stop (a sway filmed at 24 pictures a
second and stored at 30 had 25 stops for its 6 turns; 4 now, as the controls' flow gives). No
flow is measured across a cut from one shot to the next: the leap from one picture to another
is no movement.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from expotion.video.decode import iter_frames
from expotion.video.repeats import PictureChanges, taken_times

RULER_WIDTH = 320  # twice the controls' flow picture: a person a third of a webcam's size still spans 100 px
CUT_ROUNDING_S = 1e-3
FARNEBACK = (0.5, 3, 15, 3, 5, 1.2, 0)  # pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, flags


def picture_speed(video: Path, cuts: np.ndarray = np.zeros(0)) -> tuple[np.ndarray, np.ndarray]:
    """(times, speeds): the mean optical-flow speed over the frame (frame heights per second)
    from each picture of `video` to the next in the same shot, halfway between the times they
    were taken (seconds from the first frame). `cuts`: when each shot after the first begins."""
    times, repeats, pairs, moved = [], [], [], []
    compare, previous = PictureChanges(), None
    for frame in iter_frames(video):
        times.append(frame.time)
        repeats.append(compare(frame).repeat)
        if repeats[-1]:
            continue
        grey = frame.grey(RULER_WIDTH)
        if previous is not None:
            flow = cv2.calcOpticalFlowFarneback(previous[1], grey, None, *FARNEBACK)
            pairs.append((previous[0], frame.index))
            moved.append(float(cv2.magnitude(flow[..., 0], flow[..., 1]).mean()) / grey.shape[0])
        previous = (frame.index, grey)
    shown, taken = np.array(times), taken_times(np.array(times), np.array(repeats))
    start, end = np.array(pairs, int).reshape(-1, 2).T
    shot = np.searchsorted(cuts, shown + CUT_ROUNDING_S, "right")  # the cut times are the first frames' times, rounded
    kept = (shot[start] == shot[end]) & (taken[end] > taken[start])
    return (taken[start] + taken[end])[kept] / 2, np.array(moved)[kept] / (taken[end] - taken[start])[kept]


def speed_on_grid(times: np.ndarray, speeds: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The measured speeds at the `grid` times, linearly between measurements; NaN before the
    first and after the last."""
    if len(times) == 0:
        return np.full(len(grid), np.nan)
    return np.interp(grid, times, speeds, left=np.nan, right=np.nan)
