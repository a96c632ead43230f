"""Bars of one colour at the edges of the picture: letterbox, pillarbox, or both.

A landscape clip posted upright, a webcam clip placed in a wider frame or a film in a TV frame
carries bars that never change. Averaged over the whole frame, what happens in the picture
counts for as much less as the bars take up: a cut between two shots of a landscape clip
posted upright (its picture 42 % of a 1080 × 1920 frame) changed the frame by 11 luma levels on
average, under the 15 that a cut must reach (`video/cuts.py`), and went unseen. So the change
is taken inside the bars.

A bar is a run of rows (columns) at an edge, each of one level (within `BAR_SPREAD`) in the
first picture, that stays as it was (within `BAR_DRIFT`). A row of the picture that happens to
be plain at first (a white wall, a black first frame) stops counting as a bar as soon as it
changes, so the bars only ever narrow.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BAR_SPREAD = 4  # luma levels from the darkest to the brightest sample of a bar's row
BAR_DRIFT = 4  # luma levels a bar's sample may move from how it first looked


def _plain_lines(lines: np.ndarray) -> int:
    """How many of the rows of `lines`, counted from the first, are each of one level."""
    plain = lines.max(axis=1).astype(np.int16) - lines.min(axis=1) <= BAR_SPREAD
    return len(plain) if plain.all() else int(np.argmin(plain))


def _leading(flags: np.ndarray) -> int:
    """How many of `flags`, counted from the first, are False."""
    return len(flags) if not flags.any() else int(np.argmax(flags))


@dataclass(frozen=True)
class Letterbox:
    """The bars of a video's picture (rows and columns of its luma samples), as seen so far."""

    first: np.ndarray  # the first picture's luma samples, what the bars must stay
    top: int
    bottom: int
    left: int
    right: int

    @classmethod
    def of(cls, sample: np.ndarray) -> Letterbox:
        """The bars a first picture may have: its plain rows and columns at each edge."""
        return cls(sample, _plain_lines(sample), _plain_lines(sample[::-1]), _plain_lines(sample.T), _plain_lines(sample.T[::-1]))

    def narrowed(self, sample: np.ndarray) -> Letterbox:
        """The bars that the picture `sample` (of the same size) left as they first were."""
        if not (self.top or self.bottom or self.left or self.right):
            return self  # bars only narrow: none now, none ever
        changed = cv2.absdiff(sample, self.first) > BAR_DRIFT
        rows, columns = changed.any(axis=1), changed.any(axis=0)
        return Letterbox(self.first, min(self.top, _leading(rows)), min(self.bottom, _leading(rows[::-1])),
                         min(self.left, _leading(columns)), min(self.right, _leading(columns[::-1])))

    def inside(self, values: np.ndarray) -> np.ndarray:
        """The part of `values` (one per luma sample) inside the bars; all of it where the
        bars leave nothing (a plain picture)."""
        height, width = values.shape[:2]
        if self.top + self.bottom >= height or self.left + self.right >= width:
            return values
        return values[self.top : height - self.bottom, self.left : width - self.right]
