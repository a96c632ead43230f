"""Make examples/sample.mp4: the bundled demo clip (Grace Hopper's public-domain portrait
swaying to a 100 BPM pulse, with a few syncopated turns and a still bar)."""

from pathlib import Path

import numpy as np

from expotion.testing import synthetic

BEAT = 60 / 100
DURATION = 10.0


def turn_times() -> list[float]:
    beats = np.arange(1, DURATION / BEAT) * BEAT
    syncopated = beats[8:12] - BEAT / 2  # bar three turns on the off-beats
    return sorted(set(np.round(np.concatenate([beats[:8], syncopated, beats[12:]]), 3)))


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "examples" / "sample.mp4"
    synthetic.moving_portrait(out, synthetic.constant_rate_times(DURATION, 25.0), turn_times(), speed=140.0)
    print(out)
