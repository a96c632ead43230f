"""The embedded composer: control-driven music written as a score and played on a soundfont.

Offline, fast and deterministic for a seed. The body sets tempo and beats (rhythm.py) and
energy (mood.py), the face sets mood and sections (mood.py), the prompt sets genre,
instruments, groove and tempo range (prompt.py); harmony.py and arrange.py write the score;
expotion.audio renders it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi

from expotion.audio.loudness import normalise
from expotion.audio.synth import find_soundfont, render, room_reverb
from expotion.controls import Controls
from expotion.generators.base import Music
from expotion.generators.composer import mood
from expotion.generators.composer.arrange import Arranger
from expotion.generators.composer.harmony import NOTE_NAMES, Key
from expotion.generators.composer.prompt import parse_prompt
from expotion.generators.composer.rhythm import plan_beats

SAMPLE_RATE = 44100
HOME_KEYS = (0, 2, 3, 5, 7, 9, 10)  # C D E♭ F G A B♭: comfortable for most instruments


class Composer:
    """Generator backend "composer"."""

    name = "composer"

    def __init__(self, soundfont: str | Path | None = None, body_rhythm: float = 1.0, face_mood: float = 1.0):
        """`body_rhythm` 0…1: how strongly movement sets tempo and beats (0: the prompt's
        tempo only); `face_mood` 0…1: how far the face moves the prompt's mood."""
        self.soundfont = find_soundfont(soundfont)
        self.body_rhythm = float(np.clip(body_rhythm, 0.0, 1.0))
        self.face_mood = float(np.clip(face_mood, 0.0, 1.0))

    def generate(self, controls: Controls, prompt: str, duration: float, seed: int) -> Music:
        style = parse_prompt(prompt)
        rng = np.random.default_rng(seed)
        curve = controls.accent_curve * self.body_rhythm
        accents = controls.accent_times if self.body_rhythm > 0 else np.zeros(0)
        grid = plan_beats(curve, accents, controls.rate, duration, style.tempo_range, style.tempo_from_prompt, style.meter)
        bar_starts = grid.bar_starts()
        energy = mood.bar_energy(controls, bar_starts, duration, style.arousal)
        sections = mood.plan_sections(controls, bar_starts, duration, style.valence, style.arousal, self.face_mood)
        home = Key(int(rng.choice(HOME_KEYS)), "major" if style.valence >= 0 else "minor")
        strengths = np.interp(accents, controls.times, controls.accent_curve) if len(accents) else np.zeros(0)
        score = Arranger(style, grid, duration, int(rng.integers(2**31))).build(sections, energy, home, accents, strengths)

        audio = normalise(room_reverb(render(score.midi, duration, SAMPLE_RATE, self.soundfont), SAMPLE_RATE), SAMPLE_RATE)
        decisions = {
            "backend": self.name,
            "seed": seed,
            "prompt": prompt,
            "style": {
                "genre": style.genre,
                "groove": style.groove,
                "meter": style.meter,
                "recognised_words": style.recognised,
                "instruments": {
                    role: {"program": program, "name": pretty_midi.program_to_instrument_name(program)}
                    for role, program in style.instruments.items()
                },
            },
            "tempo": {"bpm": round(grid.bpm, 2), "source": grid.source, "periodicity": round(grid.periodicity, 3)},
            "key": home.name,
            "sections": [
                {
                    "start": round(float(bar_starts[s.start_bar]), 3),
                    "bars": s.end_bar - s.start_bar,
                    "key": home.relative("major" if s.valence >= 0 else "minor").name,
                    "valence": round(s.valence, 2),
                    "arousal": round(s.arousal, 2),
                    "chords": [bar.chord.symbol for bar in score.bars[s.start_bar : s.end_bar]],
                }
                for s in sections
            ],
            "energy_per_bar": [round(float(e), 2) for e in energy],
            "layers_per_bar": score.layers,
            "beats": [round(float(t), 4) for t in grid.times],
            "downbeats": [round(float(t), 4) for t in bar_starts],
            "soundfont": self.soundfont.name,
        }
        return Music(audio, SAMPLE_RATE, score.midi, grid.times, decisions)
