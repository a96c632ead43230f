"""The mix: a level and a place in the stereo field per role, pads that pump under the kick
where the style asks for it, a small room, a loudness target and a peak limiter — made block
by block, so that an hour of music needs no more memory than ten seconds.

| role    | level  | pan        | why |
|---------|--------|------------|-----|
| melody  | +2 dB  | centre     | on top, where the ear follows it |
| bass    |  0 dB  | centre     | the low end stays centred |
| drums   | −1 dB  | centre     | the kit is spread by the soundfont's own drum pans |
| harmony | −4 dB  | 30 % right | beside and under the melody |

The levels were set, and the beat measured, on the bundled font; on another font each role is
first brought to the level the bundled font gives its instrument (`MixPlan.font_trims`).
Levels, pans and the pumping are MIDI channel controls (volume, pan, expression), so the
synthesiser itself mixes, but for the chords of a distorted guitar: they play through a guitar
amp of their own (amp.py) and are placed after it. The loudness is measured in a first pass
and applied in a second; music of up to `KEPT_PASS_S` keeps its first pass instead of
rendering it again.
Stems, when asked for, are rendered each on its own and get exactly the processing of the
mix (room, loudness gain, the limiter's gain), so that they sum to it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pretty_midi

from expotion.audio.amp import GuitarAmp
from expotion.audio.loudness import BLOCK_S, CEILING, LoudnessMeter, limiter_gain
from expotion.audio.synth import BUNDLED_SOUNDFONT, DRUM_CHANNEL, Renderer, Soundfont
from expotion.convolution import Convolver, StreamingConvolver, fft_convolve

ROLE_MIX = {"melody": (2.0, 0.0), "bass": (0.0, 0.0), "drums": (-1.0, 0.0), "harmony": (-4.0, 0.3)}
CHANNELS = {"melody": 0, "harmony": 1, "bass": 2, "drums": DRUM_CHANNEL}
VOLUME, PAN, EXPRESSION = 7, 10, 11  # MIDI controllers
SIDECHAIN_DEPTH = 0.7  # the pad drops to 30 % at each beat …
SIDECHAIN_RELEASE = 0.35  # … and swells back with this time constant, in beats
SIDECHAIN_STEP_S = 0.01
BLOCKS_PER_PASS = 4  # loudness windows per rendered block
LIMITER_CONTEXT_S = 0.02  # the limiter looks this far either side of each block
KEPT_PASS_S = 120.0  # longer music is rendered twice, so that memory stays flat (21 MB a minute kept)


def controller_value(gain: float) -> int:
    """MIDI volume/expression for a linear gain ≤ 1 (TinySoundFont's gain is (value/127)³)."""
    return int(np.clip(round(127 * max(gain, 0.0) ** (1 / 3)), 0, 127))


def sidechain_gain(times: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """The pumping: a dip at every beat that swells back (house and EDM pads)."""
    gain = np.ones(len(times))
    period = float(np.median(np.diff(beats))) if len(beats) > 1 else 0.5
    for beat in beats:
        after = (times >= beat) & (times < beat + 2 * period)
        gain[after] = np.minimum(gain[after], 1 - SIDECHAIN_DEPTH * np.exp(-(times[after] - beat) / (SIDECHAIN_RELEASE * period)))
    return gain


def room_response(sample_rate: int, decay_s: float = 1.2) -> np.ndarray:
    """The room: decaying, darkened noise (−60 dB after `decay_s`), unit energy per channel; read-only."""
    rng = np.random.default_rng(0)
    t = np.arange(int(decay_s * sample_rate)) / sample_rate
    response = rng.normal(size=(len(t), 2)) * np.exp(-6.9 * t / decay_s)[:, None]
    response = fft_convolve(response, np.ones((32, 1)) / 32)[15 : 15 + len(response)]  # soften the highs
    response = (response / np.sqrt((response**2).sum(axis=0, keepdims=True))).astype(np.float32)
    response.setflags(write=False)
    return response


@functools.lru_cache(maxsize=4)  # the same room for every pass, stem and job (0.1 s to make)
def room(sample_rate: int) -> Convolver:
    return Convolver(room_response(sample_rate))


class RoomReverb:
    """A little room, block by block: each block comes back with the tails of the blocks before it."""

    def __init__(self, sample_rate: int, wet: float = 0.12):
        self.reflections, self.wet = StreamingConvolver(room(sample_rate)), wet

    def __call__(self, block: np.ndarray) -> np.ndarray:
        return ((1 - self.wet) * block + self.wet * self.reflections(block)).astype(np.float32)


@dataclass
class MixPlan:
    """What the mix is made of: the score's track per role and how each sits in the mix."""

    tracks: dict[str, pretty_midi.Instrument]  # role → track
    soundfont: Soundfont
    sample_rate: int
    length: int  # samples
    beats: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pumping: tuple[str, ...] = ()  # roles that duck under the beats
    emphasis: dict[str, float] = field(default_factory=dict)  # role → dB above the standard mix
    amplified: tuple[str, ...] = ()  # roles that play through a guitar amp (amp.py)

    def placement(self, role: str) -> tuple[float, float]:
        """(gain ≤ 1, stereo position −1 left … 1 right) of `role` in the mix."""
        levels = {r: ROLE_MIX[r][0] + self.emphasis.get(r, 0.0) + self.font_trims.get(r, 0.0) for r in ROLE_MIX}
        return 10 ** ((levels[role] - max(levels.values())) / 20), ROLE_MIX[role][1]

    @functools.cached_property
    def font_trims(self) -> dict[str, float]:
        """role → dB that plays the soundfont's instrument for the role as loud as the bundled
        font's plays it (none on the bundled font): the levels above were set, and the beat
        measured, on it, and fonts differ by more than the levels do."""
        if self.soundfont.path == BUNDLED_SOUNDFONT:
            return {}
        theirs, ours = Renderer(self.soundfont, self.sample_rate), Renderer(Soundfont(BUNDLED_SOUNDFONT, "bundled"), self.sample_rate)
        trims = {role: ours.level(track) - theirs.level(track) for role, track in self.tracks.items()}
        return {role: trim for role, trim in trims.items() if np.isfinite(trim)}

    def controls(self, role: str, placed: bool = True) -> list[tuple[int, int, int, int]]:
        """(sample, channel, controller, value) events that place `role` in the mix (volume and
        pan, unless it is placed after an amp) and make it pump."""
        channel = CHANNELS[role]
        events = []
        if placed:
            gain, position = self.placement(role)
            events += [(0, channel, VOLUME, controller_value(gain)), (0, channel, PAN, int(round(63.5 * (position + 1))))]
        if role in self.pumping and len(self.beats):
            times = np.arange(0, self.length / self.sample_rate, SIDECHAIN_STEP_S)
            values = [controller_value(g) for g in sidechain_gain(times, self.beats)]
            events += [(int(round(t * self.sample_rate)), channel, EXPRESSION, v)
                       for index, (t, v) in enumerate(zip(times, values)) if index == 0 or v != values[index - 1]]
        return events


class MixedMusic:
    """The composer's music as an audio source: `blocks()` streams it, `read()` holds it whole."""

    def __init__(self, plan: MixPlan):
        self.plan, self.sample_rate, self.length = plan, plan.sample_rate, plan.length
        self.roles = tuple(plan.tracks)
        self.block = BLOCKS_PER_PASS * int(BLOCK_S * plan.sample_rate)
        self._level: float | None = None
        self._first_pass: list[np.ndarray] | None = None  # the mix after the room, when short enough to keep

    def _dry(self, roles: tuple[str, ...]) -> Iterator[np.ndarray]:
        """Stereo blocks of `roles` played together, before the room."""
        direct = [role for role in roles if role not in self.plan.amplified]
        sources = [self._amplified(role) for role in roles if role in self.plan.amplified]
        if direct:  # a stem of the amp's role alone needs no synthesiser playing silence beside it
            tracks = [(self.plan.tracks[role], CHANNELS[role]) for role in direct]
            controls = [event for role in direct for event in self.plan.controls(role)]
            sources.insert(0, Renderer(self.plan.soundfont, self.sample_rate).blocks(tracks, self.length, self.block, controls))
        for parts in zip(*sources):
            yield sum(parts[1:], parts[0])

    def _amplified(self, role: str) -> Iterator[np.ndarray]:
        """Stereo blocks of `role` played through its amp, then placed in the mix as the
        synthesiser places the others (TinySoundFont's pan: √(½ ∓ ½·position))."""
        renderer = Renderer(self.plan.soundfont, self.sample_rate)
        track = self.plan.tracks[role]
        amp = GuitarAmp(renderer, track)
        gain, position = self.plan.placement(role)
        sides = (gain * np.sqrt([1 - position, 1 + position])).astype(np.float32)
        for block in renderer.blocks([(track, CHANNELS[role])], self.length, self.block, self.plan.controls(role, placed=False)):
            yield amp(block)[:, None] * sides

    @property
    def level(self) -> float:
        """The gain that brings the mix to the loudness target (a first pass, made once)."""
        if self._level is None:
            meter = LoudnessMeter(self.sample_rate)
            room = RoomReverb(self.sample_rate)
            kept = [] if self.length <= KEPT_PASS_S * self.sample_rate else None
            for block in self._dry(self.roles):
                wet = room(block)
                meter.add(wet)
                if kept is not None:
                    kept.append(wet)
            self._level, self._first_pass = meter.gain(), kept
        return self._level

    def _wet(self, stems: bool) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """(mix, stems) blocks after the room and the loudness gain, before the limiter."""
        level = np.float32(self.level)
        if not stems:
            if self._first_pass is not None:
                kept, self._first_pass = self._first_pass[::-1], None  # streamed once: let it go block by block
                while kept:
                    yield kept.pop() * level, {}
                return
            room = RoomReverb(self.sample_rate)
            for block in self._dry(self.roles):
                yield room(block) * level, {}
            return
        self._first_pass = None  # stems are rendered role by role
        rooms = {role: RoomReverb(self.sample_rate) for role in self.roles}
        sources = {role: self._dry((role,)) for role in self.roles}
        for blocks in zip(*sources.values()):
            parts = {role: rooms[role](block) * level for role, block in zip(self.roles, blocks)}
            yield sum(parts.values()), parts

    def blocks(self, stems: bool = False) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """(mix, {role: stem}) blocks of float32 stereo; stems only when asked for."""
        context = int(LIMITER_CONTEXT_S * self.sample_rate)
        before = np.zeros((0, 2), np.float32)
        pending = None
        for mix, parts in self._wet(stems):
            if pending is not None:
                yield self._limited(before, pending, mix[:context])
                before = np.concatenate([before, pending[0]])[-context:]
            pending = (mix, parts)
        if pending is not None:
            yield self._limited(before, pending, np.zeros((0, 2), np.float32))

    def _limited(self, before: np.ndarray, block: tuple, after: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        mix, parts = block
        gain = limiter_gain(np.concatenate([before, mix, after]), self.sample_rate)[len(before) : len(before) + len(mix), None]
        return (np.clip(mix * gain, -CEILING, CEILING).astype(np.float32),
                {role: (part * gain).astype(np.float32) for role, part in parts.items()})

    def read(self, stems: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The whole music (and stems) in memory."""
        mixes, parts = [], {role: [] for role in self.roles} if stems else {}
        for mix, block_parts in self.blocks(stems):
            mixes.append(mix)
            for role, part in block_parts.items():
                parts[role].append(part)
        whole = np.concatenate(mixes) if mixes else np.zeros((0, 2), np.float32)
        return whole, {role: np.concatenate(chunks) for role, chunks in parts.items()}
