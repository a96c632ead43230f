import numpy as np
import pytest

from expotion.convolution import Convolver, StreamingConvolver, fft_convolve


@pytest.mark.parametrize("signal_length, kernel_length", [(1, 1), (7, 3), (3, 7), (1000, 257), (70_560, 52_920)])
def test_fft_convolution_is_the_full_linear_convolution(signal_length, kernel_length):
    rng = np.random.default_rng(signal_length)
    signal, kernel = rng.normal(size=(signal_length, 2)), rng.normal(size=(kernel_length, 2))
    result = fft_convolve(signal, kernel)
    assert result.shape == (signal_length + kernel_length - 1, 2)
    for channel in range(2):
        expected = np.convolve(signal[:, channel], kernel[:, channel])
        np.testing.assert_allclose(result[:, channel], expected, rtol=0, atol=1e-9 * np.abs(expected).max())


def test_a_single_kernel_filters_every_column():
    rng = np.random.default_rng(1)
    signal, kernel = rng.normal(size=(50, 4)), rng.normal(size=9)
    result = fft_convolve(signal, kernel[:, None])
    for column in range(4):
        np.testing.assert_allclose(result[:, column], np.convolve(signal[:, column], kernel), atol=1e-12)


def test_streaming_convolution_in_uneven_blocks_is_the_whole_convolution():
    rng = np.random.default_rng(2)
    signal, kernel = rng.normal(size=(5000, 2)).astype(np.float32), rng.normal(size=(700, 1)).astype(np.float32)
    stream = StreamingConvolver(Convolver(kernel))
    edges = [0, 1, 300, 301, 2000, 2500, 5000]  # blocks shorter and longer than the kernel
    streamed = np.concatenate([stream(signal[start:end]) for start, end in zip(edges, edges[1:])])
    np.testing.assert_allclose(streamed, fft_convolve(signal, kernel)[:5000], atol=1e-4)
