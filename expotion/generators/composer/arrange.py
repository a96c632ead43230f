"""The score: chords, bass, melody and drums laid on the beat grid, bar by bar.

Positions inside a bar are in beats and become seconds through the beat grid (`BeatGrid.time`),
so every subdivision stretches with the person's tempo and every beat lands where the
beat tracker put it — on the person's stops and turns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pretty_midi

from expotion.audio.amp import is_distorted_guitar
from expotion.generators.composer import grooves
from expotion.generators.composer.harmony import Chord, Key, parse_numeral, progression, voice
from expotion.generators.composer.mood import Section
from expotion.generators.composer.prompt import Style
from expotion.generators.composer.rhythm import BeatGrid

DRUM_CHANNEL_PROGRAM = 0
CHORD_REGISTER = (52, 76)
POWER_REGISTER = (40, 52)  # power chords sit low, where distorted guitars growl
BASS_REGISTER = (33, 45)
# In a calm bar the bass plays plain quarter notes, softly: the beat goes on, nothing else.
CALM_BASS = {4: ((0, 1, "R"), (1, 1, "R"), (2, 1, "5"), (3, 1, "R")), 3: ((0, 1, "R"), (1, 1, "5"), (2, 1, "5")),
             2: ((0, 1, "R"), (1, 1, "5"))}
MELODY_CENTRE = 71
# Rap recites near one pitch, a fifth under the sung melody's centre. Lower, GM's voices no
# longer sound like a voice to a tagger trained on recorded music: an octave under the centre
# the Hip-Hop tag of a rapped caption read 0.71, against 0.86 a fifth under it (benchmarks
# README, "Rap").
RECITING_BELOW = 7
# Energy at which each layer joins the always-playing chords; drums play in full from 0.55.
LAYER_ENTRY = {"harmony": 0.0, "bass": 0.2, "percussion": 0.2, "melody": 0.3, "drums": 0.35}
FULL_DRUMS = 0.55
CALM = 0.35  # below this energy chords are held (broken chords go on) and the bass plays CALM_BASS
STRONG_STROKE = 1.0  # movement-beat strength (≈1 after a fast stroke) that the music answers
ON_BEAT_S = 0.06
# Below this tempo nothing starts between the beats. Listeners (and beat trackers, whose tempo
# prior centres near 120 BPM) hear a slow beat's eighth notes as the beat, whatever their
# loudness: a softer hi-hat or skank is still an onset in its own frequency band. Measured on
# drifting synthetic movement (benchmarks/sync.py), slow rock, funk and reggae were heard at
# double time until their between-beat notes were left out, and slow strings until their
# melody's moved onto the beat.
SLOW_BPM = 100.0
# But in slow compound time with drums the last eighth of each beat plays: without it a slow
# 6/8 is heard as 2/4. All three eighths made librosa hear every second eighth as the beat (half
# the meant beats heard at 60 and 75 BPM); the last alone, on drifting synthetic movement under
# 100 BPM, kept 0.97–1.0 of them heard (0.99–1.0 without it). Without drums it cost more (0.91
# against 0.93), and is left out.
# A beat longer or shorter than the grid's median by more than this (|log ratio|) is uneven: a
# listener keeping a steady pulse (as beat trackers do) hears notes between such beats as beats
# of their own, and may follow them off the beat. Drums, bass and melody start nothing between
# them; the chords keep the groove's rhythm (a skank, a stab), which carries the style.
# Measured on benchmarks/sync.py's synthetic movement and on variants of the dev clips
# (benchmarks/variants.py): a tenth kept most of the loss, a twentieth most of the gain.
UNEVEN_BEAT = 0.05
# Where no drums mark the beat, chords between the beats are this much softer (MIDI velocity)
# again: a blues shuffle's swung upbeat, as loud as the beat, was heard as the beat (on drifting
# synthetic movement, blues without drums: 0.73 of its beats heard; 0.93 with 15 or 20; 0.96
# with 30, which leaves a reggae skank without drums a ghost).
UNDRUMMED_BETWEEN = 20
# Where no drums mark the beat in slow music, a chord struck on a beat lasts at most this many
# beats, so that each beat starts out of quiet. Re-struck every beat at full length, a bowed
# chord's vibrato filled the onset envelope between the beats nearly as high as its peaks, and
# librosa, whose tempo prior centres near 120 BPM, heard strings at 60–67 BPM at double time
# (on the dev clips' variants and on steady synthetic movement; README).
UNDRUMMED_SLOW_CHORD = 0.5
# Happy music is played detached: staccato articulation is one of the cues that carry
# happiness (with a fast tempo, the major mode and a high register), legato one of sadness and
# tenderness (Juslin 2001, "Communicating emotion in music performance"; Gabrielsson &
# Lindström 2010). In a happy section (`Section.happy`) the struck chords and the bass sound
# for at most STACCATO beats; shorter notes keep their length (each note halved, funk's bass
# was heard off its beat), held chords are held, and the melody keeps its line (detached too,
# it was heard off the beat in latin and swing: benchmarks README, "Happy music, detached").
STACCATO = 0.5  # beats


@dataclass
class Bar:
    index: int
    first_beat: int  # beat index where the bar starts (may be negative for a pickup)
    chord: Chord
    key: Key
    energy: float
    section: int
    section_start: bool
    section_end: bool
    staccato: bool = False  # a happy section's bar: chords and bass are detached


@dataclass
class Score:
    midi: pretty_midi.PrettyMIDI
    bars: list[Bar]
    layers: dict[str, list[int]] = field(default_factory=dict)  # layer → bars where it plays


class Arranger:
    def __init__(self, style: Style, grid: BeatGrid, duration: float, seed: int):
        self.style, self.grid, self.duration = style, grid, duration
        self.rng = np.random.default_rng(seed)
        self.groove = grooves.groove_for_meter(style.groove, grid.meter, style.compound)
        self.drummed = style.drums and bool(self.groove.drums)
        self.slow_lilt = style.compound and self.drummed
        self.percussion = {piece: grooves.percussion_pattern(piece, self.groove.steps_per_beat) for piece in style.percussion
                           if not (self.drummed and piece in self.groove.drums)}  # the groove's own plays as written
        self.midi = pretty_midi.PrettyMIDI(initial_tempo=float(np.clip(grid.bpm, 20, 300)))
        programs = dict(style.instruments)
        if self.groove.pizzicato_bass and programs["bass"] in grooves.BOWED_STRINGS:
            programs["bass"] = grooves.PIZZICATO_STRINGS
        self.tracks = {
            role: pretty_midi.Instrument(program=programs[role], name=f"{role}: {pretty_midi.program_to_instrument_name(programs[role])}")
            for role in ("harmony", "bass", "melody")
        }
        self.drums = pretty_midi.Instrument(program=DRUM_CHANNEL_PROGRAM, is_drum=True, name="drums")
        # A broken chord sounds one note at a time, as a lead does; and through an amp a swung
        # upbeat sounds as loud as the beat, and was heard as the beat (blues, jazz).
        self.chords_through_amp = (self.groove.chord_style != "arpeggio" and not style.swing
                                   and is_distorted_guitar(self.tracks["harmony"]))
        lengths = np.diff(grid.times)
        self.uneven_beats = set(np.flatnonzero(np.abs(np.log(lengths / grid.period)) > UNEVEN_BEAT).tolist())

    # ---- time helpers -------------------------------------------------------------
    def seconds(self, bar: Bar, position: float) -> float:
        return self.grid.time(bar.first_beat + self._swung(position))

    def _swung(self, position: float) -> float:
        beat, fraction = divmod(position, 1.0)
        if self.style.swing and abs(fraction - 0.5) < 1e-6:
            return beat + 0.5 + self.style.swing / 2
        return position

    def plays_at(self, bar: Bar, position: float, role: str) -> bool:
        """Whether a `role` note at this position in the bar is played: every note on a beat;
        between the beats none in slow music (but the lilt of slow compound time with drums),
        and only the chords' within an uneven beat."""
        if position == int(position):
            return True
        if self.grid.bpm < SLOW_BPM and not (self.slow_lilt and position % 1 > 0.5):
            return False
        return role == "harmony" or bar.first_beat + int(position) not in self.uneven_beats

    @staticmethod
    def sounding(bar: Bar, length: float) -> float:
        """How many beats an accompanying note written `length` beats long sounds in `bar`."""
        return min(length, STACCATO) if bar.staccato else length

    def add(self, track: pretty_midi.Instrument, pitch: int, start: float, end: float, velocity: float) -> None:
        """A note, clipped to the clip; nothing that starts at or after the end."""
        start, end = max(start, 0.0), min(end, self.duration)
        if end - start < 0.02 or not 0 <= pitch <= 127:
            return
        track.notes.append(pretty_midi.Note(int(np.clip(velocity, 1, 127)), int(pitch), start, end))

    # ---- structure ----------------------------------------------------------------
    def plan_bars(self, sections: list[Section], energy: np.ndarray, home: Key) -> list[Bar]:
        first_beats = self.grid.bar_first_beats()
        bars: list[Bar] = []
        for section_index, section in enumerate(sections):
            # the face moves a section to the relative key, unless the prompt named the mode
            key = home if self.style.mode else home.relative("major" if section.valence >= 0 else "minor")
            chords = progression(self.style.progressions, key, self.rng)
            for bar in range(section.start_bar, section.end_bar):
                bars.append(Bar(
                    index=bar,
                    first_beat=int(first_beats[bar]),
                    chord=chords[(bar - section.start_bar) % len(chords)],
                    key=key,
                    energy=float(energy[bar]),
                    section=section_index,
                    section_start=bar == section.start_bar,
                    section_end=bar == section.end_bar - 1,
                    staccato=section.happy,
                ))
        self._cadence(bars)
        return bars

    @staticmethod
    def _cadence(bars: list[Bar]) -> None:
        """End on the home chord, approached from the dominant when there is room."""
        if not bars:
            return
        last = bars[-1]
        last.chord = parse_numeral("I" if last.key.mode == "major" else "i", last.key)
        if len(bars) >= 3:
            bars[-2].chord = parse_numeral("V7", bars[-2].key)

    # ---- layers -------------------------------------------------------------------
    def metric_accent(self, position: float) -> float:
        """Velocity offset by where a note starts: the bar's first beat, a beat, between.

        Between the beats notes are softer."""
        if position == 0:
            return 10
        if position == int(position):
            return 5
        return -10 if position * 2 == int(position * 2) else -16

    def comp(self, bar: Bar, previous: tuple[int, ...] | None, drummed: bool) -> tuple[int, ...]:
        """Chords: in the groove's rhythm and chord style; held when calm, but for broken
        chords, which are calm already and carry the beat where no drums do. Without drums
        (`drummed` False) the hits between the beats are ghosted (a distorted guitar's power
        chords, which its amp plays as loud at any velocity, left out), and in slow music each
        hit is short (`UNDRUMMED_SLOW_CHORD`)."""
        pitches = voice(bar.chord, previous, *CHORD_REGISTER, voices=min(4, len(bar.chord.intervals)))
        meter = self.grid.meter
        style = self.groove.chord_style
        held = style == "pad" or (bar.energy < CALM and style != "arpeggio")
        pattern = ((0, meter),) if held else grooves.through_bar(self.groove.chords, meter)
        if not held and not drummed:
            if style == "power" and self.chords_through_amp:
                pattern = tuple((position, length) for position, length in pattern if position == int(position))
            if self.grid.bpm < SLOW_BPM:
                pattern = tuple((position, min(length, UNDRUMMED_SLOW_CHORD)) for position, length in pattern)
        velocity = 44 + 40 * bar.energy
        for index, (position, length) in enumerate(pattern):
            if not self.plays_at(bar, position, "harmony"):
                continue
            length = length if held else self.sounding(bar, length)
            start, end = self.seconds(bar, position), self.seconds(bar, min(position + length, meter))
            between = 0 if drummed or position == int(position) else UNDRUMMED_BETWEEN
            for pitch in self.chord_notes(style, bar, pitches, index):
                self.add(self.tracks["harmony"], pitch, start, end - 0.01,
                         velocity + self.metric_accent(position) - between + self.rng.integers(-3, 4))
        return pitches

    @staticmethod
    def chord_notes(style: str, bar: Bar, pitches: tuple[int, ...], index: int) -> tuple[int, ...]:
        """The notes of one chord hit: all of them, a power chord (root, fifth, octave), the
        top three (a skank), or one at a time rising (a broken chord)."""
        if style == "power":
            root = POWER_REGISTER[0] + (bar.chord.root - POWER_REGISTER[0]) % 12
            return (root, root + 7, root + 12)
        if style == "skank":
            return tuple(pitches[-3:])
        if style == "arpeggio":
            return (pitches[index % len(pitches)],)
        return pitches

    def bass(self, bar: Bar, next_root: int) -> None:
        meter = self.grid.meter
        pattern = CALM_BASS.get(meter, CALM_BASS[4]) if bar.energy < CALM else self.groove.bass
        pattern = grooves.through_bar(pattern, meter)
        root = BASS_REGISTER[0] + (bar.chord.root - BASS_REGISTER[0]) % 12
        intervals = bar.chord.intervals
        degree_of = {"R": 0, "3": intervals[1], "5": intervals[2] if len(intervals) > 2 else 7, "8": 12, "6": 9, "b7": 10}
        approach_target = BASS_REGISTER[0] + (next_root - BASS_REGISTER[0]) % 12
        for position, length, degree in pattern:
            if not self.plays_at(bar, position, "bass"):
                continue
            pitch = approach_target - 1 if degree == "A" else root + degree_of[degree]
            end = self.seconds(bar, min(position + self.sounding(bar, length), meter))
            self.add(self.tracks["bass"], pitch, self.seconds(bar, position), end - 0.01,
                     62 + 45 * bar.energy + self.metric_accent(position))

    def play_patterns(self, bar: Bar, patterns: dict[int, str], base: float) -> None:
        """Drum patterns (grooves.py) for one bar, on the drum track."""
        steps_per_beat = self.groove.steps_per_beat
        for drum, hits in patterns.items():
            for step, mark in enumerate(grooves.hits_through_bar(hits, steps_per_beat * self.grid.meter)):
                position = step / steps_per_beat
                if mark in grooves.DYNAMICS and self.plays_at(bar, position, "drums"):
                    start = self.seconds(bar, position)
                    between = min(0.0, self.metric_accent(position) + 10) if position != int(position) else 0.0
                    self.add(self.drums, drum, start, start + 0.1, base + grooves.DYNAMICS[mark] + between)

    def drum_bar(self, bar: Bar) -> None:
        light = bar.energy < FULL_DRUMS
        base = 62 + 45 * bar.energy - (12 if light else 0)
        self.play_patterns(bar, {drum: hits for drum, hits in self.groove.drums.items()
                                 if (not light or drum in grooves.LIGHT_DRUMS) and drum not in self.style.muted}, base)
        if bar.section_start and not light and grooves.CRASH not in self.style.muted:
            start = self.seconds(bar, 0)
            self.add(self.drums, grooves.CRASH, start, start + 0.5, base + 15)
        if bar.section_end and bar.energy >= 0.5:  # a fill into the next section, on the last beat's steps
            steps_per_beat = self.groove.steps_per_beat
            for step, tom in enumerate((grooves.HIGH_TOM, grooves.MID_TOM, grooves.LOW_TOM, grooves.LOW_TOM)[:steps_per_beat]):
                position = self.grid.meter - 1 + step / steps_per_beat
                if not self.plays_at(bar, position, "drums"):
                    continue
                start = self.seconds(bar, position)
                self.add(self.drums, tom, start, start + 0.1, base - (0 if step == 0 else 12))

    def melody(self, bars: list[Bar], playing: list[bool]) -> None:
        """Two-bar motifs, repeated with variation in four-bar phrases that end on a long
        chord tone; chord tones on strong beats, stepwise scale motion between. Rapped, a
        syllable on every eighth or sixteenth on a reciting tone, the phrase ending in a breath."""
        meter, rapped = self.grid.meter, self.style.rapped
        rhythms = (grooves.rap_rhythms if rapped else grooves.melody_rhythms)(meter, self.style.compound)
        middle = grooves.second_strong_beat(meter, self.style.compound)
        centre = MELODY_CENTRE + int(round(4 * self.style.arousal))
        pitch = centre
        motif: list[tuple[tuple, list[int]]] = []
        for number, bar in enumerate(bars):
            phrase_bar = number % 4
            density = int(np.clip(bar.energy * 4, 0, 3))
            if phrase_bar < 2:
                options = rhythms[density]
                rhythm = options[self.rng.integers(len(options))]
                steps = list(self.rng.choice([-2, -1, -1, 1, 1, 2], size=len(rhythm)) * (1 if phrase_bar == 0 else -1))
                motif = motif[-1:] + [(rhythm, steps)] if phrase_bar == 1 else [(rhythm, steps)]
            else:
                rhythm, steps = motif[phrase_bar - 2] if len(motif) > phrase_bar - 2 else motif[-1]
            if not playing[number]:
                continue
            cadence = phrase_bar == 3 or number == len(bars) - 1
            notes = list(rhythm)
            if cadence:  # hold the phrase's last note to the end of the bar, or breathe
                notes = [n for n in notes if n[0] < middle] + ([] if rapped else [(middle, meter - middle)])
            notes = self.on_the_beats(bar, notes)
            for index, (position, length) in enumerate(notes):
                strong = position in (0, middle) or (cadence and index == len(notes) - 1)
                if rapped:
                    pitch = self._recited_pitch(bar, strong, centre)
                else:
                    pitch = self._next_pitch(pitch, int(steps[index % len(steps)]), bar, strong, centre)
                velocity = 62 + 40 * bar.energy + (8 if strong else 0) + self.rng.integers(-4, 5)
                start, end = self.seconds(bar, position), self.seconds(bar, position + length)
                self.add(self.tracks["melody"], pitch, start, end - 0.02, velocity)

    def on_the_beats(self, bar: Bar, notes: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """(position, length) melody notes of a bar as played: where a melody note may not
        start between two beats (`plays_at`), it starts on the first of them instead (the note
        before it ending there), or lengthens the note already starting there."""
        played: list[tuple[float, float]] = []
        for position, length in notes:
            start = position if self.plays_at(bar, position, "melody") else float(int(position))
            if played and played[-1][0] == start:
                played[-1] = (start, max(played[-1][1], position + length - start))
                continue
            if played:
                played[-1] = (played[-1][0], min(played[-1][1], start - played[-1][0]))
            played.append((start, position + length - start))
        return played

    @staticmethod
    def _recited_pitch(bar: Bar, strong: bool, centre: int) -> int:
        """Rap's pitch: the scale tone nearest `RECITING_BELOW` semitones under the melody's
        centre, a step higher on the strong beats."""
        pitch_classes = {pc % 12 for pc in bar.key.scale}
        scale = [p for p in range(centre - 24, centre + 1) if p % 12 in pitch_classes]
        index = int(np.argmin([abs(p - (centre - RECITING_BELOW)) for p in scale]))
        return scale[min(index + int(strong), len(scale) - 1)]

    @staticmethod
    def _next_pitch(pitch: int, step: int, bar: Bar, strong: bool, centre: int) -> int:
        scale = sorted({(pc - 0) % 12 for pc in bar.key.scale})
        candidates = [p for p in range(centre - 9, centre + 10) if p % 12 in scale]
        index = int(np.argmin([abs(p - pitch) for p in candidates]))
        index = int(np.clip(index + step, 0, len(candidates) - 1))
        if index in (0, len(candidates) - 1):  # bounce off the edges of the range
            index = int(np.clip(index - 2 * step, 0, len(candidates) - 1))
        target = candidates[index]
        if strong:
            chord_tones = [p for p in range(centre - 9, centre + 10) if p % 12 in bar.chord.pitch_classes]
            target = min(chord_tones, key=lambda p: (abs(p - target), p))
        return target

    def answer_stops(self, bars: list[Bar], stops: np.ndarray, strengths: np.ndarray, drummed: list[bool],
                     chorded: list[bool]) -> int:
        """Movement beats after strong strokes that fall off the beat get a hit of their own (a
        tom where the drums play, else a chord where chords play); the rest are already on a
        beat. Returns how many hits were added."""
        added = 0
        bar_starts = np.array([self.seconds(bar, 0) for bar in bars])
        for time, strength in zip(stops, strengths):
            if strength < STRONG_STROKE or np.min(np.abs(self.grid.times - time)) <= ON_BEAT_S:
                continue
            number = int(np.clip(np.searchsorted(bar_starts, time, side="right") - 1, 0, len(bars) - 1))
            bar = bars[number]
            velocity = 70 + 40 * min(strength - STRONG_STROKE, 1.0)
            if drummed[number]:
                self.add(self.drums, grooves.MID_TOM, time, time + 0.12, velocity)
            elif chorded[number]:
                top = voice(bar.chord, None, *CHORD_REGISTER, voices=3)
                for pitch in top:
                    self.add(self.tracks["harmony"], pitch, time, time + 0.18, velocity)
            else:
                continue
            added += 1
        return added

    def build(self, sections: list[Section], energy: np.ndarray, home: Key, stops: np.ndarray, strengths: np.ndarray) -> Score:
        bars = self.plan_bars(sections, energy, home)
        plays = {role: role not in self.style.silent for role in ("melody", "harmony", "bass")}
        plays.update(drums=self.drummed, percussion=bool(self.percussion))
        # The chords play in every bar; where the prompt silences them, the bass, else the drums,
        # keep time in every bar in their place, however calm the person.
        keeps_time = next((role for role in ("harmony", "bass", "drums", "melody") if plays[role]), "harmony")
        layers = {role: [plays[role] and (role == keeps_time or bar.energy >= LAYER_ENTRY[role]) for bar in bars]
                  for role in ("harmony", "bass", "drums", "percussion", "melody")}
        voicing = None
        for number, bar in enumerate(bars):
            if layers["harmony"][number]:
                voicing = self.comp(bar, voicing, layers["drums"][number])
            if layers["bass"][number]:
                following = bars[number + 1].chord.root if number + 1 < len(bars) else bar.chord.root
                self.bass(bar, following)
            if layers["drums"][number]:
                self.drum_bar(bar)
            if layers["percussion"][number]:  # softer than a full kit: it joins with the bass
                self.play_patterns(bar, self.percussion, 50 + 45 * bar.energy)
        self.melody(bars, layers["melody"])
        self.answer_stops(bars, stops, strengths, layers["drums"], layers["harmony"])
        for track in (*self.tracks.values(), self.drums):
            if track.notes:
                track.notes.sort(key=lambda note: (note.start, note.pitch))
                self.midi.instruments.append(track)
        return Score(self.midi, bars, {name: [b.index for b, on in zip(bars, playing) if on] for name, playing in layers.items()})
