"""How loud is the music, to a loudness meter of other code than ours, from prompt to prompt?

    python benchmarks/loudness.py [PROMPT ...]

The composer makes 12 s of music for each prompt (default: 15, from hip hop to a solo flute)
over a scene of synthetic movement (those of `benchmarks/sync.py`), and FFmpeg's EBU R128
meter (`-af ebur128=peak=true`: ITU-R BS.1770 K-weighting and gating, true peak) reads it
from a 16-bit WAV, as a player would. Printed per prompt: integrated loudness (LUFS), true
peak (dBTP) and the level the mixer normalised (gated RMS, dBFS). Last line:
`loudness_spread_lu=X`, the largest minus the smallest integrated loudness.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from sync import drifting_stops  # noqa: E402

from expotion.audio.loudness import loudness_dbfs  # noqa: E402
from expotion.generators import create_generator  # noqa: E402
from expotion.testing.controls import synthetic_controls  # noqa: E402

SECONDS = 12.0
PROMPTS = ("hip hop beat", "edm", "techno", "dubstep with wobble bass", "trap with 808", "heavy metal", "reggae", "jazz",
           "ambient", "classical music", "solo piano", "flute melody", "harp", "choir", "acoustic guitar")


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of an audio file, by FFmpeg."""
    log = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = log[log.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prompts", nargs="*", default=PROMPTS)
    args = parser.parse_args()
    composer = create_generator("composer")
    rng = np.random.default_rng(1)
    width = max(map(len, args.prompts)) + 1
    print(f"{'prompt':<{width}} {'LUFS':>6} {'dBTP':>6} {'ours dBFS':>10}")
    loudness = []
    with tempfile.TemporaryDirectory() as folder:
        for index, prompt in enumerate(args.prompts):
            music = composer.generate(synthetic_controls(SECONDS, drifting_stops(rng, SECONDS)), prompt, SECONDS, seed=0)
            path = Path(folder) / f"{index}.wav"
            soundfile.write(path, music.audio, music.sample_rate, subtype="PCM_16")
            integrated, peak = ebur128(path)
            loudness.append(integrated)
            print(f"{prompt:<{width}} {integrated:6.1f} {peak:6.1f} {loudness_dbfs(music.audio, music.sample_rate):10.1f}",
                  flush=True)
    print(f"loudness_spread_lu={max(loudness) - min(loudness):.1f}")


if __name__ == "__main__":
    main()
