"""Per-clip picture of sync: the movement's speed and beats with the music's beats and onsets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from expotion.atomic import atomic_path
from expotion.audio.timing import ENVELOPE_RATE, MusicTiming
from expotion.evaluation.movement import RulerMovement


def _scaled(curve: np.ndarray) -> np.ndarray:
    finite = curve[np.isfinite(curve)]
    return curve / max(float(np.percentile(finite, 95)), 1e-9) if finite.size else curve


def plot_sync(movement: RulerMovement, beats: dict, music: MusicTiming, path: Path, title: str) -> None:
    figure = Figure(figsize=(12, 3.6))
    axis = figure.subplots()
    for source, speed, colour in (("flow", movement.flow, "C3"), ("body", movement.body, "C2")):
        axis.plot(movement.times, _scaled(speed), color=colour, lw=1.1, label=f"{source} speed")
        stops = beats[source, "stops"]
        axis.plot(stops, np.interp(stops, movement.times, np.nan_to_num(_scaled(speed))), "v", color=colour, label=f"{source} stops")
    envelope_times = np.arange(len(music.envelope)) / ENVELOPE_RATE
    axis.plot(envelope_times, -0.6 * music.envelope / max(music.envelope.max(), 1e-9), color="0.45", lw=0.8,
              label="music onset strength (↓)")
    axis.plot(music.onsets, np.full(len(music.onsets), -0.7), "|", color="k", ms=8, label="music onsets")
    for beat in music.beats:
        axis.axvline(beat, color="C0", ls="--", lw=0.8, alpha=0.7)
    axis.plot([], [], color="C0", ls="--", label="music beats (librosa)")
    for cut in movement.cuts:
        axis.axvline(cut, color="k", lw=1.2)
    if len(movement.cuts):
        axis.plot([], [], color="k", lw=1.2, label="cuts to another shot")
    axis.set_xlim(0, movement.duration)
    axis.set_xlabel("time (s, 0 = first video frame)")
    axis.set_yticks([])
    axis.legend(loc="upper right", fontsize=7, ncol=4)
    axis.set_title(title)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=90, format="png")
