"""Per-clip picture of sync: the movement-accent curve with the music's beats and onsets."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from expotion.atomic import atomic_path  # noqa: E402
from expotion.controls import Controls  # noqa: E402
from expotion.evaluation.onsets import ENVELOPE_RATE, MusicTiming  # noqa: E402


def plot_sync(controls: Controls, music: MusicTiming, path: Path, title: str) -> None:
    figure, axis = plt.subplots(figsize=(12, 3.2))
    axis.plot(controls.times, controls.accent_curve, color="C3", lw=1.2, label="movement accent strength")
    axis.plot(controls.accent_times, np.interp(controls.accent_times, controls.times, controls.accent_curve), "v", color="C3", label="movement accents")
    envelope_times = np.arange(len(music.envelope)) / ENVELOPE_RATE
    axis.plot(envelope_times, -0.5 * music.envelope / max(music.envelope.max(), 1e-9), color="0.4", lw=0.8, label="music onset strength (↓)")
    axis.plot(music.onsets, np.full(len(music.onsets), -0.55), "|", color="k", ms=8, label="music onsets")
    for beat in music.beats:
        axis.axvline(beat, color="C0", ls="--", lw=0.8, alpha=0.7)
    axis.plot([], [], color="C0", ls="--", label="music beats")
    axis.set_xlim(0, controls.duration)
    axis.set_xlabel("time (s, 0 = first video frame)")
    axis.set_yticks([])
    axis.legend(loc="upper right", fontsize=7, ncol=3)
    axis.set_title(title)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=90, format="png")
    plt.close(figure)
