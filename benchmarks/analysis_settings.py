"""Speed against accuracy: how finely the video is analysed, and what that costs and buys.

    python benchmarks/analysis_settings.py [--runs N]

For each setting of the analysis (picture size, flow rate and size, face and pose rate,
pose trackers) it times the extraction of a 10 s 640×480 30 fps synthetic clip (median of N
runs, × real time) and finds the movement beats of the synthetic scenes whose stops and turns
are known (`expotion.testing.movement_scenes`: a sway with sudden reversals at 30 and 60 fps
and filmed at 24 and 25 pictures a second but stored at 30, a nod, also filmed at 12 and stored
at 60, strikes that stop, a still and a slowly drifting person). Accuracy: the share of the
true stops and turns with a movement beat within one video frame (and one picture more where
a conversion repeats them: `Scene.tolerance`), the mean distance to the
nearest beat, the stops and turns missed (no beat within 0.1 s), and the beats found where
nothing stops or turns (none within 0.1 s of one). Last line, for the default settings:
`default_realtime_factor=X default_within_one_frame=Y`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402

from expotion.controls import extract_controls  # noqa: E402
from expotion.options import AnalysisSettings  # noqa: E402
from expotion.testing import synthetic  # noqa: E402
from expotion.testing.movement_scenes import SCENES  # noqa: E402

FOUND_WITHIN_S = 0.1
SETTINGS = {
    "default: 640 px; flow 30 fps, 160 px; face, pose 10 fps": AnalysisSettings(),
    "face and pose on 5 fps": AnalysisSettings(person_fps=5.0),
    "face and pose on 15 fps": AnalysisSettings(person_fps=15.0),
    "face and pose on every frame (two trackers)": AnalysisSettings(person_fps=60.0),
    "two pose trackers taking turns": AnalysisSettings(single_tracker_max_fps=5.0),
    "flow on 15 fps": AnalysisSettings(motion_fps=15.0),
    "flow 80 px wide": AnalysisSettings(flow_width=80),
    "flow 320 px wide": AnalysisSettings(flow_width=320),
    "pictures at 320 px": AnalysisSettings(max_side=320),
}


@dataclass
class Accuracy:
    within_frame: list[bool] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)
    missed: int = 0
    extra: int = 0

    def add(self, beats: np.ndarray, truth: tuple[float, ...], frame_s: float) -> None:
        for stop in truth:
            error = float(np.min(np.abs(beats - stop))) if len(beats) else np.inf
            self.within_frame.append(error <= frame_s)
            self.errors.append(error)
            self.missed += error > FOUND_WITHIN_S
        self.extra += sum(not len(truth) or np.min(np.abs(np.array(truth) - beat)) > FOUND_WITHIN_S for beat in beats)

    def mean_error_ms(self) -> float:
        found = [error for error in self.errors if error <= FOUND_WITHIN_S]
        return 1000 * float(np.mean(found)) if found else float("nan")


def realtime_factor(video: Path, settings: AnalysisSettings, runs: int, duration: float) -> float:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        extract_controls(video, settings=settings)
        seconds.append(time.perf_counter() - start)
    return duration / statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed extractions per setting (median)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    clip = synthetic.swaying_clip(work / "clip.mp4")
    scenes = {name: scene.write(work / f"scene{index}.mp4") for index, (name, scene) in enumerate(SCENES.items())}
    width = max(map(len, SETTINGS))
    print(f"{'setting':<{width}} {'× real time':>11} {'within a frame':>15} {'mean error':>11} {'missed':>7} {'extra':>6}")
    results = {}
    for name, settings in SETTINGS.items():
        accuracy = Accuracy()
        for scene_name, path in scenes.items():
            scene = SCENES[scene_name]
            accuracy.add(extract_controls(path, settings=settings).movement_beats, scene.truth, scene.tolerance)
        speed = realtime_factor(clip, settings, args.runs, 10.0)
        results[name] = (speed, float(np.mean(accuracy.within_frame)))
        print(f"{name:<{width}} {speed:10.2f}× {np.mean(accuracy.within_frame):14.0%} {accuracy.mean_error_ms():8.1f} ms "
              f"{accuracy.missed:7d} {accuracy.extra:6d}", flush=True)
    speed, within = results[next(iter(SETTINGS))]
    print(f"default_realtime_factor={speed:.2f} default_within_one_frame={within:.2f}")


if __name__ == "__main__":
    main()
