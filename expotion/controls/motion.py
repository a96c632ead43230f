"""Dense optical-flow motion: how much moves, where in the frame, and in which direction."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

GRID_ROWS = ("top", "middle", "bottom")
GRID_COLUMNS = ("left", "centre", "right")
MOTION_REGIONS = tuple(f"{row}_{column}" for row in GRID_ROWS for column in GRID_COLUMNS)


@dataclass(frozen=True)
class MotionObservation:
    """Flow between two consecutive frames analysed, shown at `start` and `end`."""

    start: float
    end: float
    energy: float  # mean flow speed over the frame, in frame heights per second
    region_energy: np.ndarray  # (9,) mean speed per 3×3 region, MOTION_REGIONS order
    region_flow: np.ndarray  # (9, 2) mean flow vector per region (x right, y down)


def _cell_starts(length: int, cells: int) -> np.ndarray:
    """Where each of `cells` cells starts along an axis of `length`, the first ones one
    longer when it does not divide evenly (as numpy.array_split)."""
    size, longer = divmod(length, cells)
    return np.cumsum([0] + [size + (index < longer) for index in range(cells - 1)])


def _region_means(values: np.ndarray) -> np.ndarray:
    """Mean of a (H, W, ...) array over each cell of a 3×3 grid, in row-major order."""
    rows, columns = _cell_starts(values.shape[0], len(GRID_ROWS)), _cell_starts(values.shape[1], len(GRID_COLUMNS))
    sums = np.add.reduceat(np.add.reduceat(values, rows, axis=0), columns, axis=1)
    counts = np.outer(np.diff(rows, append=values.shape[0]), np.diff(columns, append=values.shape[1]))
    means = sums / counts.reshape(counts.shape + (1,) * (values.ndim - 2))
    return means.reshape((len(MOTION_REGIONS),) + values.shape[2:])


class MotionAnalyzer:
    """Farnebäck optical flow between each frame and the one before it (two pyramid levels
    and two iterations: at 160 px wider settings give the same speeds, 20 % slower)."""

    def __init__(self):
        cv2.setNumThreads(1)  # the other core runs pose estimation
        self._previous: tuple[float, np.ndarray] | None = None

    def __call__(self, grey: np.ndarray, time: float) -> MotionObservation | None:
        """Flow from the previous frame to this one, given as a small luminance picture (motion
        energy needs no detail: `AnalysisSettings.flow_width`)."""
        height = grey.shape[0]
        previous, self._previous = self._previous, (time, grey)
        if previous is None or time <= previous[0]:
            return None
        previous_time, previous_grey = previous
        flow = cv2.calcOpticalFlowFarneback(previous_grey, grey, None, 0.5, 2, 15, 2, 5, 1.2, 0)
        velocity = flow * np.float32(1 / height / (time - previous_time))  # frame heights per second
        speed = cv2.magnitude(velocity[..., 0], velocity[..., 1])
        return MotionObservation(
            start=previous_time,
            end=time,
            energy=float(speed.mean()),
            region_energy=_region_means(speed),
            region_flow=_region_means(velocity),
        )
