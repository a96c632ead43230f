"""Stream frames out of a video file with their true presentation timestamps.

Frames are yielded one at a time (a long 1080p video is never held in memory), upright
(rotation metadata applied), optionally downscaled for analysis, and timed in seconds since
the first frame's presentation time, so variable frame rates and clips whose first frame is
not at zero keep their real timing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from expotion.errors import ExpotionError

# A decode that ends this much before the declared duration is treated as truncated.
TRUNCATION_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video stream, before decoding it."""

    path: Path
    width: int  # upright display size, before any analysis downscaling
    height: int
    rotation: int  # degrees counter-clockwise applied to decoded frames to show them upright
    average_fps: float
    declared_duration: float | None
    frame_count: int | None  # declared by the container; None when unknown
    has_audio: bool
    start_time: float  # presentation time (s) of the first frame on the file's clock


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    time: float  # seconds since the first frame's presentation time
    duration: float | None  # display duration of this frame, when the stream says
    image: np.ndarray  # H×W×3 RGB uint8, upright


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise ExpotionError(f"no such file: {path}")
    if path.is_dir():
        raise ExpotionError(f"{path} is a directory, not a video file")
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise ExpotionError(f"cannot read {path.name}: not a video file, or it is corrupt ({error.strerror})")
    if not container.streams.video:
        container.close()
        raise ExpotionError(f"{path.name} has no video stream (an audio-only or empty file?)")
    return container


def _declared_duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def probe(path: str | Path) -> VideoInfo:
    """Read a video's header; raises ExpotionError for anything that is not a usable video."""
    path = Path(path)
    with _open(path) as container:
        stream = container.streams.video[0]
        rotation, start_time = _first_frame_facts(container)
        width, height = stream.codec_context.width, stream.codec_context.height
        if rotation % 180:
            width, height = height, width
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        return VideoInfo(
            path=path,
            width=width,
            height=height,
            rotation=rotation,
            average_fps=fps,
            declared_duration=_declared_duration(container, stream),
            frame_count=stream.frames or None,
            has_audio=bool(container.streams.audio),
            start_time=start_time,
        )


def _first_frame_facts(container) -> tuple[int, float]:
    """(rotation in degrees, presentation time) of the first decodable frame."""
    try:
        frame = next(container.decode(video=0))
    except (StopIteration, av.FFmpegError):
        return 0, 0.0
    finally:
        container.seek(0)
    return _quarter_turns(frame.rotation) * 90, float(frame.time or 0.0)


def _quarter_turns(rotation_degrees: float) -> int:
    return int(round((rotation_degrees or 0.0) / 90.0)) % 4


def analysis_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Even-sized (width, height) no larger than `max_side` on the long side, aspect kept."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, 2 * round(width * scale / 2)), max(2, 2 * round(height * scale / 2))


def iter_frames(path: str | Path, max_side: int | None = None) -> Iterator[DecodedFrame]:
    """Decode every frame of the first video stream, upright, timed from the first frame.

    Raises ExpotionError when the file holds no frames or stops decoding (corrupt or
    truncated) well before its declared duration.
    """
    path = Path(path)
    container = _open(path)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        declared = _declared_duration(container, stream)
        first_time = None
        index = -1
        last_end = 0.0
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                index += 1
                time = float(frame.pts * frame.time_base)
                first_time = time if first_time is None else first_time
                duration = float(frame.duration * frame.time_base) if frame.duration else None
                yield DecodedFrame(index, time - first_time, duration, _upright_rgb(frame, max_side))
                last_end = time - first_time + (duration or 0.0)
        except av.FFmpegError as error:
            raise ExpotionError(
                f"{path.name} is corrupt or truncated: decoding failed after {last_end:.2f} s ({error.strerror})"
            )
        if index < 0:
            raise ExpotionError(f"{path.name} contains no video frames")
        if declared and last_end < declared - TRUNCATION_TOLERANCE_S:
            raise ExpotionError(
                f"{path.name} is truncated: frames stop at {last_end:.2f} s of a declared {declared:.2f} s"
            )


def _upright_rgb(frame: av.VideoFrame, max_side: int | None) -> np.ndarray:
    turns = _quarter_turns(frame.rotation)
    width, height = frame.width, frame.height
    if turns % 2:
        height, width = analysis_size(height, width, max_side)
    else:
        width, height = analysis_size(width, height, max_side)
    image = frame.to_ndarray(format="rgb24", width=width, height=height)
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image
