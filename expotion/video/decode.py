"""Stream frames out of a video file with their true presentation timestamps.

Frames are yielded one at a time (a long 1080p video is never held in memory), upright
(rotation metadata applied), optionally downscaled for analysis, and timed in seconds since
the first frame's presentation time, so variable frame rates and clips whose first frame is
not at zero keep their real timing.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import av
import cv2
import numpy as np

from expotion.errors import ExpotionError

# A decode that ends this much before the declared duration is treated as truncated.
TRUNCATION_TOLERANCE_S = 0.5
# Most camera and phone video is planar 4:2:0 with limited-range ("MPEG") levels: the optical
# flow's small grey picture is scaled by OpenCV straight from such a frame's luma plane, 4–5×
# cheaper than FFmpeg's scaler on 1080p. Other formats take FFmpeg's scaler.
FAST_FORMAT = "yuv420p"
JPEG_RANGE = 2  # AVColorRange: full-range levels (yuvj420p)
# Formats whose first plane is the picture's 8-bit luma.
LUMA_FIRST_FORMATS = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "nv21", "gray"}
LIMITED_TO_FULL = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)
# Pictures shrunk at least this much for analysis skip the codec's deblocking (loop) filter
# where no other picture is predicted from them (H.264/HEVC non-reference B-frames): the
# filter smooths block edges that the shrinking averages away anyway, and since reference
# pictures are decoded in full, nothing drifts (skipping it everywhere saves twice as much,
# but its error then grows from frame to frame: 2.6 levels after 20 s of one GOP).
# 1080p H.264 with B-frames: 10–14 % less decoding time.
SKIP_DEBLOCKING_BELOW = 0.5
# Elementary streams without a container: FFmpeg can decode them, but nothing says when
# each frame is shown.
RAW_STREAMS = {"h264", "hevc", "mpegvideo", "m4v", "h263", "h261", "vc1", "rawvideo", "mjpeg", "obu", "dirac", "cavsvideo"}


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


class DecodedFrame:
    """One decoded frame; its picture is converted (upright, RGB, downscaled) only when asked
    for, so frames that are not analysed cost only their decoding."""

    def __init__(self, index: int, time: float, duration: float | None, frame: av.VideoFrame, max_side: int | None):
        self.index = index
        self.time = time  # seconds since the first frame's presentation time
        self.duration = duration  # display duration of this frame, when the stream says
        self._frame, self._max_side = frame, max_side
        self._greys: dict[int, np.ndarray] = {}

    @property
    def image(self) -> np.ndarray:
        """H×W×3 RGB uint8, upright, no larger than `max_side`."""
        return _upright_rgb(self._frame, self._max_side)

    def grey(self, width: int) -> np.ndarray:
        """Upright luminance (uint8, full range), `width` pixels wide, scaled straight from the
        decoded picture (once for each width)."""
        if width not in self._greys:
            self._greys[width] = self._scaled_grey(width)
        return self._greys[width]

    def luma_sample(self, columns: int) -> np.ndarray:
        """About `columns` pixels across of the picture's brightness, as cheap as can be: every
        n-th pixel of every n-th row of the decoded luma plane (levels and orientation as
        stored), or the grey picture where the frame has no 8-bit luma plane."""
        frame = self._frame
        if frame.format.name not in LUMA_FIRST_FORMATS:
            return self.grey(columns)
        luma = _luma(frame)
        step = max(1, luma.shape[1] // columns)
        return np.ascontiguousarray(luma[::step, ::step])

    def _scaled_grey(self, width: int) -> np.ndarray:
        frame = self._frame
        turns = _quarter_turns(frame.rotation)
        upright_w, upright_h = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
        height = max(2, round(upright_h * width / upright_w))
        size = (height, width) if turns % 2 else (width, height)
        if _is_fast_format(frame):
            luma = cv2.resize(_luma(frame), size, interpolation=cv2.INTER_AREA)
            grey = cv2.LUT(luma, LIMITED_TO_FULL)
        else:
            grey = frame.reformat(width=size[0], height=size[1], format="gray8", interpolation="AREA").to_ndarray()
        return np.ascontiguousarray(np.rot90(grey, turns)) if turns else grey


def _check_file(path: Path) -> None:
    """One clear line for a path that is not a readable regular file."""
    try:
        os.stat(path)
    except FileNotFoundError:
        reason = "a broken symbolic link" if os.path.islink(path) else "no such file"
        raise ExpotionError(f"{reason}: {path}")
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ExpotionError(f"{path} is a symbolic link that loops back on itself")
        raise ExpotionError(f"cannot open {path}: {error.strerror}")
    if path.is_dir():
        raise ExpotionError(f"{path} is a directory, not a video file")


def _open(path: Path) -> av.container.InputContainer:
    _check_file(path)
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise ExpotionError(f"cannot read {path.name}: not a video file, or it is corrupt ({error.strerror})")
    except OSError as error:
        raise ExpotionError(f"cannot read {path.name}: {error.strerror}")
    kind = container.format.name
    if not container.streams.video:
        container.close()
        raise ExpotionError(f"{path.name} has no video stream (an audio-only or empty file?)")
    if kind.endswith("_pipe") or kind == "image2":
        container.close()
        raise ExpotionError(f"{path.name} is a still image ({kind.removesuffix('_pipe')}), not a video")
    if kind in RAW_STREAMS:
        container.close()
        raise ExpotionError(f"{path.name} is a raw {kind} stream with no container, so its frames have no timestamps; "
                            f"put it in a container first (for example: ffmpeg -i {path.name} -c copy clip.mp4)")
    return container


def _declared_duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        duration = container.duration / av.time_base
        if "matroska" in container.format.name and container.start_time:
            # Matroska's Duration counts from the segment's zero, not from the first frame: a
            # clip whose first frame is 1.5 s in would read as 1.5 s longer than it plays.
            duration -= max(container.start_time / av.time_base, 0.0)
        return duration
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


def analysis_scale(width: int, height: int, max_side: int | None) -> float:
    """How much a picture is shrunk for analysis (1: not at all)."""
    if not max_side or max(width, height) <= max_side:
        return 1.0
    return max_side / max(width, height)


def analysis_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Even-sized (width, height) no larger than `max_side` on the long side, aspect kept."""
    scale = analysis_scale(width, height, max_side)
    if scale == 1.0:
        return width, height
    return max(2, 2 * round(width * scale / 2)), max(2, 2 * round(height * scale / 2))


def iter_frames(path: str | Path, max_side: int | None = None, max_duration: float | None = None) -> Iterator[DecodedFrame]:
    """Decode every frame of the first video stream, upright, timed from the first frame.

    Raises ExpotionError when the file holds no frames, stops decoding (corrupt or
    truncated) well before its declared duration, or shows a frame after `max_duration`
    seconds — checked as frames arrive, so a file that does not declare its length cannot
    slip past the limit.
    """
    path = Path(path)
    container = _open(path)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = 2  # with pose on the other core, still measured 6–11 % faster than one
        if analysis_scale(stream.codec_context.width, stream.codec_context.height, max_side) <= SKIP_DEBLOCKING_BELOW:
            stream.codec_context.options = {"skip_loop_filter": "noref"}
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
                if max_duration is not None and time - first_time >= max_duration:
                    raise ExpotionError(f"{path.name} is longer than {max_duration:g} s, the longest video accepted here")
                duration = float(frame.duration * frame.time_base) if frame.duration else None
                yield DecodedFrame(index, time - first_time, duration, frame, max_side)
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


def _is_fast_format(frame: av.VideoFrame) -> bool:
    return frame.format.name == FAST_FORMAT and frame.color_range != JPEG_RANGE


def _luma(frame: av.VideoFrame) -> np.ndarray:
    """The decoded picture's luma plane as a (height, width) uint8 view, without copying."""
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8, count=plane.line_size * plane.height).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]
