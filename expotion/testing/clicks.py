"""Click tracks: audio whose beats are known exactly, to measure what a beat tracker hears."""

from __future__ import annotations

import numpy as np

BURST = 1500  # samples of one click: a noise burst decaying over 250 samples


def click_track(times, duration: float, sample_rate: int) -> np.ndarray:
    """Mono float32 audio of `duration` s with a short broadband click starting at each of `times`."""
    audio = np.zeros(int(duration * sample_rate), np.float32)
    rng = np.random.default_rng(0)
    for time in times:
        start = int(time * sample_rate)
        if not 0 <= start < len(audio):
            continue
        burst = rng.normal(0, 0.5, BURST) * np.exp(-np.arange(BURST) / 250)
        audio[start : start + BURST] += burst[: len(audio) - start]
    return audio
