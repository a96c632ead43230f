import json

import numpy as np
import pytest

from expotion.audio.timing import music_timing
from expotion.errors import ExpotionError
from expotion.controls.body import BODY_KEYPOINTS
from expotion.controls.cache import entry_path
from expotion.controls.timeline import DEFAULT_RATE
from expotion.evaluation.measure import measure_movement
from expotion.evaluation.movement import (CONVENTIONS, SOURCES, RulerMovement, body_speed, flow_prominence_floor,
                                          movement_beats, speed_extrema)
from expotion.evaluation.report import Entry, clip_controls, clip_movement, collect_entries, evaluate, paired_bootstrap, score_entry
from expotion.evaluation.rhythm import beat_align_score, beat_bins, chance_levels, rhythm_metrics
from expotion.testing import synthetic
from expotion.testing.clicks import click_track
from expotion.video.mux import mux_music

RATE, SR = 50.0, 22050


STOPS = 0.4 + np.cumsum(np.random.default_rng(2).uniform(0.45, 0.7, 16))
DURATION = 11.0


def movement(stops):
    """The same stops seen by every source and convention, as a perfectly tracked person would give."""
    return {(source, convention): np.asarray(stops) for source in SOURCES for convention in CONVENTIONS}


def test_metrics_peak_for_music_on_the_movement_beats_and_fall_to_chance_when_shifted():
    aligned = music_timing(click_track(STOPS, DURATION, SR), SR)
    on = rhythm_metrics(movement(STOPS), aligned)
    chance = chance_levels(movement(STOPS), aligned)
    assert on["bas_motion_to_music"] > 0.9 and on["bas_music_to_motion"] > 0.8
    assert on["bas_motion_to_music@body-stops-0.05"] > 0.6  # librosa hears beats 10–25 ms late
    assert on["onset_xcorr"] > 0.5 and abs(on["onset_xcorr_lag_s"]) <= 0.05
    for name in ("bas_motion_to_music", "bas_music_to_motion", "onset_xcorr"):
        assert on[name] > chance[name] + 0.3
    late = music_timing(click_track(STOPS + 0.23, DURATION + 0.5, SR), SR)  # the same music, shifted
    off = rhythm_metrics(movement(STOPS), late)
    assert off["bas_motion_to_music"] < chance["bas_motion_to_music"] + 0.15
    assert off["onset_xcorr_lag_s"] == pytest.approx(0.23, abs=0.05)  # the lag says by how much


def test_music_delayed_against_the_movement_scores_lower_the_more_it_is_delayed():
    """The true, aligned soundtrack ranks above the same track delayed by 150 and 300 ms."""
    scores = [rhythm_metrics(movement(STOPS), music_timing(click_track(STOPS + delay, DURATION + 0.5, SR), SR))["bas_motion_to_music"]
              for delay in (0.0, 0.15, 0.3)]
    assert scores[0] > scores[1] + 0.2 and scores[1] > scores[2] + 0.1


def test_movement_beats_of_the_ruler_are_the_speed_minima_and_peaks_the_maxima():
    t = np.arange(0, 6, 1 / RATE)
    speed = np.abs(np.sin(np.pi * t / 0.6)) + 0.02 * np.random.default_rng(0).normal(size=len(t))  # turns every 0.6 s
    stops = speed_extrema(speed, RATE, "stops")
    peaks = speed_extrema(speed, RATE, "peaks")
    np.testing.assert_allclose(stops, np.arange(0.6, 5.9, 0.6), atol=0.03)
    np.testing.assert_allclose(peaks, np.arange(0.3, 6, 0.6), atol=0.03)
    assert len(speed_extrema(np.full(len(t), 0.4) + 1e-4 * np.random.default_rng(1).normal(size=len(t)), RATE, "stops")) < 5


def flow_only(flow, shoulder_width=np.nan, duration=6.0):
    """The ruler's movement of a clip whose flow is `flow` (on the RATE grid), of a person
    `shoulder_width` frame heights wide in a 4:3 frame (NaN: no body seen)."""
    return RulerMovement(RATE, flow, np.full(len(flow), np.nan), flow_prominence_floor(shoulder_width, 4 / 3), np.zeros(0), duration)


def test_flow_stops_of_a_person_small_in_the_frame_are_found_and_noise_of_a_larger_one_is_not():
    """The frame's mean flow of a person a third of a webcam's size turning every 0.6 s
    (a 64th of the area's times a third of the distance's flow: dips of about 0.004 frame
    heights per second) must give their turns; the same dips beside a person framed as at a
    webcam, or with no person seen, are tracking noise."""
    t = np.arange(0, 6, 1 / RATE)
    flow = 0.001 + 0.004 * np.abs(np.sin(np.pi * t / 0.6))
    np.testing.assert_allclose(movement_beats(flow_only(flow, 0.15), "flow"), np.arange(0.6, 5.9, 0.6), atol=0.03)
    assert len(movement_beats(flow_only(flow, 0.5), "flow")) == 0
    assert len(movement_beats(flow_only(flow), "flow")) == 0


def test_body_stops_ignore_keypoints_that_flicker_in_and_out_of_view():
    """Every keypoint stops every 0.6 s; the hands, three times faster, come into view for
    about 0.15 s at a time, a quarter of the clip in all, at random. Their coming and going
    must not make stops."""
    t = np.arange(0, 6, 1 / RATE)
    profile = np.abs(np.sin(np.pi * t / 0.6))
    hands = np.array([name.endswith(("wrist", "pinky", "index")) for name in BODY_KEYPOINTS])
    velocity = (profile[:, None] * np.where(hands, 3.0, 0.3))[:, :, None] * np.array([0.6, 0.8])
    rng, in_view = np.random.default_rng(3), np.zeros(len(t), bool)
    for frame in range(1, len(t)):  # leaves view with chance 0.15 a frame, comes back with 0.05
        in_view[frame] = rng.random() >= 0.15 if in_view[frame - 1] else rng.random() < 0.05
    visibility = np.where(hands, np.where(in_view, 0.6, 0.4)[:, None], 0.9)
    np.testing.assert_allclose(speed_extrema(body_speed(velocity, visibility), RATE, "stops"), np.arange(0.6, 5.9, 0.6), atol=0.03)


def scene_video(name, folder):
    from expotion.testing.movement_scenes import SCENES

    scene = SCENES[name]
    return scene, scene.write(folder / f"{name.replace(' ', '_')}.mp4")


def test_the_ruler_measures_the_movement_itself_not_on_the_controls_the_composer_used(tmp_path):
    """The composer aims at the stops of the controls' flow and keypoints; the ruler finds a
    nod's turning points in a flow and keypoints of its own, the same with the controls' wiped out."""
    scene, video = scene_video("nod", tmp_path)
    cache = tmp_path / "cache"
    movement = clip_movement(video, clip_controls(video, cache), cache)
    inner = np.array([turn for turn in scene.truth if 0.3 < turn < scene.duration - 0.3])
    for source in SOURCES:
        stops = movement_beats(movement, source)
        assert np.abs(stops[:, None] - inner[None]).min(axis=0).max() <= scene.tolerance, (source, stops)
    controls = clip_controls(video, cache)
    controls.motion_energy[:] = 0.0
    controls.body_velocity[:] = 0.0
    controls.save(entry_path(cache, controls.provenance["content_sha256"], DEFAULT_RATE))
    for measured in cache.glob("*.ruler-*.npz"):
        measured.unlink()
    again = clip_movement(video, clip_controls(video, cache), cache)
    np.testing.assert_array_equal(again.flow, movement.flow)
    np.testing.assert_array_equal(again.body, movement.body)


@pytest.mark.parametrize("name", ["sway filmed at 25 fps, stored at 30", "sway filmed at 28 fps, stored at 30"])
def test_the_ruler_times_pictures_when_they_were_taken(tmp_path, name):
    """A sway filmed at 25 pictures a second and stored at 30 repeats every fifth picture, a
    conversion's steady pattern; at 28 in 30, every fifteenth, too seldom for one: each such
    picture came late. Timed when first shown, the speed dips at every repeat; timed as taken,
    no stop lies away from a turn."""
    scene, video = scene_video(name, tmp_path)
    stops = movement_beats(clip_movement(video, clip_controls(video, tmp_path / "cache"), tmp_path / "cache"), "flow")
    assert len(stops) and np.abs(stops[:, None] - np.array(scene.truth)[None]).min(axis=1).max() <= scene.tolerance + 0.02


def test_the_ruler_measures_no_flow_across_a_cut(tmp_path):
    """The leap from one camera's picture to the other's is no movement: nothing is measured
    across the cuts, and no flow at them stands out from the sway's own."""
    scene, video = scene_video("sway cut between two cameras", tmp_path)
    cuts = clip_controls(video, tmp_path / "cache").shot_cuts
    assert len(cuts) == len(scene.cuts)
    measured, uncut = measure_movement(video, cuts), measure_movement(video)
    straddling = cuts - 0.5 / scene.fps  # halfway between a shot's last picture and the next shot's first
    assert not np.isclose(measured.times[:, None], straddling[None], atol=1e-3).any()
    assert np.isclose(uncut.times[:, None], straddling[None], atol=1e-3).any(axis=0).all()
    near_cut = np.abs(measured.times[:, None] - cuts[None]).min(axis=1) < 0.05
    assert measured.flow[near_cut].max() <= np.percentile(measured.flow[~near_cut], 95)
    assert uncut.flow.max() > 3 * measured.flow.max()  # what the cut's leap would read as


def test_beat_align_score_definition():
    assert beat_align_score(np.array([1.0, 2.0]), np.array([1.0, 2.0]), 0.1) == pytest.approx(1.0)
    assert beat_align_score(np.array([1.0]), np.array([1.05]), sigma=0.05) == pytest.approx(np.exp(-0.5))
    assert beat_align_score(np.array([1.0]), np.array([]), 0.1) == 0.0


def test_loris_bins_count_hits_per_one_second_bin():
    result = beat_bins(np.array([0.2, 1.5, 2.5, 3.5]), np.array([0.7, 2.9, 4.1]), 5.0)
    assert result["bcs"] == pytest.approx(2 / 4) and result["bhs"] == pytest.approx(2 / 3)
    assert result["beat_f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_paired_bootstrap_interval_covers_the_true_difference():
    rng = np.random.default_rng(0)
    a = rng.normal(0.6, 0.05, 40)
    result = paired_bootstrap(a, a - 0.1 + rng.normal(0, 0.02, 40))
    assert result["ci95"][0] < 0.1 < result["ci95"][1] and result["mean_difference"] == pytest.approx(0.1, abs=0.02)


def test_silent_music_is_a_clear_error():
    with pytest.raises(ExpotionError, match="silent"):
        music_timing(np.zeros(SR * 2, np.float32), SR)


def test_a_still_clip_is_left_out_of_the_sync_means_not_scored_zero(videos, tmp_path):
    """Music for a clip in which nothing moves cannot be on or off its beats: its sync metrics
    are null, and the system's means are those of the clips that moved."""
    moving, _ = videos("30fps")
    times = synthetic.constant_rate_times(5.0, 30.0)
    still = tmp_path / "still.mp4"
    synthetic.write_video(still, times, (synthetic.background(320, 240) for _ in times))
    music = np.repeat(click_track(np.arange(0.5, 5.0, 0.5), 5.0, 44100)[:, None], 2, axis=1)
    entries = []
    for clip, video in (("moving", moving), ("still", still)):
        mux_music(video, music, 44100, tmp_path / f"{clip}.mp4")
        entries.append(Entry("clicks", clip, tmp_path / f"{clip}.mp4", video))
    results = evaluate(entries, tmp_path / "report", plots=False)
    rows = {row["clip"]: row for row in results["clips"]}
    assert np.isnan(rows["still"]["metrics"]["bas_motion_to_music"])
    headline = results["systems"]["clicks"]["bas_motion_to_music"]
    assert headline["n"] == 1
    assert headline["mean"] == pytest.approx(rows["moving"]["metrics"]["bas_motion_to_music"])
    assert headline["over_chance"] == pytest.approx(rows["moving"]["metrics"]["bas_motion_to_music"]
                                                    - rows["moving"]["chance"]["bas_motion_to_music"])
    written = json.loads((tmp_path / "report" / "results.json").read_text())  # strict JSON: no NaN
    assert [row["metrics"]["bas_motion_to_music"] for row in written["clips"] if row["clip"] == "still"] == [None]


def test_end_to_end_ranks_aligned_music_above_shifted(videos, tmp_path):
    path, _ = videos("30fps")
    from expotion.testing.movement_scenes import TURN_TIMES

    duration = 5.0
    music = np.repeat(click_track(TURN_TIMES, duration, 44100)[:, None], 2, axis=1)
    for system, audio in (("aligned", music), ("shifted", np.roll(music, int(1.9 * 44100), axis=0))):
        (tmp_path / system).mkdir()
        for clip in ("a", "b"):
            mux_music(path, audio, 44100, tmp_path / system / f"{clip}.mp4")
    entries = collect_entries([tmp_path / "aligned", tmp_path / "shifted"])
    assert {(e.system, e.clip) for e in entries} == {(s, c) for s in ("aligned", "shifted") for c in ("a", "b")}
    results = evaluate(entries, tmp_path / "report", plots=True)
    systems = results["systems"]
    assert systems["aligned"]["bas_motion_to_music"]["mean"] > systems["shifted"]["bas_motion_to_music"]["mean"] + 0.3
    assert systems["aligned"]["onset_xcorr"]["mean"] > systems["aligned"]["onset_xcorr"]["chance_mean"]
    assert systems["aligned"]["bas_motion_to_music"]["over_chance_ci95"][0] > 0
    written = json.loads((tmp_path / "report" / "results.json").read_text())
    assert written["comparisons"][0]["systems"] == ["aligned", "shifted"]
    assert "| aligned | 2 |" in (tmp_path / "report" / "results.md").read_text()
    assert len(list((tmp_path / "report" / "plots").glob("*.png"))) == 4


def test_music_lands_on_the_clock_of_its_own_video_whether_or_not_the_video_is_given_apart(tmp_path):
    """A clip that starts 3.1 s into its file (cut from a longer recording) with clicks muxed
    in: the clicks are heard at the same times scored against the music file's own video or
    against the clip's, and within librosa's delay of where they were put."""
    times = 3.1 + np.arange(60) / 10
    synthetic.write_video(tmp_path / "clip.mp4", times, [synthetic.background(64, 48)] * len(times))
    put = np.arange(0.5, 5.5, 0.5)
    mux_music(tmp_path / "clip.mp4", np.repeat(click_track(put, 6.0, 44100)[:, None], 2, axis=1), 44100, tmp_path / "music.mp4")
    movement = flow_only(np.zeros(int(6.0 * RATE)))
    together = score_entry(Entry("s", "c", tmp_path / "music.mp4", tmp_path / "music.mp4"), movement)[2].beats
    apart = score_entry(Entry("s", "c", tmp_path / "music.mp4", tmp_path / "clip.mp4"), movement)[2].beats
    np.testing.assert_array_equal(together, apart)
    assert 0 <= np.median(together - put[: len(together)]) < 0.03  # librosa hears clicks 13–16 ms late


def test_controls_are_cached_by_the_video_s_content_not_its_name(tmp_path):
    """Scoring into the same folder after the clip's video was replaced at the same path reads
    the new video's controls, not the old one's."""
    video = tmp_path / "clip.mp4"
    synthetic.write_video(video, np.arange(20) / 10, [synthetic.background(64, 48)] * 20)
    assert clip_controls(video, tmp_path / "controls").duration == pytest.approx(2.0)
    synthetic.write_video(video, np.arange(40) / 10, [synthetic.background(64, 48)] * 40)
    assert clip_controls(video, tmp_path / "controls").duration == pytest.approx(4.0)


def test_damaged_cache_entries_are_made_again(tmp_path):
    """A cache entry cut short (a full disk, a copy interrupted) is analysed again, not a crash."""
    video = tmp_path / "clip.mp4"
    synthetic.write_video(video, np.arange(20) / 10, [synthetic.background(64, 48)] * 20)
    first = clip_movement(video, clip_controls(video, tmp_path / "cache"), tmp_path / "cache")
    entries = sorted((tmp_path / "cache").glob("*.npz"))
    assert len(entries) == 2  # the controls and the ruler's measurements
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again = clip_movement(video, clip_controls(video, tmp_path / "cache"), tmp_path / "cache")
    assert again.duration == first.duration
    np.testing.assert_array_equal(again.flow, first.flow)


def test_audio_only_inputs_need_their_video(tmp_path):
    wav = tmp_path / "sys" / "clip.wav"
    wav.parent.mkdir()
    wav.write_bytes(b"RIFF")
    with pytest.raises(ExpotionError, match="--videos"):
        collect_entries([wav])
    synthetic.write_video(tmp_path / "clip.mp4", np.arange(3) / 10, [synthetic.background(64, 48)] * 3)
    (entry,) = collect_entries([wav], videos=tmp_path)
    assert entry.video == tmp_path / "clip.mp4" and entry.system == "sys"


def test_frechet_distance_matches_the_closed_form_for_gaussians():
    from expotion.evaluation.embeddings import frechet_audio_distance, frechet_distance

    rng = np.random.default_rng(0)
    mean_a, mean_b = rng.normal(size=4), rng.normal(size=4)
    var_a, var_b = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 2, 4)
    closed = np.sum((mean_a - mean_b) ** 2) + np.sum(var_a + var_b - 2 * np.sqrt(var_a * var_b))
    assert frechet_distance(mean_a, np.diag(var_a), mean_b, np.diag(var_b)) == pytest.approx(closed, rel=1e-9)
    sample_a = rng.normal(mean_a, np.sqrt(var_a), (20000, 4))
    sample_b = rng.normal(mean_b, np.sqrt(var_b), (20000, 4))
    assert frechet_audio_distance(sample_a, sample_b) == pytest.approx(closed, rel=0.05)
    assert frechet_audio_distance(sample_a, sample_a) == pytest.approx(0.0, abs=1e-6)


def test_fad_and_clap_run_end_to_end_and_missing_weights_are_named(videos, tmp_path):
    import shutil
    import subprocess
    import sys

    from expotion.testing.embedders import save_random_embedders

    models = save_random_embedders(tmp_path / "models")
    path, _ = videos("15fps")
    from expotion.testing.movement_scenes import TURN_TIMES

    for system, shift in (("ours", 0.0), ("other", 1.3)):
        (tmp_path / system).mkdir()
        for clip, offset in (("a", 0.0), ("b", 0.17)):
            mono = click_track(np.array(TURN_TIMES) + shift + offset, 5.0 + shift + offset, 44100)
            if system == "other":  # other music altogether: a held tone under the clicks
                mono = mono + 0.3 * np.sin(2 * np.pi * 330 * np.arange(len(mono)) / 44100).astype(np.float32)
            mux_music(path, np.repeat(mono[:, None], 2, axis=1), 44100, tmp_path / system / f"{clip}.mp4")
    references = tmp_path / "references"  # the very music of "ours": its FAD is zero, the other system's is not
    shutil.copytree(tmp_path / "ours", references)
    prompts = tmp_path / "prompts.json"
    prompts.write_text(json.dumps({"a": "happy piano", "b": "slow sad song"}))
    command = [sys.executable, "-m", "expotion.cli", "evaluate", str(tmp_path / "ours"), str(tmp_path / "other"),
               "--out", str(tmp_path / "report"), "--no-plots", "--prompts", str(prompts), "--references", str(references)]
    result = subprocess.run(command + ["--encodec-model", models["encodec"], "--clap-model", models["clap"]], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    audio = json.loads((tmp_path / "report" / "results.json").read_text())["audio"]
    for name in ("fad_encodec", "fad_clap"):
        assert abs(audio["ours"][name]) < 1e-3 * audio["other"][name]  # tiny random embedders: relative sizes
    from expotion.audio.read import read_audio
    from expotion.evaluation.embeddings import ClapEmbedder, clap_score

    clap = ClapEmbedder(models["clap"])
    direct = [clap_score(clap, read_audio(tmp_path / "ours" / f"{clip}.mp4", 48000)[0], 48000, text)
              for clip, text in (("a", "happy piano"), ("b", "slow sad song"))]
    assert audio["ours"]["clap_score"]["n"] == 2 and audio["ours"]["clap_score"]["mean"] == pytest.approx(np.mean(direct), abs=1e-5)
    # The default checkpoints are not on this machine: those metrics are skipped, by name, and the rest still come.
    entries = collect_entries([tmp_path / "ours", tmp_path / "other"])
    missing = evaluate(entries, tmp_path / "report", plots=False, prompts={"a": "happy piano"}, references=tmp_path / "references")
    assert any(line.startswith("FAD (clap) and CLAP score skipped: CLAP weights") for line in missing["skipped"])
    assert any(line.startswith("FAD (encodec) skipped: EnCodec weights") for line in missing["skipped"])
    assert missing["systems"]["ours"]["bas_motion_to_music"]["n"] == 2


def test_a_folder_of_generate_outputs_is_one_entry_per_video(tmp_path):
    folder = tmp_path / "ours"
    folder.mkdir()
    for name in ("clip.mp4", "clip.wav", "clip.melody.wav", "clip.drums.wav", "other.wav"):
        (folder / name).write_bytes(b"x")
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "other.mp4").write_bytes(b"x")
    entries = collect_entries([folder], videos=tmp_path / "videos")
    assert sorted((e.clip, e.music.name) for e in entries) == [("clip", "clip.mp4"), ("other", "other.wav")]
