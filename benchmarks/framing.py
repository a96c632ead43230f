"""Does a person smaller in the frame keep their movement beats, and their music? Real footage.

    python benchmarks/framing.py [VIDEO_OR_FOLDER ...]

Dancers are seen whole and players from afar: the same movement fills less of the frame. For
every video (default: the dev clips) this writes it again at 1/2 and 1/3 of its size, in the
middle of a grey frame of the same size, on the same clock. The movement is the same, so the
full-size video is the ground truth, measured where it is large: `expotion evaluate`'s flow
stops of the full-size clip (the independent ruler).

Per clip and size it prints how many movement beats the composer's analysis finds and their
F-measure against those stops (a stop is met by one beat within ±70 ms, the beat-tracking
evaluation window of MIREX), the same for the ruler's own flow stops of the shrunk clip (can
`expotion evaluate` still see the movement?), then generates music for the shrunk video with
the prompts of benchmarks/sync.py and scores it against the full-size clip's movement: BAS
motion→music over chance (σ = 0.1 s, mean over prompts). Last lines: `framing_beat_f=X` (mean over shrunk clips)
and `framing_delta=Y`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402

from expotion import pipeline  # noqa: E402
from expotion.evaluation.movement import movement_beats  # noqa: E402
from expotion.evaluation.report import Entry, clip_controls, clip_movement, evaluate  # noqa: E402
from expotion.testing.synthetic import in_bars, rewrite_video  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync import HEADLINE, PROMPTS, videos_from  # noqa: E402

SIZES = (2, 3)  # the person at 1/2 and 1/3 of the size
GREY = 128
WINDOW_S = 0.07


def shrink(video: Path, size: int, out: Path) -> Path:
    """`video` at 1/`size` of its size in the middle of a grey frame as large, frame for frame."""
    return rewrite_video(video, out, picture=lambda image: in_bars(image, size, size, GREY))


def f_measure(beats: np.ndarray, stops: np.ndarray, window: float = WINDOW_S) -> float:
    """F-measure of `beats` against `stops`, each stop met by at most one beat within `window`
    (the closest pairs first)."""
    if len(beats) == 0 or len(stops) == 0:
        return 0.0
    distance = np.abs(beats[:, None] - stops[None, :])
    pairs = sorted(zip(distance.ravel(), *np.unravel_index(np.arange(distance.size), distance.shape)))
    used_beats, used_stops = set(), set()
    for gap, beat, stop in pairs:
        if gap > window:
            break
        if beat not in used_beats and stop not in used_stops:
            used_beats.add(beat), used_stops.add(stop)
    hits = len(used_beats)
    return 2 * hits / (len(beats) + len(stops))


def main() -> None:
    work = Path(tempfile.mkdtemp())
    cache = work / "report" / "controls"  # where evaluate, below, finds them
    entries, scores = [], []
    print(f"{'clip':<28} {'size':>5} {'beats':>6} {'F vs full-size flow stops':>26} {'ruler stops':>12} {'their F':>8}")
    for video in videos_from(sys.argv[1:]):
        full = clip_controls(video, cache)
        stops = movement_beats(clip_movement(video, full, cache), "flow")
        print(f"{video.stem:<28} {'1':>5} {len(full.movement_beats):6d} {f_measure(full.movement_beats, stops):26.2f}")
        for size in SIZES:
            name = f"{video.stem}_1-{size}"
            shrunk = shrink(video, size, work / f"{name}.mp4")
            controls = clip_controls(shrunk, cache)
            beats, ruler = controls.movement_beats, movement_beats(clip_movement(shrunk, controls, cache), "flow")
            scores.append(f_measure(beats, stops))
            print(f"{video.stem:<28} {f'1/{size}':>5} {len(beats):6d} {scores[-1]:26.2f} {len(ruler):12d} "
                  f"{f_measure(ruler, stops):8.2f}", flush=True)
            for style, prompt in PROMPTS.items():
                out = work / style / f"{name}.mp4"
                pipeline.generate(shrunk, prompt, out, seed=0, plot=False)
                entries.append(Entry(style, name, out, video))  # scored against the full-size movement
    rows = evaluate(entries, work / "report", plots=False)["clips"]
    deltas = {}
    for row in rows:
        deltas.setdefault(row["clip"], []).append(row["metrics"][HEADLINE] - row["chance"][HEADLINE])
    for clip, values in deltas.items():
        print(f"{clip:<28} music for the shrunk clip against the full-size flow stops: Δ {np.mean(values):+.3f} "
              f"(per prompt {', '.join(f'{value:+.3f}' for value in values)})")
    print(f"framing_beat_f={np.mean(scores):.2f}")
    print(f"framing_delta={np.mean([np.mean(values) for values in deltas.values()]):.3f}")


if __name__ == "__main__":
    main()
