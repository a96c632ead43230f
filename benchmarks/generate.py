"""Speed of `expotion generate`: seconds per stage, the whole pipeline, and the command as users run it.

    python benchmarks/generate.py [VIDEO]

Without VIDEO it makes a 10 s, 640×480, 30 fps synthetic clip. Every stage is timed on its
own (median of 3): `expotion generate` as a subprocess, process start to files written;
controls (decode + analyse), compose + render, writing (mp4, wav, MIDI, JSON, plot); and the
pipeline object end to end. Last line:
`cli_realtime_factor=X pipeline_realtime_factor=Y composer_realtime_factor=Z`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion.controls import extract_controls  # noqa: E402
from expotion.outputs import Outputs  # noqa: E402
from expotion.pipeline import Expotion, write_outputs  # noqa: E402
from expotion.testing import synthetic  # noqa: E402

PROMPT = "Upbeat funk with slap bass, brass stabs and a tight drum groove"
RUNS = 3


def median_seconds(work) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    work = Path(tempfile.mkdtemp())
    video = Path(sys.argv[1]) if len(sys.argv) > 1 else synthetic.swaying_clip(work / "clip.mp4")
    # The command first: MediaPipe's worker threads, once started in this process, would
    # compete with it for the cores.
    command = [sys.executable, "-m", "expotion.cli", "generate", str(video), "--prompt", PROMPT, "--out", str(work / "cli.mp4"), "--seed", "0"]
    cli_seconds = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True))
    pipe = Expotion.from_pretrained("composer")
    controls = extract_controls(video)
    music = pipe.generator.generate(controls, PROMPT, controls.duration, seed=0)  # warm-up (soundfont, imports)
    outputs = Outputs.plan(work / "staged.mp4", midi=True, plot=True)

    stages = {
        "controls (decode + analyse)": median_seconds(lambda: extract_controls(video)),
        "compose + render": median_seconds(lambda: pipe.generator.generate(controls, PROMPT, controls.duration, seed=0)),
        "write mp4 + wav + MIDI + JSON + plot": median_seconds(lambda: write_outputs(outputs, video, controls, music, music.decisions)),
        "pipeline (in process)": median_seconds(lambda: pipe(video, PROMPT, work / "out.mp4", seed=0)),
    }
    stages["expotion generate (command)"] = cli_seconds
    duration = controls.duration
    print(f"{video.name}: {duration:.2f} s")
    for label, seconds in stages.items():
        print(f"{label:<38} {seconds:6.2f} s  {duration / seconds:7.1f}× real time")
    print(f"cli_realtime_factor={duration / stages['expotion generate (command)']:.2f} "
          f"pipeline_realtime_factor={duration / stages['pipeline (in process)']:.2f} "
          f"composer_realtime_factor={duration / stages['compose + render']:.1f}")


if __name__ == "__main__":
    main()
