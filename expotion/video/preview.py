"""A small copy of a video that every browser plays, for a page that shows a video whose codec
browsers cannot decode (an iPhone's HEVC): the music is still made for the original."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from expotion.atomic import atomic_path
from expotion.video.decode import iter_frames
from expotion.video.mux import h264_stream

# What Chromium, Firefox and Safari all decode in these containers.
BROWSER_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
BROWSER_CONTAINERS = frozenset({".mp4", ".m4v", ".mov", ".webm"})
PREVIEW_SIDE = 640
PREVIEW_OPTIONS = {"crf": "26", "preset": "veryfast"}
TICKS_PER_SECOND = 90_000


def video_codec(path: str | Path) -> str:
    """The name of the first video stream's codec ("hevc", "h264" …)."""
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.name


def browser_plays(path: str | Path) -> bool:
    return Path(path).suffix.lower() in BROWSER_CONTAINERS and video_codec(path) in BROWSER_CODECS


def write_preview(video: str | Path, out: str | Path, max_duration: float | None = None) -> None:
    """Write `out` (MP4, silent): `video`'s frames upright, at most PREVIEW_SIDE pixels on the
    long side, as H.264 at their own times. A video longer than `max_duration` seconds raises
    ExpotionError, as soon as a frame shows it, and writes nothing."""
    with atomic_path(out) as partial, av.open(str(partial), "w", format="mp4") as target:
        stream = None
        for frame in iter_frames(video, PREVIEW_SIDE, max_duration):
            picture = av.VideoFrame.from_ndarray(frame.image, format="rgb24")
            if stream is None:
                stream = h264_stream(target, picture.width, picture.height, Fraction(1, TICKS_PER_SECOND), PREVIEW_OPTIONS)
            picture = picture.reformat(width=stream.width, height=stream.height, format="yuv420p")
            picture.pts = round(frame.time * TICKS_PER_SECOND)
            target.mux(stream.encode(picture))
        target.mux(stream.encode())
