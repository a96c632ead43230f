"""A picture of the controls over time: face, head, body, motion and the movement beats."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from expotion.chart import BLUE, INK, RED, SERIES, Chart, Panel
from expotion.controls.body import BODY_KEYPOINTS
from expotion.controls.controls import Controls
from expotion.controls.face import FACE_SCALARS, HEAD_POSE
from expotion.controls.motion import MOTION_REGIONS

SPEED_KEYPOINTS = ("nose", "left_wrist", "right_wrist", "left_elbow", "right_elbow")
WIDTH, HEIGHT = 1080, 990
PANEL_HEIGHTS = [1.3, 1, 1, 1, 1.2, 1]


def _stacked_traces(panel: Panel, times: np.ndarray, values: np.ndarray, names) -> None:
    """Each channel scaled to its own range and drawn in its own lane, labelled."""
    panel.low, panel.high = -0.1, len(names) + 0.2  # room above the top lane for its label
    for lane, (name, trace) in enumerate(zip(names, values.T)):
        finite = trace[np.isfinite(trace)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        panel.line(times, lane + 0.8 * (trace - low) / max(high - low, 1e-9), SERIES[lane])
        panel.text(times[0] + 0.005 * (times[-1] - times[0]), lane + 0.85, name)


def _traces(panel: Panel, times: np.ndarray, traces: dict[str, np.ndarray]) -> None:
    panel.fit(*traces.values())
    for colour, (name, trace) in zip(SERIES, traces.items()):
        panel.line(times, trace, colour, label=name)
    panel.y_ticks()


def plot_controls(controls: Controls, path: str | Path, beats: np.ndarray | None = None, title: str = "") -> None:
    """Write a PNG of the controls to `path`; movement beats (and music beats, when given) and
    cuts to another shot mark every panel."""
    t = controls.times
    chart = Chart(WIDTH, HEIGHT, controls.duration, title or Path(controls.provenance.get("source", "")).name or "controls")
    face, head, body, flow, regions, movement = chart.panels(PANEL_HEIGHTS, left=92, right=1064, top=44, bottom=940, gap=12)

    face.bands(t, ~controls.face_mask, label="no face")
    _stacked_traces(face, t, controls.face_scalars, FACE_SCALARS)
    face.y_label("face\n(each scaled)")

    head.bands(t, ~controls.face_mask, label="no face")
    _traces(head, t, {name: controls.head_pose[:, index] for index, name in enumerate(HEAD_POSE)})
    head.y_label("head pose (°)")

    body.bands(t, ~controls.body_mask, label="no body")
    _traces(body, t, {name.replace("_", " "): np.linalg.norm(controls.body_velocity[:, BODY_KEYPOINTS.index(name)], axis=1)
                      for name in SPEED_KEYPOINTS})
    body.y_label("body speed\n(heights/s)")

    flow.fit(controls.motion_energy)
    flow.line(t, controls.motion_energy, INK)
    flow.y_ticks()
    flow.y_label("flow energy\n(heights/s)")

    regions.heat_map(controls.motion_regions, [name.replace("_", " ") for name in MOTION_REGIONS])
    regions.y_label("flow by region")

    movement.fit(controls.movement_speed)
    movement.line(t, controls.movement_speed, RED, label="movement speed (mean of flow and body)")
    movement.markers(controls.movement_beats, np.interp(controls.movement_beats, t, controls.movement_speed), RED,
                     label="movement beats (stops of the flow or of the mean)")
    movement.y_ticks()
    movement.y_label("movement\nspeed, beats")
    movement.x_label("time (s)")

    panels = (face, head, body, flow, regions, movement)
    cuts = controls.shot_cuts
    for panel in panels:
        panel.vlines(cuts, INK, opacity=0.7)
        panel.vlines(controls.movement_beats, RED, opacity=0.25)
        if beats is not None:
            panel.vlines(beats, BLUE, opacity=0.5, dashed=True)
        panel.frame()
        panel.x_ticks(labelled=panel is movement)
    if beats is not None:
        movement.add_to_legend("dashed", BLUE, "music beats")
    if len(cuts):
        movement.add_to_legend("line", INK, "cuts to another shot")
    for panel in (head, body, movement):
        panel.legend()
    chart.save(path)
