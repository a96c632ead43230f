"""The CLI, the API and the app as a hostile or unlucky user meets them: the user's files are
never lost, every limit holds, every failure is one clear line and leaves nothing behind."""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from expotion import pipeline
from expotion.errors import ExpotionError, ParameterError


def cli_command(*args, setup: str = "") -> list[str]:
    """The CLI as a fresh interpreter runs it, after the Python statements `setup`. Not a
    preexec_fn: code run between fork and exec waits forever on any lock another thread of the
    test run held at the fork (the app fixture serves from threads), and a test run hung so."""
    run = "import runpy; runpy.run_module('expotion.cli', run_name='__main__', alter_sys=True)"
    return [sys.executable, "-c", f"{setup}\n{run}", *map(str, args)]


def run_cli(*args, setup: str = ""):
    return subprocess.run(cli_command(*args, setup=setup), capture_output=True, text=True)


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("expotion: error:"), result.stderr
    return lines[0]


@pytest.fixture
def clip(videos, tmp_path):
    path, _ = videos("15fps")
    copy = tmp_path / "x.mp4"
    shutil.copy(path, copy)
    return copy


def test_out_naming_the_input_is_refused_and_the_input_is_untouched(clip):
    before = checksum(clip)
    line = one_error_line(run_cli("generate", clip, "--out", clip))
    assert "--out would overwrite the input" in line and checksum(clip) == before
    assert sorted(p.name for p in clip.parent.iterdir()) == ["x.mp4"]


def test_a_sibling_output_landing_on_the_input_is_refused(clip):
    as_png = clip.with_name("take.png")  # a video whose name ends in .png: OUT.png would be it
    clip.rename(as_png)
    before = checksum(as_png)
    line = one_error_line(run_cli("generate", as_png, "--out", as_png.with_suffix(".mp4")))
    assert "would overwrite the input" in line and "take.png" in line and checksum(as_png) == before
    with pytest.raises(ParameterError, match="would overwrite the input"):  # the API and the app share the check
        pipeline.generate(as_png, "pop", as_png.with_suffix(".mp4"))


def test_an_output_that_is_a_folder_is_refused_before_any_work(clip):
    (clip.parent / "o.mp4").mkdir()
    start = time.perf_counter()
    line = one_error_line(run_cli("generate", clip, "--out", clip.parent / "o.mp4"))
    assert "names a folder" in line and time.perf_counter() - start < 20
    assert sorted(p.name for p in clip.parent.iterdir()) == ["o.mp4", "x.mp4"] and not any((clip.parent / "o.mp4").iterdir())


def test_a_failure_while_writing_leaves_nothing_and_names_the_output(clip):
    """A file-size limit makes every write past 64 kB fail, as a full disk does."""

    limited = "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " \
              "resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))"
    out = clip.parent / "out" / "music.mp4"
    line = one_error_line(run_cli("generate", clip, "--out", out, "--seed", 1, setup=limited))
    assert "cannot write" in line and str(out.parent) in line and "/." not in line  # the final name, not a temp file
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_interrupted_while_writing_leaves_no_output_and_no_temporary_file(clip, monkeypatch):
    def interrupted(video, audio, rate, out):
        Path(out).write_bytes(b"half a video")
        raise KeyboardInterrupt  # what Ctrl-C, and SIGTERM in the CLI and the app, raise

    monkeypatch.setattr(pipeline, "mux_music", interrupted)
    out = clip.parent / "out" / "music.mp4"
    with pytest.raises(KeyboardInterrupt):
        pipeline.generate(clip, "pop", out, seed=1)
    assert list(out.parent.iterdir()) == []


def test_sigterm_stops_the_cli_like_ctrl_c_and_leaves_no_half_written_files(clip):
    out = clip.parent / "out" / "music.mp4"
    process = subprocess.Popen([sys.executable, "-m", "expotion.cli", "generate", str(clip), "--out", str(out)],
                               stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    written = sorted(p.name for p in out.parent.iterdir()) if out.parent.exists() else []
    if process.returncode == 130:
        assert stderr.strip().splitlines()[-1] == "expotion: interrupted" and written == []
    else:  # it finished first: then everything is there, and only that
        assert process.returncode == 0 and not any(name.startswith(".") for name in written)


def raw_stream(path: Path, codec: str, seconds: float, fmt: str | None = None, options=None) -> Path:
    with av.open(str(path), "w", format=fmt or codec, options=options or {}) as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for index in range(int(seconds * 25)):
            frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), index % 250, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


@pytest.mark.parametrize("kind", ["raw h264", "png", "symlink loop", "broken link"])
def test_odd_inputs_are_one_line(tmp_path, kind):
    if kind == "raw h264":
        bad, expected = raw_stream(tmp_path / "clip.h264", "h264", 1.0, "h264"), "raw h264 stream with no container"
    elif kind == "png":
        import cv2

        bad, expected = tmp_path / "photo.mp4", "still image"
        cv2.imwrite(str(tmp_path / "p.png"), np.zeros((60, 80, 3), np.uint8))
        (tmp_path / "p.png").rename(bad)
    elif kind == "symlink loop":
        bad, expected = tmp_path / "a.mp4", "loops back on itself"
        os.symlink(tmp_path / "b.mp4", bad)
        os.symlink(bad, tmp_path / "b.mp4")
    else:
        bad, expected = tmp_path / "gone.mp4", "broken symbolic link"
        os.symlink(tmp_path / "nowhere.mp4", bad)
    line = one_error_line(run_cli("generate", bad, "--out", tmp_path / "out" / "o.mp4"))
    assert expected in line and not (tmp_path / "out").exists()


def test_a_soundfont_that_is_not_there_is_one_line_and_nothing_is_written(clip, tmp_path):
    line = one_error_line(run_cli("generate", clip, "--soundfont", tmp_path / "missing.sf2", "--out", tmp_path / "out" / "o.mp4"))
    assert "soundfont not found" in line and not (tmp_path / "out").exists()


def test_the_duration_limit_holds_while_decoding_a_file_that_does_not_declare_its_length(tmp_path):
    long = raw_stream(tmp_path / "long.mkv", "mpeg2video", 12.0, "matroska", {"live": "1"})
    with av.open(str(long)) as container:
        assert container.duration is None and container.streams.video[0].duration is None  # no header to trust
    start = time.perf_counter()
    with pytest.raises(ExpotionError, match="longer than 5 s"):
        pipeline.generate(long, "pop", tmp_path / "out.mp4", max_duration=5.0)
    assert time.perf_counter() - start < 15 and not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize("values, parameter", [({"seed": "three"}, "seed"), ({"seed": -1}, "seed"),
                                               ({"body_rhythm": float("nan")}, "body_rhythm"),
                                               ({"face_mood": 7.0}, "face_mood")])
def test_bad_parameters_through_the_api_name_the_parameter(clip, values, parameter):
    with pytest.raises(ParameterError) as error:
        pipeline.generate(clip, "pop", clip.parent / "out.mp4", **values)
    assert error.value.parameter == parameter and str(error.value).startswith(parameter)
    assert sorted(p.name for p in clip.parent.iterdir()) == ["x.mp4"]


# ---- the app ---------------------------------------------------------------------------------

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from expotion import app as web  # noqa: E402


from conftest import free_port  # noqa: E402


@pytest.fixture(scope="module")
def server():
    port = free_port()
    app = web.launch("127.0.0.1", port, max_duration=6.0, concurrency=1, block=False)
    yield f"http://127.0.0.1:{port}/"
    web.shutdown(app)


def ask(url, video, seed=0, body_rhythm=1.0, **options):
    return Client(url, verbose=False, **options).predict(handle_file(str(video)), "funk", web.COMPOSER, seed, body_rhythm,
                                                         1.0, 3.0, 1.5, api_name="/generate")


def test_the_app_refuses_a_long_video_without_a_declared_length_and_keeps_serving(server, videos, tmp_path):
    long = raw_stream(tmp_path / "long.mkv", "mpeg2video", 12.0, "matroska", {"live": "1"})
    with pytest.raises(AppError, match="longer than 6 s"):
        ask(server, long)
    path, _ = videos("15fps")
    assert Path(ask(server, path)[0]).exists()


def test_page_errors_speak_the_page_not_the_cli(server, videos):
    path, _ = videos("15fps")
    with pytest.raises(AppError) as error:
        ask(server, path, body_rhythm=5.0)  # the slider's own range check
    assert "maximum value 1" in str(error.value) and "--" not in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(AppError) as error:
        ask(server, path, seed=2**40)  # past the page's own checks: ours speaks of the Seed box, not of --seed
    assert str(error.value).startswith("Seed: must be a whole number") and "--" not in str(error.value)


def test_a_cancelled_request_keeps_its_slot_until_its_work_stops(server, videos, monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()
    original = pipeline.Expotion.__call__

    def counted(self, *args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return original(self, *args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(pipeline.Expotion, "__call__", counted)
    path, _ = videos("30fps")
    client = Client(server, verbose=False)
    for seed in range(3):
        job = client.submit(handle_file(str(path)), "funk", web.COMPOSER, seed + 10, 1.0, 1.0, 3.0, 1.5, api_name="/generate")
        time.sleep(1.0)
        job.cancel()
    assert Path(ask(server, path, seed=99)[0]).exists()
    assert most[0] == 1  # --concurrency 1 held, cancelled requests included


def test_auth_is_asked_for_when_set(videos):
    port = free_port()
    app = web.launch("127.0.0.1", port, auth="ana:secret", block=False)
    try:
        with pytest.raises(Exception):
            Client(f"http://127.0.0.1:{port}/", verbose=False)
        path, _ = videos("15fps")
        assert Path(ask(f"http://127.0.0.1:{port}/", path, auth=("ana", "secret"))[0]).exists()
    finally:
        web.shutdown(app)


def start_app(port, *extra):
    """The app as started from a terminal, where Ctrl-C reaches it: a test run started in the
    background (`make test &`) ignores SIGINT, and its children would inherit that."""
    env = {**os.environ, "EXPOTION_NATIVE_LOGS": "0"}
    default_ctrl_c = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)"
    return subprocess.Popen(cli_command("app", "--port", port, *extra, setup=default_ctrl_c),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(port, timeout=90.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(port)


def test_sigterm_stops_the_app_and_removes_its_files_and_a_restart_removes_a_killed_ones(videos):
    stale = web.APP_ROOT / "999999"  # a server that was killed (no such process)
    (stale / "gradio").mkdir(parents=True, exist_ok=True)
    (stale / "gradio" / "someones_webcam.mp4").write_bytes(b"private")
    port = free_port()
    process = start_app(port)
    try:
        wait_for(port)
        assert not stale.exists()
        path, _ = videos("15fps")
        ask(f"http://127.0.0.1:{port}/", path)
        folder = web.APP_ROOT / str(process.pid)
        assert any(folder.rglob("*.mp4"))  # uploads and results live in the server's own folder …
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert not folder.exists()  # … and go when it stops
    finally:
        process.kill()


def test_a_port_in_use_and_an_open_host_without_auth_are_one_line_each():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_app(port)
        _, stderr = process.communicate(timeout=90)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == [stderr.strip().splitlines()[0]] and f"cannot listen on 127.0.0.1:{port}" in stderr
    process = start_app(free_port(), "--host", "0.0.0.0")
    try:
        line = process.stderr.readline()
        assert line.startswith("expotion: warning: listening on 0.0.0.0 without --auth")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_ctrl_c_during_start_up_is_one_line():
    process = start_app(free_port())
    assert process.stdout.readline().startswith("Loading")  # past the interpreter's own start-up …
    time.sleep(0.5)  # … and still importing
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and stderr.strip().splitlines() == ["expotion: interrupted"]
