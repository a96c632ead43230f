"""Speed of control extraction: per-stage seconds and × real time.

    python benchmarks/extract.py [VIDEO]

Without VIDEO it makes a 10 s, 640×480, 30 fps synthetic clip. Each analyser is timed alone
over every decoded frame (ms per frame), then the whole threaded pipeline end to end, which
analyses flow on up to 30 and face and pose on up to 10 frames a second. Last line:
`realtime_factor=X frames_per_s=Y` for the whole pipeline (frames of the video per second).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion.controls import extract_controls  # noqa: E402
from expotion.controls.body import BodyAnalyzer  # noqa: E402
from expotion.controls.face import FaceAnalyzer  # noqa: E402
from expotion.controls.motion import MotionAnalyzer  # noqa: E402
from expotion.options import AnalysisSettings  # noqa: E402
from expotion.testing import synthetic  # noqa: E402
from expotion.video.decode import iter_frames  # noqa: E402


def timed(label: str, work, frames: int, duration: float) -> float:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:7.2f} s  {1000 * seconds / frames:6.1f} ms/frame  {duration / seconds:6.2f}× real time")
    return seconds


def main() -> None:
    video = Path(sys.argv[1]) if len(sys.argv) > 1 else synthetic.swaying_clip(Path(tempfile.mkdtemp()) / "clip.mp4")
    settings = AnalysisSettings()
    decoded = list(iter_frames(video, max_side=settings.max_side))
    frames = [(f.time, f.image) for f in decoded]
    greys = [(f.time, f.grey(settings.flow_width)) for f in decoded]
    n, duration = len(frames), frames[-1][0] + (frames[-1][0] - frames[-2][0])
    print(f"{video.name}: {n} frames, {duration:.2f} s, {frames[0][1].shape[1]}×{frames[0][1].shape[0]} analysed")

    face, body, motion = FaceAnalyzer(), BodyAnalyzer(), MotionAnalyzer()
    timed("decode", lambda: list(iter_frames(video, max_side=settings.max_side)), n, duration)
    timed("convert to RGB for face/pose", lambda: [f.image for f in decoded], n, duration)
    timed("face mesh", lambda: [face(image) for _, image in frames], n, duration)
    timed("pose (one tracker)", lambda: [body(image) for _, image in frames], n, duration)
    timed("optical flow", lambda: [motion(grey, t) for t, grey in greys], n, duration)
    seconds = timed("whole pipeline (threaded)", lambda: extract_controls(video), n, duration)
    print(f"realtime_factor={duration / seconds:.2f} frames_per_s={n / seconds:.1f}")


if __name__ == "__main__":
    main()
