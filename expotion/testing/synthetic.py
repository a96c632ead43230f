"""Videos with known content, made here: a portrait that moves, turns and hides on cue.

The tests, the benchmarks and the bundled demo sample use them, so every timing claim can
be checked against ground truth. The subject is the photo of Grace Hopper that ships with
matplotlib (a US Navy photograph, public domain).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable

import av
import cv2
import numpy as np
from matplotlib import cbook

from expotion.atomic import atomic_path
from expotion.video.decode import iter_frames

TIME_BASE = Fraction(1, 90000)
CUT_SHIFT = -120  # pixels: how far to the side another camera sees the portrait


def portrait() -> np.ndarray:
    """Head-and-shoulders photo (RGB uint8, 600×512) of Grace Hopper, public domain."""
    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        data = np.frombuffer(handle.read(), dtype=np.uint8)
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def constant_rate_times(duration: float, fps: float) -> np.ndarray:
    return np.arange(int(np.floor(duration * fps + 1e-9))) / fps


def variable_rate_times(duration: float, mean_fps: float, jitter: float = 0.4, seed: int = 0) -> np.ndarray:
    """Frame times with intervals drawn uniformly within ±jitter of 1/mean_fps."""
    rng = np.random.default_rng(seed)
    steps = rng.uniform(1 - jitter, 1 + jitter, size=int(duration * mean_fps * 2)) / mean_fps
    times = np.concatenate([[0.0], np.cumsum(steps)])
    return times[times < duration]


def back_and_forth(times: np.ndarray, turn_times: Iterable[float], speed: float) -> np.ndarray:
    """Offset from the start of a point moving at constant `speed`, reversing at each turn."""
    turns = np.sort(np.asarray(list(turn_times), dtype=float))
    direction_changes = np.searchsorted(turns, times, side="right")
    offsets = np.zeros_like(times, dtype=float)
    for index, t in enumerate(times):
        knots = np.concatenate([[0.0], turns[: direction_changes[index]], [t]])
        signs = (-1.0) ** np.arange(len(knots) - 1)
        offsets[index] = speed * np.sum(signs * np.diff(knots))
    return offsets


def background(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A still, lightly textured backdrop (texture keeps optical flow well conditioned)."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 3)
    ramp = np.linspace(90, 150, width, dtype=np.float32)[None, :]
    grey = np.clip(ramp + 25 * noise / (noise.std() + 1e-6), 0, 255)
    return np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)


@dataclass(frozen=True)
class Placement:
    """Where the portrait is drawn in one frame: centre (px), scale, in-plane angle (°)."""

    x: float
    y: float
    scale: float = 0.5
    angle: float = 0.0
    visible: bool = True


def render(backdrop: np.ndarray, subject: np.ndarray, placement: Placement) -> np.ndarray:
    """Backdrop with the subject pasted at `placement`."""
    if not placement.visible:
        return backdrop.copy()
    height, width = subject.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), placement.angle, placement.scale)
    matrix[:, 2] += (placement.x - width / 2, placement.y - height / 2)
    size = (backdrop.shape[1], backdrop.shape[0])
    warped = cv2.warpAffine(subject, matrix, size, flags=cv2.INTER_LINEAR)
    coverage = cv2.warpAffine(np.ones(subject.shape[:2], np.float32), matrix, size)[..., None]
    return (coverage * warped + (1 - coverage) * backdrop).astype(np.uint8)


def write_video(
    path: str | Path, times: np.ndarray, frames: Iterable[np.ndarray], rotation: int = 0, faststart: bool = False
) -> None:
    """Encode RGB frames at exactly `times` (H.264 in MP4), atomically.

    `rotation` stores a display matrix (degrees counter-clockwise, as players apply it);
    frames are given upright and stored turned the other way, as a phone would.
    `faststart` puts the index before the media data, as streaming sites do.
    """
    frames = iter(frames)
    first = next(frames)
    stored = lambda image: np.ascontiguousarray(np.rot90(image, -(rotation // 90)))  # noqa: E731
    height, width = stored(first).shape[:2]
    nominal_fps = Fraction(round((len(times) - 1) / max(times[-1], 1e-6) * 1000), 1000) if len(times) > 1 else Fraction(25)
    options = {"movflags": "+faststart"} if faststart else {}
    with atomic_path(path) as tmp, av.open(str(tmp), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=nominal_fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.options = {"crf": "20", "preset": "veryfast"}
        if rotation:
            stream.set_display_rotation(rotation)
        for time, image in zip(times, _chain(first, frames)):
            frame = av.VideoFrame.from_ndarray(stored(image), format="rgb24")
            frame.pts, frame.time_base = round(time / TIME_BASE), TIME_BASE
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


def rewrite_video(video: str | Path, out: str | Path, picture: Callable[[np.ndarray], np.ndarray] = lambda image: image,
                  clock: Callable[[np.ndarray], np.ndarray] = lambda times: times,
                  keep: Callable[[float], bool] = lambda time: True) -> Path:
    """`video` written again to `out`, frame for frame: the frames whose time it keeps, each
    picture through `picture`, the times through `clock`, the first of them at 0. It decodes
    twice (times, then pictures) rather than hold every frame in memory."""
    times = clock(np.array([frame.time for frame in iter_frames(video) if keep(frame.time)]))
    write_video(out, times - times[0], (picture(frame.image) for frame in iter_frames(video) if keep(frame.time)))
    return Path(out)


def in_bars(image: np.ndarray, taller: int, wider: int, level: int) -> np.ndarray:
    """`image` made `taller` times less tall and `wider` times less wide, in the middle of a
    frame as large whose bars around it are of one grey `level` (a clip posted upright, a person
    filmed from afar)."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (width // wider, height // taller), interpolation=cv2.INTER_AREA)
    canvas = np.full_like(image, level)
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    return canvas


def _chain(first, rest):
    yield first
    yield from rest


def portrait_video(
    path: str | Path,
    times: np.ndarray,
    placement: Callable[[float], Placement],
    *,
    size: tuple[int, int] = (640, 480),
    rotation: int = 0,
    picture_fps: float | None = None,
    dropped: Iterable[int] = (),
    cuts: Iterable[float] = (),
) -> None:
    """The portrait drawn at `placement(t)` for each frame time t, written to `path`. With
    `picture_fps`, pictures are taken at that rate and each is shown until the next is taken,
    as a frame-rate conversion shows them (film at 24 frames a second in a 30 fps file). The
    frames numbered in `dropped` show the picture of the frame before again, as where a webcam
    missed a picture and the encoder filled its frame. At each of the `cuts` times the video
    cuts to another camera: another backdrop, and in every other shot the portrait `CUT_SHIFT`
    pixels to the side."""
    subject, cuts = portrait(), sorted(cuts)
    backdrops = [background(*size, seed=shot) for shot in range(len(cuts) + 1)]
    taken = np.array(times, dtype=float) if picture_fps is None else np.floor(np.asarray(times) * picture_fps + 1e-6) / picture_fps
    for frame in sorted(dropped):
        taken[frame] = taken[frame - 1]

    def picture(t: float) -> np.ndarray:
        shot = int(np.searchsorted(cuts, t, side="right"))
        seen = placement(t)
        return render(backdrops[shot], subject, replace(seen, x=seen.x + CUT_SHIFT * (shot % 2)))

    write_video(path, times, (picture(t) for t in taken), rotation=rotation)


def moving_portrait(
    path: str | Path,
    times: np.ndarray,
    turn_times: Iterable[float] = (),
    *,
    size: tuple[int, int] = (640, 480),
    speed: float = 160.0,
    hidden: Iterable[tuple[float, float]] = (),
    rotation: int = 0,
    picture_fps: float | None = None,
    dropped: Iterable[int] = (),
    cuts: Iterable[float] = (),
) -> None:
    """A portrait swaying left and right at `speed` px/s, turning at `turn_times` (its
    movement accents) and absent during the `hidden` (start, end) intervals; `picture_fps`,
    `dropped` and `cuts` as in `portrait_video`."""
    width, height = size
    scale = 0.75 * height / portrait().shape[0]
    offsets = back_and_forth(times, turn_times, speed)
    centre = width / 2 - (offsets.max() + offsets.min()) / 2
    hidden = list(hidden)

    def placement(t: float) -> Placement:
        x = centre + float(np.interp(t, times, offsets))
        return Placement(x, 0.55 * height, scale, 0.0, not any(a <= t < b for a, b in hidden))

    portrait_video(path, times, placement, size=size, rotation=rotation, picture_fps=picture_fps, dropped=dropped, cuts=cuts)


def swaying_clip(path: str | Path, duration: float = 10.0, fps: float = 30.0, period: float = 0.6) -> Path:
    """The benchmarks' clip: 640×480, the portrait turning every `period` seconds."""
    moving_portrait(path, constant_rate_times(duration, fps), np.arange(period, duration - 0.1, period))
    return Path(path)
