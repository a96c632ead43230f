"""The main job, one object for the CLI, the Python API and the web app:
video + prompt → controls → music → the video with its music (+ wav, MIDI, decisions, plot, stems).

    pipe = Expotion.from_pretrained("composer", body_rhythm=0.8)          # build (load) once
    result = pipe("clip.mp4", "laid-back reggae", "clip_music.mp4")        # call as often as you like
    result = pipe("other.mp4", "slow strings", "other_music.mp4", seed=3)

`generate(...)` does one job with a pipeline built for it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from expotion.controls import Controls
from expotion.controls.cache import cached_controls
from expotion.controls.plot import plot_controls
from expotion.controls.timeline import DEFAULT_RATE
from expotion.errors import ExpotionError, ParameterError
from expotion.generators import DEFAULT_BACKEND, Generator, Music, create_generator
from expotion.options import (LOADING, BACKEND_OPTIONS, AnalysisSettings, ComposerOptions, MusicGenOptions, backend_options,
                              check, check_seed, with_values)
from expotion.outputs import Outputs, start_painter, written_together
from expotion.video.decode import probe
from expotion.video.fingerprint import content_hash
from expotion.video.mux import mux_music

STAGES = {
    "decode": "opening the video",
    "controls": "reading the person's face and movement",
    "compose": "composing and rendering the music",
    "mux": "writing the video with its music",
}
# Told each stage (a key of STAGES) as it starts with fraction 0, and, where a stage knows,
# how far it has come (0…1).
Progress = Callable[[str, float], None]


@dataclass
class GenerationResult:
    outputs: Outputs
    controls: Controls
    music: Music
    seed: int
    encoded_from: str | None = None  # the input's video codec, where MP4 could not carry it

    def __getattr__(self, name: str):  # result.video, .audio, .midi, .decisions, .plot, .stems: the written files
        if name in ("video", "audio", "midi", "decisions", "plot", "stems"):
            return getattr(self.outputs, name)
        raise AttributeError(name)

    @property
    def files(self) -> list[Path]:
        return self.outputs.paths()


def default_seed(fingerprint: str, prompt: str) -> int:
    """The seed used when none is given: from the video's content and the prompt, so that
    different videos get different music and the same video and prompt the same music."""
    return int.from_bytes(hashlib.sha256(f"{fingerprint}\n{prompt}".encode()).digest()[:4], "big")


class Expotion:
    """A loaded backend, ready to make music for any number of videos."""

    def __init__(self, generator: Generator, options: ComposerOptions | MusicGenOptions):
        self.generator, self.options = generator, options

    @property
    def backend(self) -> str:
        return self.generator.name

    def configured(self, **values) -> "Expotion":
        """This pipeline with other settings for its next calls (`body_rhythm`, `guidance_text`,
        `top_k`, …), sharing what is loaded. Settings that load something (model, adapter,
        device, soundfont) need a new pipeline: `Expotion.from_pretrained`."""
        if not values:
            return self
        reloading = LOADING & {name for name, value in values.items() if value != getattr(self.options, name, value)}
        if reloading:
            raise ParameterError(sorted(reloading)[0], "cannot change on a built pipeline: build a new one with from_pretrained")
        options = with_values(self.options, **values)
        return Expotion(self.generator.configured(options), options)

    @classmethod
    def from_pretrained(cls, backend: str = DEFAULT_BACKEND, options: ComposerOptions | MusicGenOptions | None = None,
                        **values) -> "Expotion":
        """Build the pipeline for `backend` (loading its model once): with typed `options`, or
        option values by name (`body_rhythm=0.5`, `adapter="runs/x/adapter"`, `top_k=50`)."""
        options = options if options is not None else backend_options(backend, **values)
        if not isinstance(options, BACKEND_OPTIONS.get(backend, ())):
            raise ExpotionError(f"options for the {backend} backend must be {BACKEND_OPTIONS[backend].__name__}")
        return cls(create_generator(backend, options), options)

    def __call__(self, video: str | Path, prompt: str, out: str | Path, *, seed: int | None = None, plot: bool = True,
                 stems: bool = False, max_duration: float | None = None, cache_dir: str | Path | None = None,
                 analysis: AnalysisSettings = AnalysisSettings(), progress: Progress | None = None,
                 show_progress_bar: bool = False) -> GenerationResult:
        """Write OUT.mp4 — `video` with music for `prompt` as its sound — and its siblings, all
        together or none. `seed` None: derived from the video's content and the prompt.
        `max_duration` (s): refuse longer videos, checked while decoding. `cache_dir`: keep and
        reuse the video's controls there. `analysis`: how finely the video is looked at."""
        video, prompt = Path(video), prompt or ""
        seed_given = seed is not None
        if seed_given:
            check_seed(seed)
        check(analysis)
        tell = progress or (lambda stage, fraction: None)
        outputs = Outputs.plan(out, midi=self.generator.symbolic, plot=plot, stems=self.generator.stem_roles if stems else ())
        tell("decode", 0.0)
        info = probe(video)  # a bad file fails here, before any analysis
        outputs.check([video])
        fingerprint = content_hash(video)
        tell("controls", 0.0)
        controls = cached_controls(video, fingerprint, Path(cache_dir) if cache_dir else None, rate=DEFAULT_RATE,
                                   settings=analysis, max_duration=max_duration, progress=show_progress_bar, info=info)
        seed = default_seed(fingerprint, prompt) if seed is None else seed
        tell("compose", 0.0)
        music = self.generator.generate(controls, prompt, controls.duration, seed,
                                        progress=lambda done, total: tell("compose", done / max(total, 1)))
        expected = int(round(controls.duration * music.sample_rate))
        if music.source.length != expected:
            raise RuntimeError(f"backend {self.backend} returned {music.source.length} samples, expected {expected}")
        tell("mux", 0.0)
        decisions = {**music.decisions, "seed": seed, "seed_source": "given" if seed_given else "video content and prompt",
                     "video": str(video), "duration": controls.duration}
        with start_painter() as painter:
            encoded = write_outputs(outputs, video, controls, music, decisions, painter)
        return GenerationResult(outputs, controls, music, seed, encoded)


def generate(video: str | Path, prompt: str, out: str | Path, *, backend: str = DEFAULT_BACKEND, seed: int | None = None,
             plot: bool = True, stems: bool = False, max_duration: float | None = None, cache_dir: str | Path | None = None,
             analysis: AnalysisSettings = AnalysisSettings(), progress: Progress | None = None,
             show_progress_bar: bool = False, **options) -> GenerationResult:
    """One job: `Expotion.from_pretrained(backend, **options)(video, prompt, out, …)`. To make
    music for several videos, build the pipeline once and call it for each."""
    pipe = Expotion.from_pretrained(backend, **options)
    return pipe(video, prompt, out, seed=seed, plot=plot, stems=stems, max_duration=max_duration, cache_dir=cache_dir,
                analysis=analysis, progress=progress, show_progress_bar=show_progress_bar)


class WavWriter:
    """16-bit stereo WAV written block by block."""

    def __init__(self, path: Path, sample_rate: int):
        self.path = path
        self.file = wave.open(str(path), "wb")
        self.file.setnchannels(2)
        self.file.setsampwidth(2)
        self.file.setframerate(sample_rate)

    def write(self, block: np.ndarray) -> None:
        try:
            self.file.writeframes((np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())
        except OSError as error:  # name the file (a full disk names none)
            raise OSError(error.errno, error.strerror, str(self.path))

    def close(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass  # the write that failed said why


def write_outputs(outputs: Outputs, video: Path, controls: Controls, music: Music, decisions: dict,
                  painter: concurrent.futures.Executor) -> str | None:
    """Every output into a temporary file beside its final name, then all moved into place.
    The music streams once, block by block, into the video, the WAV and the stems, so that a
    long video never has its music in memory whole; the plot is drawn on `painter`'s thread.
    Returns the video codec that had to be encoded as H.264 (MP4 cannot carry it), or None."""
    with written_together(outputs.paths()) as tmp, contextlib.ExitStack() as drawing:
        plotted = painter.submit(_plot, controls, music, video, tmp[outputs.plot]) if outputs.plot else None
        if plotted:  # drawn to the end before the files are moved into place, or removed after a failure
            drawing.callback(concurrent.futures.wait, [plotted])
        writers = [WavWriter(tmp[outputs.audio], music.sample_rate)]
        stems = {role: WavWriter(tmp[path], music.sample_rate) for role, path in outputs.stems.items()}
        writers += list(stems.values())

        def mix_blocks():
            for mix, parts in music.source.blocks(stems=bool(stems)):
                writers[0].write(mix)
                for role, writer in stems.items():
                    writer.write(parts[role])
                yield mix

        try:
            encoded = mux_music(video, mix_blocks(), music.sample_rate, tmp[outputs.video])
        finally:
            for writer in writers:
                writer.close()
        if outputs.midi:
            music.score.write(str(tmp[outputs.midi]))
        decisions = {**decisions, "video_stream": f"{encoded} encoded as H.264" if encoded else "copied"}
        tmp[outputs.decisions].write_text(json.dumps(decisions, indent=2, allow_nan=False) + "\n")
        if plotted:
            plotted.result()
    return encoded


def _plot(controls: Controls, music: Music, video: Path, path: Path) -> None:
    plot_controls(controls, path, beats=music.beat_times, title=f"{video.name}: movement beats (red) and music beats (blue)")
