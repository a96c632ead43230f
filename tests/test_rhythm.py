import numpy as np
import pytest

from expotion.generators.composer.rhythm import HEARD_TEMPO, plan_beats

RATE = 50.0


def jittered(period, start=0.37, end=11.5, jitter=0.008, seed=1):
    times = start + np.cumsum(np.full(60, period) + np.random.default_rng(seed).normal(0, jitter, 60))
    return times[times < end]


@pytest.mark.parametrize("period", [0.45, 0.55, 0.75])
def test_beats_land_on_periodic_movement_beats_and_find_their_tempo(period):
    stops = jittered(period)
    grid = plan_beats(stops, np.ones(len(stops)), RATE, 12.0, (60, 180))
    assert grid.source == "movement"
    assert grid.bpm == pytest.approx(60 / period, rel=0.03)
    for stop in stops:
        assert np.min(np.abs(grid.times - stop)) <= 0.02
    assert grid.times[0] >= 0 and grid.times[-1] < 12.0
    assert grid.times[0] < period + 0.02 and 12.0 - grid.times[-1] <= period + 0.02  # covers the clip


def test_beats_follow_a_drifting_tempo():
    stops = 0.2 + np.cumsum(np.linspace(0.45, 0.7, 22))
    stops = stops[stops < 11.8]
    grid = plan_beats(stops, np.ones(len(stops)), RATE, 12.0, (60, 180))
    for stop in stops:
        assert np.min(np.abs(grid.times - stop)) <= 0.02
    intervals = np.diff(grid.times)
    assert intervals[-3:].mean() > intervals[:3].mean() * 1.3


def test_movement_too_fast_or_too_slow_to_be_heard_as_a_beat_is_halved_or_doubled():
    fast = jittered(0.3)  # 200 BPM: a listener hears every other stop as the beat
    grid = plan_beats(fast, np.ones(len(fast)), RATE, 12.0, (60, 180))
    assert HEARD_TEMPO[0] <= grid.bpm <= HEARD_TEMPO[1] and grid.bpm == pytest.approx(100, rel=0.05)
    on_a_beat = [np.min(np.abs(grid.times - stop)) <= 0.02 for stop in fast]
    assert 0.4 <= np.mean(on_a_beat) <= 0.6


def test_a_slow_prompt_never_halves_the_movement():
    nodding = jittered(0.46)  # 130 BPM
    slow = plan_beats(nodding, np.ones(len(nodding)), RATE, 12.0, (60, 80), prompt_sets_tempo=True, follow=0.1)
    assert slow.bpm == pytest.approx(130, rel=0.04)
    assert all(np.min(np.abs(slow.times - stop)) <= 0.02 for stop in nodding)


@pytest.mark.parametrize("follow, bpm", [(1.0, 65), (0.5, 130)])
def test_a_fast_prompt_doubles_a_slow_movement_only_where_the_body_leads_less(follow, bpm):
    swaying = jittered(0.92)  # 65 BPM
    fast = plan_beats(swaying, np.ones(len(swaying)), RATE, 12.0, (120, 140), prompt_sets_tempo=True, follow=follow)
    assert fast.bpm == pytest.approx(bpm, rel=0.04)
    assert all(np.min(np.abs(fast.times - stop)) <= 0.02 for stop in swaying)


def test_the_tempo_is_the_shortest_period_the_movement_repeats_at():
    """Stops every 0.5 s also repeat every 1 s; a prior leaning to 60 BPM must not pick that."""
    stops = jittered(0.5)
    grid = plan_beats(stops, np.ones(len(stops)), RATE, 12.0, (55, 65))
    assert grid.bpm == pytest.approx(120, rel=0.04)


@pytest.mark.parametrize("count", [2, 3])
def test_a_few_stops_set_tempo_and_phase_and_each_gets_a_beat(count):
    """A slow mover stops every 1.2 s two or three times in a clip: 50 BPM, heard as 100."""
    stops = 1.0 + 1.2 * np.arange(count)
    grid = plan_beats(stops, np.ones(count), RATE, 6.0, (85, 95))
    assert grid.source == "movement" and grid.bpm == pytest.approx(100, rel=0.03)
    for stop in stops:
        assert np.min(np.abs(grid.times - stop)) <= 0.02


def test_without_movement_the_prompt_sets_the_tempo():
    grid = plan_beats(np.zeros(0), np.zeros(0), RATE, 10.0, (90, 90), prompt_sets_tempo=True)
    assert grid.source == "prompt" and grid.bpm == pytest.approx(90, abs=0.5)
    np.testing.assert_allclose(np.diff(grid.times), 60 / 90, atol=1e-9)


def test_follow_zero_ignores_the_movement():
    stops = jittered(0.55)
    grid = plan_beats(stops, np.ones(len(stops)), RATE, 12.0, (90, 90), follow=0.0)
    assert grid.source == "prompt"
    np.testing.assert_allclose(np.diff(grid.times), 60 / 90, atol=1e-9)


def test_bars_start_on_the_strongest_movement_beats():
    stops = 0.5 + 0.5 * np.arange(20)
    strengths = np.where(np.arange(20) % 4 == 1, 2.0, 1.0)  # every fourth stop ends a big stroke
    grid = plan_beats(stops, strengths, RATE, 11.0, (100, 140), meter=4)
    for start in grid.bar_starts()[1:4]:  # after the pickup
        assert np.min(np.abs(stops[1::4] - start)) <= 0.02
