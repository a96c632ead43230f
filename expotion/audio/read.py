"""Reading music from any file FFmpeg understands, onto the video's clock."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from expotion.errors import ExpotionError


def read_audio(path: str | Path, sample_rate: int) -> tuple[np.ndarray, float]:
    """Mono float32 samples of a file's first audio stream, and the stream's start time
    (seconds) on the file's clock — the time the music starts relative to the video."""
    path = Path(path)
    if not path.is_file():
        raise ExpotionError(f"no such file: {path}")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ExpotionError(f"{path.name} has no audio track to evaluate")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
            chunks, start = [], None
            for frame in container.decode(stream):
                start = frame.time if start is None else start
                chunks.extend(r.to_ndarray()[0] for r in resampler.resample(frame))
            chunks.extend(r.to_ndarray()[0] for r in resampler.resample(None))
    except av.FFmpegError as error:
        raise ExpotionError(f"cannot read audio from {path.name}: {error.strerror}")
    if not chunks:
        raise ExpotionError(f"{path.name} has an empty audio track")
    return np.concatenate(chunks).astype(np.float32), float(start or 0.0)


def on_video_clock(audio: np.ndarray, sample_rate: int, start: float) -> np.ndarray:
    """Audio whose first sample plays `start` seconds after the video's first frame,
    re-based so that sample 0 plays with the first frame (silence before, or cut)."""
    lead = int(round(start * sample_rate))
    return np.concatenate([np.zeros(lead, audio.dtype), audio]) if lead >= 0 else audio[-lead:]
