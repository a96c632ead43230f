"""Kinematic accents: the moments where movement is accented — hits, turns and stops.

An accent is a peak of acceleration magnitude: a hand that strikes and stops, an arm that
reverses, a head that snaps round all change velocity sharply. Two views of the movement
are combined: the tracked upper-body keypoints (in shoulder widths, so near and far people
count alike) and the mean optical-flow vector of each 3×3 region (which sees movement when
no body is tracked). Each is divided by a robust scale (its 95th percentile, floored so
that a still video's noise never reaches accent level) and the two are averaged.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

MIN_ACCENT_INTERVAL_S = 0.15
# Within this much of the clip's ends, acceleration is seen from one side only (and the
# trackers are still locking on): peaks there are not reported as accents.
EDGE_GUARD_S = 0.1
ACCENT_THRESHOLD = 0.35  # peaks below this fraction of the robust scale are not accents
# Floors of the robust scales: accelerations of still, tracked people stay below these.
BODY_ACCELERATION_FLOOR = 8.0  # shoulder widths per second²
FLOW_ACCELERATION_FLOOR = 1.0  # frame heights per second²


def acceleration_magnitude(velocity: np.ndarray, rate: float, weights: np.ndarray | None = None) -> np.ndarray:
    """‖dv/dt‖ per time step of a (T, N, 2) velocity; N points weighted by `weights` (T, N)."""
    acceleration = np.gradient(velocity, 1.0 / rate, axis=0) if len(velocity) > 1 else np.zeros_like(velocity)
    squared = (acceleration**2).sum(axis=2)
    if weights is not None:
        squared = squared * weights
    return np.sqrt(squared.sum(axis=1))


def robust_normalise(curve: np.ndarray, floor: float) -> np.ndarray:
    finite = curve[np.isfinite(curve)]
    scale = max(float(np.percentile(finite, 95)), floor) if finite.size else floor
    return curve / scale


def accent_curve(
    rate: float,
    flow_velocity: np.ndarray,
    body_velocity: np.ndarray | None = None,
    body_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Accent strength on the grid (T,), ≥ 0; about 1 at a clear accent of this clip.

    `flow_velocity` (T, R, 2): mean flow per region; `body_velocity` (T, K, 2) in shoulder
    widths per second with NaN where no body is tracked, `body_weights` (T, K) in [0, 1].
    """
    sources = [robust_normalise(acceleration_magnitude(flow_velocity, rate), FLOW_ACCELERATION_FLOOR)]
    if body_velocity is not None:
        body = acceleration_magnitude(np.nan_to_num(body_velocity), rate, body_weights)
        body[~np.isfinite(body_velocity).all(axis=(1, 2))] = np.nan
        sources.append(robust_normalise(body, BODY_ACCELERATION_FLOOR))
    stacked = np.stack(sources)
    counted = np.isfinite(stacked).sum(axis=0)
    return np.where(counted > 0, np.nansum(stacked, axis=0) / np.maximum(counted, 1), 0.0)


def accent_times(curve: np.ndarray, rate: float, threshold: float = ACCENT_THRESHOLD) -> np.ndarray:
    """Times (s) of the accent curve's peaks, refined between grid samples by a parabola."""
    distance = max(1, int(round(MIN_ACCENT_INTERVAL_S * rate)))
    peaks, _ = find_peaks(curve, height=threshold, distance=distance, prominence=threshold / 2)
    guard = EDGE_GUARD_S * rate
    peaks = peaks[(peaks >= guard) & (peaks <= len(curve) - 1 - guard)]
    offsets = np.zeros(len(peaks))
    inner = (peaks > 0) & (peaks < len(curve) - 1)
    left, centre, right = curve[peaks[inner] - 1], curve[peaks[inner]], curve[peaks[inner] + 1]
    denominator = left - 2 * centre + right
    offsets[inner] = np.where(denominator < 0, 0.5 * (left - right) / np.where(denominator < 0, denominator, 1), 0.0)
    return (peaks + offsets) / rate
