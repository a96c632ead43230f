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
pictures. A repeat outside such a pattern, where the movement goes on across it in the same
direction, stands for a picture the camera missed (a webcam that drops a frame mid-stroke, in a
file whose encoder fills the frame with the picture before): it shares its picture's time too
(a sway with one picture in twelve missed had 11 movement beats for its 6 turns; now 6). Where
the movement reverses across it, it is a real picture: noise-free footage shows the same
picture twice where a sway turns halfway between two frames. A picture unchanged for more than
`MAX_REPEATS` frames (a conversion repeats a picture at most five times, for 10 pictures a
second in a 60 fps file) is a still scene, where a movement that came to rest stopped when it
stopped, not when it moves again. A conversion to a nearby rate (24 to 25 frames a second,
29.97 to 30) repeats a picture too seldom to be told from a missed one, and its repeats are
taken for missed pictures, though no picture was missed there.

A conversion took its pictures evenly: the pictures between two of its repeated ones are spread
evenly over the frames they were shown in, their mean time kept; elsewhere a picture's time is
when it was first shown. Timed when first shown, film at 25 in 30 still sped up and slowed down
by half, and one of six turns was found 0.10 s late; spread, within 0.04 s.
"""

from __future__ import annotations

import cv2
import numpy as np

from expotion.video.decode import DecodedFrame

SAMPLE_COLUMNS = 160  # about this many luma pixels across are compared
# A frame repeats the picture before when their samples differ by less than this on average
# (luma levels) and by less than REPEAT_PATCH_DIFFERENCE in each patch of PATCH × PATCH samples.
REPEAT_DIFFERENCE = 0.4
REPEAT_PATCH_DIFFERENCE = 2.5
PATCH = 8
MAX_REPEATS = 5
MAX_STRETCH = 6  # pictures from one of a conversion's repeated pictures to the next (5 for 25 fps in 30)


class RepeatedPictures:
    """Tells, frame by frame, whether a frame shows the picture of the frame before again."""

    def __init__(self):
        self._previous: np.ndarray | None = None

    def __call__(self, frame: DecodedFrame) -> bool:
        sample = frame.luma_sample(SAMPLE_COLUMNS)
        previous, self._previous = self._previous, sample
        if previous is None or previous.shape != sample.shape:
            return False
        difference = cv2.absdiff(sample, previous).astype(np.float32)
        patches = cv2.resize(difference, (max(1, difference.shape[1] // PATCH), max(1, difference.shape[0] // PATCH)),
                             interpolation=cv2.INTER_AREA)
        return float(difference.mean()) < REPEAT_DIFFERENCE and float(patches.max()) < REPEAT_PATCH_DIFFERENCE


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


def taken_times(times: np.ndarray, repeats: np.ndarray, moving_on: np.ndarray | None = None) -> np.ndarray:
    """When each frame's picture was taken, from the frames' presentation `times` (s, rising)
    and whether each `repeats` the picture of the frame before: a conversion's repeat shares
    its picture's time, and the pictures between two of its repeated ones are spread evenly.
    A repeat where the movement goes on across it in the same direction (`moving_on`) stands
    for a picture the camera missed, and shares its picture's time too, unless the picture is
    held as long as a still scene's."""
    times = np.asarray(times, dtype=float)
    first = ~np.asarray(repeats, dtype=bool)  # the frames that show a picture first
    first[:1] = True
    picture = np.cumsum(first) - 1  # each frame's picture
    shown = times[first]
    repeats_of_picture = np.bincount(picture) - 1
    converted = _conversions_pictures(repeats_of_picture)
    taken = shown.copy()
    for before, last in zip(converted[:-1], converted[1:]):
        count = last - before  # the pictures after `before` up to `last`, each shown once but the last
        if count > MAX_STRETCH or last + 1 == len(shown) or repeats_of_picture[before + 1 : last].any():
            continue
        stretch = slice(before + 1, last + 1)
        step = (shown[last + 1] - shown[before + 1]) / count
        spread = shown[stretch].mean() + step * (np.arange(count) - (count - 1) / 2)
        if taken[before] < spread[0] and spread[-1] < shown[last + 1]:
            taken[stretch] = spread
    missed = np.zeros(len(times), bool) if moving_on is None else np.asarray(moving_on, dtype=bool)
    missed &= repeats_of_picture[picture] <= MAX_REPEATS
    real_repeat = ~first & ~np.isin(picture, converted) & ~missed  # of a still scene, or a real picture shown twice
    return np.where(real_repeat, times, taken[picture])
