from fractions import Fraction

import av
import numpy as np
import pytest

from expotion.errors import ExpotionError
from expotion.testing import synthetic
from expotion.video.decode import DecodedFrame, analysis_size, iter_frames, probe
from expotion.video.cuts import CUT_CHANGE, shot_cuts
from expotion.video.letterbox import Letterbox
from expotion.video.repeats import MAX_REPEATS, MAX_STRETCH, PictureChanges, taken_times

TICK = 1 / 90000  # the synthetic videos' time base


@pytest.mark.parametrize("name", ["15fps", "23.17fps", "30fps", "vfr"])
def test_timestamps_are_the_presentation_times(videos, name):
    path, times = videos(name)
    decoded = np.array([frame.time for frame in iter_frames(path, max_side=160)])
    assert len(decoded) == len(times)
    np.testing.assert_allclose(decoded, times, atol=TICK)


def test_variable_frame_rate_really_varies(videos):
    path, times = videos("vfr")
    steps = np.diff([frame.time for frame in iter_frames(path, max_side=96)])
    assert steps.max() / steps.min() > 1.5


def test_rotation_metadata_gives_upright_frames(tmp_path):
    upright = np.zeros((120, 80, 3), np.uint8)
    upright[:20, :20] = 255  # a white corner at the top left
    path = tmp_path / "rotated.mp4"
    synthetic.write_video(path, np.arange(5) / 10, [upright] * 5, rotation=90)
    with av.open(str(path)) as container:  # stored sideways
        assert (container.streams.video[0].width, container.streams.video[0].height) == (120, 80)
    info = probe(path)
    assert (info.width, info.height, info.rotation) == (80, 120, 90)
    frame = next(iter_frames(path)).image
    assert frame.shape == (120, 80, 3)
    assert frame[:20, :20].mean() > 200 and frame[-20:, -20:].mean() < 50


@pytest.mark.parametrize("pixel_format", ["yuv420p", "yuvj420p", "yuv444p"])
def test_the_flows_grey_picture_matches_ffmpegs_conversion(pixel_format):
    """yuv420p is scaled by OpenCV straight from its luma plane, other formats by FFmpeg's
    scaler: either way the picture is FFmpeg's full-range luminance."""
    rgb = synthetic.portrait()[:480, :384]
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pixel_format)
    decoded = DecodedFrame(0, 0.0, None, frame, None)
    grey = decoded.grey(96)
    reference_grey = frame.reformat(width=96, height=120, format="gray8", interpolation="AREA").to_ndarray().astype(int)
    assert grey.shape == (120, 96) and grey.dtype == np.uint8
    assert np.abs(grey.astype(int) - reference_grey).mean() < 1.0
    assert abs(grey.mean() - rgb.mean()) < 12  # full range: not the darker, flatter limited-range levels


def test_downscaling_keeps_aspect_and_even_sizes():
    assert analysis_size(1920, 1080, 640) == (640, 360)
    assert analysis_size(1080, 1920, 640) == (360, 640)
    assert analysis_size(320, 240, 640) == (320, 240)
    width, height = analysis_size(1001, 999, 333)
    assert width % 2 == 0 and height % 2 == 0


def _ffmpegs_pictures(path, size) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24", width=size[0], height=size[1]).astype(int)
                for frame in container.decode(container.streams.video[0])]


def test_pictures_shrunk_for_analysis_skip_deblocking_only_where_nothing_is_predicted_from_them(tmp_path):
    """Deblocking smooths block edges that shrinking averages away anyway: pictures at most
    half the size skip it on non-reference frames, a small difference that never drifts
    because every picture others are predicted from is decoded in full."""
    path = tmp_path / "wide.mp4"  # x264's defaults: B-frames, some used as references, some not
    synthetic.moving_portrait(path, synthetic.constant_rate_times(1.0, 30), [0.5], size=(640, 480), speed=300)
    for max_side, shrunk in ((640, False), (320, True)):
        size = analysis_size(640, 480, max_side)
        ours = [frame.image.astype(int) for frame in iter_frames(path, max_side=max_side)]
        differences = np.array([np.abs(a - b).mean() for a, b in zip(ours, _ffmpegs_pictures(path, size))])
        assert len(differences) == 30
        if shrunk:
            assert 0 < differences.max() < 0.2 and differences[0] == 0
            assert (differences == 0).sum() >= 10  # the key and reference frames: no drift
        else:
            assert differences.max() == 0


def test_frames_stream_lazily(videos):
    path, _ = videos("30fps")
    frames = iter_frames(path, max_side=64)
    first = next(frames)
    assert first.index == 0 and first.time == 0.0 and first.image.shape == (48, 64, 3)
    frames.close()


def _write_audio_only(path):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = (0.1 * np.sin(np.linspace(0, 880 * np.pi, 44100))).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            container.mux(packet)
        container.mux(stream.encode())


def _write_empty_video(path):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        container.start_encoding()  # header only: zero frames


def _truncate(source, target, keep=0.5):
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])


def test_bad_inputs_raise_one_clear_error(tmp_path, videos):
    good, _ = videos("30fps")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n")
    audio = tmp_path / "song.m4a"
    _write_audio_only(audio)
    empty = tmp_path / "empty.mp4"
    _write_empty_video(empty)
    truncated = tmp_path / "truncated.mp4"
    _truncate(good, truncated)
    cases = {
        tmp_path / "missing.mp4": "no such file",
        tmp_path: "directory",
        text: "not a video file",
        audio: "no video stream",
        empty: "no video stream|no video frames",
        truncated: "corrupt",
    }
    for path, message in cases.items():
        with pytest.raises(ExpotionError, match=message):
            list(iter_frames(path, max_side=64))


def test_truncated_faststart_file_is_reported_as_truncated(tmp_path):
    times = synthetic.constant_rate_times(4.0, 10.0)
    frames = [np.random.default_rng(i).integers(0, 255, (96, 128, 3), dtype=np.uint8) for i in range(len(times))]
    full = tmp_path / "full.mp4"
    synthetic.write_video(full, times, frames, faststart=True)
    truncated = tmp_path / "cut.mp4"
    _truncate(full, truncated, keep=0.4)
    with pytest.raises(ExpotionError, match="truncated|corrupt"):
        list(iter_frames(truncated))


def repeats_of(pictures) -> np.ndarray:
    return np.diff(pictures, prepend=-1) == 0


def test_a_frame_that_shows_the_picture_before_again_is_told_apart_from_a_new_one(tmp_path):
    """Noise pictures as film at 25 pictures a second stored at 30 shows them (frame j shows
    picture ⌊5j/6⌋), encoded: the repeats, and only they, are found."""
    pictures = [5 * j // 6 for j in range(36)]
    noise = np.random.default_rng(0).integers(0, 256, (max(pictures) + 1, 120, 160, 3), dtype=np.uint8)
    synthetic.write_video(tmp_path / "25in30.mp4", np.arange(len(pictures)) / 30, (noise[p] for p in pictures))
    compare = PictureChanges()
    np.testing.assert_array_equal([compare(frame).repeat for frame in iter_frames(tmp_path / "25in30.mp4")], repeats_of(pictures))


def test_a_small_person_moving_slowly_in_a_still_frame_repeats_no_picture(tmp_path):
    """A quarter-size portrait creeping 6 pixels a second across a noise-free backdrop changes
    the picture's average less than a conversion's repeat does (59 of 60 frames were taken for
    repeats), but not where it is."""
    times = synthetic.constant_rate_times(2.0, 30)
    synthetic.portrait_video(tmp_path / "small.mp4", times, lambda t: synthetic.Placement(300 + 6 * t, 240, synthetic.Placement.scale / 4))
    compare = PictureChanges()
    assert not any(compare(frame).repeat for frame in iter_frames(tmp_path / "small.mp4"))


def test_a_conversions_repeats_share_their_pictures_time_and_its_pictures_are_spread_evenly():
    """25 pictures a second shown at 30: every fifth picture twice. The pictures between two
    repeated ones were taken 1.2 frames apart; spread so, their mean time kept."""
    pictures = np.array([5 * j // 6 for j in range(60)])
    times = np.arange(60) / 30
    taken = taken_times(times, repeats_of(pictures))
    repeats = np.flatnonzero(repeats_of(pictures))
    np.testing.assert_array_equal(np.flatnonzero(np.diff(taken) == 0) + 1, repeats)
    stretches = slice(repeats[0] + 1, repeats[-1] + 1)  # from the first picture after a repeat to the last repeat
    spread = np.unique(taken[stretches])
    np.testing.assert_allclose(np.diff(spread), 1.2 / 30, atol=1e-9)
    assert np.mean(spread) == pytest.approx(np.mean(times[stretches][~repeats_of(pictures)[stretches]]))


@pytest.mark.parametrize("pictures", [
    [0, 1, 2] + [3] * (MAX_REPEATS + 2) + [4, 5],  # a still scene
    list(range(10)) + [9] + list(range(10, 10 + MAX_STRETCH + 2)) + [15 + MAX_STRETCH],  # a picture shown twice, once
], ids=["still", "once"])
def test_a_picture_held_longer_or_repeated_once_is_real_and_each_frame_keeps_its_time(pictures):
    """Held longer than a conversion holds a picture, it is a still scene: a movement that came
    to rest stopped when it stopped. Shown twice with no other repeat near, it is a real picture:
    noise-free footage of a sway turning halfway between two frames."""
    times = np.arange(len(pictures)) / 30
    np.testing.assert_array_equal(taken_times(times, repeats_of(pictures)), times)


@pytest.mark.parametrize("held", [1, 3])
def test_a_repeat_the_movement_goes_on_across_stands_for_a_missed_picture_and_shares_its_time(held):
    """A webcam that misses a picture mid-stroke, and an encoder that fills its frame with the
    picture before: the movement goes on across the repeat, which then shares its picture's
    time (so no flow is measured between them and the next measurement spans both frames)."""
    pictures = list(range(10)) + [9] * held + list(range(10, 20))
    times = np.arange(len(pictures)) / 30
    repeats = repeats_of(pictures)
    taken = taken_times(times, repeats, missed=repeats)
    np.testing.assert_array_equal(taken[10 : 10 + held], times[9])
    np.testing.assert_array_equal(np.delete(taken, np.arange(10, 10 + held)), np.delete(times, np.arange(10, 10 + held)))


@pytest.mark.parametrize("rate", [28.0, 24 * 1000 / 1001])
def test_pictures_that_came_more_slowly_than_the_frames_are_spread_at_the_pictures_rate(rate):
    """A camera at 28 pictures a second in a 30 fps file (and film at 23.976 in a 25 fps one)
    repeats a picture every 15 (24) frames, too seldom for a conversion's steady pattern: the
    movement goes on across each repeat by one step. Each picture's repeat shares its time,
    and between the middles of the first and last stretches the pictures follow one another
    at the pictures' own rate; no picture moves by more than a frame."""
    fps = 30.0 if rate == 28.0 else 25.0
    pictures = np.floor(np.arange(int(4 * fps)) * rate / fps + 1e-9).astype(int)
    times = np.arange(len(pictures)) / fps
    repeats = repeats_of(pictures)
    taken = taken_times(times, repeats, late=repeats)
    np.testing.assert_array_equal(taken[repeats], taken[np.flatnonzero(repeats) - 1])
    late = pictures[repeats]
    middle = np.unique(taken)[(late[0] + late[1] + 1) // 2 : (late[-2] + late[-1] + 1) // 2 + 1]
    np.testing.assert_allclose(np.diff(middle), 1 / rate, rtol=0.02)
    assert np.max(np.abs(taken - times)) < 1 / fps


def test_one_late_picture_spreads_its_slip_over_the_pictures_around_it():
    """A lone repeat of a picture that came late, in a 30 fps clip: the frame it held is shared
    out over the pictures on either side (the step across it was two frames; now none is over
    1.1 frames), and the clip's first and last pictures keep their times."""
    pictures = list(range(40)) + [39] + list(range(40, 80))
    times = np.arange(len(pictures)) / 30
    repeats = repeats_of(pictures)
    taken = taken_times(times, repeats, late=repeats)
    steps = np.diff(np.unique(taken)) * 30
    assert np.max(steps) < 1.1 and np.min(steps) > 1 - 1e-9
    assert taken[[0, -1]] == pytest.approx(times[[0, -1]])


def test_a_still_scene_keeps_its_frames_times_though_the_movement_goes_on_the_same_way():
    """A strike that holds still, then strikes on in the same direction: still for longer than
    a missed picture is ever held, it stopped when it stopped."""
    pictures = [0, 1, 2] + [3] * (MAX_REPEATS + 2) + [4, 5]
    times = np.arange(len(pictures)) / 30
    repeats = repeats_of(pictures)
    np.testing.assert_array_equal(taken_times(times, repeats, missed=repeats), times)


@pytest.mark.parametrize("missed", [2, 3])
def test_missed_pictures_near_each_other_keep_their_pictures_times(missed):
    """Two or three pictures missed 6 pictures apart, with no others near: the pictures keep
    when they were taken. Two are no conversion's steady pattern; three are, but the movement
    goes on across each by two steps, so no picture was late."""
    pictures = list(range(10))
    for _ in range(missed):
        pictures += [pictures[-1]] + list(range(pictures[-1] + 1, pictures[-1] + 7))
    pictures += list(range(pictures[-1] + 1, pictures[-1] + 10))
    times = np.arange(len(pictures)) / 30
    repeats = repeats_of(pictures)
    taken = taken_times(times, repeats, missed=repeats)
    expected = times.copy()
    expected[repeats] = times[np.flatnonzero(repeats) - 1]
    np.testing.assert_array_equal(taken, expected)


@pytest.mark.parametrize("seed", range(40))
def test_taken_times_never_run_backwards_whatever_the_repeats(seed):
    """Random repeats, each flagged missed, late or neither, at a constant or a variable frame
    rate: the pictures' times rise, each repeat keeps its frame's time or shares its picture's,
    and no picture moves further than the longest time a picture was held."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(2, 200))
    repeats = rng.random(count) < rng.uniform(0, 0.9)
    repeats[0] = False
    times = np.cumsum(rng.uniform(0.5, 1.5, count) if seed % 2 else np.ones(count)) / 30
    missed = repeats & (rng.random(count) < rng.uniform(0, 1))
    late = repeats & ~missed & (rng.random(count) < rng.uniform(0, 1))
    taken = taken_times(times, repeats, missed, late)
    firsts = np.flatnonzero(~repeats)
    assert np.all(np.diff(taken[firsts]) > 0)
    shared = taken[repeats] == taken[np.flatnonzero(repeats) - 1]
    assert np.all(shared | (taken[repeats] == times[repeats]))
    held = np.diff(np.append(times[firsts], times[-1] + 1 / 30)) - np.diff(times, append=times[-1] + 1 / 30)[firsts]
    assert np.max(np.abs(taken[firsts] - times[firsts])) <= held.max() + 1e-9


def test_a_frame_whose_picture_changes_all_at_once_begins_a_shot():
    """Changes (mean luma difference from the frame before) of a webcam person moving, 2–9
    levels, with a cut to another shot: the cut alone begins a shot. A camera pan or a fast
    dancer changes the picture as much for frames on end: no cut. Neither is a change below
    `CUT_CHANGE` among a conversion's repeats (which change by nothing)."""
    moving = np.random.default_rng(0).uniform(2, 9, 60)
    moving[0] = np.nan
    cut = moving.copy()
    cut[31] = 48.0
    np.testing.assert_array_equal(shot_cuts(cut), [31])
    panning = cut.copy()
    panning[28:36] = [40, 45, 38, 48, 42, 50, 39, 44]
    assert len(shot_cuts(panning)) == 0
    repeats = np.where(np.arange(60) % 5 == 0, 0.0, moving)
    repeats[31] = CUT_CHANGE * 0.9
    assert len(shot_cuts(repeats)) == 0
    assert len(shot_cuts(moving)) == 0


def test_a_cut_between_two_shots_of_a_video_is_found_and_nothing_else(tmp_path):
    """The sway seen by one camera and then, from 1.1 s, by another (another backdrop, the
    portrait further left), encoded: the frame at the cut, and no other, begins a shot."""
    times = synthetic.constant_rate_times(2.0, 30)
    synthetic.moving_portrait(tmp_path / "cut.mp4", times, (0.7, 1.5), cuts=(1.1,))
    compare = PictureChanges()
    changes = [compare(frame).mean for frame in iter_frames(tmp_path / "cut.mp4")]
    np.testing.assert_array_equal(shot_cuts(changes), [33])


@pytest.mark.parametrize("bars", ["letterbox", "pillarbox", "both"])
def test_a_cut_inside_bars_is_found_and_nothing_else(tmp_path, bars):
    """The same two shots shrunk to a third of the frame in bars of one colour (a landscape
    clip posted upright, a webcam clip in a wider frame): the bars never change, so what changes
    inside them counts. Averaged over the whole frame, the cut changes it by a third or a ninth
    as much, less than movement changes a picture."""
    times = synthetic.constant_rate_times(2.0, 30)
    synthetic.moving_portrait(tmp_path / "cut.mp4", times, (0.7, 1.5), cuts=(1.1,))
    taller, wider = {"letterbox": (3, 1), "pillarbox": (1, 3), "both": (3, 3)}[bars]
    synthetic.rewrite_video(tmp_path / "cut.mp4", tmp_path / "framed.mp4",
                            picture=lambda image: synthetic.in_bars(image, taller, wider, level=90))
    compare = PictureChanges()
    changes = [compare(frame).mean for frame in iter_frames(tmp_path / "framed.mp4")]
    np.testing.assert_array_equal(shot_cuts(changes), [33])


def test_bars_are_plain_edges_that_never_change_and_only_narrow():
    """A picture with plain bands above and below: bars while they stay as they were. Once a
    hand reaches into the upper band (a plain wall, not a bar), the band counts as picture from
    the hand's top row down, from then on. A plain first picture (black) leaves nothing inside:
    everything counts."""
    rng = np.random.default_rng(0)
    picture = np.full((120, 160), 16, np.uint8)
    picture[30:90] = rng.integers(0, 256, (60, 160))
    bars = Letterbox.of(picture)
    assert (bars.top, bars.bottom, bars.left, bars.right) == (30, 30, 0, 0)
    moved = picture.copy()
    moved[40:80, 50:70] = rng.integers(0, 256, (40, 20))
    assert bars.narrowed(moved).inside(moved).shape == (60, 160)
    hand = moved.copy()
    hand[20:30, 60:70] = 200
    narrowed = bars.narrowed(moved).narrowed(hand)
    assert narrowed.inside(hand).shape == (70, 160)
    assert narrowed.narrowed(moved).inside(moved).shape == (70, 160)  # bars never widen again
    black = np.zeros((120, 160), np.uint8)
    assert Letterbox.of(black).inside(black).shape == (120, 160)
