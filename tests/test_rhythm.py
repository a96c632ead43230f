import numpy as np
import pytest

from expotion.controls.accents import accent_times as find_accents
from expotion.generators.composer.rhythm import plan_beats, snap_to_accents

RATE = 50.0


def curve_with_accents(accents, duration, width=0.04, noise=0.05, seed=0):
    t = np.arange(int(duration * RATE)) / RATE
    curve = sum(np.exp(-0.5 * ((t - a) / width) ** 2) for a in accents)
    return curve + noise * np.random.default_rng(seed).random(len(t))


@pytest.mark.parametrize("period", [0.4, 0.55, 0.75])
def test_beats_land_on_periodic_accents_and_find_their_tempo(period):
    jitter = np.random.default_rng(1).normal(0, 0.008, 40)
    accents = 0.37 + np.cumsum(np.full(40, period) + jitter)
    accents = accents[accents < 11.5]
    curve = curve_with_accents(accents, 12.0)
    grid = plan_beats(curve, find_accents(curve, RATE), RATE, 12.0, (60, 180))
    assert grid.source == "movement"
    assert grid.bpm == pytest.approx(60 / period, rel=0.03)
    for accent in accents:
        assert np.min(np.abs(grid.times - accent)) <= 0.02
    assert grid.times[0] >= 0 and grid.times[-1] < 12.0
    assert grid.times[0] < period + 0.02 and 12.0 - grid.times[-1] <= period + 0.02  # covers the clip


def test_beats_follow_a_drifting_tempo():
    accents = 0.2 + np.cumsum(np.linspace(0.45, 0.7, 22))
    accents = accents[accents < 11.8]
    curve = curve_with_accents(accents, 12.0)
    grid = plan_beats(curve, find_accents(curve, RATE), RATE, 12.0, (60, 180))
    for accent in accents:
        assert np.min(np.abs(grid.times - accent)) <= 0.02
    intervals = np.diff(grid.times)
    assert intervals[-3:].mean() > intervals[:3].mean() * 1.3


def test_without_rhythmic_movement_the_prompt_sets_the_tempo():
    curve = np.random.default_rng(0).random(500) * 0.1
    grid = plan_beats(curve, np.zeros(0), RATE, 10.0, (90, 90), prompt_sets_tempo=True)
    assert grid.source == "prompt" and grid.bpm == pytest.approx(90, abs=0.5)
    np.testing.assert_allclose(np.diff(grid.times), 60 / 90, atol=1e-9)


def test_snapping_moves_only_near_beats():
    beats = np.array([1.0, 2.0, 3.0])
    snapped = snap_to_accents(beats, np.array([1.03, 2.2]), tolerance=0.06)
    np.testing.assert_allclose(snapped, [1.03, 2.0, 3.0])


def test_bars_start_on_the_strongest_beats():
    accents = 0.5 + 0.5 * np.arange(20)
    strong = accents[1::4]  # every fourth accent is a hit
    t = np.arange(int(11 * RATE)) / RATE
    curve = sum((2.0 if a in strong else 1.0) * np.exp(-0.5 * ((t - a) / 0.04) ** 2) for a in accents)
    grid = plan_beats(curve, find_accents(curve, RATE), RATE, 11.0, (100, 140), meter=4)
    bar_starts = grid.bar_starts()[1:]  # after the pickup
    for start in bar_starts[:3]:
        assert np.min(np.abs(strong - start)) <= 0.02
