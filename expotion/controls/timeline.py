"""From per-frame observations at the video's own timestamps to one uniform time grid.

Resampling is by timestamp, never by frame count, so variable frame rates and any clip
length map onto the grid without time-warping. Smoothing is zero-phase: a 2nd-order
Butterworth low-pass run forwards and backwards (scipy's `sosfiltfilt`), which doubles its
order to an effective 4th and cancels its delay, so smoothing never moves an event in time.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter, sosfiltfilt

DEFAULT_RATE = 50.0  # Hz: MusicGen's EnCodec frame rate
DEFAULT_CUTOFF_HZ = 6.0  # body and face movement above this is tracking noise
MAX_GAP_S = 0.25  # detections missing for up to this long are interpolated; longer stays masked
FILTER_COLUMNS = 8


def grid_times(duration: float, rate: float) -> np.ndarray:
    """Sample times 0, 1/rate, … covering [0, duration)."""
    return np.arange(math.ceil(duration * rate - 1e-9)) / rate


def fill_short_gaps(times: np.ndarray, valid: np.ndarray, max_gap: float = MAX_GAP_S) -> np.ndarray:
    """`valid`, with runs of missing frames marked valid where the valid frames around them
    are at most `max_gap` seconds apart (the values there get interpolated)."""
    filled = valid.copy()
    valid_index = np.flatnonzero(valid)
    for before, after in zip(valid_index[:-1], valid_index[1:]):
        if after - before > 1 and times[after] - times[before] <= max_gap:
            filled[before:after] = True
    return filled


def lowpass(values: np.ndarray, rate: float, cutoff_hz: float, in_place: bool = False) -> np.ndarray:
    """Zero-phase low-pass along axis 0; NaN samples split the signal into separate runs."""
    if cutoff_hz <= 0 or cutoff_hz >= rate / 2:
        return values
    sos = butter(2, cutoff_hz, fs=rate, output="sos")
    out = values if in_place else values.copy()
    flat = out.reshape(len(out), -1)
    finite = np.isfinite(flat).all(axis=1)
    for start, stop in _runs(finite):
        if stop - start > 3 * (2 * len(sos) + 1):  # sosfiltfilt's default padding needs this
            # A few columns at a time: the filter's padded float64 copies stay small on long videos.
            for column in range(0, flat.shape[1], FILTER_COLUMNS):
                columns = slice(column, column + FILTER_COLUMNS)
                flat[start:stop, columns] = sosfiltfilt(sos, flat[start:stop, columns], axis=0)
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs in a boolean vector."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def on_screen_index(times: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """For each grid time, the index of the frame on screen then: the latest frame whose
    timestamp is not after it (the first frame for grid times before it)."""
    return np.clip(np.searchsorted(times, grid, side="right") - 1, 0, len(times) - 1)


def to_grid(
    times: np.ndarray,
    values: np.ndarray,
    valid: np.ndarray,
    grid: np.ndarray,
    *,
    max_gap: float = MAX_GAP_S,
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
) -> tuple[np.ndarray, np.ndarray]:
    """Resample observations (F, ...) taken at `times` onto `grid`; returns (values, mask).

    A grid time belongs to the frame on screen at that moment (the latest frame whose
    timestamp is not after it). It is valid when that frame's observation is valid or lies
    in a short gap; valid values are linearly interpolated in time between valid frames
    and then low-passed; everything else is NaN with mask False. Values come back as float32,
    the precision of `Controls`.
    """
    shape = values.shape[1:]
    out = np.full((len(grid),) + shape, np.nan, dtype=np.float32)
    valid = fill_short_gaps(times, valid, max_gap)
    observed = valid & np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if not observed.any():
        return out, np.zeros(len(grid), dtype=bool)
    mask = valid[on_screen_index(times, grid)]
    flat_out = out.reshape(len(grid), -1)
    flat_values = values.reshape(len(values), -1)[observed]
    for column in range(flat_values.shape[1]):  # one column at a time: no full-size intermediate
        flat_out[mask, column] = np.interp(grid[mask], times[observed], flat_values[:, column])
    rate = 1.0 / (grid[1] - grid[0]) if len(grid) > 1 else 0.0
    return lowpass(out, rate, cutoff_hz, in_place=True), mask
