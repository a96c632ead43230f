"""Render a score to audio with an SF2 soundfont — no system library needed.

TinySoundFont (the `tinysoundfont` wheel) plays a General MIDI soundfont: the small TimGM6mb
that ships with pretty_midi, unless `--soundfont` / $EXPOTION_SOUNDFONT names another file, or
`system` for Debian's fuller FluidR3_GM (`apt-get install fluid-soundfont-gm`). The bundled font
is the default on every machine, whatever else is installed: the same seed gives the same music
everywhere, and it is the font on which the arrangement's beat is measured to be heard where it
is meant (on FluidR3_GM a violin's vibrato and slower attacks blur it; benchmarks/README.md,
"The bundled font by default"). Tracks play on MIDI channels of their own, every event at its
exact sample, block by block, so that memory does not grow with the length of the music.

Instruments take time to speak: a bowed string or a pad swells for tens of milliseconds
before it is heard, a drum is heard at once. As players do, each track starts its notes
early by its instrument's attack time — measured on the soundfont itself, as the time a
test note takes to reach half its peak level — so that what is heard lands on the beat.
"""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pretty_midi

from expotion.errors import ExpotionError

SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)
BUNDLED_SOUNDFONT = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
SYSTEM = "system"  # the name that asks for the first of SYSTEM_SOUNDFONTS installed
BETTER_SOUNDFONT_HINT = f"--soundfont {SYSTEM}, after apt-get install fluid-soundfont-gm"
DRUM_CHANNEL = 9
DRUM_BANK = 128
# Event kinds, in the order they apply at the same sample: notes end before others start.
NOTE_OFF, CONTROL, NOTE_ON = 0, 1, 2
MAX_ATTACK_LEAD_S = 0.05  # slower attacks are heard as swells, not as late notes
ATTACK_PROBE_S = 0.3
PROBE_VELOCITY = 100
LEVEL_PROBE_S = 0.5


@dataclass(frozen=True)
class Soundfont:
    path: Path
    source: str  # "requested", "system" or "bundled"

    @property
    def description(self) -> str:
        if self.source == "bundled":
            return f"{self.path.name} (bundled with pretty_midi; for a fuller sound: {BETTER_SOUNDFONT_HINT})"
        return f"{self.path.name} ({self.path.parent})"


def find_soundfont(requested: str | os.PathLike | None = None) -> Soundfont:
    """The soundfont to play: the file asked for (or `system`: the system's General MIDI
    font), else the bundled one."""
    explicit = requested or os.environ.get("EXPOTION_SOUNDFONT")
    if not explicit:
        return Soundfont(BUNDLED_SOUNDFONT, "bundled")
    if str(explicit) == SYSTEM:
        installed = next((Path(candidate) for candidate in SYSTEM_SOUNDFONTS if Path(candidate).is_file()), None)
        if installed is None:
            raise ExpotionError("no system soundfont installed: apt-get install fluid-soundfont-gm")
        return Soundfont(installed, "system")
    path = Path(explicit)
    if not path.is_file():
        raise ExpotionError(f"soundfont not found: {path}")
    return Soundfont(path, "requested")


class Renderer:
    """One loaded soundfont playing a set of tracks, each on its own MIDI channel, block by
    block: memory stays at one block however long the music is."""

    def __init__(self, soundfont: Soundfont, sample_rate: int = 44100):
        import tinysoundfont  # imported here: only rendering needs it

        self.sample_rate = sample_rate
        self.synth = tinysoundfont.Synth(samplerate=sample_rate)
        try:
            self.font = self.synth.sfload(str(soundfont.path))
        except Exception as error:  # tinysoundfont raises a bare Exception for unreadable files
            raise ExpotionError(f"cannot read the soundfont {soundfont.path}: {error}")

    def _select(self, track: pretty_midi.Instrument, channel: int) -> None:
        if track.is_drum:
            self.synth.program_select(channel, self.font, DRUM_BANK, 0, True)
        else:
            self.synth.program_select(channel, self.font, 0, track.program)

    def _generate(self, samples: int) -> np.ndarray:
        if samples <= 0:
            return np.zeros((0, 2), np.float32)
        return np.frombuffer(self.synth.generate(samples), dtype=np.float32).reshape(-1, 2)

    def _silence(self) -> None:
        self.synth.sounds_off()
        self._generate(self.sample_rate // 10)  # let every voice die away

    def sound(self, track: pretty_midi.Instrument, pitches: tuple[int, ...], seconds: float,
              velocity: int = PROBE_VELOCITY) -> np.ndarray:
        """`seconds` of `track`'s instrument striking `pitches` together, alone."""
        channel = DRUM_CHANNEL if track.is_drum else 0
        self._select(track, channel)
        for pitch in pitches:
            self.synth.noteon(channel, pitch, velocity)
        audio = self._generate(int(seconds * self.sample_rate))
        self._silence()
        return audio

    def attack_time(self, track: pretty_midi.Instrument, pitch: int) -> float:
        """Seconds a note of `track`'s instrument takes to reach half its peak level."""
        level = np.abs(self.sound(track, (pitch,), ATTACK_PROBE_S)).max(axis=1)
        if level.max() <= 0:
            return 0.0
        return min(float(np.argmax(level >= 0.5 * level.max())) / self.sample_rate, MAX_ATTACK_LEAD_S)

    def level(self, track: pretty_midi.Instrument) -> float:
        """How loud `track`'s instrument plays (dB, RMS over LEVEL_PROBE_S): its most played
        notes (up to three, as a kit's kick, snare and hat) struck together at its median
        velocity; −inf for a track without notes."""
        counts = collections.Counter(note.pitch for note in track.notes)
        if not counts:
            return float("-inf")
        pitches = tuple(pitch for pitch, _ in counts.most_common(3 if track.is_drum else 1))
        velocity = int(np.median([note.velocity for note in track.notes]))
        power = float(np.mean(self.sound(track, pitches, LEVEL_PROBE_S, velocity) ** 2))
        return 10 * np.log10(power) if power > 0 else float("-inf")

    def track_leads(self, track: pretty_midi.Instrument) -> dict[int, float]:
        """Attack time per pitch of a track: per drum for a kit, one for a melodic instrument."""
        if track.is_drum:
            return {pitch: self.attack_time(track, pitch) for pitch in {note.pitch for note in track.notes}}
        pitches = [note.pitch for note in track.notes]
        lead = self.attack_time(track, int(np.median(pitches))) if pitches else 0.0
        return {pitch: lead for pitch in set(pitches)}

    def blocks(self, tracks: list[tuple[pretty_midi.Instrument, int]], length: int, block: int,
               controls: list[tuple[int, int, int, int]] = ()) -> Iterator[np.ndarray]:
        """Stereo float32 blocks (`block` samples, the last shorter) of `length` samples of
        `tracks` — (track, channel) pairs — each note started early by its instrument's attack
        time; `controls` are (sample, channel, controller, value) changes (volume, pan, …)."""
        events = [(sample, channel, CONTROL, controller, value) for sample, channel, controller, value in controls]
        for track, channel in tracks:
            leads = self.track_leads(track)
            for note in track.notes:
                start = int(round((note.start - leads[note.pitch]) * self.sample_rate))
                end = min(int(round((note.end - leads[note.pitch]) * self.sample_rate)), length)
                if start < length and end > 0:
                    events.append((max(start, 0), channel, NOTE_ON, note.pitch, note.velocity))
                    events.append((max(end, 0), channel, NOTE_OFF, note.pitch, 0))
        for track, channel in tracks:
            self._select(track, channel)
        buffer, cursor = [], 0
        for sample, channel, kind, key, value in sorted(events) + [(length, -1, 0, 0, 0)]:
            while sample > cursor:
                take = min(sample, (cursor // block + 1) * block) - cursor
                buffer.append(self._generate(take))
                cursor += take
                if cursor % block == 0 or cursor == length:
                    yield np.concatenate(buffer)
                    buffer = []
            if channel < 0:
                break
            if kind == NOTE_ON:
                self.synth.noteon(channel, key, value)
            elif kind == NOTE_OFF:
                self.synth.noteoff(channel, key)
            else:
                self.synth.control_change(channel, key, value)
        self._silence()
