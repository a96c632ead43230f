"""Does the music sound like what the prompt asks for, to an audio tagger trained on real music?

    python benchmarks/prompt_tags.py --tagger .tagger/bin/python [--scenes N]

Each probe is a prompt and the tags of musicnn (Pons & Serra 2019; its MagnaTagATune and Million
Song Dataset models, trained on recorded music, not on ours) that its music should raise: a
genre ("jazz"), an instrument ("flute"), a mood ("sad"). The composer makes music for every
probe over N scenes of synthetic movement (those of `benchmarks/sync.py`), and the tagger, in an
environment of its own (`benchmarks/musicnn_tags.py` says how to make it), listens to each.

A tagger is biased (some tags are high for anything rendered from a soundfont), so a tag is
scored across the probes: its ROC AUC, the chance that music whose prompt asks for the tag
gets a higher probability of it than music whose prompt does not (0.5: the prompt makes no
difference; 1: every such piece ranks above every other). Printed per tag, and per probe the
mean over its tags beside the three tags its music raises most (in standard deviations above
the tag's mean over all the music); last line `prompt_tag_auc=X`, the mean over tags.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
from sync import drifting_stops  # noqa: E402

from expotion.generators import create_generator  # noqa: E402
from expotion.pipeline import WavWriter  # noqa: E402
from expotion.testing.controls import synthetic_controls  # noqa: E402

SECONDS = 12.0
TAGGER = Path(__file__).with_name("musicnn_tags.py")
# prompt → the tags (model:tag) its music should raise. A prompt lists every tag it asks for,
# so that music for "heavy metal" is not counted against the tag "rock", nor rock's guitars
# against "acoustic guitar".
ROCK = ("MSD:rock", "MTT:rock", "MTT:guitar")
POP = ("MSD:pop", "MTT:pop")
SINGING = ("MTT:vocal", "MTT:vocals", "MTT:voice", "MTT:singing")
PROBES = {
    "rock music": ROCK,
    "hard rock with distorted guitars": ("MSD:hard rock", *ROCK),
    "heavy metal": ("MSD:metal", "MSD:heavy metal", "MTT:metal", "MSD:hard rock", *ROCK),
    "punk rock": ("MSD:punk", *ROCK),
    "pop music": POP,
    "jazz": ("MSD:jazz",),
    "blues": ("MSD:blues", "MTT:guitar"),
    "funk": ("MSD:funk",),
    "soul": ("MSD:soul",),
    "r&b": ("MSD:rnb",),
    "hip hop beat": ("MSD:Hip-Hop",),
    "electronic music": ("MSD:electronic", "MTT:electronic", "MSD:electronica", "MSD:electro", "MTT:synth"),
    "techno": ("MTT:techno", "MSD:electronic", "MTT:electronic", "MSD:electronica", "MSD:electro", "MTT:synth",
               "MSD:dance", "MTT:dance"),
    "house music": ("MSD:House", "MSD:electronic", "MTT:electronic", "MSD:electronica", "MSD:electro", "MTT:synth",
                    "MSD:dance", "MTT:dance"),
    "dance music": ("MSD:dance", "MTT:dance", "MSD:electronic", "MTT:electronic", "MSD:electronica", "MSD:electro",
                    "MTT:synth"),
    "ambient": ("MSD:ambient", "MTT:ambient", "MSD:chillout", "MSD:chill", "MTT:new age"),
    "classical music": ("MTT:classical", "MTT:classic", "MTT:strings", "MTT:violin"),
    "folk music": ("MSD:folk", "MSD:acoustic", "MTT:guitar"),
    "country": ("MSD:country", "MTT:country", "MSD:acoustic", "MTT:guitar"),
    "solo piano": ("MTT:piano", "MTT:solo"),
    "violin and cello": ("MTT:violin", "MTT:cello", "MTT:strings", "MTT:classical", "MTT:classic"),
    "flute melody": ("MTT:flute",),
    "harp": ("MTT:harp",),
    "harpsichord": ("MTT:harpsichord", "MTT:classical", "MTT:classic"),
    "sitar": ("MTT:sitar", "MTT:indian"),
    "choir": ("MTT:choir", "MTT:choral", "MTT:vocal", "MTT:voice", "MTT:singing"),
    "a pop song with a female singer": ("MTT:female vocal", "MTT:female voice", "MTT:female", "MTT:woman", *SINGING,
                                        *POP),
    "a pop song with a male singer": ("MTT:male vocal", "MTT:male voice", "MTT:male", "MTT:man", *SINGING, *POP),
    # two captions as MusicCaps writes them
    "The low quality recording features a hip hop song with a male vocal rapping over punchy kick and snare hits and a "
    "groovy bass.": ("MSD:Hip-Hop", "MTT:male vocal", "MTT:male voice", "MTT:male", "MTT:man", "MTT:vocal",
                     "MTT:vocals", "MTT:voice"),
    "The song features a female vocal singing over a piano melody.": ("MTT:female vocal", "MTT:female voice",
                                                                      "MTT:female", "MTT:woman", *SINGING,
                                                                      "MTT:piano"),
    "acoustic guitar": ("MSD:acoustic", "MTT:guitar"),
    "sad music": ("MSD:sad",),
    "happy music": ("MSD:happy",),
    "quiet and soft": ("MTT:quiet", "MTT:soft", "MSD:Mellow"),
    "loud and aggressive": ("MTT:loud",),
}


def auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counting half (Mann–Whitney U / n₊n₋)."""
    above = (positives[:, None] > negatives[None, :]).mean()
    ties = (positives[:, None] == negatives[None, :]).mean()
    return float(above + 0.5 * ties)


def render(folder: Path, scenes: int) -> dict[str, str]:
    """Music for every probe and scene, written as WAVs: path → prompt."""
    composer = create_generator("composer")
    made = {}
    for index, prompt in enumerate(PROBES):
        rng = np.random.default_rng(7)
        for scene in range(scenes):
            music = composer.generate(synthetic_controls(SECONDS, drifting_stops(rng, SECONDS)), prompt, SECONDS, seed=scene)
            path = folder / f"{index:02d}_{scene}.wav"
            wav = WavWriter(path, music.sample_rate)  # as `generate` writes OUT.wav
            wav.write(music.audio)
            wav.close()
            made[str(path)] = prompt
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tagger", required=True, help="python of an environment with musicnn (musicnn_tags.py)")
    parser.add_argument("--scenes", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        made = render(Path(folder), args.scenes)
        tagged = json.loads(subprocess.run([args.tagger, str(TAGGER), *made], check=True, capture_output=True,
                                           text=True).stdout)
    prompts = np.array(list(made.values()))

    def probability(tag: str) -> np.ndarray:
        model, label = tag.split(":", 1)
        return np.array([tagged[path][f"{model}_musicnn"][label] for path in made])

    tags = sorted({tag for wanted in PROBES.values() for tag in wanted})
    every_tag = [f"{model.split('_')[0]}:{label}" for model, labels in next(iter(tagged.values())).items() for label in labels]
    table = np.stack([probability(tag) for tag in every_tag], axis=1)
    raised = (table - table.mean(axis=0)) / (table.std(axis=0) + 1e-9)
    column = dict(zip(every_tag, table.T))
    scores = {}
    for tag in tags:
        asked = np.array([tag in PROBES[prompt] for prompt in prompts])
        scores[tag] = auc(column[tag][asked], column[tag][~asked])
    width = max(map(len, [*tags, *PROBES])) + 1
    print(f"{'tag':<{width}} {'AUC':>5}")
    for tag in tags:
        print(f"{tag:<{width}} {scores[tag]:5.2f}")
    print(f"\n{'probe':<{width}} {'AUC':>5}  tags raised most")
    for prompt, wanted in PROBES.items():
        lift = raised[prompts == prompt].mean(axis=0)
        most = ", ".join(f"{every_tag[index]} {lift[index]:+.1f}" for index in np.argsort(-lift)[:3])
        print(f"{prompt:<{width}} {np.mean([scores[tag] for tag in wanted]):5.2f}  {most}")
    print(f"prompt_tag_auc={np.mean(list(scores.values())):.3f}")


if __name__ == "__main__":
    main()
