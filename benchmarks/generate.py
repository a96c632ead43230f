"""Speed of `expotion generate`: seconds per stage for a 10 s clip, and × real time.

    python benchmarks/generate.py [VIDEO]

Without VIDEO it makes a 10 s, 640×480, 30 fps synthetic clip. Last line:
`pipeline_realtime_factor=X composer_realtime_factor=Y` — the whole pipeline (decode,
controls, compose, render, mux, wav, MIDI, JSON, plot) and composing + rendering alone.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion import pipeline  # noqa: E402
from expotion.controls import extract_controls  # noqa: E402
from expotion.generators import create_generator  # noqa: E402
from expotion.video import synthetic  # noqa: E402

PROMPT = "Upbeat funk with slap bass, brass stabs and a tight drum groove"


def main() -> None:
    work = Path(tempfile.mkdtemp())
    video = Path(sys.argv[1]) if len(sys.argv) > 1 else synthetic.swaying_clip(work / "clip.mp4")

    start = time.perf_counter()
    controls = extract_controls(video)
    controls_s = time.perf_counter() - start
    composer = create_generator("composer")
    composer.generate(controls, PROMPT, controls.duration, seed=0)  # warm-up (soundfont load, imports)
    start = time.perf_counter()
    runs = 5
    for seed in range(runs):
        composer.generate(controls, PROMPT, controls.duration, seed=seed)
    compose_s = (time.perf_counter() - start) / runs

    start = time.perf_counter()
    pipeline.generate(video, PROMPT, work / "out.mp4", seed=0)
    total_s = time.perf_counter() - start
    writing_s = total_s - controls_s - compose_s
    duration = controls.duration
    print(f"{video.name}: {duration:.2f} s")
    for label, seconds in (("controls (decode + analyse)", controls_s), ("compose + render", compose_s),
                           ("mux + wav + MIDI + JSON + plot", writing_s), ("whole pipeline", total_s)):
        print(f"{label:<32} {seconds:6.2f} s  {duration / seconds:7.1f}× real time")
    print(f"pipeline_realtime_factor={duration / total_s:.2f} composer_realtime_factor={duration / compose_s:.1f}")


if __name__ == "__main__":
    main()
