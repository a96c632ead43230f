"""Every user-facing option, written once: its default, its range and what it does.

The CLI flags and the web page's controls are generated from these dataclasses, and the
library checks them (`check`) whoever calls it — the CLI, the Python API or the app. A
checking error names the parameter (`body_rhythm must be …`); the CLI shows it as its flag.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

from expotion.errors import ParameterError

DEFAULT_MUSICGEN = "facebook/musicgen-small"
MAX_SEED = 2**32 - 1


def option(default: Any, help: str, low: float | None = None, high: float | None = None, **kwargs):
    """A dataclass field with its help text and (for numbers) its allowed range."""
    metadata = {"help": help, "low": low, "high": high}
    if isinstance(default, (dict, list)) or callable(default):
        return field(default_factory=default, metadata=metadata, **kwargs)
    return field(default=default, metadata=metadata, **kwargs)


def check(options) -> None:
    """Raise ParameterError for any numeric field outside its range (NaN included)."""
    for spec in fields(options):
        value = getattr(options, spec.name)
        if hasattr(value, "__dataclass_fields__"):
            check(value)
            continue
        low, high = spec.metadata.get("low"), spec.metadata.get("high")
        if low is None or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
            raise ParameterError(spec.name, f"must be a number between {low:g} and {high:g}, got {value!r}")


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ParameterError("seed", f"must be a whole number between 0 and {MAX_SEED}, got {seed!r}")
    return seed


@dataclass(frozen=True)
class ComposerOptions:
    """The embedded composer (backend "composer")."""

    soundfont: str | None = option(None, "SF2 soundfont file, or 'system' for Debian's FluidR3_GM (default: "
                                         "$EXPOTION_SOUNDFONT, else the TimGM6mb bundled with pretty_midi, on every machine)")
    body_rhythm: float = option(1.0, "0–1: how strongly movement sets tempo and beats (below 1 a prompt asking for a faster tempo may double it; 0: tempo from the prompt)", 0.0, 1.0)
    face_mood: float = option(1.0, "0–1: how far the face moves the prompt's mood", 0.0, 1.0)


@dataclass(frozen=True)
class SamplingConfig:
    """How MusicGen picks each token."""

    guidance_text: float = option(3.0, "classifier-free guidance scale for the text", 0.0, 30.0)
    guidance_video: float = option(1.5, "guidance scale for the video controls", 0.0, 30.0)
    top_k: int = option(250, "sample among the k likeliest codes (0: all)", 0, 2048)
    top_p: float = option(0.0, "sample among the likeliest codes holding this probability (0: off)", 0.0, 1.0)
    temperature: float = option(1.0, "sampling temperature (0: always the likeliest)", 0.0, 10.0)
    window_s: float = option(30.0, "seconds generated per window (MusicGen's limit is 30)", 2.0, 30.0)
    overlap_s: float = option(10.0, "seconds of the previous window each new window continues from", 0.0, 20.0)


@dataclass(frozen=True)
class MusicGenOptions:
    """MusicGen with (or without) an Expotion adapter (backend "musicgen")."""

    model: str | None = option(None, f"MusicGen checkpoint: a hub id already in the local cache, or a folder "
                                     f"(default: the adapter's base, else {DEFAULT_MUSICGEN})")
    adapter: str | None = option(None, "Expotion adapter folder (from `expotion train`); without one, text-only MusicGen "
                                       "and the video only sets the duration")
    device: str = option("cpu", "torch device, e.g. cuda")
    sampling: SamplingConfig = option(SamplingConfig, "how tokens are sampled")


@dataclass(frozen=True)
class AnalysisSettings:
    """How finely the video is looked at (Python API: `extract_controls(..., settings=…)`). The
    defaults are the measured trade-off of speed against movement-beat accuracy (README,
    `benchmarks/analysis_settings.py`)."""

    max_side: int = option(640, "pixels along the long side the frames are shrunk to before analysis", 64, 4096)
    motion_fps: float = option(30.0, "optical flow on every n-th frame, the largest n that keeps at least this many "
                                     "frames a second", 1.0, 240.0)
    person_fps: float = option(10.0, "face mesh and pose on every n-th frame, the largest n that keeps at least this "
                                     "many frames a second", 1.0, 240.0)
    flow_width: int = option(160, "pixels across the optical flow's grey picture", 32, 1280)
    single_tracker_max_fps: float = option(20.0, "above this many face and pose frames a second, two pose trackers "
                                                 "take turns", 1.0, 240.0)


BACKEND_OPTIONS = {"composer": ComposerOptions, "musicgen": MusicGenOptions}
LOADING = {"soundfont", "model", "adapter", "device"}  # options whose change means loading something again


def backend_options(backend: str, **values) -> ComposerOptions | MusicGenOptions:
    """The options of `backend` with `values` set (sampling fields may be given flat); checked."""
    if backend not in BACKEND_OPTIONS:
        raise ParameterError("backend", f"must be one of {', '.join(BACKEND_OPTIONS)}, got {backend!r}")
    return with_values(BACKEND_OPTIONS[backend](), **values)


def analysis_settings(**values) -> AnalysisSettings:
    """The analysis settings with `values` set; checked."""
    return with_values(AnalysisSettings(), **values)


def with_values(options, **values):
    """`options` with `values` replaced (sampling fields of MusicGen may be given flat); checked."""
    names = {spec.name for spec in fields(options)}
    sampling_names = {spec.name for spec in fields(SamplingConfig)} if "sampling" in names else set()
    unknown = set(values) - names - sampling_names
    if unknown:
        raise ParameterError(sorted(unknown)[0], f"is not an option of {type(options).__name__}")
    options = replace(options, **{name: value for name, value in values.items() if name in names})
    sampling = {name: value for name, value in values.items() if name in sampling_names}
    if sampling:
        options = replace(options, sampling=replace(options.sampling, **sampling))
    check(options)
    return options


def default_of(kind, name: str) -> Any:
    spec = next(spec for spec in fields(kind) if spec.name == name)
    return spec.default if spec.default is not MISSING else spec.default_factory()
