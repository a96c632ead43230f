"""Linear convolution by FFT, for the smoothing of the controls, the room of the mix and the
guitar amplifier's cabinet.

NumPy's FFT rather than `scipy.signal`: importing `scipy.signal` (it pulls in scipy.stats and
scipy.interpolate) took 0.6 s of every command's start-up on a 2-core laptop, a tenth of
`expotion generate` on a 10 s clip, for three functions this package needs.
"""

from __future__ import annotations

import numpy as np


def _fft_size(length: int) -> int:
    """A power of two ≥ length: FFT sizes with large prime factors are slow."""
    return 1 << max(length - 1, 0).bit_length()


def _spectrum(values: np.ndarray, size: int) -> np.ndarray:
    # Transformed along the last axis: NumPy's FFT along axis 0 of a (T, 2) array copies
    # strided data in and out, which made the room's convolution 2.4× slower.
    return np.fft.rfft(np.moveaxis(values, 0, -1), size)


class Convolver:
    """Full convolution along axis 0 with one kernel, whose spectrum is made once for each
    FFT size used (the room convolves every block of the music with the same response).
    The trailing axes of signal and kernel broadcast against each other, so a (T,) kernel
    needs a [:, None] to filter every column of a (T, C) signal."""

    def __init__(self, kernel: np.ndarray):
        self.kernel = kernel
        self._spectra: dict[int, np.ndarray] = {}

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        length = len(signal) + len(self.kernel) - 1
        size = _fft_size(length)
        if size not in self._spectra:
            self._spectra[size] = _spectrum(self.kernel, size)
        product = _spectrum(signal, size) * self._spectra[size]
        return np.moveaxis(np.fft.irfft(product, size)[..., :length], -1, 0)


def fft_convolve(signal: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Full convolution along axis 0 (length len(signal) + len(kernel) − 1), as `Convolver`."""
    return Convolver(kernel)(signal)


class StreamingConvolver:
    """Convolution block by block (overlap-add): each block comes back filtered, the tails of
    the blocks before it added in, so that a long signal is filtered in flat memory."""

    def __init__(self, convolver: Convolver):
        self.convolve = convolver
        self.tail: np.ndarray | None = None

    def __call__(self, block: np.ndarray) -> np.ndarray:
        full = self.convolve(block).astype(np.float32)
        if self.tail is None:
            self.tail = np.zeros((0, *full.shape[1:]), np.float32)
        full[: len(self.tail)] += self.tail[: len(full)]
        carried = self.tail[len(full):]
        self.tail = full[len(block):]
        self.tail[: len(carried)] += carried
        return full[: len(block)]
