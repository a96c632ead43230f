"""Render a score to audio with an SF2 soundfont — no system library needed.

TinySoundFont (the `tinysoundfont` wheel) plays the best General MIDI soundfont on the
machine: one named by `--soundfont` / $EXPOTION_SOUNDFONT, else Debian's fluid-soundfont-gm
(FluidR3_GM, `apt-get install fluid-soundfont-gm`), else the small TimGM6mb that ships with
pretty_midi. Each track is rendered on its own (a stem), every event at its exact sample.

Instruments take time to speak: a bowed string or a pad swells for tens of milliseconds
before it is heard, a drum is heard at once. As players do, each track starts its notes
early by its instrument's attack time — measured on the soundfont itself, as the time a
test note takes to reach half its peak level — so that what is heard lands on the beat.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from expotion.errors import ExpotionError

SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)
BUNDLED_SOUNDFONT = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
BETTER_SOUNDFONT_HINT = "apt-get install fluid-soundfont-gm"
DRUM_CHANNEL = 9
DRUM_BANK = 128
MAX_ATTACK_LEAD_S = 0.05  # slower attacks are heard as swells, not as late notes
ATTACK_PROBE_S = 0.3


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
    """The soundfont to play: the one asked for, else the best installed, else the bundled one."""
    explicit = requested or os.environ.get("EXPOTION_SOUNDFONT")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ExpotionError(f"soundfont not found: {path}")
        return Soundfont(path, "requested")
    for candidate in SYSTEM_SOUNDFONTS:
        if Path(candidate).is_file():
            return Soundfont(Path(candidate), "system")
    return Soundfont(BUNDLED_SOUNDFONT, "bundled")


class Renderer:
    """One loaded soundfont that renders tracks one at a time."""

    def __init__(self, soundfont: Soundfont, sample_rate: int = 44100):
        import tinysoundfont  # imported here: only rendering needs it

        self.sample_rate = sample_rate
        self.synth = tinysoundfont.Synth(samplerate=sample_rate)
        try:
            self.font = self.synth.sfload(str(soundfont.path))
        except Exception as error:  # tinysoundfont raises a bare Exception for unreadable files
            raise ExpotionError(f"cannot read the soundfont {soundfont.path}: {error}")

    def _select(self, track: pretty_midi.Instrument) -> int:
        channel = DRUM_CHANNEL if track.is_drum else 0
        if track.is_drum:
            self.synth.program_select(channel, self.font, DRUM_BANK, 0, True)
        else:
            self.synth.program_select(channel, self.font, 0, track.program)
        return channel

    def _generate(self, samples: int) -> np.ndarray:
        if samples <= 0:
            return np.zeros((0, 2), np.float32)
        return np.frombuffer(self.synth.generate(samples), dtype=np.float32).reshape(-1, 2)

    def attack_time(self, track: pretty_midi.Instrument, pitch: int) -> float:
        """Seconds a note of `track`'s instrument takes to reach half its peak level."""
        channel = self._select(track)
        self.synth.noteon(channel, pitch, 100)
        level = np.abs(self._generate(int(ATTACK_PROBE_S * self.sample_rate))).max(axis=1)
        self.synth.sounds_off()
        self._generate(self.sample_rate // 10)  # let the voice die away
        if level.max() <= 0:
            return 0.0
        return min(float(np.argmax(level >= 0.5 * level.max())) / self.sample_rate, MAX_ATTACK_LEAD_S)

    def track_leads(self, track: pretty_midi.Instrument) -> dict[int, float]:
        """Attack time per pitch of a track: per drum for a kit, one for a melodic instrument."""
        if track.is_drum:
            return {pitch: self.attack_time(track, pitch) for pitch in {note.pitch for note in track.notes}}
        pitches = [note.pitch for note in track.notes]
        lead = self.attack_time(track, int(np.median(pitches))) if pitches else 0.0
        return {pitch: lead for pitch in set(pitches)}

    def render(self, track: pretty_midi.Instrument, length: int) -> np.ndarray:
        """Stereo float32 audio (length, 2) of one track, notes started early by their attack time."""
        leads = self.track_leads(track)
        channel = self._select(track)
        events = []
        for note in track.notes:
            start = int(round((note.start - leads[note.pitch]) * self.sample_rate))
            end = min(int(round((note.end - leads[note.pitch]) * self.sample_rate)), length)
            if start >= length or end <= 0:
                continue
            events.append((max(start, 0), 1, note.pitch, note.velocity))
            events.append((max(end, 0), 0, note.pitch, 0))
        audio = np.zeros((length, 2), dtype=np.float32)
        cursor = 0
        for sample, _, pitch, velocity in sorted(events) + [(length, 0, -1, 0)]:
            audio[cursor:sample] = self._generate(sample - cursor)
            cursor = max(cursor, sample)
            if pitch < 0:
                break
            if velocity:
                self.synth.noteon(channel, pitch, velocity)
            else:
                self.synth.noteoff(channel, pitch)
        self.synth.sounds_off()
        self._generate(self.sample_rate // 10)
        return audio


def render_stems(score: pretty_midi.PrettyMIDI, duration: float, sample_rate: int, soundfont: Soundfont) -> dict[str, np.ndarray]:
    """Each track of `score`, by name, as stereo float32 audio of exactly round(duration × rate) samples."""
    length = int(round(duration * sample_rate))
    renderer = Renderer(soundfont, sample_rate)
    return {track.name: renderer.render(track, length) for track in score.instruments}
