"""Write music into a video: the video stream copied packet for packet (or, for a codec MP4
cannot carry, encoded as H.264 frame for frame), the music as AAC.

The music's first sample plays with the video's first frame, and packets are interleaved as
they go, so a long video is never held in memory.

The written file's clock starts at the first frame: every video packet keeps its bytes and its
spacing, but its timestamps move by the first frame's. A clip cut from a longer recording
starts seconds into its file, and there the AAC encoder's priming (1024 samples) would sit on
the clock before the music, where a tool that decodes the sound from its first sample without
the timestamps (`ffmpeg -i OUT.mp4 OUT.wav`, `librosa.load`) plays it: every beat 23 ms late.
From 0 the priming lies before the clock's start, and every decoder drops it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import av
import numpy as np

from expotion.video.decode import probe


AAC_FRAME = 1024
AUDIO_BIT_RATE = 192_000
# FFmpeg's "fast" AAC quantiser search: at this bit rate it sounds at least as good as the
# "twoloop" search and encodes 3–4× faster (FFmpeg made it the default in 2018 for that
# reason, commit fcb681ac; measured here: 0.43 s → 0.12 s for 10 s of stereo).
AAC_OPTIONS = {"aac_coder": "fast"}
LOOKAHEAD_S = 0.5  # audio is muxed this far ahead of the video packet being written
# A video codec MP4 cannot carry is encoded as H.264 at this (visually lossless) quality.
REENCODE_OPTIONS = {"crf": "18", "preset": "fast"}
# Apple's players (QuickTime, iOS, Safari) play HEVC in MP4 only under this sample entry, the
# one iPhones write; the muxer's default, hev1, leaves them showing nothing.
HEVC_TAG = "hvc1"


def _audio_frames(blocks: Iterable[np.ndarray], sample_rate: int, first_sample: int):
    """AAC-sized frames (the last shorter) from blocks of any size, timed from `first_sample`."""
    rest = np.zeros((0, 2), np.float32)
    done = 0
    for block in itertools.chain(blocks, [None]):
        if block is not None:
            if block.ndim != 2 or block.shape[1] != 2:
                raise ValueError("audio must be (samples, 2)")
            rest = np.concatenate([rest, block.astype(np.float32)])
        while len(rest) >= AAC_FRAME or (block is None and len(rest)):
            chunk, rest = rest[:AAC_FRAME], rest[AAC_FRAME:]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout="stereo")
            frame.sample_rate = sample_rate
            frame.pts = first_sample + done
            frame.time_base = Fraction(1, sample_rate)
            done += len(chunk)
            yield frame


def mux_music(video: str | Path, audio: np.ndarray | Iterable[np.ndarray], sample_rate: int, out: str | Path) -> str | None:
    """Write `out` (MP4): `video`'s video stream unchanged plus `audio` — (samples, 2), or
    blocks of it read as they are needed — as its sound. A video codec that MP4 cannot
    carry (ProRes, VP8, GIF, raw video …) is encoded as H.264 instead; its name is returned
    then, None when the stream was copied. Writing failures (a full disk) raise OSError
    naming `out`."""
    blocks = [audio] if isinstance(audio, np.ndarray) else audio
    info = probe(video)
    with av.open(str(video)) as source:
        video_in = source.streams.video[0]
        first_frame = round(info.start_time / video_in.time_base)  # in the stream's ticks
        try:
            with av.open(str(out), "w", format="mp4") as target:
                try:
                    packets, encoded = _copied(source, video_in, _copy_stream(target, video_in), first_frame), None
                except ValueError:  # the MP4 muxer takes no such codec
                    h264 = _h264_stream(target, video_in, info.rotation)
                    packets, encoded = _encoded(source, video_in, h264, first_frame), video_in.codec_context.name
                _interleave(target, packets, _aac_stream(target, sample_rate), _audio_frames(blocks, sample_rate, 0))
        except av.FFmpegError as error:
            raise OSError(error.errno or 0, error.strerror, str(out))
    return encoded


def _aac_stream(target, sample_rate: int):
    stream = target.add_stream("aac", rate=sample_rate, layout="stereo", options=AAC_OPTIONS)
    stream.bit_rate = AUDIO_BIT_RATE
    stream.time_base = Fraction(1, sample_rate)
    return stream


def _interleave(target, video_packets: Iterator[av.Packet], audio_out, audio_frames: Iterator[av.AudioFrame]) -> None:
    """Mux the video packets with the sound encoded alongside, LOOKAHEAD_S ahead of them."""
    pending = next(audio_frames, None)
    for packet in video_packets:
        clock = packet.dts if packet.dts is not None else packet.pts or 0
        horizon = float(clock * packet.time_base) + LOOKAHEAD_S
        while pending is not None and float(pending.pts * pending.time_base) <= horizon:
            target.mux(audio_out.encode(pending))
            pending = next(audio_frames, None)
        target.mux(packet)
    while pending is not None:
        target.mux(audio_out.encode(pending))
        pending = next(audio_frames, None)
    target.mux(audio_out.encode())


def _copy_stream(target, video_in):
    """A stream for `video_in`'s packets as they are. Opaque: it takes the codec from the
    input's codec context rather than an encoder of the same name, which AV1 lacks (its
    decoder is libdav1d). Raises ValueError for a codec the MP4 muxer cannot carry."""
    stream = target.add_stream_from_template(video_in, opaque=True)
    if video_in.codec_context.name == "hevc":
        stream.codec_context.codec_tag = HEVC_TAG
    return stream


def _copied(source, video_in, video_out, first_frame: int) -> Iterator[av.Packet]:
    """The video's packets as they are, on a clock that starts at the first frame."""
    for packet in source.demux(video_in):
        if packet.size == 0:  # the demuxer's end-of-stream marker
            continue
        # Matroska stores no decode time for the first frames of a stream with B-frames
        # (their order is not known yet): the muxer works it out.
        packet.pts = None if packet.pts is None else packet.pts - first_frame
        packet.dts = None if packet.dts is None else packet.dts - first_frame
        packet.stream = video_out
        yield packet


def _h264_stream(target, video_in, rotation: int):
    """An H.264 stream for the video's frames at their own times, shown turned as the input's."""
    stream = h264_stream(target, video_in.codec_context.width, video_in.codec_context.height, video_in.time_base,
                         REENCODE_OPTIONS)
    if rotation:
        stream.set_display_rotation(rotation)
    return stream


def h264_stream(target, width: int, height: int, time_base: Fraction, options: dict[str, str]):
    """An H.264 (4:2:0) stream in `target` for pictures about `width` × `height` (cut to even
    sizes, as 4:2:0 needs), timed in `time_base`."""
    stream = target.add_stream("libx264")
    stream.width, stream.height = width // 2 * 2, height // 2 * 2
    stream.pix_fmt = "yuv420p"
    stream.time_base = stream.codec_context.time_base = time_base
    stream.options = options
    return stream


def _encoded(source, video_in, video_out, first_frame: int) -> Iterator[av.Packet]:
    """The video's frames encoded by `video_out`, each at its own time from the first frame."""
    for frame in source.decode(video_in):
        picture = frame.reformat(width=video_out.width, height=video_out.height, format="yuv420p")
        picture.pts, picture.time_base = frame.pts - first_frame, video_in.time_base
        yield from video_out.encode(picture)
    yield from video_out.encode()
