"""Repeated pictures: frames that show again the picture of the frame before, and when each
picture was taken.

Video made at one frame rate and stored at another shows some pictures more than once: film at
24 or 25 frames a second in a 30 fps file repeats every fourth or fifth picture, a webcam that
slows to 15 frames a second in a 30 fps recording repeats every picture. Between a picture and
its repeat nothing moves, and then twice as much moves at once, so a speed taken frame by frame
dips at each repeat, and the dips looked like stops: a synthetic sway turning 6 times, drawn at
24 pictures a second and stored at 30, had 15 movement beats (20 at 25 pictures a second).

A repeat differs from the picture before by compression noise alone. Compared on a sample of
about 160 luma pixels across (every n-th pixel of every n-th row, cheap enough for every frame
of a 1080p60 video), re-encoded conversions of the dev clips and their variants differed from
the picture before by at most 0.21 levels on average; consecutive pictures by at least 0.63 (a
camera's sensor noise alone differs by more). But a small person in a still, noise-free frame
(the dev clips shrunk to a third inside a grey frame) changes the average as little, so a
repeat must also be still in every patch of 8 × 8 samples: repeats differed there by at most
2.2 levels on average (4.2 on a few frames that FFmpeg coded afresh), the shrunk clips' pictures
by at least 3.1.

A conversion repeats pictures again and again, at a steady spacing of at most `MAX_STRETCH`
pictures. Elsewhere the flow around a repeat tells what it stands for (`FrameObservations`).
Where the movement goes on across it in the same direction by two steps, the camera missed a
picture (a webcam that drops a frame mid-stroke, in a file whose encoder fills the frame with
the picture before): the repeat shares its picture's time (a sway with one picture in twelve
missed had 11 movement beats for its 6 turns; now 6). By one step, no picture is missing: the
pictures came more slowly than the frames (a camera at 28 frames a second in a 30 fps file,
film at 24 stored at 25, repeating a picture every 15 or 25 frames), and the repeat is a late
picture, as a conversion's are. Taken for missed pictures, a sway at 28 in 30 had 10 movement
beats for its 6 turns. Where the movement reverses across a repeat, it is a real picture:
noise-free footage shows the same picture twice where a sway turns halfway between two
frames. A picture unchanged for more than `MAX_REPEATS` frames (a conversion repeats a picture
at most five times, for 10 pictures a second in a 60 fps file) is a still scene, where a
movement that came to rest stopped when it stopped, not when it moves again.

A late picture's repeats share its time, and the time they held is spread over the pictures
around it, so that the pictures follow one another at their own steady rate between late ones
(for a conversion, the pictures between two of its repeated ones are spread evenly, their mean
time kept); elsewhere a picture's time is when it was first shown. Timed when first shown,
film at 25 in 30 still sped up and slowed down by half, and one of six turns was found 0.10 s
late; spread, within 0.04 s.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from expotion.video.decode import DecodedFrame
from expotion.video.letterbox import Letterbox

SAMPLE_COLUMNS = 160  # about this many luma pixels across are compared
# A frame repeats the picture before when their samples differ by less than this on average
# (luma levels) and by less than REPEAT_PATCH_DIFFERENCE in each patch of PATCH × PATCH samples.
REPEAT_DIFFERENCE = 0.4
REPEAT_PATCH_DIFFERENCE = 2.5
PATCH = 8
MAX_REPEATS = 5
MAX_STRETCH = 6  # pictures from one of a conversion's repeated pictures to the next (5 for 25 fps in 30)
# Out of a picture the camera missed the movement goes on two steps at once, out of one that
# came late a single step. Measured on real footage: late pictures 0.94–1.06 steps (FFmpeg's
# conversion of 29 frames a second to 30), missed ones 1.42 and more (frames dropped at random).
MISSED_STEPS = 1.25


@dataclass(frozen=True)
class PictureChange:
    """How a frame's picture differs from the frame before's."""

    mean: float  # mean absolute difference of their luma samples inside any bars (levels); NaN for the first frame
    repeat: bool  # the frame shows the picture of the frame before again


class PictureChanges:
    """Compares, frame by frame, each frame's picture with the frame before's."""

    def __init__(self):
        self._previous: np.ndarray | None = None
        self._bars: Letterbox | None = None

    def __call__(self, frame: DecodedFrame) -> PictureChange:
        sample = frame.luma_sample(SAMPLE_COLUMNS)
        previous, self._previous = self._previous, sample
        if previous is None or previous.shape != sample.shape:
            self._bars = Letterbox.of(sample)
            return PictureChange(float("nan"), False)
        self._bars = self._bars.narrowed(sample)
        difference = cv2.absdiff(sample, previous).astype(np.float32)
        patches = cv2.resize(difference, (max(1, difference.shape[1] // PATCH), max(1, difference.shape[0] // PATCH)),
                             interpolation=cv2.INTER_AREA)
        repeat = float(difference.mean()) < REPEAT_DIFFERENCE and float(patches.max()) < REPEAT_PATCH_DIFFERENCE
        return PictureChange(float(self._bars.inside(difference).mean()), repeat)


def came_late(into: float, across: float, on: float | None) -> bool:
    """Whether a repeat, across which the movement goes on in the same direction, stands for a
    picture that came late rather than one the camera missed: how far the movement went into
    the repeated picture (`into`), across the repeat to the next picture (`across`) and on from
    there (`on`; None at the end) tells a single step across it from two. A step is the mean of
    the steps either side (geometric: a stroke speeding up or slowing down)."""
    step = into if on is None else np.sqrt(into * on)
    return across < MISSED_STEPS * step


def _conversions_pictures(repeats_of_picture: np.ndarray) -> np.ndarray:
    """Indices of the pictures that a conversion repeated: each repeated at most MAX_REPEATS
    times, in a steady pattern, at most MAX_STRETCH pictures from the next such picture and as
    far from it as that one is from the one after it, give or take a picture. Pictures a camera
    missed here and there are not that regular."""
    repeated = np.flatnonzero((repeats_of_picture >= 1) & (repeats_of_picture <= MAX_REPEATS))
    gaps = np.diff(repeated)
    short = gaps <= MAX_STRETCH
    matching = short[1:] & short[:-1] & (np.abs(np.diff(gaps)) <= 1)  # two gaps in a row, alike
    steady = np.zeros(len(gaps), bool)
    steady[1:] |= matching
    steady[:-1] |= matching
    recurring = np.zeros(len(repeated), bool)
    recurring[:-1] |= steady
    recurring[1:] |= steady
    return repeated[recurring]


def _steps_to_line(pictures: int, late: np.ndarray, slips: np.ndarray) -> np.ndarray:
    """(pictures,) seconds to add to when each picture was first shown, where the pictures at
    the (rising) indices `late` were shown `slips` seconds longer than a picture lasted: the
    slips add up to a staircase, and each picture is moved from the staircase onto a line
    through the middle of each step, so that the picture clock runs steadily between them. The
    first and last steps, cut by the ends, count as long as their neighbours (or, with one late
    picture, as long as they are); beyond their middles nothing moves."""
    if len(late) == 0:
        return np.zeros(pictures)
    lengths = np.diff(late)
    leading = lengths[0] if len(lengths) else late[0] + 1
    trailing = lengths[-1] if len(lengths) else pictures - 1 - late[-1]
    middles = np.concatenate([[late[0] - (leading - 1) / 2], (late[:-1] + 1 + late[1:]) / 2, [late[-1] + 1 + (trailing - 1) / 2]])
    levels = np.concatenate([[0.0], np.cumsum(slips)])
    index = np.arange(pictures)
    return np.interp(index, middles, levels) - levels[np.searchsorted(late, index, side="left")]


def _slips_spread(pictures: int, late: np.ndarray, slips: np.ndarray, held: np.ndarray) -> np.ndarray:
    """`_steps_to_line` within each run of pictures between two `held` ones (repeated for a
    missed picture, a still scene or a real picture), which end what ran steadily."""
    spread = np.zeros(pictures)
    edges = np.concatenate([[0], held + 1, [pictures]])
    for start, stop in zip(edges[:-1], edges[1:]):
        inside = slice(*np.searchsorted(late, [start, stop]))
        spread[start:stop] = _steps_to_line(stop - start, late[inside] - start, slips[inside])
    return spread


def taken_times(times: np.ndarray, repeats: np.ndarray, missed: np.ndarray | None = None,
                late: np.ndarray | None = None) -> np.ndarray:
    """When each frame's picture was taken, from the frames' presentation `times` (s, rising)
    and whether each `repeats` the picture of the frame before.

    A conversion's repeats, and repeats that stand for a picture taken `late` (the movement goes
    on across them by a single step), share their picture's time, and the time they held is
    spread over the pictures around them (`_slips_spread`). A repeat that stands for a picture
    the camera `missed` (the movement goes on across it by two steps) shares its picture's time,
    also where a conversion's steady pattern took it in. Both only where the picture is held no
    longer than a conversion holds one: longer, it is a still scene. Any other repeat is a real
    picture and keeps its time."""
    times = np.asarray(times, dtype=float)
    first = ~np.asarray(repeats, dtype=bool)  # the frames that show a picture first
    first[:1] = True
    picture = np.cumsum(first) - 1  # each frame's picture
    first_frames = np.flatnonzero(first)
    repeats_of_picture = np.bincount(picture) - 1
    briefly = ~first & (repeats_of_picture[picture] <= MAX_REPEATS)

    def pictures_of(frames: np.ndarray | None) -> np.ndarray:
        return np.zeros(0, int) if frames is None else np.unique(picture[np.asarray(frames, dtype=bool) & briefly])

    missed_pictures = pictures_of(missed)
    late_pictures = np.setdiff1d(np.union1d(_conversions_pictures(repeats_of_picture), pictures_of(late)), missed_pictures)
    slipped = late_pictures[late_pictures + 1 < len(first_frames)]  # the last picture holds nothing up
    slips = times[first_frames[slipped + 1]] - times[first_frames[slipped] + 1]
    held = np.setdiff1d(np.flatnonzero(repeats_of_picture), late_pictures)
    taken = times[first_frames] + _slips_spread(len(first_frames), slipped, slips, held)
    shares = ~first & np.isin(picture, np.union1d(late_pictures, missed_pictures))
    return np.where(~first & ~shares, times, taken[picture])
