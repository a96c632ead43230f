"""From per-frame observations at the video's own timestamps to one uniform time grid.

Resampling is by timestamp, never by frame count, so variable frame rates and any clip
length map onto the grid without time-warping. Smoothing is zero-phase: a 2nd-order
Butterworth low-pass run forwards and backwards, which doubles its order to an effective 4th
and cancels its delay, so smoothing never moves an event in time. It is what scipy's
`sosfiltfilt` computes (odd padding, each pass started from its first sample's steady state;
tested against it), applied by FFT convolution with the filter's impulse response, since
importing `scipy.signal` took 0.6 s of every command's start-up.
"""

from __future__ import annotations

import math

import numpy as np

from expotion.convolution import fft_convolve
from expotion.runs import true_runs

DEFAULT_RATE = 50.0  # Hz: MusicGen's EnCodec frame rate
DEFAULT_CUTOFF_HZ = 6.0  # body and face movement above this is tracking noise
MAX_GAP_S = 0.25  # detections missing for up to this long are interpolated; longer stays masked
FILTER_COLUMNS = 8
PAD = 9  # samples of odd extension at each end, as sosfiltfilt pads a single 2nd-order section
IMPULSE_TOLERANCE = 1e-13  # the impulse response is cut where the filter's state falls below this


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


def butterworth(cutoff_hz: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(b, a) of the 2nd-order Butterworth low-pass: the bilinear transform with the cut-off
    prewarped, as `scipy.signal.butter(2, cutoff_hz, fs=rate)` designs it."""
    k = math.tan(math.pi * cutoff_hz / rate)
    norm = 1 + math.sqrt(2) * k + k * k
    b = np.array([k * k, 2 * k * k, k * k]) / norm
    a = np.array([1.0, 2 * (k * k - 1) / norm, (1 - math.sqrt(2) * k + k * k) / norm])
    return b, a


def impulse_response(b: np.ndarray, a: np.ndarray, length: int) -> np.ndarray:
    """The filter's response to a unit impulse, at most `length` samples, ending once its
    state has decayed below IMPULSE_TOLERANCE (the poles of a low-pass lie inside the unit
    circle, so it always does)."""
    response, state, x = [], [0.0, 0.0], 1.0
    for _ in range(length):  # direct form II transposed
        y = b[0] * x + state[0]
        state = [b[1] * x - a[1] * y + state[1], b[2] * x - a[2] * y]
        response.append(y)
        x = 0.0
        if abs(state[0]) + abs(state[1]) < IMPULSE_TOLERANCE:
            break
    return np.array(response)


def filter_forward_backward(values: np.ndarray, response: np.ndarray) -> np.ndarray:
    """Zero-phase filtering of (T, C) float64 values along axis 0 (T > PAD) by the filter whose
    impulse response is `response` (L, 1)."""
    extended = np.concatenate([2 * values[:1] - values[PAD:0:-1], values, 2 * values[-1:] - values[-2 : -PAD - 2 : -1]])

    def causal(x: np.ndarray) -> np.ndarray:
        # From the steady state of x's first sample: a constant input passes unchanged (the
        # low-pass's gain at 0 Hz is 1), and only the departures from it are convolved.
        return x[:1] + fft_convolve(x - x[:1], response)[: len(x)]

    return causal(causal(extended)[::-1])[::-1][PAD:-PAD]


def lowpass(values: np.ndarray, rate: float, cutoff_hz: float, in_place: bool = False) -> np.ndarray:
    """Zero-phase low-pass along axis 0; NaN samples split the signal into separate runs (runs
    of PAD samples or fewer are left as they are)."""
    if cutoff_hz <= 0 or cutoff_hz >= rate / 2 or len(values) <= PAD:
        return values
    out = values if in_place else values.copy()
    response = impulse_response(*butterworth(cutoff_hz, rate), len(out) + 2 * PAD)[:, None]  # once for every run and column
    flat = out.reshape(len(out), -1)
    finite = np.isfinite(flat).all(axis=1)
    for start, stop in true_runs(finite):
        if stop - start > PAD:
            # A few columns at a time: the padded float64 copies stay small on long videos.
            for column in range(0, flat.shape[1], FILTER_COLUMNS):
                columns = slice(column, column + FILTER_COLUMNS)
                flat[start:stop, columns] = filter_forward_backward(flat[start:stop, columns].astype(np.float64), response)
    return out


def on_screen_index(times: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """For each grid time, the index of the frame on screen then: the latest frame whose
    timestamp is not after it (the first frame for grid times before it)."""
    return np.clip(np.searchsorted(times, grid, side="right") - 1, 0, len(times) - 1)


def shot_slices(grid: np.ndarray, cuts: np.ndarray = ()) -> list[slice]:
    """The grid samples of each shot, where a shot begins at each of the `cut` times (rising)."""
    edges = np.concatenate([[0], np.searchsorted(grid, cuts), [len(grid)]]).astype(int)
    return [slice(start, stop) for start, stop in zip(edges[:-1], edges[1:])]


def to_grid(
    times: np.ndarray,
    values: np.ndarray,
    valid: np.ndarray,
    grid: np.ndarray,
    *,
    max_gap: float = MAX_GAP_S,
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
    cuts: np.ndarray = (),
    unseen_at_cuts: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Resample observations (F, ...) taken at `times` onto `grid`; returns (values, mask).

    A grid time belongs to the frame on screen at that moment (the latest frame whose
    timestamp is not after it). It is valid when that frame's observation is valid or lies
    in a short gap; valid values are linearly interpolated in time between valid frames
    and then low-passed; everything else is NaN with mask False. Each shot (a new one begins
    at each of the `cuts` times) is resampled on its own: nothing is interpolated or smoothed
    from one shot into the next. Between a cut and a shot's nearest observation the first
    (last) observation is held, or, `unseen_at_cuts`, nothing is known (for observations of
    some frames only: held still, a moving body would seem to stop at every cut). Values come
    back as float32, the precision of `Controls`.
    """
    out = np.full((len(grid),) + values.shape[1:], np.nan, dtype=np.float32)
    mask = np.zeros(len(grid), dtype=bool)
    rate = 1.0 / (grid[1] - grid[0]) if len(grid) > 1 else 0.0
    bounds = np.concatenate([[-np.inf], cuts, [np.inf]])
    for shot, begin, end in zip(shot_slices(grid, cuts), bounds[:-1], bounds[1:]):
        frames = slice(*np.searchsorted(times, [begin, end]))
        if frames.stop == frames.start or shot.stop == shot.start:
            continue
        seen = True
        if unseen_at_cuts:  # from a cut to the first observation, from the last to a cut
            seen = (np.isinf(begin) | (grid[shot] >= times[frames.start])) & (np.isinf(end) | (grid[shot] <= times[frames.stop - 1]))
        out[shot], mask[shot] = _shot_to_grid(times[frames], values[frames], valid[frames], grid[shot], rate, max_gap, cutoff_hz, seen)
    return out, mask


def _shot_to_grid(times, values, valid, grid, rate, max_gap, cutoff_hz, seen) -> tuple[np.ndarray, np.ndarray]:
    out = np.full((len(grid),) + values.shape[1:], np.nan, dtype=np.float32)
    valid = fill_short_gaps(times, valid, max_gap)
    observed = valid & np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if not observed.any():
        return out, np.zeros(len(grid), dtype=bool)
    mask = valid[on_screen_index(times, grid)] & seen
    flat_out = out.reshape(len(grid), -1)
    flat_values = values.reshape(len(values), -1)[observed]
    for column in range(flat_values.shape[1]):  # one column at a time: no full-size intermediate
        flat_out[mask, column] = np.interp(grid[mask], times[observed], flat_values[:, column])
    return lowpass(out, rate, cutoff_hz, in_place=True), mask
