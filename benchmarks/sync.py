"""Do the music's heard beats land where the person stops and turns? Real footage, independent ruler.

    python benchmarks/sync.py [VIDEO_OR_FOLDER ...]

For every video (default: the dev clips in ../shared/data/dev_clips when present, else the
bundled sample) it generates music for each of a set of prompts of different styles, then
scores it with `expotion evaluate`'s ruler: music beats from librosa's beat tracker on the
audio of the written mp4, movement beats from the optical-flow speed minima (and, beside it,
the body-keypoint speed minima), Beat Align Score σ = 0.1 s motion→music, minus the same music
circularly shifted (chance). Prints per clip and prompt, per clip, and the mean over clips
with its 95 % bootstrap interval. Last line: `sync_delta=X`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402

from expotion import pipeline  # noqa: E402
from expotion.evaluation.report import Entry, evaluate, paired_bootstrap  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_CLIPS = ROOT.parent / "shared" / "data" / "dev_clips"
PROMPTS = {
    "funk": "Upbeat funk with slap bass, brass stabs and a tight drum groove",
    "reggae": "This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric "
              "guitar plays the offbeat chords. There is a reggae drum beat and a bass guitar. The atmosphere is laid-back.",
    "strings": "Melancholic violin and cello, slow",
    "rock": "Hard rock with distorted guitars, a pounding bass and loud drums",
}
HEADLINE = "bas_motion_to_music"
BODY = "bas_motion_to_music@body-stops-0.1"


def videos_from(arguments: list[str]) -> list[Path]:
    paths = [Path(a) for a in arguments] or ([DEV_CLIPS] if DEV_CLIPS.is_dir() else [ROOT / "examples" / "sample.mp4"])
    found = []
    for path in paths:
        found.extend(sorted(path.glob("*.mp4")) if path.is_dir() else [path])
    return found


def main() -> None:
    work = Path(tempfile.mkdtemp())
    entries = []
    for video in videos_from(sys.argv[1:]):
        for style, prompt in PROMPTS.items():
            out = work / style / f"{video.stem}.mp4"
            pipeline.generate(video, prompt, out, seed=0, plot=False)
            entries.append(Entry(style, video.stem, out, video))
    rows = evaluate(entries, work / "report", plots=False)["clips"]
    clips = sorted({row["clip"] for row in rows})
    excess = {clip: [] for clip in clips}
    body = {clip: [] for clip in clips}
    print(f"{'clip':<28} {'prompt':<8} {'BAS m→m':>8} {'chance':>7} {'Δ flow':>7} {'Δ body':>7}")
    for row in rows:
        delta = row["metrics"][HEADLINE] - row["chance"][HEADLINE]
        delta_body = row["metrics"][BODY] - row["chance"][BODY]
        excess[row["clip"]].append(delta)
        body[row["clip"]].append(delta_body)
        print(f"{row['clip']:<28} {row['system']:<8} {row['metrics'][HEADLINE]:8.3f} {row['chance'][HEADLINE]:7.3f} "
              f"{delta:+7.3f} {delta_body:+7.3f}")
    per_clip = np.array([np.mean(excess[clip]) for clip in clips])
    per_clip_body = np.array([np.mean(body[clip]) for clip in clips])
    for clip, value, value_body in zip(clips, per_clip, per_clip_body):
        print(f"{clip:<28} mean over prompts: Δ flow {value:+.3f}  Δ body {value_body:+.3f}")
    interval = paired_bootstrap(per_clip, np.zeros(len(per_clip)))["ci95"]
    print(f"mean over {len(clips)} clips: Δ flow {per_clip.mean():+.3f} [{interval[0]:+.3f}, {interval[1]:+.3f}], "
          f"Δ body {per_clip_body.mean():+.3f}")
    print(f"sync_delta={per_clip.mean():.3f}")


if __name__ == "__main__":
    main()
