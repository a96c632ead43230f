"""Loudness normalisation and a peak limiter: consistent level, never a clipped sample.

Loudness here is gated RMS level in dBFS over 400 ms blocks (blocks quieter than −70 dBFS
ignored, as in EBU R128's absolute gate, but without its K-weighting filter).
"""

from __future__ import annotations

import numpy as np

TARGET_DBFS = -16.0
CEILING = 10 ** (-1.0 / 20)  # −1 dBFS peak
BLOCK_S = 0.4
GATE_DBFS = -70.0


class LoudnessMeter:
    """Gated RMS level, fed block by block: audio of any length in constant memory. Audio
    shorter than one 400 ms block is measured as one block; a partial last block is left out."""

    def __init__(self, sample_rate: int):
        self.window = max(1, int(BLOCK_S * sample_rate))
        self.powers: list[float] = []
        self.rest: np.ndarray | None = None  # the samples of a block not yet complete

    def add(self, block: np.ndarray) -> None:
        """Measure (samples, channels) audio that follows what was added before."""
        audio = block if self.rest is None else np.concatenate([self.rest, block])
        usable = len(audio) // self.window * self.window
        self.powers += list((audio[:usable] ** 2).mean(axis=1).reshape(-1, self.window).mean(axis=1))
        self.rest = audio[usable:]

    def dbfs(self) -> float:
        """The level so far, in dBFS; −inf for silence."""
        powers = self.powers or ([float((self.rest**2).mean())] if self.rest is not None and len(self.rest) else [])
        loud = np.array([p for p in powers if p > 10 ** (GATE_DBFS / 10)])
        return float(10 * np.log10(loud.mean())) if loud.size else float("-inf")

    def gain(self, target_dbfs: float = TARGET_DBFS) -> float:
        """The gain that brings what was measured to `target_dbfs` (1 for silence)."""
        level = self.dbfs()
        return float(10 ** ((target_dbfs - level) / 20)) if np.isfinite(level) else 1.0


def loudness_dbfs(audio: np.ndarray, sample_rate: int) -> float:
    """Gated RMS level (dBFS) of (samples, channels) audio; −inf for silence."""
    meter = LoudnessMeter(sample_rate)
    meter.add(audio)
    return meter.dbfs()


def _reflected(values: np.ndarray, size: int) -> np.ndarray:
    """`values` (1-D) extended at both ends by mirroring (d c b a | a b c d | d c b a), far
    enough for a window of `size` samples, `size // 2` of them before its sample, at every sample."""
    return np.pad(values, (size // 2, size - 1 - size // 2), mode="symmetric")


def running_max(values: np.ndarray, size: int) -> np.ndarray:
    """The maximum over the window of `size` samples around each sample (what scipy.ndimage's
    maximum_filter1d computes), in two passes whatever the size (van Herk, Gil and Werman):
    within blocks of `size`, running maxima forwards and backwards; a window spans at most
    two blocks, the end of one and the start of the next."""
    padded = _reflected(values, size)
    blocks = -(-len(padded) // size)
    grid = np.full(blocks * size, -np.inf)
    grid[: len(padded)] = padded
    grid = grid.reshape(blocks, size)
    forwards = np.maximum.accumulate(grid, axis=1).ravel()
    backwards = np.maximum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(len(values))
    return np.maximum(backwards[starts], forwards[starts + size - 1])


def running_mean(values: np.ndarray, size: int) -> np.ndarray:
    """The mean over the window of `size` samples around each sample (scipy.ndimage's
    uniform_filter1d)."""
    sums = np.concatenate([[0.0], np.cumsum(_reflected(values, size), dtype=np.float64)])
    return (sums[size : size + len(values)] - sums[: len(values)]) / size


def limiter_gain(audio: np.ndarray, sample_rate: int, ceiling: float = CEILING) -> np.ndarray:
    """Per-sample gain (≤ 1) that keeps peaks under `ceiling`, smooth over a 5 ms look-around.
    The running maximum and mean are NumPy: importing scipy.ndimage took 0.1–0.2 s of start-up."""
    window = max(1, int(0.005 * sample_rate))
    peaks = running_max(np.abs(audio).max(axis=1), 4 * window)
    gain = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    return np.minimum(gain, running_mean(gain, 2 * window)).astype(np.float32)  # smooth, never above the need


def limit(audio: np.ndarray, sample_rate: int, ceiling: float = CEILING) -> np.ndarray:
    """Smooth gain reduction wherever a peak would pass `ceiling`."""
    return np.clip(audio * limiter_gain(audio, sample_rate, ceiling)[:, None], -ceiling, ceiling).astype(np.float32)


def loudness_gain(audio: np.ndarray, sample_rate: int, target_dbfs: float = TARGET_DBFS) -> float:
    """The gain that brings `audio` to the target loudness (1 for silence)."""
    meter = LoudnessMeter(sample_rate)
    meter.add(audio)
    return meter.gain(target_dbfs)


def normalise(audio: np.ndarray, sample_rate: int, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """Scale to the target loudness, then limit peaks to −1 dBFS."""
    return limit(audio * loudness_gain(audio, sample_rate, target_dbfs), sample_rate)
