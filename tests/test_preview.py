"""The browser preview of a video whose codec browsers cannot play (an iPhone's HEVC)."""

from fractions import Fraction

import av
import numpy as np

from expotion.video.preview import PREVIEW_SIDE, browser_plays, video_codec, write_preview

TIMES = [0.0, 0.04, 0.1, 0.13, 0.2, 0.27, 0.4]  # uneven, as a phone's variable frame rate


def hevc(path, rotation=0):
    """HEVC pictures 960 × 540 at TIMES, bright on the left half, dark on the right."""
    picture = np.zeros((540, 960, 3), np.uint8)
    picture[:, :480] = 230
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx265", options={"x265-params": "log-level=error"})
        stream.width, stream.height, stream.pix_fmt = 960, 540, "yuv420p"
        stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            stream.set_display_rotation(rotation)
        for time in TIMES:
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            frame.pts = round(time * 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


def _frames(path):
    with av.open(str(path)) as container:
        return [(float(f.pts * f.time_base), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_hevc_gets_a_smaller_h264_preview_with_every_frame_at_its_time(tmp_path):
    video, preview = tmp_path / "iphone.mov", tmp_path / "preview.mp4"
    hevc(video)
    assert not browser_plays(video)
    write_preview(video, preview)
    assert video_codec(preview) == "h264" and browser_plays(preview)
    frames = _frames(preview)
    assert np.allclose([time for time, _ in frames], TIMES, atol=1e-3)
    height, width, _ = frames[0][1].shape
    assert (width, height) == (PREVIEW_SIDE, 360)
    assert frames[0][1][:, : width // 3].mean() > 200 > 30 > frames[0][1][:, -width // 3 :].mean()


def test_a_turned_recording_is_previewed_upright(tmp_path):
    video, preview = tmp_path / "portrait.mov", tmp_path / "preview.mp4"
    hevc(video, rotation=90)
    write_preview(video, preview)
    _, picture = _frames(preview)[0]
    assert picture.shape[:2] == (PREVIEW_SIDE, 360)  # shown as the phone was held: taller than wide
    # turned a quarter counter-clockwise, as players show it: the left half lies at the bottom
    assert picture[-PREVIEW_SIDE // 3 :].mean() > 200 > 30 > picture[: PREVIEW_SIDE // 3].mean()
