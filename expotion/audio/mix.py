"""Mixing stems into the music: a level and a place in the stereo field per role, pads that
pump under the kick where the style asks for it, a small room, and a loudness target.

| role    | level  | pan        | why |
|---------|--------|------------|-----|
| melody  | +2 dB  | centre     | on top, where the ear follows it |
| bass    |  0 dB  | centre     | the low end stays centred |
| drums   | −1 dB  | centre     | the kit is spread by the soundfont's own drum pans |
| harmony | −4 dB  | 30 % right | beside and under the melody |

Stems come back with the same processing as the mix (level, pan, room, loudness gain and the
peak limiter's gain), so that they sum to the mix.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from expotion.audio.loudness import CEILING, limiter_gain, loudness_gain

ROLE_MIX = {"melody": (2.0, 0.0), "bass": (0.0, 0.0), "drums": (-1.0, 0.0), "harmony": (-4.0, 0.3)}
SIDECHAIN_DEPTH = 0.7  # the pad drops to 30 % at each beat …
SIDECHAIN_RELEASE = 0.35  # … and swells back with this time constant, in beats


def pan(audio: np.ndarray, position: float) -> np.ndarray:
    """Constant-power pan of stereo audio: −1 left … 0 centre (unchanged) … +1 right."""
    angle = (position + 1) * np.pi / 4
    return (audio * (np.sqrt(2) * np.array([np.cos(angle), np.sin(angle)]))).astype(np.float32)


def sidechain(audio: np.ndarray, sample_rate: int, beats: np.ndarray) -> np.ndarray:
    """Duck `audio` at every beat and let it swell back (the pumping pad of house and EDM)."""
    t = np.arange(len(audio)) / sample_rate
    gain = np.ones(len(audio))
    period = float(np.median(np.diff(beats))) if len(beats) > 1 else 0.5
    for beat in beats:
        after = (t >= beat) & (t < beat + 2 * period)
        gain[after] = np.minimum(gain[after], 1 - SIDECHAIN_DEPTH * np.exp(-(t[after] - beat) / (SIDECHAIN_RELEASE * period)))
    return (audio * gain[:, None]).astype(np.float32)


def room_response(sample_rate: int, decay_s: float = 1.2) -> np.ndarray:
    """The room: decaying, darkened noise (−60 dB after `decay_s`), unit energy per channel."""
    rng = np.random.default_rng(0)
    t = np.arange(int(decay_s * sample_rate)) / sample_rate
    response = rng.normal(size=(len(t), 2)) * np.exp(-6.9 * t / decay_s)[:, None]
    response = fftconvolve(response, np.ones((32, 1)) / 32, mode="same", axes=0)  # soften the highs
    return (response / np.sqrt((response**2).sum(axis=0, keepdims=True))).astype(np.float32)


def room_reverb(audio: np.ndarray, sample_rate: int, wet: float = 0.12, block: int = 1 << 16) -> np.ndarray:
    """A little room, convolved block by block (overlap-add), so that memory stays at the
    size of the audio however long it is."""
    response = room_response(sample_rate)
    tail = np.zeros_like(audio, dtype=np.float32)
    for start in range(0, len(audio), block):
        wet_block = fftconvolve(audio[start : start + block], response, mode="full", axes=0).astype(np.float32)
        end = min(len(audio), start + len(wet_block))
        tail[start:end] += wet_block[: end - start]
    tail *= wet
    tail += (1 - wet) * audio
    return tail


def mix(stems: dict[str, np.ndarray], sample_rate: int, beats: np.ndarray, pumping: tuple[str, ...] = (),
        emphasis: dict[str, float] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(mix, processed stems) of stems keyed by role; `pumping` roles duck under the beats;
    `emphasis` raises (or lowers) roles by some dB, as a style asks (a loud kit for rock).
    The dry stems are taken out of `stems` as they are mixed, so that long music is held once."""
    placed = {}
    total = None
    for role in list(stems):
        audio = stems.pop(role)
        gain_db, position = ROLE_MIX.get(role, (0.0, 0.0))
        gain_db += (emphasis or {}).get(role, 0.0)
        audio = pan(audio * np.float32(10 ** (gain_db / 20)), position)
        if role in pumping:
            audio = sidechain(audio, sample_rate, beats)
        placed[role] = room_reverb(audio, sample_rate)
        total = placed[role].copy() if total is None else np.add(total, placed[role], out=total)
    if total is None:
        return np.zeros((0, 2), np.float32), {}
    level = np.float32(loudness_gain(total, sample_rate))
    total *= level
    peak_gain = limiter_gain(total, sample_rate)[:, None]
    total *= peak_gain
    for audio in placed.values():  # the same level and the same limiting: the stems sum to the mix
        audio *= level
        audio *= peak_gain
    return np.clip(total, -CEILING, CEILING), placed
