"""What the analysers saw, frame by frame, kept compactly until it is resampled onto the grid.

A 10-minute video yields 6,000 face and body observations and 18,000 flow measurements. Kept as
lists of small objects, each holding a few small NumPy arrays, they took 30 MB and grew with
the video's length; here every field is a column of float64 rows filled block by block, about
8 bytes a number.
"""

from __future__ import annotations

import array
import dataclasses

import numpy as np

from expotion.controls.motion import MOTION_REGIONS
from expotion.runs import true_runs
from expotion.video.cuts import shot_cuts
from expotion.video.repeats import came_late, taken_times

BLOCK_ROWS = 1024


class ObservationLog:
    """Observations of one kind (a dataclass of numbers and arrays), or None where nothing was
    seen, in the order they came."""

    def __init__(self):
        self._length = 0
        self._valid = array.array("b")
        self._blocks: dict[str, list[np.ndarray]] = {}  # field → blocks of BLOCK_ROWS rows, NaN where unseen

    def __len__(self) -> int:
        return self._length

    def append(self, observation) -> None:
        row = self._length
        self._length += 1
        self._valid.append(observation is not None)
        if observation is None:
            return
        for field in dataclasses.fields(observation):
            value = np.asarray(getattr(observation, field.name), dtype=np.float64)
            blocks = self._blocks.setdefault(field.name, [])
            while len(blocks) <= row // BLOCK_ROWS:
                blocks.append(np.full((BLOCK_ROWS, *value.shape), np.nan))
            blocks[row // BLOCK_ROWS][row % BLOCK_ROWS] = value

    def valid(self) -> np.ndarray:
        """Which rows hold an observation."""
        return np.frombuffer(self._valid, dtype=np.int8).astype(bool)

    def values(self, name: str, shape: tuple[int, ...] = ()) -> np.ndarray:
        """(rows, *shape) float64 of one field, NaN where nothing was observed; `shape` is the
        field's, needed only when nothing ever was."""
        blocks = self._blocks.get(name, [])
        out = np.full((self._length, *(blocks[0].shape[1:] if blocks else shape)), np.nan)
        for index, block in enumerate(blocks):
            start = index * BLOCK_ROWS
            out[start : start + BLOCK_ROWS] = block[: self._length - start]
        return out


@dataclasses.dataclass
class FrameObservations:
    """Everything the analysers saw, at the video's own timestamps: every decoded frame's time,
    and the face, body and motion of the frames analysed for them; and when the pictures they
    saw were taken."""

    times: array.array = dataclasses.field(default_factory=lambda: array.array("d"))  # every frame
    durations: array.array = dataclasses.field(default_factory=lambda: array.array("d"))  # NaN where the stream does not say
    repeats: array.array = dataclasses.field(default_factory=lambda: array.array("b"))  # shows the picture of the frame before again
    changes: array.array = dataclasses.field(default_factory=lambda: array.array("d"))  # from the picture before (PictureChange.mean)
    person_times: array.array = dataclasses.field(default_factory=lambda: array.array("d"))  # frames analysed for face and body
    faces: ObservationLog = dataclasses.field(default_factory=ObservationLog)
    bodies: ObservationLog = dataclasses.field(default_factory=ObservationLog)
    motion: ObservationLog = dataclasses.field(default_factory=ObservationLog)  # every flow measurement
    _taken: np.ndarray | None = dataclasses.field(default=None, init=False, repr=False, compare=False)  # per frame, once observed

    @staticmethod
    def _rate(times) -> float:
        """Median frame rate (robust to the odd long frame of variable-rate video)."""
        steps = np.diff(times)
        return float(1.0 / np.median(steps)) if len(steps) else 0.0

    def fps(self) -> float:
        return self._rate(self.times)

    def person_fps(self) -> float:
        times, rows = self.person_observations()
        return self._rate(times[rows])

    def motion_fps(self) -> float:
        times, rows, _ = self.motion_observations()
        return self._rate(times[rows])

    def taken(self, times: np.ndarray) -> np.ndarray:
        """When the pictures of the frames shown at `times` (some of `self.times`) were taken
        (`video/repeats.py`)."""
        frames = np.asarray(self.times)
        if self._taken is None or len(self._taken) != len(frames):
            repeats = np.asarray(self.repeats, dtype=bool)
            self._taken = taken_times(frames, repeats, *self._missed_and_late(repeats))
        return self._taken[np.searchsorted(frames, times)]

    def _missed_and_late(self, repeats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which repeated frames stand for a picture the camera missed, and which for a picture
        that came late, by the flow into the picture, across its repeats to the next picture,
        and on from there. Where the movement goes on across the repeat in the same direction, it
        moved about two steps out of it if a picture was missed (a webcam that dropped a frame,
        its encoder filling the frame with the picture before), one step if none was (the
        pictures came more slowly than the frames: film at 24 frames a second stored at 25, a
        camera that slowed; `video/repeats.came_late`). Where a sway turns halfway between two frames, noise-free
        video shows a picture twice, but the flow reverses across it: neither."""
        missed, late = np.zeros(len(repeats), bool), np.zeros(len(repeats), bool)
        if not repeats.any():
            return missed, late
        frames = np.asarray(self.times)
        start, end = self.motion.values("start"), self.motion.values("end")
        flow = self.motion.values("region_flow", (len(MOTION_REGIONS), 2)).reshape(len(start), 2 * len(MOTION_REGIONS))
        pictures_shown = np.cumsum(~repeats)  # new pictures up to each frame
        steps = pictures_shown[np.searchsorted(frames, end)] - pictures_shown[np.searchsorted(frames, start)]
        moved = self.motion.values("energy") * (end - start) / np.maximum(steps, 1)  # mean flow per new picture
        for first, stop in true_runs(repeats):  # frames first…stop−1 repeat the picture of frame first−1
            if first == 0 or stop == len(frames):
                continue
            into = np.searchsorted(end, frames[first - 1], side="right") - 1  # the last flow up to the picture
            out_of = np.searchsorted(end, frames[stop], side="left")  # the first on to the next picture
            if into < 0 or out_of >= len(start) or 0 in (steps[into], steps[out_of]) or flow[into] @ flow[out_of] <= 0:
                continue
            on = None if out_of + 1 == len(start) or steps[out_of + 1] == 0 else moved[out_of + 1]
            (late if came_late(moved[into], moved[out_of], on) else missed)[first:stop] = True
        return missed, late

    def cut_times(self) -> np.ndarray:
        """When each shot after the first begins (`video/cuts.py`)."""
        return np.asarray(self.times)[shot_cuts(np.asarray(self.changes))]

    def repeated_frames(self) -> int:
        """Frames that repeat a picture for a conversion from another frame rate, for a picture
        that came late, or for one the camera missed: each shares its picture's time."""
        return int(np.sum(np.diff(self.taken(np.asarray(self.times))) == 0))

    def person_observations(self) -> tuple[np.ndarray, np.ndarray]:
        """(when the pictures analysed for face and body were taken, which rows to use): a
        picture analysed again in its repeat counts once."""
        times = self.taken(np.asarray(self.person_times))
        return times, np.diff(times, prepend=-np.inf) > 0

    def motion_observations(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(when each flow measurement happened, which rows to use, how much faster it was
        than measured): between the times its two pictures were taken, and none between a
        picture and its repeat, and none across a cut from one shot to the next."""
        start, end = self.motion.values("start"), self.motion.values("end")
        taken_start, taken_end = self.taken(np.stack([start, end]))
        cuts = self.cut_times()
        rows = (taken_end > taken_start) & (np.searchsorted(cuts, start, side="right") == np.searchsorted(cuts, end, side="right"))
        faster = np.ones(len(start))
        faster[rows] = (end - start)[rows] / (taken_end - taken_start)[rows]
        return (taken_start + taken_end) / 2, rows, faster

    def duration(self) -> float:
        """From the first frame's start to the last frame's end."""
        last = self.durations[-1]
        if np.isnan(last):
            steps = np.diff(self.times)
            last = float(np.median(steps)) if len(steps) else 0.0
        return self.times[-1] + last
