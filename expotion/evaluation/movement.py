"""The movement's side of the ruler: where the person stops or turns, by the published definition.

Kinematic beats (AIST++/FACT, Bailando) are the local minima of the body's speed; here they
are taken from two measurements of the video that the ruler makes itself at every picture
(`evaluation/measure.py`), never the controls' that the composer's beats were placed on, each
on its own:

- **flow**: the mean optical-flow speed over the whole frame;
- **body**: the mean speed of the upper-body keypoints seen through the clip (judged visible
  in at least half the measurements with a body): one fixed set, since a mean over whichever
  keypoints are visible frame by frame jumps whenever one of them comes or goes, and its
  jumps read as stops and starts.

Each speed curve (frame heights per second) is smoothed by a Gaussian (σ = 50 ms) and its
minima with a prominence of at least a tenth of the curve's 5–95 % range, and of a floor that
a still video never reaches, are the movement beats ("stops"). Its maxima, by the same rule,
are the other convention some papers use ("peaks": the fastest point of a stroke).

The flow's floor falls with the size of the person in the frame (`flow_prominence_floor`): the
frame's mean flow is the person's share of the frame times their speed, so a dancer seen whole
or a player in a wide shot moves it far less than a person at a webcam.

This code, and what it measures, are deliberately separate from the composer's
(expotion.controls): a system must never be graded by the code that placed its beats, nor on
the measurements it placed them on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from expotion.controls.body import flow_share
from expotion.controls.timeline import grid_times
from expotion.evaluation.measure import MeasuredMovement

SMOOTHING_S = 0.05
MIN_PROMINENCE = 0.1  # of the smoothed speed's 5–95 % range …
MIN_PROMINENCE_ABS = 0.01  # … and at least this (frame heights per second) for a person framed as at a webcam;
# the flow of a still, noisy webcam picture never dips by this much (frame heights per second)
NOISE_PROMINENCE = 0.001
VISIBLE = 0.5
SEEN_SHARE = 0.5  # of the measurements with a body, in which a keypoint must be judged visible
MAX_GAP_S = 0.25  # measurements further apart leave the grid between them unmeasured (a cut, no body)
SOURCES = ("flow", "body")
CONVENTIONS = ("stops", "peaks")


@dataclass(frozen=True)
class RulerMovement:
    """The movement of one clip as the ruler measures it, on a uniform grid from the first frame."""

    rate: float  # grid samples per second
    flow: np.ndarray  # the ruler's flow speed (frame heights per second), NaN where none was measured
    body: np.ndarray  # the keypoints' mean speed (body_speed), NaN where no body was seen
    flow_floor: float  # the smallest dip of the flow that counts (flow_prominence_floor)
    cuts: np.ndarray  # when each shot after the first begins (s)
    duration: float

    @property
    def times(self) -> np.ndarray:
        return np.arange(len(self.flow)) / self.rate


def ruler_movement(measured: MeasuredMovement, rate: float, duration: float, cuts: np.ndarray) -> RulerMovement:
    """The ruler's measurements (`evaluation/measure.py`) on a grid of `rate` samples a second.
    The keypoints' velocity vectors are smoothed before their speed is taken: a tracker's jitter
    from one picture to the next adds to a speed but cancels in a velocity (on a synthetic nod,
    unsmoothed, 2 of its 8 turning points were found within a frame; smoothed, all)."""
    grid = grid_times(duration, rate)
    velocity = smooth_where_measured(on_grid(measured.times, measured.keypoint_velocity, grid), SMOOTHING_S * rate)
    body = body_speed(velocity, np.nan_to_num(on_grid(measured.times, measured.visibility, grid)))
    return RulerMovement(rate, on_grid(measured.times, measured.flow, grid), body,
                         flow_prominence_floor(measured.shoulder_width, measured.aspect), np.asarray(cuts, float), duration)


def on_grid(times: np.ndarray, values: np.ndarray, grid: np.ndarray, max_gap: float = MAX_GAP_S) -> np.ndarray:
    """(N, ...) `values` measured at `times` (NaN: not measured), each series linearly at the
    `grid` times between its measurements at most `max_gap` apart; NaN elsewhere."""
    series = values.reshape(len(values), int(np.prod(values.shape[1:])))
    return np.stack([_series_on_grid(times, column, grid, max_gap) for column in series.T], axis=1).reshape((len(grid),) + values.shape[1:])


def _series_on_grid(times: np.ndarray, values: np.ndarray, grid: np.ndarray, max_gap: float) -> np.ndarray:
    finite = np.isfinite(values)
    times, values = times[finite], values[finite]
    if len(times) == 0:
        return np.full(len(grid), np.nan)
    after = np.clip(np.searchsorted(times, grid), 1, max(len(times) - 1, 1))
    gap = times[after] - times[after - 1] if len(times) > 1 else np.zeros(len(grid))
    inside = (grid >= times[0] - max_gap / 2) & (grid <= times[-1] + max_gap / 2) & (gap <= max_gap)
    return np.where(inside, np.interp(grid, times, values), np.nan)


def smooth_where_measured(values: np.ndarray, sigma: float) -> np.ndarray:
    """`values` (T, ...) smoothed along time by a Gaussian of `sigma` samples, over the measured
    (finite) samples only; NaN stays NaN."""
    measured = np.isfinite(values)
    weight = gaussian_filter1d(measured.astype(float), sigma, axis=0, mode="nearest")
    smooth = gaussian_filter1d(np.where(measured, values, 0.0), sigma, axis=0, mode="nearest") / np.maximum(weight, 1e-9)
    return np.where(measured, smooth, np.nan)


def body_speed(velocity: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """Mean speed of (N, K, 2) keypoint velocities over the keypoints seen through the clip
    (judged visible in at least SEEN_SHARE of the measurements with a body; all of them if
    none is); NaN where no body was seen."""
    speed = np.linalg.norm(velocity, axis=2)
    tracked = np.isfinite(speed).all(axis=1)
    if not tracked.any():
        return np.full(len(speed), np.nan)
    seen = (visibility[tracked] >= VISIBLE).mean(axis=0) >= SEEN_SHARE
    return np.where(tracked, speed[:, seen if seen.any() else slice(None)].mean(axis=1), np.nan)


def flow_prominence_floor(shoulder_width: float, aspect: float) -> float:
    """The smallest dip of the frame's mean flow that counts: MIN_PROMINENCE_ABS for a person
    `shoulder_width` frame heights wide framed as at a webcam (or bigger, or not seen), falling
    with the cube of their shoulder width (their share of the frame's area times the distance
    they cover), never below the noise's."""
    if not np.isfinite(shoulder_width):
        return MIN_PROMINENCE_ABS
    return float(np.clip(MIN_PROMINENCE_ABS * flow_share(shoulder_width, aspect), NOISE_PROMINENCE, MIN_PROMINENCE_ABS))


def speed_extrema(speed: np.ndarray, rate: float, convention: str, floor: float = MIN_PROMINENCE_ABS) -> np.ndarray:
    """Times (s) of the speed's prominent minima ("stops") or maxima ("peaks"), each at least
    `floor` (frame heights per second) deep."""
    finite = np.isfinite(speed)
    if finite.sum() < 3:
        return np.zeros(0)
    filled = np.interp(np.arange(len(speed)), np.flatnonzero(finite), speed[finite])
    smooth = gaussian_filter1d(filled, SMOOTHING_S * rate, mode="nearest")
    low, high = np.percentile(smooth, [5, 95])
    prominence = max(MIN_PROMINENCE * (high - low), floor)
    peaks, _ = find_peaks(-smooth if convention == "stops" else smooth, prominence=prominence)
    return peaks[finite[peaks]] / rate


def movement_beats(movement: RulerMovement, source: str, convention: str = "stops") -> np.ndarray:
    if source == "flow":
        return speed_extrema(movement.flow, movement.rate, convention, movement.flow_floor)
    return speed_extrema(movement.body, movement.rate, convention)
