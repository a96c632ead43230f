"""Speed of `expotion generate`: seconds per stage, the whole pipeline, and the command as users run it.

    python benchmarks/generate.py [VIDEO] [--against CHECKOUT]

Without VIDEO it makes a 10 s, 640×480, 30 fps synthetic clip. Every stage is timed on its
own (median of 3): `expotion generate` as a subprocess, process start to files written;
controls (decode + analyse), compose + render, writing (mp4, wav, MIDI, JSON, plot); and the
pipeline object end to end. Last line:
`cli_realtime_factor=X pipeline_realtime_factor=Y composer_realtime_factor=Z`.

The machine's speed drifts by ±20 % within an hour, so figures from two sittings do not
compare. `--against CHECKOUT` (another clone of the project, e.g. the previous release) times
only the command, from both checkouts in alternating runs, and prints both medians and their
ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion.controls import extract_controls  # noqa: E402
from expotion.outputs import Outputs, start_painter  # noqa: E402
from expotion.pipeline import Expotion, write_outputs  # noqa: E402
from expotion.testing import synthetic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Upbeat funk with slap bass, brass stabs and a tight drum groove"
RUNS = 3
ALTERNATING_RUNS = 5
# Runs `expotion.cli` from the checkout given first, not the installed (editable) one.
FROM_CHECKOUT = ("import runpy, sys; sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
                 "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'expotion'; runpy.run_module('expotion.cli', run_name='__main__')")


def median_seconds(work) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command_from(checkout: Path, video: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", FROM_CHECKOUT, str(checkout), "generate", str(video), "--prompt", PROMPT, "--out", str(out), "--seed", "0"]


def alternate(video: Path, other: Path, work: Path) -> None:
    """The command from `other` and from this checkout, taking turns."""
    seconds: dict[str, list[float]] = {"other": [], "this": []}
    for _ in range(ALTERNATING_RUNS):
        for name, checkout in (("other", other), ("this", ROOT)):
            start = time.perf_counter()
            subprocess.run(command_from(checkout, video, work / f"{name}.mp4"), check=True, capture_output=True)
            seconds[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    print(f"{video.name}: expotion generate, median of {ALTERNATING_RUNS} alternating runs")
    print(f"{other}: {medians['other']:.2f} s ({' '.join(f'{v:.2f}' for v in seconds['other'])})")
    print(f"{ROOT}: {medians['this']:.2f} s ({' '.join(f'{v:.2f}' for v in seconds['this'])})")
    print(f"speedup={medians['other'] / medians['this']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path)
    parser.add_argument("--against", type=Path, metavar="CHECKOUT")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    video = args.video or synthetic.swaying_clip(work / "clip.mp4")
    if args.against:
        return alternate(video, args.against.resolve(), work)
    # The command first: MediaPipe's worker threads, once started in this process, would
    # compete with it for the cores.
    command = command_from(ROOT, video, work / "cli.mp4")
    cli_seconds = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True))
    pipe = Expotion.from_pretrained("composer")
    controls = extract_controls(video)
    music = pipe.generator.generate(controls, PROMPT, controls.duration, seed=0)  # warm-up (soundfont, imports)
    outputs = Outputs.plan(work / "staged.mp4", midi=True, plot=True)
    with start_painter() as painter:
        stages = {
            "controls (decode + analyse)": median_seconds(lambda: extract_controls(video)),
            "compose + render": median_seconds(lambda: pipe.generator.generate(controls, PROMPT, controls.duration, seed=0)),
            "write mp4 + wav + MIDI + JSON + plot": median_seconds(
                lambda: write_outputs(outputs, video, controls, music, music.decisions, painter)),
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
