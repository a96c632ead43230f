"""Movement beats: the moments where the moving body stops or turns round.

These are the kinematic beats of the music-to-dance literature (AIST++/FACT and Bailando
take local minima of the body's kinetic speed; Davis & Agrawala 2018 call them visual beats,
sudden decelerations that bring a movement to rest). Dancers and people moving to music put
the beat on the stop itself — not on the fastest point of the stroke, and not on the
steepest slowing, which comes just before the stop.

Speed is measured twice, and each view is divided by a robust scale of its own (its 95th
percentile, floored so that a still person's tracking noise never looks like movement; the
flow's floor shrinks with the person's size in the frame, see `flow_speed_floor`): the
whole-frame optical flow, which sees what a viewer sees move (and still sees movement when no
body is tracked), and the upper-body keypoints (weighted mean keypoint speed, in shoulder widths
per second). The movement beats are the stops of the flow, and the stops of the two views'
mean speed that the flow misses: flow between two frames that straddle a sudden reversal
barely slows, while keypoints jitter and lag behind a small person, so the mean catches turns
that the flow alone does not, and a stop both see keeps the flow's time (within
`MIN_BEAT_INTERVAL_S` they are one stop). The mean's stops alone sit between the two views'
where those disagree by a fraction of a stroke; measured on real footage against flow and pose
minima found by other code, the joined stops met both better (README, "Scoring any system's
music").

In each curve (the flow's, the mean), a stop is a local minimum of the speed which ends a
stroke: the speed fell there by at least `MIN_STROKE` of the clip's scale and by `MIN_SLOWING`
of the stroke's own peak, after a stroke of at least `MIN_STRENGTH`, and it is the lowest point
of the slowing: a dip followed by less than `MIN_STROKE` of a rise and a deeper dip is the
stroke still slowing, and its stop is the deeper dip. When the body comes to rest, the beat is
the moment it settled.
A beat's strength is the peak speed of the stroke into it (about 1 for a fast stroke of
this clip).
"""

from __future__ import annotations

import numpy as np

from expotion.controls.body import flow_share

# Floors of the robust scales: tracking noise of a still person stays well below these.
BODY_SPEED_FLOOR = 0.8  # shoulder widths per second
FLOW_SPEED_FLOOR = 0.08  # frame heights per second, for a person framed as at a webcam (body.py)
# A bare wall in compressed webcam footage flows at up to this (95th percentile, the top-left
# region of a dev clip): below it the flow shows nothing, however small the person.
FLOW_NOISE_FLOOR = 0.005  # frame heights per second
# Keypoint jitter, differentiated, is loud: the velocity vectors are averaged over ±50 ms
# (jitter cancels, a turn's reversal stays put) before their length is taken.
VELOCITY_SMOOTHING_S = 0.05
SPEED_SMOOTHING_S = 0.03  # Gaussian σ on each view's speed curve
MIN_STRENGTH = 0.35  # a stroke into a beat reaches at least this speed (of the clip's scale) …
MIN_STROKE = 0.15  # … the speed falls by this much of the clip's scale into the beat …
MIN_SLOWING = 0.2  # … and by this fraction of the stroke's own peak speed
# Below this speed (of the clip's scale) the body is at rest: a beat into a rest is where the
# speed settled (first came within SETTLED of the fall above its minimum), since the minimum
# of a still stretch is only noise. Other beats sit on the minimum itself.
REST = 0.15
SETTLED = 0.1
MIN_BEAT_INTERVAL_S = 0.15  # two stops closer than this are one
# Within this much of the clip's ends the speed is seen from one side only: no beats there.
EDGE_GUARD_S = 0.1
# The trackers lock on during the first frames: no stroke is counted from before this.
LOCK_ON_S = 0.25


def robust_normalise(curve: np.ndarray, floor: float) -> np.ndarray:
    finite = curve[np.isfinite(curve)]
    scale = max(float(np.percentile(finite, 95)), floor) if finite.size else floor
    return curve / scale


def flow_speed_floor(shoulder_width: float, aspect: float) -> float:
    """The flow floor for a person `shoulder_width` frame heights wide in a frame `aspect` wide
    for one high. The frame's mean flow is the person's share of the frame times their speed in
    frame heights: the same movement of a person half the size moves the frame's mean an eighth
    as much (a quarter of the area, half the distance), so the floor falls with the cube of the
    size (`flow_share`). It never rises above the webcam's: a close-up moves the frame a lot
    anyway."""
    if not np.isfinite(shoulder_width) or shoulder_width <= 0:
        return FLOW_SPEED_FLOOR
    return float(np.clip(FLOW_SPEED_FLOOR * flow_share(shoulder_width, aspect), FLOW_NOISE_FLOOR, FLOW_SPEED_FLOOR))


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Along axis 0, a Gaussian of `sigma` samples cut at 4 σ, the ends extended by their edge
    values (what scipy.ndimage.gaussian_filter1d computes in its "nearest" mode; importing
    scipy.ndimage took 0.1–0.2 s of start-up)."""
    radius = int(4 * sigma + 0.5)
    weights = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    weights /= weights.sum()
    padded = np.concatenate([np.repeat(values[:1], radius, axis=0), values, np.repeat(values[-1:], radius, axis=0)])
    return sum(weight * padded[offset : offset + len(values)] for offset, weight in enumerate(weights))


def body_speed(velocity: np.ndarray, weights: np.ndarray, rate: float) -> np.ndarray:
    """Weighted mean keypoint speed (T,) of a (T, K, 2) velocity, smoothed as a vector; NaN
    where no body."""
    smoothed = gaussian_smooth(np.nan_to_num(velocity), VELOCITY_SMOOTHING_S * rate)
    speed = np.linalg.norm(smoothed, axis=2)
    total = weights.sum(axis=1)
    mean = (speed * weights).sum(axis=1) / np.maximum(total, 1e-9)
    return np.where(np.isfinite(velocity).all(axis=(1, 2)) & (total > 0), mean, np.nan)


def view_speeds(rate: float, flow_speed: np.ndarray, body_velocity: np.ndarray | None = None,
                body_weights: np.ndarray | None = None, flow_floor: float = FLOW_SPEED_FLOOR) -> list[np.ndarray]:
    """How fast the person moves as each view sees it: [flow] or [flow, body], each (T,), ≥ 0,
    about 1 at this clip's fast strokes, smoothed. Where no body is tracked, the body view is
    the flow's.

    `flow_speed` (T,): mean optical-flow speed over the frame (frame heights per second), over
    at least `flow_floor` (`flow_speed_floor`) where it shows movement;
    `body_velocity` (T, K, 2) in shoulder widths per second, NaN where no body is tracked,
    `body_weights` (T, K) in [0, 1].
    """
    flow = robust_normalise(flow_speed, flow_floor)
    views = [flow]
    if body_velocity is not None:
        body = robust_normalise(body_speed(body_velocity, body_weights, rate), BODY_SPEED_FLOOR)
        views.append(np.where(np.isfinite(body), body, flow))
    return [gaussian_smooth(view, SPEED_SMOOTHING_S * rate) if len(view) > 1 else view for view in views]


def movement_speed(views: list[np.ndarray]) -> np.ndarray:
    """The views' mean speed (T,): how fast the person moves, about 1 at this clip's fast strokes."""
    return np.mean(views, axis=0)


def local_minima(curve: np.ndarray) -> np.ndarray:
    """Indices of the samples lower than both neighbours; a flat minimum counts once, at its
    middle (scipy.signal.find_peaks on the negated curve, which costs 0.6 s to import)."""
    if len(curve) < 3:
        return np.zeros(0, dtype=int)
    changes = np.flatnonzero(np.diff(curve)) + 1
    starts, ends = np.concatenate([[0], changes]), np.concatenate([changes, [len(curve)]]) - 1  # runs of equal values
    levels = curve[starts]
    inner = np.arange(1, len(starts) - 1)
    lowest = inner[(levels[inner] < levels[inner - 1]) & (levels[inner] < levels[inner + 1])]
    return (starts[lowest] + ends[lowest]) // 2


def _settled(speed: np.ndarray, peak: int, minimum: int) -> float:
    """Grid position (fractional) where the fall from `peak` first comes within SETTLED of the
    fall's depth above the minimum at `minimum`."""
    level = speed[minimum] + SETTLED * (speed[peak] - speed[minimum])
    fall = speed[peak : minimum + 1]
    first = peak + int(np.argmax(fall <= level))
    if first == peak or speed[first - 1] == speed[first]:
        return float(first)
    return first - 1 + (speed[first - 1] - level) / (speed[first - 1] - speed[first])


def stroke_ends(speed: np.ndarray, start: int) -> list[tuple[int, int]]:
    """(peak, end) sample indices of each stroke after `start`: its fastest point, and the
    lowest point it slows to before the speed rises by `MIN_STROKE` again. A stroke that slows,
    wavers and slows on ends once, at the bottom of its slowing; one that came to rest (`REST`)
    ends there, since the dips of a still stretch are noise. A stroke counts when it was fast
    (`MIN_STRENGTH`) and slowed by `MIN_STROKE` and by `MIN_SLOWING` of its peak."""
    ends: list[tuple[int, int]] = []
    last, ending = start, False
    for minimum in local_minima(speed):
        if minimum <= start:
            continue
        if ending:
            peak, end = ends[-1]
            if speed[end : minimum + 1].max() - speed[end] < MIN_STROKE:
                if speed[end] >= REST and speed[minimum] < speed[end]:
                    ends[-1] = (peak, minimum)
                continue
            last, ending = end, False
        peak = last + int(np.argmax(speed[last : minimum + 1]))
        fall = speed[peak] - speed[minimum]
        if speed[peak] < MIN_STRENGTH or fall < MIN_STROKE or fall < MIN_SLOWING * speed[peak]:
            continue  # a wobble within a stroke: the stroke goes on to the next minimum
        ends.append((peak, minimum))
        ending = True
    return ends


def find_stops(speed: np.ndarray, rate: float, lock_on_s: float = LOCK_ON_S) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, strengths) of the stops and turns in one speed curve, of strokes that begin
    `lock_on_s` or later."""
    beats, strengths = [], []
    for peak, end in stroke_ends(speed, int(round(lock_on_s * rate))):
        at_rest = speed[end] < REST
        time = (_settled(speed, peak, end) if at_rest else _parabola_vertex(speed, end)) / rate
        if beats and time - beats[-1] < MIN_BEAT_INTERVAL_S:
            if speed[peak] <= strengths[-1]:
                continue
            beats.pop(), strengths.pop()
        beats.append(time)
        strengths.append(float(speed[peak]))
    times, strengths = np.array(beats), np.array(strengths)
    inside = (times >= EDGE_GUARD_S) & (times <= (len(speed) - 1) / rate - EDGE_GUARD_S)
    return times[inside], strengths[inside]


def find_movement_beats(flow: np.ndarray, mean: np.ndarray, rate: float,
                        shots: list[slice] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, strengths) of the stops and turns of the flow's speed and of the views'
    `mean` (`view_speeds`, `movement_speed`), a stop of the mean within MIN_BEAT_INTERVAL_S of
    the flow's being the flow's. Each of the `shots` (grid slices; default: one) is searched as
    a clip of its own, so that no stroke runs across a cut; but after a cut only the keypoint
    trackers lock on again, while the flow, measured between two pictures of the new shot,
    counts strokes from its first measurement."""
    times, strengths = [], []
    for index, shot in enumerate(shots or [slice(0, len(flow))]):
        flow_times, flow_strengths = find_stops(flow[shot], rate, LOCK_ON_S if index == 0 else 0.0)
        mean_times, mean_strengths = find_stops(mean[shot], rate)
        missed = np.array([not np.any(np.abs(flow_times - time) < MIN_BEAT_INTERVAL_S) for time in mean_times], dtype=bool)
        shot_times = np.concatenate([flow_times, mean_times[missed]])
        order = np.argsort(shot_times, kind="stable")
        times.append(shot.start / rate + shot_times[order])
        strengths.append(np.concatenate([flow_strengths, mean_strengths[missed]])[order])
    return np.concatenate(times), np.concatenate(strengths)


def _parabola_vertex(curve: np.ndarray, index: int) -> float:
    """Sub-sample position of the extremum at `index`, from a parabola through its neighbours."""
    if not 0 < index < len(curve) - 1:
        return float(index)
    left, centre, right = curve[index - 1 : index + 2]
    denominator = left - 2 * centre + right
    return index + (0.5 * (left - right) / denominator if denominator > 0 else 0.0)


def beat_pulse(times: np.ndarray, strengths: np.ndarray, rate: float, length: int, width_s: float = 0.04) -> np.ndarray:
    """The beats as a curve on the grid (length,): a Gaussian bump of height `strength` at each."""
    grid = np.arange(length) / rate
    pulse = np.zeros(length)
    for time, strength in zip(times, strengths):
        near = np.abs(grid - time) < 4 * width_s
        pulse[near] = np.maximum(pulse[near], strength * np.exp(-0.5 * ((grid[near] - time) / width_s) ** 2))
    return pulse
