import numpy as np
import pytest
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from expotion.audio.loudness import CEILING, limit, running_max, running_mean


@pytest.mark.parametrize("size", [1, 2, 7, 880, 1764])
def test_running_max_and_mean_are_scipys_filters(size):
    """Windows centred as scipy centres them, ends mirrored, for signals shorter and longer
    than the window."""
    rng = np.random.default_rng(size)
    for length in (1, 5, 881, 70_560):
        signal = rng.random(length)
        np.testing.assert_array_equal(running_max(signal, size), maximum_filter1d(signal, size))
        np.testing.assert_allclose(running_mean(signal, size), uniform_filter1d(signal, size), rtol=0, atol=1e-9)


def test_the_limiter_keeps_every_sample_under_the_ceiling_and_leaves_quiet_audio_alone():
    rng = np.random.default_rng(0)
    quiet = 0.3 * rng.uniform(-1, 1, (44_100, 2)).astype(np.float32)
    loud = quiet.copy()
    loud[20_000:20_050] *= 6
    np.testing.assert_array_equal(limit(quiet, 44_100), quiet)
    limited = limit(loud, 44_100)
    assert np.abs(limited).max() <= CEILING
    np.testing.assert_array_equal(limited[:15_000], loud[:15_000])  # far from the peak: untouched
