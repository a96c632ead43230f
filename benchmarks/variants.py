"""Does the music stay on the body's beats when the movement changes tempo or phase? Real footage.

    python benchmarks/variants.py [VIDEO_OR_FOLDER ...]

Three dev clips are three people at one tempo each: a composer that only suits them would not
show it on them. This writes every video (default: the dev clips) again three ways, keeping
each person's way of moving and changing what the composer has to get right:

- slower: played at 0.8 × speed (every frame shown 1.25 × later; the tempo falls by a fifth);
- faster: played at 1.25 × speed;
- later and mirrored: from 1.5 s in, flipped left to right (another phase, the other side).

The frames are not resampled, so no frame is repeated or dropped: the flow between two
frames is the same picture change over a longer or shorter time. Each variant is scored as
benchmarks/sync.py scores the clips (`expotion evaluate`'s ruler: flow stops of the variant
itself, librosa's beats of its music). Last line: `variants_delta=X`, the mean over variants
of BAS motion→music Δ over chance. These are not new people; held-out footage can differ more.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from expotion.testing.synthetic import rewrite_video  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync import score_videos, videos_from  # noqa: E402

SPEEDS = {"slower": 0.8, "faster": 1.25}
LATER_S = 1.5


def retimed(video: Path, speed: float, out: Path) -> Path:
    """`video` played at `speed`: the same frames, each shown at its time divided by `speed`."""
    return rewrite_video(video, out, clock=lambda times: times / speed)


def later_mirrored(video: Path, out: Path) -> Path:
    """`video` from LATER_S seconds in, flipped left to right."""
    return rewrite_video(video, out, picture=lambda image: image[:, ::-1], keep=lambda time: time >= LATER_S)


def variants_of(video: Path, work: Path) -> list[Path]:
    """The three variants of `video`, written into `work`: slower, faster, later and mirrored."""
    variants = [retimed(video, speed, work / f"{video.stem}_{name}.mp4") for name, speed in SPEEDS.items()]
    return variants + [later_mirrored(video, work / f"{video.stem}_later-mirrored.mp4")]


def main() -> None:
    work = Path(tempfile.mkdtemp())
    variants = [variant for video in videos_from(sys.argv[1:]) for variant in variants_of(video, work)]
    print(f"variants_delta={score_videos(variants).mean():.3f}")


if __name__ == "__main__":
    main()
