import subprocess
import sys

import numpy as np
import pytest

from expotion.controls import Controls


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "expotion.cli", *map(str, args)], capture_output=True, text=True)


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0 and "extract" in result.stdout
    assert "--plot" in run_cli("extract", "--help").stdout


def test_extract_writes_controls_and_plot(videos, tmp_path):
    path, _ = videos("30fps")
    out, plot = tmp_path / "c.npz", tmp_path / "c.png"
    result = run_cli("extract", path, "--out", out, "--plot", plot, "--rate", 25, "--person-fps", 15)
    assert result.returncode == 0, result.stderr
    controls = Controls.load(out)
    assert controls.rate == 25 and controls.face_mask.all()
    assert controls.provenance["analysed_fps"]["face_and_body"] == pytest.approx(15)  # every other frame, as asked
    assert controls.provenance["analysis"]["person_fps"] == 15
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stderr == ""  # no native-library chatter (and no progress bar off a terminal)
    assert sorted(tmp_path.iterdir()) == sorted([out, plot])  # no temporary files left


def test_extract_says_how_many_frames_showed_a_picture_again(tmp_path):
    """A camera at 28 pictures a second in a 30 fps file repeats a picture every 15 frames; the
    user is told, as the controls time those frames when their pictures were taken."""
    from expotion.testing import synthetic

    video = tmp_path / "slow camera.mp4"
    synthetic.moving_portrait(video, synthetic.constant_rate_times(2.0, 30.0), (0.9,), speed=160.0, picture_fps=28.0)
    result = run_cli("extract", video, "--out", tmp_path / "c.npz")
    assert result.returncode == 0, result.stderr
    repeated = Controls.load(tmp_path / "c.npz").provenance["repeated_frames"]
    assert repeated >= 3
    assert f"; {repeated} frames showed a picture again" in result.stdout


def test_extract_says_where_the_video_cuts_to_another_shot(tmp_path):
    """Edited video: the user is told where each shot begins, as each is analysed on its own."""
    from expotion.testing import synthetic

    video = tmp_path / "two cameras.mp4"
    synthetic.moving_portrait(video, synthetic.constant_rate_times(2.0, 30.0), (0.9,), cuts=(1.2,))
    result = run_cli("extract", video, "--out", tmp_path / "c.npz")
    assert result.returncode == 0, result.stderr
    assert Controls.load(tmp_path / "c.npz").provenance["shot_cuts"] == [1.2]
    assert "; it cuts to another shot at 1.20 s (each shot analysed on its own)" in result.stdout


def test_bad_inputs_fail_with_one_line_and_no_output(tmp_path, videos):
    text = tmp_path / "notes.mp4"
    text.write_text("hello")
    good, _ = videos("15fps")
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(good.read_bytes()[:4000])
    for bad in (tmp_path / "missing.mp4", text, truncated):
        out = tmp_path / "out" / "controls.npz"
        result = run_cli("extract", bad, "--out", out)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("expotion: error:"), result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "out").exists()


def test_absurd_rate_is_refused_naming_the_flag(videos, tmp_path):
    path, _ = videos("15fps")
    result = run_cli("extract", path, "--out", tmp_path / "c.npz", "--rate", "0")
    assert result.returncode == 1 and result.stderr.startswith("expotion: error: --rate must be between 1 and 1000")
    for command in (("extract", path, "--out", tmp_path / "c.npz"), ("generate", path, "--out", tmp_path / "c.mp4")):
        result = run_cli(*command, "--person-fps", "0")
        assert result.returncode == 1 and result.stderr == "expotion: error: --person-fps must be a number between 1 and 240, got 0.0\n"
    assert not list(tmp_path.iterdir())


def test_no_person_warns_and_writes_masked_controls(tmp_path):
    from expotion.testing import synthetic

    times = synthetic.constant_rate_times(1.5, 15.0)
    backdrop = synthetic.background(320, 240)
    video = tmp_path / "room.mp4"
    synthetic.write_video(video, times, (backdrop for _ in times))
    out = tmp_path / "c.npz"
    result = run_cli("extract", video, "--out", out)
    assert result.returncode == 0
    assert "warning: no person found" in result.stderr
    controls = Controls.load(out)
    assert not controls.face_mask.any() and np.isnan(controls.body_keypoints).all()
