"""The main job, one function for the CLI, the Python API and the web app:
video + prompt → controls → music → the video with its music (+ wav, MIDI, decisions, plot).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.io import wavfile

from expotion.atomic import atomic_path
from expotion.controls import Controls, extract_controls
from expotion.errors import ExpotionError
from expotion.generators import DEFAULT_BACKEND, Music, create_generator
from expotion.video.decode import probe
from expotion.video.mux import mux_music

MAX_SEED = 2**32 - 1
STAGES = {
    "decode": "opening the video",
    "controls": "reading the person's face and movement",
    "compose": "composing and rendering the music",
    "mux": "writing the video with its music",
}
Progress = Callable[[str], None]  # told each stage (a key of STAGES) as it starts


@dataclass
class GenerationResult:
    video: Path
    audio: Path
    midi: Path | None
    decisions: Path
    plot: Path | None
    controls: Controls
    music: Music


def output_paths(out: Path, symbolic: bool, plot: bool) -> dict[str, Path | None]:
    """OUT.mp4 and its siblings: OUT.wav, OUT.mid (symbolic backends), OUT.json, OUT.png."""
    return {
        "video": out,
        "audio": out.with_suffix(".wav"),
        "midi": out.with_suffix(".mid") if symbolic else None,
        "decisions": out.with_suffix(".json"),
        "plot": out.with_suffix(".png") if plot else None,
    }


def _check_request(out: Path, seed: int) -> None:
    if out.suffix.lower() != ".mp4":
        raise ExpotionError(f"--out must name an .mp4 file, got {out.name}")
    if not 0 <= seed <= MAX_SEED:
        raise ExpotionError(f"--seed must be between 0 and {MAX_SEED}, got {seed}")


def generate(
    video: str | Path,
    prompt: str,
    out: str | Path,
    *,
    backend: str = DEFAULT_BACKEND,
    seed: int = 0,
    plot: bool = True,
    progress: Progress | None = None,
    show_progress_bar: bool = False,
    **backend_options,
) -> GenerationResult:
    """Write OUT.mp4 — `video` with music for `prompt` as its sound — and its siblings.

    All outputs appear together or not at all. `backend_options` go to the backend
    (for the composer: soundfont, body_rhythm, face_mood).
    """
    video, out = Path(video), Path(out)
    _check_request(out, seed)
    tell = progress or (lambda stage: None)
    tell("decode")
    probe(video)  # a bad file fails here, before any model loads
    generator = create_generator(backend, **backend_options)
    tell("controls")
    controls = extract_controls(video, progress=show_progress_bar)
    tell("compose")
    music = generator.generate(controls, prompt, controls.duration, seed)
    expected = int(round(controls.duration * music.sample_rate))
    if len(music.audio) != expected:
        raise RuntimeError(f"backend {backend} returned {len(music.audio)} samples, expected {expected}")
    tell("mux")
    paths = output_paths(out, music.score is not None, plot)
    with contextlib.ExitStack() as stack:
        tmp = {name: stack.enter_context(atomic_path(path)) for name, path in paths.items() if path is not None}
        mux_music(video, music.audio, music.sample_rate, tmp["video"])
        wavfile.write(tmp["audio"], music.sample_rate, (np.clip(music.audio, -1, 1) * 32767).astype(np.int16))
        if "midi" in tmp:
            music.score.write(str(tmp["midi"]))
        decisions = {**music.decisions, "video": str(video), "duration": controls.duration}
        tmp["decisions"].write_text(json.dumps(decisions, indent=2) + "\n")
        if "plot" in tmp:
            from expotion.controls.plot import plot_controls

            plot_controls(controls, tmp["plot"], beats=music.beat_times, title=f"{video.name}: movement beats (red) and music beats (blue)")
    return GenerationResult(paths["video"], paths["audio"], paths["midi"], paths["decisions"], paths["plot"], controls, music)
