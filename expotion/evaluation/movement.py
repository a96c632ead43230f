"""The movement's side of the ruler: where the person stops or turns, by the published definition.

Kinematic beats (AIST++/FACT, Bailando) are the local minima of the body's speed; here they
are taken from two measurements of the video, each on its own:

- **flow**: the mean optical-flow speed over the whole frame, measured by the ruler itself
  (`evaluation/flow.py`), never the controls' flow that the composer's beats were placed on;
- **body**: the mean speed of the upper-body keypoints seen through the clip (judged visible
  in at least half the frames with a body): one fixed set, since a mean over whichever
  keypoints are visible frame by frame jumps whenever one of them comes or goes, and its
  jumps read as stops and starts.

Each speed curve (frame heights per second) is smoothed by a Gaussian (σ = 50 ms) and its
minima with a prominence of at least a tenth of the curve's 5–95 % range, and of a floor that
a still video never reaches, are the movement beats ("stops"). Its maxima, by the same rule,
are the other convention some papers use ("peaks": the fastest point of a stroke).

The flow's floor falls with the size of the person in the frame (`flow_prominence_floor`): the
frame's mean flow is the person's share of the frame times their speed, so a dancer seen whole
or a player in a wide shot moves it far less than a person at a webcam.

This code, and the flow it measures, are deliberately separate from the composer's
(expotion.controls.movement_beats, controls/motion.py): a system must never be graded by the
code that placed its beats, nor on the measurement it placed them on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from expotion.controls import Controls
from expotion.controls.body import flow_share, shoulder_width

SMOOTHING_S = 0.05
MIN_PROMINENCE = 0.1  # of the smoothed speed's 5–95 % range …
MIN_PROMINENCE_ABS = 0.01  # … and at least this (frame heights per second) for a person framed as at a webcam;
# the flow of a still, noisy webcam picture never dips by this much (frame heights per second)
NOISE_PROMINENCE = 0.001
VISIBLE = 0.5
SEEN_SHARE = 0.5  # of the frames with a body, in which a keypoint must be judged visible
SOURCES = ("flow", "body")
CONVENTIONS = ("stops", "peaks")


@dataclass(frozen=True)
class RulerMovement:
    """The movement of one clip as the ruler measures it, on a uniform grid from the first frame."""

    rate: float  # grid samples per second
    flow: np.ndarray  # the ruler's own flow speed (frame heights per second), NaN where none was measured
    body: np.ndarray  # the keypoints' mean speed (body_speed), NaN where no body is tracked
    flow_floor: float  # the smallest dip of the flow that counts (flow_prominence_floor)
    cuts: np.ndarray  # when each shot after the first begins (s)
    duration: float

    @property
    def times(self) -> np.ndarray:
        return np.arange(len(self.flow)) / self.rate


def ruler_movement(controls: Controls, flow: np.ndarray) -> RulerMovement:
    """The ruler's movement: `flow` (the ruler's own measurement on the controls' grid) with the
    body's speed and the person's size from the controls' keypoints."""
    return RulerMovement(controls.rate, flow, body_speed(controls), flow_prominence_floor(controls), cut_times(controls),
                         controls.duration)


def cut_times(controls: Controls) -> np.ndarray:
    """When each shot after the first begins (s), as the video's analysis found them."""
    return np.asarray(controls.provenance.get("shot_cuts", []), float)


def body_speed(controls: Controls) -> np.ndarray:
    """Mean speed (frame heights per second) of the keypoints seen through the clip (of all
    of them if no keypoint is); NaN where no body is tracked."""
    speed = np.linalg.norm(controls.body_velocity, axis=2)
    tracked = np.isfinite(speed).all(axis=1)
    if not tracked.any():
        return np.full(len(speed), np.nan)
    seen = (controls.body_visibility[tracked] >= VISIBLE).mean(axis=0) >= SEEN_SHARE
    return np.where(tracked, speed[:, seen if seen.any() else slice(None)].mean(axis=1), np.nan)


def flow_prominence_floor(controls: Controls) -> float:
    """The smallest dip of the frame's mean flow that counts: MIN_PROMINENCE_ABS for a person
    framed as at a webcam (or bigger, or not seen), falling with the cube of their shoulder
    width (their share of the frame's area times the distance they cover), never below the
    noise's."""
    width = shoulder_width(controls.body_keypoints)
    if not np.isfinite(width):
        return MIN_PROMINENCE_ABS
    aspect = controls.provenance.get("width", 4) / controls.provenance.get("height", 3)
    return float(np.clip(MIN_PROMINENCE_ABS * flow_share(width, aspect), NOISE_PROMINENCE, MIN_PROMINENCE_ABS))


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
