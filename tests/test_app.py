"""The web app, served on the loopback address inside the test, driven through its API and
in a real headless Chromium."""

import contextlib
import shutil
import threading
from pathlib import Path

import av
import numpy as np
import pytest

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from expotion.app import COMPOSER, launch, show_preview, shutdown  # noqa: E402
from expotion.video.preview import PREVIEW_SIDE, video_codec  # noqa: E402

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


from conftest import free_port  # noqa: E402
from test_preview import hevc  # noqa: E402


@pytest.fixture(scope="module")
def server():
    port = free_port()
    app = launch("127.0.0.1", port, max_duration=30.0, concurrency=2, block=False)
    yield f"http://127.0.0.1:{port}/"
    shutdown(app)


def ask(url, video, seed=0, prompt="upbeat funk with drums"):
    client = Client(url, verbose=False)
    return client.predict(handle_file(str(video)), prompt, COMPOSER, seed, 1.0, 1.0, 3.0, 1.5, api_name="/generate")


def duration_and_audio(path):
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return float(video.duration * video.time_base), bool(container.streams.audio)


def test_generate_through_the_api(server, videos):
    assert list(Client(server, verbose=False).view_api(return_format="dict", print_info=False)["named_endpoints"]) == ["/generate"]
    path, times = videos("15fps")
    video, files, plot, decisions = ask(server, path)
    length, has_audio = duration_and_audio(video)
    assert has_audio and length == pytest.approx(duration_and_audio(path)[0], abs=1e-3)
    assert {Path(f).suffix for f in files} == {".mp4", ".wav", ".mid", ".json"}
    assert Path(plot).read_bytes()[:4] == b"\x89PNG" and decisions["backend"] == "composer"


def test_an_hevc_result_plays_in_the_page_and_downloads_as_it_was_made(server, tmp_path):
    iphone = tmp_path / "iphone.mov"
    hevc(iphone)
    video, files, _, _ = ask(server, iphone)
    download = next(f for f in files if f.endswith(".mp4"))
    assert (video_codec(video), video_codec(download)) == ("h264", "hevc")
    with av.open(str(video)) as player:  # the upload's small copy, not the whole picture encoded again
        assert max(player.streams.video[0].width, player.streams.video[0].height) == PREVIEW_SIDE
    assert duration_and_audio(video) == pytest.approx(duration_and_audio(download), abs=1e-3)
    with av.open(str(video)) as player, av.open(download) as made:
        heard, meant = (np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1) for c in (player, made))
        assert heard.shape == meant.shape and np.corrcoef(heard.ravel(), meant.ravel())[0, 1] > 0.999  # the same music


def test_a_corrupt_upload_is_a_clear_error_and_the_server_keeps_serving(server, videos, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42 definitely not a video")
    with pytest.raises(AppError) as error:
        ask(server, broken)
    assert "not a video file, or it is corrupt" in str(error.value) and "Traceback" not in str(error.value)
    audio_only = tmp_path / "song.m4a"
    with av.open(str(audio_only), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 44100), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44100
        container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with pytest.raises(AppError, match="no video stream"):
        ask(server, audio_only)
    path, _ = videos("15fps")
    video, *_ = ask(server, path)
    assert duration_and_audio(video)[1]


def test_two_users_at_once_get_their_own_music(server, videos):
    path, _ = videos("15fps")
    results = {}
    threads = [threading.Thread(target=lambda s=seed: results.__setitem__(s, ask(server, path, seed=s))) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[1][3]["seed"] == 1 and results[2][3]["seed"] == 2
    wavs = {seed: next(f for f in result[1] if f.endswith(".wav")) for seed, result in results.items()}
    assert Path(wavs[1]).read_bytes() != Path(wavs[2]).read_bytes()


needs_chromium = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                    reason="Debian chromium + chromium-driver not installed (.ci/run installs them)")


@contextlib.contextmanager
def chromium(tmp_path):
    """A headless Chromium and a wait of up to 2 minutes."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1600",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield browser, WebDriverWait(browser, 120)
    finally:
        browser.quit()


def upload(browser, wait, server, path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready

    browser.get(server)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "input[type=file]"))).send_keys(str(path))


@needs_chromium
def test_a_real_browser_uploads_generates_and_sees_the_result(server, videos, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready

    with chromium(tmp_path) as (browser, wait):
        path, _ = videos("15fps")
        upload(browser, wait, server, path)
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "video")))
        browser.find_element(By.ID, "generate").click()
        player = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#result video")))
        wait.until(lambda _: player.get_attribute("src"))
        shot = tmp_path / "app.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        assert "with_music" in player.get_attribute("src")
        assert not any(shown.is_displayed() for shown in browser.find_elements(By.ID, "preview"))  # it plays as it is


@needs_chromium
def test_a_video_browsers_cannot_play_is_shown_from_a_playable_copy(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready

    iphone = tmp_path / "iphone.mov"
    hevc(iphone)
    with chromium(tmp_path) as (browser, wait):
        upload(browser, wait, server, iphone)
        player = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#preview video")))
        wait.until(lambda _: browser.execute_script("return arguments[0].readyState", player) >= 2)
        assert browser.execute_script("return arguments[0].videoWidth", player) > 0
        assert "HEVC" in browser.find_element(By.ID, "preview").text


def test_only_an_upload_browsers_cannot_play_gets_a_preview(server, videos, tmp_path):
    iphone, junk = tmp_path / "iphone.mov", tmp_path / "junk.mov"
    hevc(iphone)
    junk.write_bytes(b"not a video")
    shown = show_preview(str(iphone))
    assert shown["visible"] and video_codec(shown["value"]) == "h264"
    path, _ = videos("15fps")
    assert not show_preview(str(path))["visible"] and not show_preview(str(junk))["visible"]
    hevc(tmp_path / "long.mov")
    assert not show_preview(str(tmp_path / "long.mov"), max_duration=0.2)["visible"]  # generating says why


def test_the_app_builds_each_pipeline_once_for_all_requests(videos, monkeypatch):
    from conftest import free_port

    from expotion import pipeline

    builds = []
    original = pipeline.Expotion.from_pretrained.__func__

    def counted(cls, *args, **kwargs):
        builds.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(pipeline.Expotion, "from_pretrained", classmethod(counted))
    port = free_port()
    app = launch("127.0.0.1", port, block=False)
    try:
        path, _ = videos("15fps")
        for seed in (1, 2):
            ask(f"http://127.0.0.1:{port}/", path, seed=seed)
        assert len(builds) == 1
    finally:
        shutdown(app)
