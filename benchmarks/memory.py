"""Peak memory of `expotion generate` against the video's length.

    python benchmarks/memory.py [--minutes 1,10]

Makes 640×480 30 fps swaying clips of each length, runs the whole `expotion generate`
command on each as a subprocess and reads its peak resident memory (the kernel's maximum
RSS of the child). Last line: `memory_ratio_<long>min_vs_<short>min=X`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from expotion.testing import synthetic


def peak_mb(video: Path, out: Path) -> float:
    """Max RSS (MB) of one `expotion generate` run, measured in a fresh child process."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    command = [sys.executable, "-m", "expotion.cli", "generate", str(video), "--prompt", "funk", "--out", str(out), "--seed", "0"]
    result = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(result.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", default="1,10", help="clip lengths in minutes (default 1,10)")
    minutes = [float(m) for m in parser.parse_args().minutes.split(",")]
    work = Path(tempfile.mkdtemp())
    peaks = {}
    for length in minutes:
        video = synthetic.swaying_clip(work / f"clip_{length:g}min.mp4", duration=60 * length)
        peaks[length] = peak_mb(video, work / f"out_{length:g}min.mp4")
        print(f"{length:g} min: peak {peaks[length]:.0f} MB", flush=True)
    short, long = min(minutes), max(minutes)
    print(f"memory_ratio_{long:g}min_vs_{short:g}min={peaks[long] / peaks[short]:.2f}")


if __name__ == "__main__":
    main()
