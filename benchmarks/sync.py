"""Do the music's heard beats land where the person stops and turns? Real footage, independent ruler.

    python benchmarks/sync.py [VIDEO_OR_FOLDER ...]

For every video (default: the dev clips in ../shared/data/dev_clips when present, else the
bundled sample) it generates music for each of a set of prompts of different styles, then
scores it with `expotion evaluate`'s ruler: music beats from librosa's beat tracker on the
audio of the written mp4, movement beats from the optical-flow speed minima (and, beside it,
the body-keypoint speed minima), Beat Align Score σ = 0.1 s motion→music, minus the same music
circularly shifted (chance). Prints per clip and prompt, per clip, and the mean over clips
with its 95 % bootstrap interval. Last line: `sync_delta=X`.

Per clip it also shows where alignment is lost on the way, each against the same flow stops:
clicks exactly on the composer's own movement beats (what its detection of stops and turns
can reach), the beats the composer meant (after fitting a tempo and a beat grid to them),
and the beats librosa hears.

First, with known ground truth, two kinds of synthetic movement given to the composer as
controls: stops that drift in tempo (up to ±15 %), jitter (10–40 ms) and drop out (up to a
quarter); and a person dancing to music, who stops on some of its beats and on some of the
half beats between them (jitter 10–60 ms). It prints the same Δ for the beats the composer
meant, for the beats librosa hears in a click track on them, and for the beats librosa hears
in the music: the first gap is what the tracker loses on a drifting tempo whatever the sound,
the second what the arrangement loses to the listener. For the dancer it also prints what
librosa hears of clicks on the beats of the music they dance to: a score that plays exactly
their music's beat.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402

from expotion import pipeline  # noqa: E402
from expotion.audio.timing import music_timing  # noqa: E402
from expotion.evaluation.movement import movement_beats  # noqa: E402
from expotion.evaluation.report import Entry, clip_controls, clip_movement, evaluate, paired_bootstrap  # noqa: E402
from expotion.evaluation.rhythm import CHANCE_SHIFTS, beat_align_score  # noqa: E402
from expotion.generators import create_generator  # noqa: E402
from expotion.generators.composer import SAMPLE_RATE  # noqa: E402
from expotion.testing.clicks import click_track  # noqa: E402
from expotion.testing.controls import synthetic_controls  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_CLIPS = ROOT.parent / "shared" / "data" / "dev_clips"
PROMPTS = {
    "funk": "Upbeat funk with slap bass, brass stabs and a tight drum groove",
    "reggae": "This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric "
              "guitar plays the offbeat chords. There is a reggae drum beat and a bass guitar. The atmosphere is laid-back.",
    "strings": "Melancholic violin and cello, slow",
    "rock": "Hard rock with distorted guitars, a pounding bass and loud drums",
}
SYNTHETIC_SCENES, SYNTHETIC_SECONDS = 8, 16.0
HEADLINE = "bas_motion_to_music"
BODY = "bas_motion_to_music@body-stops-0.1"


def videos_from(arguments: list[str]) -> list[Path]:
    paths = [Path(a) for a in arguments] or ([DEV_CLIPS] if DEV_CLIPS.is_dir() else [ROOT / "examples" / "sample.mp4"])
    found = []
    for path in paths:
        found.extend(sorted(path.glob("*.mp4")) if path.is_dir() else [path])
    return found


def drifting_stops(rng: np.random.Generator, duration: float) -> np.ndarray:
    """Stops of a person moving at 70–140 BPM whose tempo drifts, with jitter and dropouts."""
    bpm, drift, jitter, dropout = rng.uniform(70, 140), rng.uniform(0, 0.15), rng.uniform(0.01, 0.04), rng.uniform(0, 0.25)
    cycle, phase = rng.uniform(6, 12), rng.uniform(0, 2 * np.pi)
    time, stops = rng.uniform(0.1, 0.6), []
    while time < duration - 0.3:
        if rng.random() >= dropout:
            stops.append(time + rng.normal(0, jitter))
        time += 60 / bpm * (1 + drift * np.sin(2 * np.pi * time / cycle + phase))
    return np.array(stops)


def dancing_stops(rng: np.random.Generator, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """(stops, beats) of a person dancing to music at 70–140 BPM (its tempo wavering by up to
    5 %): they stop on a beat with probability 0.5–0.95 and on the half beat after it with
    0–0.4, 10–60 ms off."""
    bpm, on_beat, off_beat = rng.uniform(70, 140), rng.uniform(0.5, 0.95), rng.uniform(0, 0.4)
    jitter, waver = rng.uniform(0.01, 0.06), rng.uniform(0, 0.05)
    time, stops, beats = rng.uniform(0.1, 0.6), [], []
    while time < duration - 0.3:
        period = 60 / bpm * (1 + waver * rng.normal())
        beats.append(time)
        stops += [time + rng.normal(0, jitter)] if rng.random() < on_beat else []
        stops += [time + period / 2 + rng.normal(0, jitter)] if rng.random() < off_beat else []
        time += period
    return np.sort(stops), np.array(beats)


def delta_over_chance(stops: np.ndarray, beats: np.ndarray, duration: float, sigma: float = 0.1) -> float:
    shifts = np.linspace(0.1, 0.9, CHANCE_SHIFTS) * duration
    chance = np.mean([beat_align_score(stops, np.sort((beats + shift) % duration), sigma) for shift in shifts])
    return beat_align_score(stops, beats, sigma) - chance


def clicks_heard(beats: np.ndarray) -> np.ndarray:
    """The beats librosa hears in a click track on `beats`."""
    return music_timing(click_track(beats, SYNTHETIC_SECONDS, SAMPLE_RATE), SAMPLE_RATE).beats


def synthetic_section() -> None:
    composer = create_generator("composer")
    for kind, movement in (("drifting movement", lambda rng: (drifting_stops(rng, SYNTHETIC_SECONDS), None)),
                           ("dancing to music", lambda rng: dancing_stops(rng, SYNTHETIC_SECONDS))):
        rng, meant, clicked, heard, danced = np.random.default_rng(0), [], [], [], []
        for scene in range(SYNTHETIC_SCENES):
            stops, music_beats = movement(rng)
            controls = synthetic_controls(SYNTHETIC_SECONDS, stops)
            if music_beats is not None:
                danced.append(delta_over_chance(stops, clicks_heard(music_beats), SYNTHETIC_SECONDS))
            for prompt in PROMPTS.values():
                music = composer.generate(controls, prompt, SYNTHETIC_SECONDS, seed=scene)
                meant.append(delta_over_chance(stops, music.beat_times, SYNTHETIC_SECONDS))
                clicked.append(delta_over_chance(stops, clicks_heard(music.beat_times), SYNTHETIC_SECONDS))
                heard.append(delta_over_chance(stops, music_timing(music.audio, music.sample_rate).beats, SYNTHETIC_SECONDS))
        reference = f"; clicks on the beats of the music danced to, heard by librosa {np.mean(danced):+.3f}" if danced else ""
        print(f"synthetic {kind} ({SYNTHETIC_SCENES} scenes × {len(PROMPTS)} prompts): "
              f"Δ true stops→beats meant {np.mean(meant):+.3f}, clicks on them heard by librosa {np.mean(clicked):+.3f}, "
              f"the music heard by librosa {np.mean(heard):+.3f}{reference}", flush=True)


def score_videos(videos: list[Path]) -> np.ndarray:
    """Generate music for every video with each prompt, score it with the ruler and print the
    tables; returns the per-clip Δ over chance (flow stops), mean over prompts, of the clips
    with flow stops."""
    work = Path(tempfile.mkdtemp())
    entries = []
    for video in videos:
        for style, prompt in PROMPTS.items():
            out = work / style / f"{video.stem}.mp4"
            pipeline.generate(video, prompt, out, seed=0, plot=False)
            entries.append(Entry(style, video.stem, out, video))
    rows = evaluate(entries, work / "report", plots=False)["clips"]
    videos_of = {entry.clip: entry.video for entry in entries}
    clips = sorted({row["clip"] for row in rows})
    excess = {clip: [] for clip in clips}
    body = {clip: [] for clip in clips}
    print(f"{'clip':<28} {'prompt':<8} {'BAS m→m':>8} {'chance':>7} {'Δ flow':>7} {'Δ body':>7}")
    for row in rows:
        delta = row["metrics"][HEADLINE] - row["chance"][HEADLINE]
        delta_body = row["metrics"][BODY] - row["chance"][BODY]
        excess[row["clip"]].append(delta)
        body[row["clip"]].append(delta_body)
        print(f"{row['clip']:<28} {row['system']:<8} {row['metrics'][HEADLINE]:8.3f} {row['chance'][HEADLINE]:7.3f} "
              f"{delta:+7.3f} {delta_body:+7.3f}")
    per_clip = np.array([np.mean(excess[clip]) for clip in clips])
    per_clip_body = np.array([np.mean(body[clip]) for clip in clips])
    for clip, value, value_body in zip(clips, per_clip, per_clip_body):
        cache = work / "report" / "controls"  # as evaluate left it
        controls = clip_controls(videos_of[clip], cache)
        stops = movement_beats(clip_movement(videos_of[clip], controls, cache), "flow")
        meant = np.mean([delta_over_chance(stops, np.array(json.loads((work / style / f"{clip}.json").read_text())["beats"]),
                                           controls.duration) for style in PROMPTS])
        detected = delta_over_chance(stops, controls.movement_beats, controls.duration)
        print(f"{clip:<28} mean over prompts: Δ flow {value:+.3f}  Δ body {value_body:+.3f}   "
              f"(Δ flow of clicks on the composer's movement beats {detected:+.3f}, of the beats it meant {meant:+.3f})")
    scored = per_clip[np.isfinite(per_clip)]  # a clip without flow stops has no Δ (null in the report)
    interval = paired_bootstrap(scored, np.zeros(len(scored)))["ci95"]
    print(f"mean over {len(scored)} of {len(clips)} clips (those with flow stops): Δ flow {scored.mean():+.3f} "
          f"[{interval[0]:+.3f}, {interval[1]:+.3f}], Δ body {np.nanmean(per_clip_body):+.3f}")
    return scored


def main() -> None:
    synthetic_section()
    print(f"sync_delta={score_videos(videos_from(sys.argv[1:])).mean():.3f}")


if __name__ == "__main__":
    main()
