import json
import subprocess
import sys

import av
import numpy as np
import pytest

from scipy.io import wavfile

from expotion import pipeline
from expotion.errors import ExpotionError
from expotion.options import AnalysisSettings
from expotion.testing import synthetic
from expotion.video.decode import iter_frames
from expotion.video.mux import mux_music


def packets(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(p.pts, p.dts, bytes(p)) for p in container.demux(stream) if p.dts is not None]


@pytest.fixture(scope="module")
def generated(videos, tmp_path_factory):
    path, _ = videos("vfr")
    out = tmp_path_factory.mktemp("generated") / "clip_with_music.mp4"
    return path, pipeline.generate(path, "laid-back reggae with ukulele melody", out, seed=3)


def test_outputs_are_written_together(generated):
    _, result = generated
    for path in (result.video, result.audio, result.midi, result.decisions, result.plot):
        assert path.exists() and path.stat().st_size > 0
    decisions = json.loads(result.decisions.read_text())
    assert decisions["style"]["genre"] == "reggae" and decisions["tempo"]["bpm"] > 0
    assert decisions["duration"] == pytest.approx(result.controls.duration)


def test_video_packets_are_copied_bit_for_bit(generated):
    source, result = generated
    assert packets(result.video) == packets(source)


def test_music_track_lasts_the_video(generated):
    _, result = generated
    with av.open(str(result.video)) as container:
        rate = container.streams.audio[0].sample_rate
        samples = sum(frame.samples for frame in container.decode(audio=0))
    aac_frame = 1024
    assert abs(samples - result.controls.duration * rate) <= 2 * aac_frame  # whole AAC frames, priming
    rate, wav = wavfile.read(result.audio)
    assert len(wav) == round(result.controls.duration * rate)


@pytest.mark.parametrize("video_start", [0.0, 0.7])
def test_music_starts_with_the_first_frame(tmp_path, video_start):
    """A click 0.5 s into the music sounds 0.5 s after the first frame, to the millisecond, on
    the file's clock, which starts at the first frame, and also for a tool that decodes the
    sound from its first sample without timestamps (the AAC priming is not played)."""
    times = video_start + synthetic.constant_rate_times(2.0, 25.0)
    video = tmp_path / "late_start.mp4"
    synthetic.write_video(video, times, [synthetic.background(160, 120)] * len(times))
    rate = 44100
    music = np.zeros((2 * rate, 2), np.float32)
    music[rate // 2 : rate // 2 + 40] = 0.9
    out = tmp_path / "with_click.mp4"
    mux_music(video, music, rate, out)
    with av.open(str(out)) as container:
        first_frame = next(container.decode(video=0)).time
        container.seek(0)
        for frame in container.decode(audio=0):
            loud = np.flatnonzero(np.abs(frame.to_ndarray()[0]) > 0.3)
            if loud.size:
                click = frame.time + loud[0] / rate
                break
        container.seek(0)
        sound = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(audio=0)])
    assert first_frame == 0.0
    assert click == pytest.approx(0.5, abs=0.002)
    assert np.flatnonzero(np.abs(sound) > 0.3)[0] / rate == pytest.approx(0.5, abs=0.002)


def test_a_matroska_clip_with_b_frames_that_starts_late_keeps_every_frame(tmp_path):
    """H.264 with B-frames in Matroska (as OBS records), 1.5 s into its file: Matroska stores
    no decode time for the first frames and counts its duration from 0. The clip is not taken
    for truncated, and its music's video keeps every packet, so every frame decodes, the first
    at 0."""
    times = 1.5 + synthetic.constant_rate_times(3.0, 25.0)
    video = tmp_path / "late.mkv"
    synthetic.write_video(video, times, [synthetic.background(160, 120)] * len(times))
    assert len(list(iter_frames(video))) == len(times)
    out = tmp_path / "with_music.mp4"
    mux_music(video, np.zeros((3 * 44100, 2), np.float32), 44100, out)
    with av.open(str(video)) as source, av.open(str(out)) as written:
        assert [bytes(p) for p in source.demux(video=0) if p.size] == [bytes(p) for p in written.demux(video=0) if p.size]
    with av.open(str(out)) as written:
        shown = [frame.time for frame in written.decode(video=0)]
    assert len(shown) == len(times) and shown[0] == 0.0


def _encode_gradient(video, encoder: str, pixels: str, options: dict | None = None) -> None:
    """20 pictures of 160 × 120, each brighter than the last, at 25 fps."""
    with av.open(str(video), "w") as container:
        stream = container.add_stream(encoder, rate=25, options=options or {})
        stream.width, stream.height, stream.pix_fmt = 160, 120, pixels
        for index in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), 10 * index, np.uint8), format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame.reformat(format=pixels)))
        container.mux(stream.encode())


@pytest.mark.parametrize("encoder, name, tag", [("libx265", "iphone.mov", "hvc1"), ("libsvtav1", "screen.mp4", "av01")])
def test_hevc_and_av1_are_copied_packet_for_packet_under_the_tag_apple_plays(tmp_path, encoder, name, tag):
    """HEVC (as iPhones record, tagged hvc1) and AV1 (decoded by libdav1d, which names no
    encoder) keep their packets; HEVC keeps the hvc1 tag, without which Apple's players show
    nothing."""
    video = tmp_path / name
    _encode_gradient(video, encoder, "yuv420p", {"x265-params": "log-level=error"} if encoder == "libx265" else {})
    out = tmp_path / "with_music.mp4"
    assert mux_music(video, np.zeros((44100, 2), np.float32), 44100, out) is None
    with av.open(str(video)) as source, av.open(str(out)) as written:
        assert written.streams.video[0].codec_context.codec_tag == tag
        assert [bytes(p) for p in source.demux(video=0) if p.size] == [bytes(p) for p in written.demux(video=0) if p.size]


@pytest.mark.parametrize("encoder, name, pixels, codec", [("prores", "master.mov", "yuv422p10le", "prores"),
                                                           ("libvpx", "webcam.webm", "yuv420p", "vp8")])
def test_a_video_codec_mp4_cannot_carry_is_encoded_as_h264_frame_for_frame(tmp_path, encoder, name, pixels, codec):
    """ProRes (as editors export it) and VP8 (as browsers record the webcam) cannot go into an
    MP4: their frames are encoded as H.264, each at its own time from the first, and the caller
    is told which codec it was."""
    video = tmp_path / name
    _encode_gradient(video, encoder, pixels)
    out = tmp_path / "with_music.mp4"
    assert mux_music(video, np.zeros((44100, 2), np.float32), 44100, out) == codec
    with av.open(str(out)) as written:
        assert written.streams.video[0].codec_context.name == "h264"
        shown = [(frame.time, frame.to_ndarray(format="gray")[60, 80]) for frame in written.decode(video=0)]
    np.testing.assert_allclose([time for time, _ in shown], np.arange(20) / 25)
    assert np.all(np.diff([level.astype(int) for _, level in shown]) > 0)  # each frame its own picture, in order


def test_failure_leaves_nothing_half_written(videos, tmp_path, monkeypatch):
    path, _ = videos("15fps")

    def broken_mux(*args, **kwargs):
        raise ExpotionError("disk full")

    monkeypatch.setattr(pipeline, "mux_music", broken_mux)
    with pytest.raises(ExpotionError, match="disk full"):
        pipeline.generate(path, "pop", tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_fail_before_any_work(videos, tmp_path):
    path, _ = videos("15fps")
    with pytest.raises(ExpotionError, match=r"\.mp4"):
        pipeline.generate(path, "pop", tmp_path / "out.avi")
    with pytest.raises(ExpotionError, match="seed"):
        pipeline.generate(path, "pop", tmp_path / "out.mp4", seed=-1)
    with pytest.raises(ExpotionError, match="no such file"):
        pipeline.generate(tmp_path / "missing.mp4", "pop", tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_cli_generate_bad_inputs_one_line_no_outputs(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("hello")
    for bad in (text, tmp_path / "missing.mp4"):
        result = subprocess.run(
            [sys.executable, "-m", "expotion.cli", "generate", str(bad), "--prompt", "pop", "--out", str(tmp_path / "o" / "x.mp4")],
            capture_output=True, text=True,
        )
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("expotion: error:")
        assert not (tmp_path / "o").exists()


def test_controls_are_cached_by_content_never_for_another_video_setting_or_version(videos, tmp_path, monkeypatch):
    from expotion.controls import cache

    path, _ = videos("15fps")
    other, _ = videos("23.17fps")
    pipe = pipeline.Expotion.from_pretrained("composer")
    first = pipe(path, "pop", tmp_path / "one.mp4", seed=1, plot=False, cache_dir=tmp_path / "cache")
    copy = tmp_path / "renamed.mp4"
    copy.write_bytes(path.read_bytes())

    def no_analysis(*args, **kwargs):
        raise AssertionError("analysed again")

    monkeypatch.setattr(cache, "extract_controls", no_analysis)
    again = pipe(copy, "slow jazz", tmp_path / "two.mp4", seed=2, plot=False, cache_dir=tmp_path / "cache")  # same bytes
    np.testing.assert_array_equal(again.controls.movement_speed, first.controls.movement_speed)
    assert again.controls.provenance["source"] == str(copy)
    with pytest.raises(AssertionError, match="analysed again"):  # another video is never served these controls …
        pipe(other, "pop", tmp_path / "three.mp4", plot=False, cache_dir=tmp_path / "cache")
    with pytest.raises(AssertionError, match="analysed again"):  # … nor those analysed with other settings …
        pipe(path, "pop", tmp_path / "five.mp4", plot=False, cache_dir=tmp_path / "cache", analysis=AnalysisSettings(person_fps=15))
    monkeypatch.setattr(cache, "EXTRACTOR_VERSION", "older-or-newer")
    with pytest.raises(AssertionError, match="analysed again"):  # … nor is another extractor version's
        pipe(path, "pop", tmp_path / "four.mp4", plot=False, cache_dir=tmp_path / "cache")


def test_the_default_seed_follows_the_video_and_the_prompt(videos, tmp_path):
    path, _ = videos("15fps")
    other, _ = videos("30fps")
    pipe = pipeline.Expotion.from_pretrained("composer")
    runs = {(video.name, prompt): pipe(video, prompt, tmp_path / f"{video.stem}_{len(prompt)}.mp4", plot=False,
                                      cache_dir=tmp_path / "cache")
            for video, prompt in ((path, "pop"), (path, "pop music"), (other, "pop"))}
    seeds = {key: result.seed for key, result in runs.items()}
    assert len(set(seeds.values())) == 3
    again = pipe(path, "pop", tmp_path / "again.mp4", plot=False, cache_dir=tmp_path / "cache")
    assert again.seed == seeds[(path.name, "pop")] and np.array_equal(again.music.audio, runs[(path.name, "pop")].music.audio)
    decisions = json.loads(again.outputs.decisions.read_text())
    assert decisions["seed"] == again.seed and decisions["seed_source"] == "video content and prompt"
