"""Speed of `expotion evaluate`: the ruler's measuring, once per clip, then the rhythm metrics.

    python benchmarks/evaluate.py [VIDEO_WITH_MUSIC]

Without an input it makes a 10 s synthetic clip and gives it music with the composer.
Times the controls, then the ruler's own measurements (flow and pose at every picture), each
made once per clip and cached; then, cached, reading the
audio, onsets/beats, the metrics and their 20-shift chance levels. Last lines:
`measure_realtime_factor=X` (seconds per second of video), `seconds_per_clip=X` (per 10 s).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion import pipeline  # noqa: E402
from expotion.evaluation.report import Entry, clip_controls, clip_movement, score_entry  # noqa: E402
from expotion.testing import synthetic  # noqa: E402


def main() -> None:
    work = Path(tempfile.mkdtemp())
    if len(sys.argv) > 1:
        music = Path(sys.argv[1])
    else:
        music = pipeline.generate(synthetic.swaying_clip(work / "clip.mp4"), "upbeat funk", work / "with_music.mp4", plot=False).video
    entry = Entry("system", music.stem, music, music)
    start = time.perf_counter()
    controls = clip_controls(music, work / "controls")
    extracting = time.perf_counter() - start
    movement = clip_movement(music, controls, work / "controls")
    measuring = time.perf_counter() - start - extracting
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        score_entry(entry, movement)
    seconds = (time.perf_counter() - start) / runs
    print(f"{music.name}: {movement.duration:.2f} s clip, controls in {extracting:.1f} s, the ruler's "
          f"measurements in {measuring:.1f} s, "
          f"then rhythm metrics + chance levels in {seconds:.3f} s")
    print(f"measure_realtime_factor={measuring / movement.duration:.2f}")
    print(f"seconds_per_clip={seconds * 10.0 / movement.duration:.3f}")


if __name__ == "__main__":
    main()
