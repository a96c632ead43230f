"""A picture of the controls over time: face, head, body, motion and the movement beats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # not pyplot: no global state, safe on the plot thread

from expotion.controls.body import BODY_KEYPOINTS
from expotion.controls.controls import Controls
from expotion.controls.face import FACE_SCALARS, HEAD_POSE
from expotion.controls.motion import MOTION_REGIONS

SPEED_KEYPOINTS = ("nose", "left_wrist", "right_wrist", "left_elbow", "right_elbow")


def _shade_missing(axis, times: np.ndarray, mask: np.ndarray, label: str) -> None:
    missing = ~mask
    if missing.any():
        axis.fill_between(times, 0, 1, where=missing, transform=axis.get_xaxis_transform(),
                          color="0.85", step="post", label=f"no {label}")


def _stacked_traces(axis, times: np.ndarray, values: np.ndarray, names) -> None:
    """Each channel scaled to its own range and drawn in its own lane, labelled."""
    for lane, (name, trace) in enumerate(zip(names, values.T)):
        finite = trace[np.isfinite(trace)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        axis.plot(times, lane + 0.8 * (trace - low) / max(high - low, 1e-9), lw=1)
        axis.text(times[0], lane + 0.85, name, fontsize=7, va="bottom")
    axis.set_yticks([])
    axis.set_ylim(-0.1, len(names))


def plot_controls(controls: Controls, path: str | Path, beats: np.ndarray | None = None, title: str = "") -> None:
    """Write a PNG of the controls to `path`; movement beats (and music beats, when given)
    mark every panel."""
    t = controls.times
    # Fixed margins, not tight_layout: measuring every label to place them took half the drawing time.
    figure = Figure(figsize=(12, 11))
    axes = figure.subplots(6, 1, sharex=True, height_ratios=[1.3, 1, 1, 1, 1.2, 1],
                           gridspec_kw=dict(left=0.085, right=0.985, top=0.955, bottom=0.05, hspace=0.12))

    _shade_missing(axes[0], t, controls.face_mask, "face")
    _stacked_traces(axes[0], t, controls.face_scalars, FACE_SCALARS)
    axes[0].set_ylabel("face\n(each scaled)")

    _shade_missing(axes[1], t, controls.face_mask, "face")
    for index, name in enumerate(HEAD_POSE):
        axes[1].plot(t, controls.head_pose[:, index], lw=1, label=name)
    axes[1].set_ylabel("head pose (°)")
    axes[1].legend(loc="upper right", fontsize=7, ncol=3)

    _shade_missing(axes[2], t, controls.body_mask, "body")
    for name in SPEED_KEYPOINTS:
        speed = np.linalg.norm(controls.body_velocity[:, BODY_KEYPOINTS.index(name)], axis=1)
        axes[2].plot(t, speed, lw=1, label=name.replace("_", " "))
    axes[2].set_ylabel("body speed\n(heights/s)")
    axes[2].legend(loc="upper right", fontsize=7, ncol=5)

    axes[3].plot(t, controls.motion_energy, color="k", lw=1)
    axes[3].set_ylabel("flow energy\n(heights/s)")

    axes[4].imshow(controls.motion_regions.T, aspect="auto", origin="upper", cmap="magma", interpolation="nearest",
                   extent=(0, controls.duration, len(MOTION_REGIONS) - 0.5, -0.5))
    axes[4].set_yticks(range(len(MOTION_REGIONS)), [name.replace("_", " ") for name in MOTION_REGIONS], fontsize=6)
    axes[4].set_ylabel("flow by region")

    axes[5].plot(t, controls.movement_speed, color="C3", lw=1, label="movement speed")
    axes[5].plot(controls.movement_beats, np.interp(controls.movement_beats, t, controls.movement_speed), "^", color="C3",
                 label="movement beats (stops, turns)")
    axes[5].set_ylabel("movement\nspeed, beats")
    axes[5].set_xlabel("time (s)")

    for axis in axes:  # one line collection per kind and panel: hundreds of lines draw fast
        axis.vlines(controls.movement_beats, 0, 1, transform=axis.get_xaxis_transform(), color="C3", alpha=0.25, lw=0.8)
        if beats is not None:
            axis.vlines(beats, 0, 1, transform=axis.get_xaxis_transform(), color="C0", alpha=0.5, lw=0.8, ls="--")
    if beats is not None:
        axes[5].plot([], [], color="C0", ls="--", label="music beats")
    axes[5].legend(loc="upper right", fontsize=7, ncol=3)
    axes[-1].set_xlim(0, controls.duration)
    figure.suptitle(title or Path(controls.provenance.get("source", "")).name or "controls")
    figure.savefig(path, dpi=90, format="png")
