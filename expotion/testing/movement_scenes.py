"""Synthetic movement whose stops and turns are known: the ground truth that movement-beat
detection is tested against (tests/test_extract.py) and the analysis settings are weighed
against (benchmarks/analysis_settings.py).

Each scene is the portrait of `synthetic` moving on cue: swaying with sudden reversals (at
a steady pace, at 60 fps, filmed at 24, 25 or 28 pictures a second and stored at 30, with
pictures the camera missed, cut between two cameras, or five times as fast, 1.25 frame widths
a second), nodding at a steady tempo (also filmed at 12 pictures a second and stored at 60),
striking and holding still (also at half the size in the frame, as a dancer seen whole or a
player in a wide shot is), or not moving at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from expotion.controls.movement_beats import EDGE_GUARD_S, LOCK_ON_S
from expotion.testing import synthetic

# The swaying portrait reverses direction at these times: each reversal is a movement beat.
TURN_TIMES = (0.7, 1.5, 2.1, 3.0, 3.62, 4.4)
FAST_TURN_TIMES = (0.6, 1.0, 1.45, 1.8, 2.3, 2.65, 3.1, 3.5, 4.0, 4.35)
NOD_HZ = 1.25  # up and down 75 times a minute: a turning point every 0.4 s
STRIKE_STARTS, STRIKE_S = (0.5, 1.7, 2.9), 0.3  # strike for 0.3 s, then hold still
# Frames whose picture the camera missed (the encoder showed the picture before again), 9 to 18
# frames apart: about one in twelve, one of them at a turn.
DROPPED_FRAMES = (9, 21, 30, 40, 58, 67, 83, 95, 104, 119, 131, 142)
# Cuts to another camera mid-stroke, 0.4 s or more from the turns around them (each shot's
# trackers lock on first, and a turn is seen from both sides).
SHOT_CUTS = (1.1, 2.55)


@dataclass(frozen=True)
class Scene:
    name: str
    duration: float
    truth: tuple[float, ...]  # when the portrait stops or turns: each must be a movement beat, and nothing else
    placement: Callable[[float], synthetic.Placement] | None = None  # None: swaying, turning at each truth
    fps: float = 30.0
    sway_speed: float = 160.0  # pixels a second, of 640
    picture_fps: float | None = None  # pictures taken at this rate and repeated up to `fps` (a conversion)
    dropped: tuple[int, ...] = ()  # frames that show the picture before again: a picture the camera missed
    cuts: tuple[float, ...] = ()  # where the video cuts to another camera

    @property
    def tolerance(self) -> float:
        """How far from the truth a beat may be found: a frame, and a picture more where a
        conversion repeats them or the camera missed one (the picture after a turn is shown up
        to a frame after it was taken)."""
        if self.picture_fps:
            return 1 / self.fps + 1 / self.picture_fps
        return 2 / self.fps if self.dropped else 1 / self.fps

    def write(self, path: str | Path) -> Path:
        times = synthetic.constant_rate_times(self.duration, self.fps)
        if self.placement is None:
            synthetic.moving_portrait(path, times, self.truth, speed=self.sway_speed, picture_fps=self.picture_fps,
                                      dropped=self.dropped, cuts=self.cuts)
        else:
            synthetic.portrait_video(path, times, self.placement, picture_fps=self.picture_fps, dropped=self.dropped,
                                     cuts=self.cuts)
        return Path(path)


def _nod(t: float) -> synthetic.Placement:
    return synthetic.Placement(320, 260 + 30 * np.sin(2 * np.pi * NOD_HZ * t))


def _nod_turns(duration: float) -> tuple[float, ...]:
    """The nod's turning points, but for those at the very ends, which no detector sees from
    both sides (the trackers lock on first)."""
    turns = (np.arange(2 * NOD_HZ * duration) + 0.5) / (2 * NOD_HZ)
    return tuple(turns[(turns > LOCK_ON_S + 0.05) & (turns < duration - EDGE_GUARD_S - 0.05)])


def _strikes(size: float) -> Callable[[float], synthetic.Placement]:
    """Strikes of a portrait `size` times the usual one, over `size` times the distance."""

    def placement(t: float) -> synthetic.Placement:
        done = np.clip((t - np.array(STRIKE_STARTS)) / STRIKE_S, 0, 1)
        progress = done**3 * (10 - 15 * done + 6 * done**2)  # minimum-jerk strokes
        return synthetic.Placement(200 + 60 * size * progress.sum(), 260, synthetic.Placement.scale * size)

    return placement


def _drifting(pixels_per_s: float) -> Callable[[float], synthetic.Placement]:
    return lambda t: synthetic.Placement(280 + pixels_per_s * t, 260)


SCENES = {
    scene.name: scene
    for scene in (
        Scene("sway", 5.0, TURN_TIMES),
        Scene("sway at 60 fps", 5.0, TURN_TIMES, fps=60.0),
        Scene("sway filmed at 24 fps, stored at 30", 5.0, TURN_TIMES, picture_fps=24.0),
        Scene("sway filmed at 25 fps, stored at 30", 5.0, TURN_TIMES, picture_fps=25.0),
        Scene("sway filmed at 28 fps, stored at 30", 5.0, TURN_TIMES, picture_fps=28.0),
        Scene("sway with pictures dropped", 5.0, TURN_TIMES, dropped=DROPPED_FRAMES),
        Scene("sway cut between two cameras", 5.0, TURN_TIMES, cuts=SHOT_CUTS),
        Scene("nod filmed at 12 fps, stored at 60", 4.0, _nod_turns(4.0), _nod, fps=60.0, picture_fps=12.0),
        Scene("fast sway", 5.0, FAST_TURN_TIMES, sway_speed=800.0),
        Scene("nod", 4.0, _nod_turns(4.0), _nod),
        Scene("strikes", 4.0, tuple(np.add(STRIKE_STARTS, STRIKE_S)), _strikes(1.0)),
        Scene("small strikes", 4.0, tuple(np.add(STRIKE_STARTS, STRIKE_S)), _strikes(0.5)),
        Scene("still", 3.0, (), _drifting(0.0)),
        Scene("slow drift", 3.0, (), _drifting(15.0)),
    )
}
