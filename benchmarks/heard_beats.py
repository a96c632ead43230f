"""Is the beat a listener hears the beat the composer meant, in every groove, when the person drifts?

    python benchmarks/heard_beats.py [--scenes N]

For each genre the composer knows, and for six other time signatures (2/4, 5/4, 7/4, 6/8, 9/8,
12/8), N scenes of synthetic movement whose stops drift in tempo, jitter and drop out (the same
scenes as `benchmarks/sync.py`'s synthetic section) are given to the composer as controls.
librosa's beat tracker then listens to the rendered music and, for comparison, to a click track
on the beats the composer meant. Printed per prompt: the share of meant beats (1–15 s, once the
tracker has settled) within 50 ms of a heard beat, for the music and for the clicks, and the
music's worst scene. Clicks show what the tracker itself loses on a drifting tempo; the gap
between the two is what the arrangement loses. Last line: `heard_beat_hit_rate=X` (mean over
prompts and scenes, music).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
from sync import drifting_stops  # noqa: E402

from expotion.audio.timing import music_timing  # noqa: E402
from expotion.generators import create_generator  # noqa: E402
from expotion.generators.composer.prompt import GENRES  # noqa: E402
from expotion.testing.clicks import click_track  # noqa: E402
from expotion.testing.controls import synthetic_controls  # noqa: E402

SECONDS = 16.0
OTHER_METERS = ("pop music in 2/4", "jazz music in 5/4", "rock music in 7/4", "folk music in 6/8", "pop music in 9/8",
                "rock music in 12/8")
SETTLED = (1.0, 15.0)  # meant beats scored: after the tracker settles in, before the end
TOLERANCE_S = 0.05


def hit_rate(meant: np.ndarray, heard: np.ndarray) -> float:
    scored = meant[(meant > SETTLED[0]) & (meant < SETTLED[1])]
    if not len(scored) or not len(heard):
        return 0.0
    return float(np.mean([np.min(np.abs(heard - beat)) <= TOLERANCE_S for beat in scored]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=6)
    args = parser.parse_args()
    composer = create_generator("composer")
    music_rates = []
    prompts = [f"{genre} music" for genre in sorted(GENRES)] + list(OTHER_METERS)
    width = max(map(len, prompts)) + 1
    print(f"{'prompt':<{width}} {'music':>6} {'clicks':>7} {'worst scene':>12}")
    for prompt in prompts:
        rng = np.random.default_rng(42)
        music, clicks = [], []
        for scene in range(args.scenes):
            stops = drifting_stops(rng, SECONDS)
            made = composer.generate(synthetic_controls(SECONDS, stops), prompt, SECONDS, seed=scene)
            music.append(hit_rate(made.beat_times, music_timing(made.audio, made.sample_rate).beats))
            track = click_track(made.beat_times, SECONDS, made.sample_rate)
            clicks.append(hit_rate(made.beat_times, music_timing(track, made.sample_rate).beats))
        music_rates += music
        print(f"{prompt:<{width}} {np.mean(music):6.2f} {np.mean(clicks):7.2f} {np.min(music):12.2f}", flush=True)
    print(f"heard_beat_hit_rate={np.mean(music_rates):.3f}")


if __name__ == "__main__":
    main()
