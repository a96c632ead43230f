"""The embedded composer: control-driven music written as a score and played on a soundfont.

Offline, fast and deterministic for a seed. The body sets tempo and beats (rhythm.py) and
energy (mood.py), the face sets mood and sections (mood.py), the prompt sets genre,
instruments, groove and tempo range (prompt.py); harmony.py and arrange.py write the score;
expotion.audio renders it.
"""

from __future__ import annotations

import numpy as np
import pretty_midi

from expotion.audio.mix import MixedMusic, MixPlan
from expotion.audio.synth import find_soundfont
from expotion.controls import Controls
from expotion.generators.base import Music
from expotion.generators.composer import mood
from expotion.generators.composer.arrange import Arranger
from expotion.generators.composer.harmony import Key
from expotion.generators.composer.prompt import parse_prompt
from expotion.generators.composer.rhythm import plan_beats
from expotion.options import ComposerOptions, check

SAMPLE_RATE = 44100
ROLES = ("melody", "harmony", "bass", "drums")  # one track, and one stem, each
HOME_KEYS = (0, 2, 3, 5, 7, 9, 10)  # C D E♭ F G A B♭: comfortable for most instruments


class Composer:
    """Generator backend "composer"."""

    name = "composer"
    symbolic = True
    stem_roles = ROLES

    def __init__(self, options: ComposerOptions = ComposerOptions()):
        check(options)
        self.options = options
        self.soundfont = find_soundfont(options.soundfont)
        self.body_rhythm, self.face_mood = options.body_rhythm, options.face_mood

    def configured(self, options: ComposerOptions) -> "Composer":
        return Composer(options)

    def generate(self, controls: Controls, prompt: str, duration: float, seed: int, progress=None) -> Music:
        style = parse_prompt(prompt)
        rng = np.random.default_rng(seed)
        grid = plan_beats(controls.movement_beats, controls.movement_beat_strengths, controls.rate, duration,
                          style.tempo_range, style.tempo_from_prompt, style.meter, follow=self.body_rhythm)
        bar_starts = grid.bar_starts()
        energy = mood.bar_energy(controls, bar_starts, duration, style.arousal)
        sections = mood.plan_sections(controls, bar_starts, duration, style.valence, style.arousal, self.face_mood)
        drawn = int(rng.choice(HOME_KEYS))  # drawn even where the prompt names the key: the seed's other draws stay
        home = Key(drawn if style.tonic is None else style.tonic, style.mode or ("major" if style.valence >= 0 else "minor"))
        heard = self.body_rhythm > 0
        stops = controls.movement_beats if heard else np.zeros(0)
        strengths = controls.movement_beat_strengths if heard else np.zeros(0)
        arranger = Arranger(style, grid, duration, int(rng.integers(2**31)))
        score = arranger.build(sections, energy, home, stops, strengths)

        groove = arranger.groove  # the style's groove in this meter: it sets the mix too
        tracks = {**arranger.tracks, "drums": arranger.drums}  # the score's tracks, and the silent roles' empty ones
        plan = MixPlan({role: tracks[role] for role in ROLES}, self.soundfont, SAMPLE_RATE, int(round(duration * SAMPLE_RATE)),
                       grid.times, ("harmony",) if groove.sidechain else (), groove.emphasis,
                       ("harmony",) if arranger.chords_through_amp else ())
        decisions = {
            "backend": self.name,
            "seed": seed,
            "prompt": prompt,
            "style": {
                "genre": style.genre,
                "groove": style.groove,
                "drums": style.drums,
                "percussion": [pretty_midi.note_number_to_drum_name(piece) for piece in style.percussion],
                "meter": style.meter,
                "time_signature": style.time_signature,
                "recognised_words": style.recognised,
                "instruments": {
                    role: {"program": program, "name": pretty_midi.program_to_instrument_name(program)}
                    for role, program in style.instruments.items() if role not in style.silent
                },
            },
            "tempo": {"bpm": round(grid.bpm, 2), "source": grid.source, "periodicity": round(grid.periodicity, 3)},
            "key": home.name,
            "sections": [
                {
                    "start": round(float(bar_starts[s.start_bar]), 3),
                    "bars": s.end_bar - s.start_bar,
                    "key": score.bars[s.start_bar].key.name,
                    "valence": round(s.valence, 2),
                    "arousal": round(s.arousal, 2),
                    "articulation": "staccato" if s.happy else "legato",
                    "chords": [bar.chord.symbol for bar in score.bars[s.start_bar : s.end_bar]],
                }
                for s in sections
            ],
            "energy_per_bar": [round(float(e), 2) for e in energy],
            "layers_per_bar": score.layers,
            "beats": [round(float(t), 4) for t in grid.times],
            "downbeats": [round(float(t), 4) for t in bar_starts],
            "soundfont": self.soundfont.description,
        }
        return Music(MixedMusic(plan), SAMPLE_RATE, score.midi, grid.times, decisions)
