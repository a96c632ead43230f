from dataclasses import asdict

import numpy as np
import pytest

from expotion.controls import Controls, extract_controls
from expotion.controls.body import REFERENCE_ASPECT, REFERENCE_SHOULDER_WIDTH, BodyObservation
from expotion.controls.face import FACE_SCALARS
from expotion.controls.movement_beats import (
    FLOW_NOISE_FLOOR,
    FLOW_SPEED_FLOOR,
    find_stops,
    flow_speed_floor,
    gaussian_smooth,
    local_minima,
)
from expotion.controls.motion import MOTION_REGIONS, MotionObservation
from expotion.controls.observations import BLOCK_ROWS, FrameObservations, ObservationLog
from expotion.errors import ParameterError
from expotion.evaluation.movement import body_speed, speed_extrema
from expotion.options import AnalysisSettings
from expotion.testing import synthetic
from expotion.testing.movement_scenes import SCENES, TURN_TIMES

ONE_GRID_STEP = 1 / 50  # 20 ms


@pytest.fixture(scope="module")
def extracted(videos):
    cache = {}

    def get(name, **options):
        if name not in cache:
            path, _ = videos(name, **options)
            cache[name] = extract_controls(path)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def scene_controls(tmp_path_factory):
    """Controls of the synthetic movement scenes, each written and extracted once."""
    folder, cache = tmp_path_factory.mktemp("scenes"), {}

    def get(name):
        if name not in cache:
            cache[name] = extract_controls(SCENES[name].write(folder / f"{name}.mp4"))
        return cache[name]

    return get


@pytest.mark.parametrize("name", ["15fps", "23.17fps", "30fps", "vfr"])
def test_each_turn_is_a_movement_beat_within_one_grid_step(extracted, name):
    controls = extracted(name)
    assert controls.rate == 50 and controls.face_mask.all() and controls.body_mask.all()
    for turn in TURN_TIMES:
        nearest = np.min(np.abs(controls.movement_beats - turn))
        assert nearest <= ONE_GRID_STEP, f"turn at {turn} s found {nearest * 1000:.0f} ms away"
    assert len(controls.movement_beats) == len(TURN_TIMES)  # and nothing else: the sway in between is steady


def test_grid_spans_the_video_duration(extracted, videos):
    controls = extracted("vfr")
    _, times = videos("vfr")
    last_step = np.median(np.diff(times))
    assert controls.duration == pytest.approx(times[-1] + last_step, abs=1e-3)
    assert controls.num_frames == int(np.ceil(controls.duration * 50 - 1e-9))
    for name in Controls.time_series_names():
        assert len(getattr(controls, name)) == controls.num_frames, name


def test_analysis_rates_follow_the_settings_and_are_recorded(extracted, videos):
    path, _ = videos("30fps")
    default = extracted("30fps")
    assert default.provenance["analysed_fps"] == pytest.approx({"face_and_body": 10.0, "motion": 30.0})
    settings = AnalysisSettings(person_fps=15.0, motion_fps=15.0)
    finer = extract_controls(path, settings=settings)
    assert finer.provenance["analysed_fps"] == pytest.approx({"face_and_body": 15.0, "motion": 15.0})
    assert finer.provenance["analysis"] == asdict(settings)
    assert finer.duration == default.duration and finer.num_frames == default.num_frames
    with pytest.raises(ParameterError, match="person_fps"):
        extract_controls(path, settings=AnalysisSettings(person_fps=0))


def test_face_and_body_are_masked_while_the_person_is_away(extracted):
    controls = extracted("hidden", times=synthetic.constant_rate_times(5.0, 15.0), hidden=[(1.5, 3.0)])
    t = controls.times
    away, present = (t > 1.6) & (t < 2.9), (t < 1.4) | (t > 3.1)
    assert not controls.face_mask[away].any() and controls.face_mask[present].all()
    assert not controls.body_mask[away].any() and controls.body_mask[present].all()
    assert np.isnan(controls.face_scalars[away]).all() and np.isnan(controls.body_keypoints[away]).all()
    assert np.isfinite(controls.face_scalars[present]).all()
    assert np.isfinite(controls.motion_energy).all()  # motion is always observed


def test_expression_descriptor_ignores_head_position_scale_and_roll(tmp_path):
    times = synthetic.constant_rate_times(3.0, 15.0)

    def placement(t):
        return synthetic.Placement(
            x=320 + 120 * np.sin(2 * np.pi * t / 3), y=260 + 30 * np.cos(2 * np.pi * t / 2),
            scale=0.5 + 0.15 * np.sin(2 * np.pi * t / 3), angle=25 * np.sin(2 * np.pi * t / 1.5),
        )

    path = tmp_path / "wandering.mp4"
    synthetic.portrait_video(path, times, placement)
    controls = extract_controls(path)
    assert controls.face_mask.all()
    roll = controls.head_pose[:, 2]
    assert roll.max() - roll.min() > 35  # the head really turned in the image …
    expression = controls.face_expression
    spread = np.abs(expression - expression.mean(axis=0)).mean()
    # … yet the expression barely moved: opening the mouth moves lip landmarks ~0.2 inter-ocular
    # distances, ten times this bound, while the raw landmarks moved by hundreds of pixels.
    assert spread < 0.02
    scalars = controls.face_scalars
    assert (scalars.std(axis=0) < 0.02).all(), dict(zip(FACE_SCALARS, scalars.std(axis=0)))


def test_video_without_a_person_gives_fully_masked_controls(tmp_path):
    times = synthetic.constant_rate_times(2.0, 15.0)
    backdrop = synthetic.background(320, 240)
    path = tmp_path / "empty_room.mp4"
    synthetic.write_video(path, times, (backdrop for _ in times))
    controls = extract_controls(path)
    assert not controls.has_person
    assert not controls.face_mask.any() and not controls.body_mask.any()
    assert np.isnan(controls.face_expression).all()
    assert len(controls.movement_beats) == 0


def test_save_load_round_trip_and_resampling(extracted, tmp_path):
    controls = extracted("30fps")
    path = tmp_path / "controls.npz"
    controls.save(path)
    loaded = Controls.load(path)
    for name in Controls.time_series_names():
        np.testing.assert_array_equal(getattr(loaded, name), getattr(controls, name))
    assert loaded.provenance == controls.provenance
    assert loaded.provenance["extractors"]["face"].startswith("mediapipe")
    at_25 = loaded.resample_to(25)
    assert at_25.num_frames == int(np.ceil(controls.duration * 25 - 1e-9))
    np.testing.assert_allclose(at_25.motion_energy[10], controls.motion_energy[20], rtol=0.1)
    assert at_25.face_mask.dtype == bool


def assert_one_beat_at_each(truths, beats: np.ndarray, tolerance: float) -> None:
    """A movement beat within `tolerance` of each true stop or turn, and no other."""
    for truth in truths:
        assert np.min(np.abs(beats - truth)) <= tolerance, f"{truth:.2f} s: found {beats}"
    assert len(beats) == len(truths)


@pytest.mark.parametrize("name", ["nod", "strikes", "small strikes", "fast sway"])
def test_each_stop_or_turn_of_a_nod_a_strike_or_a_fast_sway_is_a_movement_beat_within_one_frame(scene_controls, name):
    """A nod at a known tempo has a beat at each turning point; a hand that strikes and holds
    still, one where it stops, also when the person is half the size in the frame; a sway at
    1.25 frame widths a second, one at each reversal."""
    scene, controls = SCENES[name], scene_controls(name)
    assert_one_beat_at_each(scene.truth, controls.movement_beats, 1 / scene.fps)


@pytest.mark.parametrize("name", ["sway filmed at 24 fps, stored at 30", "sway filmed at 25 fps, stored at 30",
                                  "sway filmed at 28 fps, stored at 30", "nod filmed at 12 fps, stored at 60"])
def test_a_picture_that_a_frame_rate_conversion_repeats_is_no_stop(scene_controls, name):
    """Nothing moves between a picture and its repeat: each repeat looked like a stop (15 and 20
    movement beats for the 6 turns of a sway filmed at 24 and 25 pictures a second; 10 at 28,
    whose repeats are too far apart for a conversion's pattern, when they were taken for missed
    pictures). Each turn is one beat, within a picture and a frame of it (the picture after a
    turn is shown up to a frame after it was taken). Timed when first shown, not as taken, the
    sway at 25 pictures a second sped up and slowed down, and a turn was found 0.10 s late."""
    scene, controls = SCENES[name], scene_controls(name)
    assert controls.provenance["repeated_frames"] > 0
    assert_one_beat_at_each(scene.truth, controls.movement_beats, scene.tolerance)


def test_a_picture_the_camera_missed_is_no_stop(scene_controls):
    """A webcam that misses a picture mid-stroke, in a file whose encoder repeats the picture
    before in its frame: the flow dipped to nothing there and rose to double after, and the
    sway with one picture in twelve missed had 11 movement beats for its 6 turns, three of them
    86–113 ms off. The movement goes on across such a repeat, where a turn would reverse it:
    it stands for the missed picture. Each turn is one beat, within two frames."""
    scene, controls = SCENES["sway with pictures dropped"], scene_controls("sway with pictures dropped")
    assert controls.provenance["repeated_frames"] > 0
    assert_one_beat_at_each(scene.truth, controls.movement_beats, scene.tolerance)


def test_a_cut_to_another_camera_is_no_stroke_and_no_stop(scene_controls):
    """Across a cut the flow is large and arbitrary and every keypoint leaps to where the other
    camera sees the person: the sway cut twice mid-stroke had 3 movement beats for its 6 turns,
    one of them 0.12 s after the first cut, and the leap set the clip's scale, so that the
    strokes of the sway itself were too slow to count. Each shot is analysed as a clip of its
    own: each turn is one beat, within a frame, and the cuts are reported where they are. The
    keypoints, seen 10 times a second, were held still from the last picture analysed to the
    cut: the ruler's rule (`body_speed`, `speed_extrema`) saw them stop 0.06 s before each cut;
    nothing is known there now."""
    scene, controls = SCENES["sway cut between two cameras"], scene_controls("sway cut between two cameras")
    np.testing.assert_allclose(controls.provenance["shot_cuts"], scene.cuts, atol=1 / scene.fps)
    assert_one_beat_at_each(scene.truth, controls.movement_beats, 1 / scene.fps)
    body_stops = speed_extrema(body_speed(controls.body_velocity, controls.body_visibility), controls.rate, "stops")
    assert not any(np.any((body_stops > cut - 0.1) & (body_stops < cut + 0.1)) for cut in scene.cuts), body_stops
    window = controls.window(2.0, 2.0)  # re-timed as its movement beats are
    np.testing.assert_allclose(window.provenance["shot_cuts"], [scene.cuts[1] - 2.0], atol=1 / scene.fps)


@pytest.mark.parametrize("name", ["strikes", "small strikes"])
def test_a_stop_the_flow_sees_keeps_the_flows_time_not_the_keypoints_lag(scene_controls, name):
    """Keypoints lag behind a hand that stops dead (15–28 ms here when the stop was taken from
    the mean of flow and keypoint speed); the flow sees the stop when it happens."""
    scene, controls = SCENES[name], scene_controls(name)
    errors = [np.min(np.abs(controls.movement_beats - truth)) for truth in scene.truth]
    assert max(errors) <= 0.01, errors


@pytest.mark.parametrize("name", ["still", "slow drift"])
def test_a_still_or_slowly_drifting_person_has_no_movement_beats(scene_controls, name):
    controls = scene_controls(name)
    assert controls.body_mask.all()
    assert len(controls.movement_beats) == 0, controls.movement_beats


def test_the_flow_floor_falls_with_the_cube_of_the_persons_size_within_its_bounds():
    webcam = flow_speed_floor(REFERENCE_SHOULDER_WIDTH, REFERENCE_ASPECT)
    assert webcam == FLOW_SPEED_FLOOR
    half = flow_speed_floor(REFERENCE_SHOULDER_WIDTH / 2, REFERENCE_ASPECT)
    assert half == pytest.approx(FLOW_SPEED_FLOOR / 8)
    # the same person in a frame twice as wide fills half as much of it
    assert flow_speed_floor(REFERENCE_SHOULDER_WIDTH / 2, 2 * REFERENCE_ASPECT) == pytest.approx(half / 2)
    assert flow_speed_floor(2 * REFERENCE_SHOULDER_WIDTH, REFERENCE_ASPECT) == FLOW_SPEED_FLOOR
    assert flow_speed_floor(0.01, REFERENCE_ASPECT) == FLOW_NOISE_FLOOR
    assert flow_speed_floor(np.nan, REFERENCE_ASPECT) == FLOW_SPEED_FLOOR  # no body: size unknown


def bump(t: np.ndarray, centre: float, width: float, height: float = 1.0) -> np.ndarray:
    """A stroke's speed over time `t`: a Gaussian peak of `height` at `centre`."""
    return height * np.exp(-0.5 * ((t - centre) / width) ** 2)


def test_a_stroke_that_wavers_as_it_slows_has_one_stop_at_the_bottom_of_its_slowing():
    """Three strokes; the first slows to half speed, picks up by a fifth, and slows on to its stop
    at 1.28 s. The waver is the stroke still slowing, not a stop of its own (it was one)."""
    rate = 50.0
    t = np.arange(0, 3.6, 1 / rate)
    speed = 0.2 + bump(t, 0.7, 0.15) + bump(t, 1.05, 0.05, 0.2) + bump(t, 1.85, 0.15) + bump(t, 3.0, 0.15)
    minima = t[local_minima(speed)]
    np.testing.assert_allclose(minima, [0.98, 1.28, 2.42])  # the waver's dip, the first stop, the second
    times, strengths = find_stops(speed, rate)
    np.testing.assert_allclose(times, [1.28, 2.42], atol=0.01)
    np.testing.assert_allclose(strengths, 1.2, atol=0.01)


def test_a_stroke_that_came_to_rest_ends_where_it_settled_though_the_stillness_dips_later():
    """The hand stops at about 1 s and rests, slowing from 0.13 to 0.02 half a second later (a
    rest's dips are noise and relaxing, not the stroke ending): the stop stays where it settled."""
    rate = 50.0
    t = np.arange(0, 3.0, 1 / rate)
    speed = 0.02 + bump(t, 0.7, 0.15) + 0.1 * ((t > 0.9) & (t < 1.6)) + bump(t, 1.3, 0.05, 0.08) + bump(t, 2.4, 0.15)
    times, _ = find_stops(gaussian_smooth(speed, 1.5), rate)
    np.testing.assert_allclose(times, [1.03], atol=0.02)  # it was put at 1.53


def test_local_minima_are_scipys_peaks_of_the_negated_curve():
    """Plateaus count once at their middle; the ends never count (find_peaks's rules)."""
    from scipy.signal import find_peaks

    rng = np.random.default_rng(0)
    curves = [rng.integers(0, 4, length).astype(float) for length in (0, 1, 2, 3, 5, 60) for _ in range(50)]
    curves += [np.array([3.0, 1, 1, 1, 1, 3]), np.array([1.0, 1, 2, 0, 0]), rng.normal(size=1000)]
    for curve in curves:
        np.testing.assert_array_equal(local_minima(curve), find_peaks(-curve)[0])


@pytest.mark.parametrize("sigma", [0.5, 1.5, 2.5, 7.0])
def test_gaussian_smoothing_is_scipys_in_nearest_mode(sigma):
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(int(sigma * 10))
    for length in (2, 10, 500):
        velocity = rng.normal(size=(length, 13, 2))
        expected = gaussian_filter1d(velocity, sigma, axis=0, mode="nearest")
        np.testing.assert_allclose(gaussian_smooth(velocity, sigma), expected, rtol=0, atol=1e-12)


def test_the_observation_log_keeps_every_row_in_order_with_gaps_as_nan():
    """Rows are kept in blocks; across block edges, with unseen rows between and at both ends,
    each field comes back as the stack of what was appended, NaN where nothing was seen."""
    log, expected = ObservationLog(), []
    rng = np.random.default_rng(0)
    for row in range(2 * BLOCK_ROWS + 5):
        seen = 3 <= row < 2 * BLOCK_ROWS + 2 and row % 7 != 0
        observation = BodyObservation(rng.normal(size=(13, 2)), rng.random(13)) if seen else None
        log.append(observation)
        expected.append(observation)
    assert len(log) == len(expected)
    assert np.array_equal(log.valid(), [o is not None for o in expected])
    keypoints = log.values("keypoints")
    assert keypoints.shape == (len(expected), 13, 2)
    for row, observation in enumerate(expected):
        if observation is None:
            assert np.isnan(keypoints[row]).all()
        else:
            assert np.array_equal(keypoints[row], observation.keypoints)


def test_a_field_never_observed_comes_back_as_nan_of_its_shape():
    log = ObservationLog()
    for _ in range(3):
        log.append(None)
    assert not log.valid().any()
    assert np.isnan(log.values("expression", (5,))).all() and log.values("expression", (5,)).shape == (3, 5)


def observed_sway(step_out_of_repeat: float, every: int) -> tuple[np.ndarray, FrameObservations]:
    """30 frames of a 30 fps video whose frame 15 repeats frame 14's picture, as the flow on
    `every` n-th frame sees them: a region moving one step per picture, and
    `step_out_of_repeat` steps from frame 14's picture to the next."""
    times = np.arange(30) / 30
    seen = FrameObservations()
    for index, time in enumerate(times):
        seen.times.append(time)
        seen.durations.append(1 / 30)
        seen.repeats.append(index == 15)
    for index in range(every, 30, every):
        steps = sum({15: 0.0, 16: step_out_of_repeat}.get(frame, 1.0) for frame in range(index - every + 1, index + 1))
        flow = np.zeros((len(MOTION_REGIONS), 2))
        flow[4] = (0.2 * steps, 0.0)
        seen.motion.append(MotionObservation(times[index - every], times[index], abs(steps), np.abs(flow[:, 0]), flow))
    return times, seen


@pytest.mark.parametrize("every", [1, 2])
def test_a_repeat_the_movement_goes_on_across_by_two_steps_stands_for_a_missed_picture(every):
    """Also where the flow skips frames (a 60 fps video's flow on every other frame), and the
    repeat lies inside one measurement."""
    times, seen = observed_sway(2.0, every)
    taken = seen.taken(times)
    assert taken[15] == taken[14] == times[14]
    np.testing.assert_array_equal(np.delete(taken, 15), np.delete(times, 15))


@pytest.mark.parametrize("every", [1, 2])
def test_a_repeat_the_movement_goes_on_across_by_one_step_stands_for_a_picture_that_came_late(every):
    """No picture was missed: the frame the repeat held is spread over the pictures around it."""
    times, seen = observed_sway(1.0, every)
    taken = seen.taken(times)
    assert taken[15] == taken[14]
    steps = np.diff(np.delete(taken, 15)) * 30
    assert np.max(steps) < 1.1, steps


@pytest.mark.parametrize("every", [1, 2])
def test_a_repeat_the_movement_turns_round_at_is_a_real_picture(every):
    """Noise-free video shows a picture twice where a sway turns halfway between two frames."""
    times, seen = observed_sway(-1.0, every)
    np.testing.assert_array_equal(seen.taken(times), times)
