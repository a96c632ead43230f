"""The guitar amp that a distorted guitar's chords play through (expotion/audio/amp.py)."""

import numpy as np
import pretty_midi
import pytest

from expotion.audio.amp import GuitarAmp
from expotion.audio.synth import Renderer, find_soundfont
from expotion.generators import create_generator
from expotion.generators.composer import arrange
from expotion.testing.controls import synthetic_controls

SAMPLE_RATE = 44100
POWER_CHORD_ON_A = (45, 52, 57)  # A2, E3, A3: 110 and 165 Hz, whose difference tone is 55 Hz


def band_share(mono: np.ndarray, low: float, high: float) -> float:
    power = np.abs(np.fft.rfft(mono)) ** 2
    frequencies = np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)
    return float(power[(frequencies > low) & (frequencies < high)].sum() / power[frequencies > 20].sum())


@pytest.mark.parametrize("program", [29, 30])
def test_a_power_chord_through_the_amp_sounds_its_difference_tone_at_its_level(program):
    """The soundfont sums notes distorted one by one; the amp distorts their sum, whose
    intermodulation sounds the octave below the root (165 − 110 = 55 Hz)."""
    renderer = Renderer(find_soundfont(), SAMPLE_RATE)
    guitar = pretty_midi.Instrument(program)
    chord = renderer.sound(guitar, POWER_CHORD_ON_A, 1.0)
    clean, amplified = chord.mean(axis=1), GuitarAmp(renderer, guitar)(chord)
    assert band_share(amplified, 50, 60) > 10 * band_share(clean, 50, 60)
    level = 20 * np.log10(np.sqrt(np.mean(amplified**2) / np.mean(clean**2)))
    assert abs(level) < 3  # the chords keep their place in the mix
    onset = [int(np.argmax(np.abs(x) > 0.1 * np.abs(x).max())) for x in (clean, amplified)]
    assert onset[1] - onset[0] <= SAMPLE_RATE // 1000  # the cabinet delays them by under a millisecond


def test_only_the_chords_of_a_distorted_guitar_play_through_the_amp(monkeypatch):
    stops = np.arange(0.5, 6.0, 0.5)
    music = create_generator("composer").generate(synthetic_controls(6.0, stops), "hard rock", 6.0, seed=1)
    plan = music.source.plan
    assert plan.tracks["harmony"].program == 30 and plan.tracks["melody"].program == 29
    assert plan.amplified == ("harmony",)
    mixed, stems = music.source.read(stems=True)
    np.testing.assert_allclose(sum(stems.values()), mixed, atol=1e-5)
    through_amp = band_share(stems["harmony"].mean(axis=1), 20, 80)
    monkeypatch.setattr(arrange, "is_distorted_guitar", lambda track: False)
    _, direct = create_generator("composer").generate(synthetic_controls(6.0, stops), "hard rock", 6.0, seed=1).source.read(stems=True)
    assert through_amp > 2 * band_share(direct["harmony"].mean(axis=1), 20, 80)
