from dataclasses import replace

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from expotion.controls.timeline import fill_short_gaps, grid_times, lowpass, to_grid
from expotion.testing.controls import synthetic_controls


def test_grid_covers_the_duration_at_the_rate():
    grid = grid_times(9.6486, 50)
    assert len(grid) == 483 and grid[0] == 0 and grid[-1] < 9.6486 <= grid[-1] + 1 / 50
    assert len(grid_times(2.0, 50)) == 100


def test_resampling_is_by_timestamp_not_frame_count():
    rng = np.random.default_rng(0)
    times = np.cumsum(rng.uniform(0.02, 0.09, 80))  # variable frame rate
    times -= times[0]
    values = 3.0 * times + 1.0  # a ramp: linear interpolation must reproduce it exactly
    grid = grid_times(times[-1], 50)
    resampled, mask = to_grid(times, values, np.ones(len(times), bool), grid, cutoff_hz=0)
    assert mask.all()
    np.testing.assert_allclose(resampled, 3.0 * grid + 1.0, atol=1e-9)


def test_zero_phase_smoothing_does_not_move_a_peak():
    rate = 50.0
    t = np.arange(500) / rate
    for peak in (2.0, 4.37, 7.91):
        signal = np.exp(-0.5 * ((t - peak) / 0.05) ** 2)
        smoothed = lowpass(signal, rate, 4.0)
        assert smoothed.max() < signal.max()  # it did smooth
        assert abs(t[np.argmax(smoothed)] - peak) <= 1 / rate


@pytest.mark.parametrize("rate, cutoff_hz", [(50.0, 6.0), (50.0, 0.3), (30.0, 11.9), (1000.0, 1.0), (10.0, 4.0)])
def test_the_low_pass_is_scipys_zero_phase_butterworth(rate, cutoff_hz):
    """The same filter as sosfiltfilt(butter(2, cutoff)), ends included, for runs from just
    long enough to pad (10 samples) to ten minutes at 50 Hz."""
    rng = np.random.default_rng(int(rate + cutoff_hz))
    for length in (10, 37, 500, 30_000):
        signal = np.cumsum(rng.normal(size=(length, 3)), axis=0) + rng.normal(size=(length, 3))
        expected = sosfiltfilt(butter(2, cutoff_hz, fs=rate, output="sos"), signal, axis=0)
        np.testing.assert_allclose(lowpass(signal, rate, cutoff_hz), expected, rtol=0, atol=1e-9 * np.abs(expected).max())


def test_short_gaps_are_filled_long_gaps_stay_masked():
    times = np.arange(40) / 10.0
    valid = np.ones(40, bool)
    valid[5:7] = False  # 0.3 s between the valid frames around it: filled
    valid[20:30] = False  # 1.1 s: stays masked
    filled = fill_short_gaps(times, valid, max_gap=0.3)
    assert filled[5:7].all() and not filled[20:30].any()
    values = np.where(valid, times, np.nan)
    resampled, mask = to_grid(times, values, valid, grid_times(4.0, 50), max_gap=0.3, cutoff_hz=0)
    grid = grid_times(4.0, 50)
    assert mask[(grid >= 0.5) & (grid < 0.7)].all()
    np.testing.assert_allclose(resampled[(grid >= 0.5) & (grid < 0.7)], grid[(grid >= 0.5) & (grid < 0.7)], atol=1e-9)
    hidden = (grid >= 2.0) & (grid < 3.0)
    assert not mask[hidden].any() and np.isnan(resampled[hidden]).all()


def test_nothing_observed_gives_a_full_mask_of_nan():
    times = np.arange(10) / 10
    values, mask = to_grid(times, np.full((10, 3), np.nan), np.zeros(10, bool), grid_times(1.0, 50))
    assert not mask.any() and np.isnan(values).all() and values.shape == (50, 3)


@pytest.mark.parametrize("rate", [25.0, 50.0, 100.0])
def test_grid_time_maps_to_the_frame_on_screen(rate):
    times = np.array([0.0, 0.1, 0.35, 0.4])
    valid = np.array([True, False, True, True])
    _, mask = to_grid(times, times.copy(), valid, grid_times(0.5, rate), max_gap=0.0, cutoff_hz=0)
    grid = grid_times(0.5, rate)
    assert (mask == ~((grid >= 0.1) & (grid < 0.35))).all()


def test_each_shot_is_resampled_on_its_own():
    """A person at one place in one shot and at another in the next, seen 10 times a second:
    across the cut the grid neither ramps from one to the other nor rings; each side holds its
    own shot's value up to the cut, as the frames on screen show it. Without the cut, the grid
    ramps and the low-pass smears the leap over the cut."""
    times = np.arange(20) / 10.0
    cut = 1.05  # a frame of the new shot is on screen from here; the trackers see it at 1.1
    values = np.where(times < cut, 0.2, 0.7)
    grid = grid_times(2.0, 50)
    resampled, mask = to_grid(times, values, np.ones(20, bool), grid, cutoff_hz=4.0, cuts=np.array([cut]))
    assert mask.all()
    np.testing.assert_allclose(resampled[grid < cut], 0.2, atol=1e-6)
    np.testing.assert_allclose(resampled[grid >= cut], 0.7, atol=1e-6)
    smeared, _ = to_grid(times, values, np.ones(20, bool), grid, cutoff_hz=4.0)
    assert np.abs(smeared[(grid > 0.9) & (grid < 1.25)] - np.where(grid < cut, 0.2, 0.7)[(grid > 0.9) & (grid < 1.25)]).max() > 0.1


def test_between_a_cut_and_the_nearest_observation_nothing_is_known_where_asked():
    """Observations of every tenth of a second: between the last before a cut and the cut, and
    between the cut and the first after, the grid holds them, or knows nothing, as asked."""
    times = np.arange(20) / 10.0
    values = times.copy()  # moving steadily
    grid, cut = grid_times(2.0, 50), 1.05
    held, held_mask = to_grid(times, values, np.ones(20, bool), grid, cutoff_hz=0, cuts=np.array([cut]))
    unseen, unseen_mask = to_grid(times, values, np.ones(20, bool), grid, cutoff_hz=0, cuts=np.array([cut]), unseen_at_cuts=True)
    between = ((grid > 1.0) & (grid < cut)) | ((grid >= cut) & (grid < 1.1))
    assert held_mask.all() and np.all(held[(grid > 1.0) & (grid < cut)] == np.float32(1.0))
    assert not unseen_mask[between].any() and np.isnan(unseen[between]).all()
    np.testing.assert_array_equal(unseen[~between], held[~between])


def test_controls_resampled_to_a_lower_rate_keep_each_shot_apart():
    """Controls of an edited video, a still person moving the frame little in one shot and much
    in the next, downsampled: each shot keeps its own level up to the cut, where the low-pass
    against aliasing would otherwise smear the leap over both sides."""
    controls = synthetic_controls(4.0, [])
    cut = 2.0
    energy = np.where(controls.times < cut, 0.1, 0.5)
    edited = replace(controls, motion_energy=energy, provenance={"shot_cuts": [cut]})
    at_10 = edited.resample_to(10)
    np.testing.assert_allclose(at_10.motion_energy, np.where(at_10.times < cut, 0.1, 0.5), atol=1e-6)
    smeared = replace(edited, provenance={}).resample_to(10).motion_energy
    assert np.abs(smeared - np.where(at_10.times < cut, 0.1, 0.5)).max() > 0.05
