"""Score many systems' music for the same clips: collect inputs, compute, compare, report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from expotion.atomic import atomic_path
from expotion.controls import Controls
from expotion.controls.cache import cached_controls, entry_path
from expotion.controls.timeline import DEFAULT_RATE
from expotion.errors import ExpotionError
from expotion.audio.read import read_audio
from expotion.audio.timing import ANALYSIS_SAMPLE_RATE, music_timing
from expotion.evaluation.measure import MeasuredMovement, measure_movement
from expotion.evaluation.movement import CONVENTIONS, SOURCES, RulerMovement, movement_beats, ruler_movement
from expotion.evaluation.rhythm import SIGMAS_S, chance_levels, rhythm_metrics
from expotion.video import VIDEO_SUFFIXES
from expotion.video.decode import probe
from expotion.video.fingerprint import content_hash

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus"}
HEADLINE = ("bas_motion_to_music", "bas_music_to_motion", "bas_motion_to_music@body-stops-0.1",
            "bas_motion_to_music@flow-stops-0.05", "bas_motion_to_music@flow-peaks-0.1", "beat_f1", "tempo_match_octave")
BOOTSTRAP_RESAMPLES = 10_000
NOT_APPLICABLE = "—"  # a metric no clip's movement gave beats for


@dataclass(frozen=True)
class Entry:
    system: str
    clip: str
    music: Path  # a video with its music track, or an audio file
    video: Path  # the clip's video (the movement)


def _expand(inputs: list[Path]) -> list[Path]:
    """The files given, and the music files in the folders given — where a folder holds a video
    with music and audio files of the same name (`expotion generate`'s OUT.wav and stems), the
    video alone."""
    files = []
    for path in inputs:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in set(VIDEO_SUFFIXES) | AUDIO_SUFFIXES)
            with_video = {(p.parent, p.stem) for p in found if p.suffix.lower() in VIDEO_SUFFIXES}
            files.extend(p for p in found if p.suffix.lower() in VIDEO_SUFFIXES or (p.parent, p.name.split(".")[0]) not in with_video)
        elif path.exists():
            files.append(path)
        else:
            raise ExpotionError(f"no such file: {path}")
    return files


def collect_entries(inputs: list[Path], videos: Path | None = None, mapping: Path | None = None) -> list[Entry]:
    """One entry per music file. System and clip come from `mapping` (JSON: file name →
    {"system", "clip"}) or else the naming rule: system = the file's folder, clip = its stem.
    Audio files take their clip's video from the `videos` folder (same stem)."""
    table = json.loads(mapping.read_text()) if mapping else {}
    entries = []
    for path in _expand(inputs):
        named = table.get(path.name) or table.get(str(path)) or {}
        system, clip = named.get("system", path.parent.name or "system"), named.get("clip", path.stem)
        video = path
        if path.suffix.lower() in AUDIO_SUFFIXES:
            candidates = [videos / f"{clip}{suffix}" for suffix in sorted(VIDEO_SUFFIXES)] if videos else []
            video = next((c for c in candidates if c.exists()), None)
            if video is None:
                raise ExpotionError(f"{path.name} is audio only: give the folder holding {clip}.mp4 with --videos")
        entries.append(Entry(system, clip, path, video))
    if not entries:
        raise ExpotionError("no video or audio files among the inputs")
    return entries


RULER_VERSION = 2  # bump when evaluation/measure.py measures differently


def clip_controls(video: Path, cache: Path, progress: bool = False) -> Controls:
    """Controls of a clip's video, extracted once per content and extractor version and kept
    under `cache`. `progress`: a bar on a terminal while they are extracted."""
    return cached_controls(video, content_hash(video), cache, rate=DEFAULT_RATE, progress=progress)


def clip_movement(video: Path, controls: Controls, cache: Path, progress: bool = False) -> RulerMovement:
    """The ruler's movement of a clip whose controls are `controls` (`clip_controls`): measured
    once per content (`evaluation/measure.py`) and kept under `cache` beside them, on their grid
    and shots. `progress`: a bar on a terminal while the movement is measured."""
    fingerprint = controls.provenance["content_sha256"]
    path = entry_path(cache, fingerprint, DEFAULT_RATE).with_suffix(f".ruler-v{RULER_VERSION}.npz")
    try:
        measured = MeasuredMovement.load(path)
    except ExpotionError:  # not measured yet, or a damaged entry
        measured = measure_movement(video, controls.shot_cuts, progress)
        measured.save(path)
    return ruler_movement(measured, controls.rate, controls.duration, controls.shot_cuts)


def video_start(music: Path) -> float:
    """Where the video of a music file starts on the file's clock, so that its music lands on
    that video's clock (0 = the first frame) whether or not the clip's video is given apart
    (an AAC track starts 1024 samples early, the encoder's priming); 0 for an audio file,
    which starts with the video."""
    try:
        return probe(music).start_time
    except ExpotionError:  # no video stream
        return 0.0


def score_entry(entry: Entry, movement: RulerMovement) -> tuple[dict, dict, object, dict]:
    """(metrics, chance levels, music timing, movement beats) of one entry."""
    audio, audio_start = read_audio(entry.music, ANALYSIS_SAMPLE_RATE)
    music = music_timing(audio, ANALYSIS_SAMPLE_RATE, audio_start - video_start(entry.music))
    beats = {(source, convention): movement_beats(movement, source, convention) for source in SOURCES for convention in CONVENTIONS}
    return rhythm_metrics(beats, music), chance_levels(beats, music), music, beats


def summarise(rows: list[dict]) -> dict:
    """Per system: mean, std and n of every metric over the clips where it applies (see
    rhythm.py), the chance mean beside it, and the mean excess over chance with its 95 %
    bootstrap interval over those clips."""
    summary = {}
    for system in sorted({row["system"] for row in rows}):
        mine = [row for row in rows if row["system"] == system]
        summary[system] = {}
        for name in mine[0]["metrics"]:
            values = np.array([r["metrics"][name] for r in mine], dtype=float)
            chance = np.array([r["chance"][name] for r in mine], dtype=float)
            applies = np.isfinite(values) & np.isfinite(chance)
            values, chance = values[applies], chance[applies]
            excess = paired_bootstrap(values, chance)
            summary[system][name] = {"mean": _mean(values), "std": float(values.std()) if len(values) else np.nan,
                                     "n": int(applies.sum()), "chance_mean": _mean(chance),
                                     "over_chance": excess["mean_difference"], "over_chance_ci95": excess["ci95"]}
    return summary


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else np.nan


def paired_bootstrap(a: np.ndarray, b: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> dict:
    """Mean of a − b over shared clips with a 95 % percentile-bootstrap interval (NaN for none)."""
    difference = np.asarray(a) - np.asarray(b)
    if len(difference) == 0:
        return {"mean_difference": np.nan, "ci95": [np.nan, np.nan], "n": 0}
    rng = np.random.default_rng(seed)
    means = difference[rng.integers(0, len(difference), (resamples, len(difference)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"mean_difference": float(difference.mean()), "ci95": [float(low), float(high)], "n": len(difference)}


def compare_systems(rows: list[dict]) -> list[dict]:
    systems = sorted({row["system"] for row in rows})
    table = {(r["system"], r["clip"]): r for r in rows}
    comparisons = []
    for index, first in enumerate(systems):
        for second in systems[index + 1 :]:
            shared = sorted({c for s, c in table if s == first} & {c for s, c in table if s == second})
            if len(shared) < 2:
                continue
            comparisons.append({"systems": [first, second], "clips": shared,
                                **{name: paired_bootstrap(*_applying(table, first, second, shared, name)) for name in HEADLINE}})
    return comparisons


def _applying(table: dict, first: str, second: str, clips: list[str], name: str) -> tuple[np.ndarray, np.ndarray]:
    """The two systems' values of metric `name` on the clips where it applies to both."""
    a = np.array([table[first, c]["metrics"][name] for c in clips], dtype=float)
    b = np.array([table[second, c]["metrics"][name] for c in clips], dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    return a[both], b[both]


def markdown(summary: dict, comparisons: list[dict], audio: dict | None = None, skipped: list[str] = ()) -> str:
    lines = [
        "# Expotion evaluation", "",
        "Music beats: librosa's beat tracker on the audio. Movement beats: where the body stops or turns "
        f"(speed minima) from optical flow, or from the body keypoints (`@body`); `peaks`: speed maxima instead. "
        f"BAS σ = {SIGMAS_S[0]:g} s unless named; BCS/BHS on 1 s bins, LORIS style. "
        "Each cell: mean ± std (chance from circularly shifted music) over the clips whose movement has beats "
        f"(n: those with flow stops; {NOT_APPLICABLE}: none).", "",
        "| system | n | " + " | ".join(HEADLINE) + " |",
        "|---|---|" + "---|" * len(HEADLINE),
    ]
    for system, metrics in summary.items():
        cells = [f"{metrics[m]['mean']:.3f} ± {metrics[m]['std']:.3f} ({metrics[m]['chance_mean']:.3f})"
                 if metrics[m]["n"] else NOT_APPLICABLE for m in HEADLINE]
        lines.append(f"| {system} | {metrics[HEADLINE[0]]['n']} | " + " | ".join(cells) + " |")
    lines += ["", "Over chance (metric − chance, mean [95 % bootstrap CI over clips]):", "",
              "| system | " + " | ".join(HEADLINE[:5]) + " |", "|---|" + "---|" * 5]
    for system, metrics in summary.items():
        cells = [f"{metrics[m]['over_chance']:+.3f} [{metrics[m]['over_chance_ci95'][0]:+.3f}, {metrics[m]['over_chance_ci95'][1]:+.3f}]"
                 if metrics[m]["n"] else NOT_APPLICABLE for m in HEADLINE[:5]]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    if comparisons:
        lines += ["", "Paired differences (first − second) on shared clips, mean [95 % bootstrap CI]:", "",
                  "| systems | " + " | ".join(HEADLINE) + " |", "|---|" + "---|" * len(HEADLINE)]
        for c in comparisons:
            cells = [f"{c[m]['mean_difference']:+.3f} [{c[m]['ci95'][0]:+.3f}, {c[m]['ci95'][1]:+.3f}]"
                     if c[m]["n"] else NOT_APPLICABLE for m in HEADLINE]
            lines.append(f"| {c['systems'][0]} − {c['systems'][1]} (n={c[HEADLINE[0]]['n']}) | " + " | ".join(cells) + " |")
    if audio:
        lines += ["", "Audio metrics (FAD: Fréchet distance of the named embedding to the references, lower is closer; "
                  "CLAP score: cosine of music and prompt embeddings):", "", "| system | metric | value |", "|---|---|---|"]
        for system, metrics in audio.items():
            for name, value in metrics.items():
                shown = f"{value['mean']:.3f} ± {value['std']:.3f} (n={value['n']})" if isinstance(value, dict) else f"{value:.3f}"
                lines.append(f"| {system} | {name} | {shown} |")
    if skipped:
        lines += ["", *[f"- {line}" for line in skipped]]
    return "\n".join(lines) + "\n"


AUDIO_RATE = 48000  # what the embedders resample from


def read_prompts(path: Path | None) -> dict[str, str]:
    """clip → prompt, from a JSON object or a manifest (.jsonl: clip_id and caption)."""
    if path is None:
        return {}
    if not path.is_file():
        raise ExpotionError(f"no such prompts file: {path}")
    if path.suffix == ".jsonl":
        from expotion.manifest import read_manifest

        return {entry.clip_id: entry.caption for entry in read_manifest(path)}
    try:
        return {str(k): str(v) for k, v in json.loads(path.read_text()).items()}
    except (json.JSONDecodeError, AttributeError) as error:
        raise ExpotionError(f"{path.name} must map clip names to prompts: {error}")


def audio_metrics(entries: list[Entry], prompts: dict[str, str], references: Path | None,
                  fad_embeddings: tuple[str, ...], models: dict[str, str]) -> tuple[dict, list[str]]:
    """FAD against the references (per system and embedding) and CLAP score against the
    prompts; metrics whose weights are missing are skipped and said so."""
    from expotion.evaluation.embeddings import EMBEDDERS, WeightsUnavailable, clap_score, frechet_audio_distance

    wanted = (set(fad_embeddings) if references else set()) | ({"clap"} if prompts else set())
    embedders, skipped = {}, []
    for name in sorted(wanted):
        try:
            embedders[name] = EMBEDDERS[name](models.get(name))
        except WeightsUnavailable as reason:
            uses = ([f"FAD ({name})"] if references and name in fad_embeddings else []) + (["CLAP score"] if name == "clap" and prompts else [])
            skipped.append(f"{' and '.join(uses)} skipped: {reason}")
    results: dict = {}
    embedded: dict = {}
    for entry in entries:
        audio = read_audio(entry.music, AUDIO_RATE)[0]
        system = results.setdefault(entry.system, {})
        if "clap" in embedders and entry.clip in prompts:
            system.setdefault("clap_scores", []).append(clap_score(embedders["clap"], audio, AUDIO_RATE, prompts[entry.clip]))
        for name in fad_embeddings:
            if references and name in embedders:
                embedded.setdefault((entry.system, name), []).append(embedders[name].embed_audio(audio, AUDIO_RATE))
    if references:
        reference_files = _expand([references])
        for name in fad_embeddings:
            if name not in embedders:
                continue
            reference = np.stack([embedders[name].embed_audio(read_audio(f, AUDIO_RATE)[0], AUDIO_RATE) for f in reference_files])
            for system in results:
                results[system][f"fad_{name}"] = frechet_audio_distance(np.stack(embedded[system, name]), reference)
    for system in results.values():
        scores = system.pop("clap_scores", None)
        if scores:
            system["clap_score"] = {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "n": len(scores)}
    return results, skipped


def _json_safe(value):
    """`value` with every NaN as null: JSON has no NaN."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def evaluate(entries: list[Entry], out: Path, plots: bool = True,
             progress: Callable[[str], None] | None = None, prompts: dict[str, str] | None = None,
             references: Path | None = None, fad_embeddings: tuple[str, ...] = ("encodec", "clap"),
             models: dict[str, str] | None = None) -> dict:
    """Score every entry, write results.json, results.md and a plot per entry under `out`.
    `progress`: told of each entry as it is scored; given, each clip's analysis shows its
    progress bars on a terminal too."""
    tell, bars = progress or (lambda message: None), progress is not None
    rows = []
    for entry in entries:
        tell(f"{entry.system}/{entry.clip}")
        controls = clip_controls(entry.video, out / "controls", bars)
        movement = clip_movement(entry.video, controls, out / "controls", bars)
        metrics, chance, music, beats = score_entry(entry, movement)
        rows.append({"system": entry.system, "clip": entry.clip, "music": str(entry.music), "metrics": metrics, "chance": chance})
        if plots:
            from expotion.evaluation.plot import plot_sync

            plot_sync(movement, beats, music, out / "plots" / f"{entry.system}__{entry.clip}.png", f"{entry.system} — {entry.clip}")
    summary, comparisons = summarise(rows), compare_systems(rows)
    audio, skipped = audio_metrics(entries, prompts or {}, references, fad_embeddings, models or {}) if prompts or references else ({}, [])
    results = {"sigmas_s": list(SIGMAS_S), "bins_s": 1.0, "clips": rows, "systems": summary, "comparisons": comparisons,
               "audio": audio, "skipped": skipped}
    with atomic_path(out / "results.json") as tmp:
        tmp.write_text(json.dumps(_json_safe(results), indent=2) + "\n")
    with atomic_path(out / "results.md") as tmp:
        tmp.write_text(markdown(summary, comparisons, audio, skipped))
    return results
