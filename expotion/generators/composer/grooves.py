"""Grooves: what drums, bass and chords play within one bar, and how hard.

Drum patterns are strings over a grid of four steps per beat (three in compound time): 'X' an
accented hit, 'x' a hit, 'o' a ghost note, '.' a rest. Bass notes are (position in beats,
length in beats, chord degree); chord hits are (position, length). Each groove names a 4/4
feel, which a bar of two beats plays the first half of and a bar of five or seven plays on
from its start again; any groove in 3/4 falls back to the waltz, and any in compound time
(6/8, 9/8, 12/8: two, three or four beats, each divided in three) to the compound groove.

Every groove is written so that the beat a listener (or a beat tracker) hears is the beat
the composer means: each beat starts with a low or broadband onset (kick, bass, snare, a
chord), and what sits between the beats — hi-hats, the reggae skank, house's open hat — is
softer and shorter. The arranger adds metric accents on top (arrange.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KICK, SIDE_STICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 39, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, CRASH, RIDE, TAMBOURINE, COWBELL = 45, 47, 50, 49, 51, 54, 56
HIGH_CONGA, LOW_CONGA, CLAVES, SHAKER = 63, 64, 75, 70
HIGH_BONGO, LOW_BONGO, HIGH_TIMBALE, LOW_TIMBALE, WOOD_BLOCK, TRIANGLE = 60, 61, 65, 66, 76, 81
HIGH_AGOGO, LOW_AGOGO, CABASA, SHORT_GUIRO = 67, 68, 69, 73
STEPS_PER_BEAT = 4
DYNAMICS = {"X": 14, "x": 0, "o": -24}  # velocity offset of a drum hit
# In a calm bar only the time-keepers play.
LIGHT_DRUMS = frozenset({KICK, CLOSED_HAT, RIDE, PEDAL_HAT, SHAKER, SIDE_STICK})
CHORD_STYLES = ("block", "power", "skank", "arpeggio", "pad")
BOWED_STRINGS = frozenset({40, 41, 42, 43, 44, 48, 49, 110})
PIZZICATO_STRINGS = 45


@dataclass(frozen=True)
class Groove:
    drums: dict[int, str]  # GM drum key → pattern; empty for drumless styles
    bass: tuple[tuple[float, float, str], ...]  # degrees: R 3 5 6 b7 8, A = approach the next root
    chords: tuple[tuple[float, float], ...]
    chord_style: str = "block"  # one of CHORD_STYLES
    sidechain: bool = False  # chords duck under every kick and swell back (house, EDM)
    pizzicato_bass: bool = False  # a bowed bass line is plucked, so that it marks the beat
    emphasis: dict[str, float] = field(default_factory=dict)  # role → dB above the standard mix (audio/mix.py)
    steps_per_beat: int = STEPS_PER_BEAT  # of the drum patterns


def _eighths(degree: str = "R", length: float = 0.45) -> tuple[tuple[float, float, str], ...]:
    return tuple((i * 0.5, length, degree) for i in range(8))


ON_EACH_BEAT = tuple((i, 1.0) for i in range(4))

GROOVES = {
    "pop": Groove(
        {KICK: "X.......X.x.....", SNARE: "....X.......X...", CLOSED_HAT: "x.o.x.o.x.o.x.o."},
        ((0, 1, "R"), (1, 1, "R"), (2, 1, "5"), (3, 0.5, "R"), (3.5, 0.5, "5")),
        ((0, 1), (1, 0.5), (1.5, 0.5), (2, 1), (3, 1)),
    ),
    "rock": Groove(
        {KICK: "X.......X.x.....", SNARE: "....X.......X...", CLOSED_HAT: "X.x.X.x.X.x.X.x."},
        _eighths(), tuple((i * 0.5, 0.45) for i in range(8)), chord_style="power", emphasis={"drums": 2.0, "harmony": 2.0},
    ),
    "reggae": Groove(  # one drop: kick and rim on three; the skank answers every beat
        {KICK: "........X.......", SIDE_STICK: "....x...X...x...", CLOSED_HAT: "x.o.x.o.x.o.x.o."},
        ((0, 0.75, "R"), (1, 0.5, "5"), (2, 0.75, "8"), (3, 0.5, "5"), (3.5, 0.5, "3")),
        tuple((i + 0.5, 0.2) for i in range(4)), chord_style="skank",
    ),
    "jazz": Groove(  # swung ride, hi-hat on two and four, feathered kick, walking bass
        {RIDE: "x...X.o.x...X.o.", PEDAL_HAT: "....x.......x...", KICK: "o...o...o...o..."},
        ((0, 1, "R"), (1, 1, "3"), (2, 1, "5"), (3, 1, "A")),
        ((0, 1.0), (1.5, 0.5), (2, 1.0)), emphasis={"bass": 2.0, "drums": -2.0},
    ),
    "shuffle": Groove(
        {KICK: "X.......X.......", SNARE: "....X.......X...", CLOSED_HAT: "x.o.x.o.x.o.x.o."},
        ((0, 1, "R"), (1, 1, "3"), (2, 1, "5"), (3, 1, "6")),
        ((0, 0.45), (0.5, 0.45), (1, 0.45), (1.5, 0.45), (2, 0.45), (2.5, 0.45), (3, 0.45), (3.5, 0.45)),
    ),
    # Kick and bass push on the "and": pushed a sixteenth early, they were heard as the beat
    # once a person's stops shifted (README, "Funk heard on its beat").
    "funk": Groove(
        {KICK: "X.....o.X.......", SNARE: "....X..o.o..X..o", CLOSED_HAT: "XoxoXoxoXoxoXoxo"},
        ((0, 0.5, "R"), (0.5, 0.25, "8"), (1, 0.5, "R"), (2, 0.5, "R"), (2.5, 0.25, "5"), (3, 0.5, "R"), (3.5, 0.25, "b7")),
        ((0, 0.25), (1, 0.25), (1.75, 0.25), (2, 0.25), (3, 0.25), (3.5, 0.25)),
    ),
    "four": Groove(  # four on the floor, pads pumping under the kick
        {KICK: "X...X...X...X...", CLAP: "....X.......X...", CLOSED_HAT: "x.o.x.o.x.o.x.o.", OPEN_HAT: "..o...o...o...o."},
        ((0, 0.45, "R"), (1, 0.45, "R"), (2, 0.45, "R"), (3, 0.45, "R")),
        ((0, 4),), chord_style="pad", sidechain=True, emphasis={"bass": 2.0, "drums": 1.0},
    ),
    "hiphop": Groove(  # boom bap: heavy kick and snare, lazy hats
        {KICK: "X.....o.X.o.....", SNARE: "....X.......X...", CLOSED_HAT: "x.o.x.o.x.o.x.o."},
        ((0, 1.5, "R"), (2, 1.0, "R"), (3, 1.0, "5")),
        ((0, 2), (2, 2)), emphasis={"drums": 2.0, "bass": 1.0},
    ),
    "cinematic": Groove(  # big drums under a string ostinato
        {KICK: "X.......X.......", LOW_TOM: "x.....o.x.....o.", SNARE: "............x..."},
        ((0, 1, "R"), (1, 1, "R"), (2, 1, "R"), (3, 1, "5")),
        tuple((i * 0.5, 0.4) for i in range(8)), chord_style="arpeggio",
    ),
    "folk": Groove(  # boom-chick: bass on one and three, strum on two and four
        {KICK: "X.......X.......", SNARE: "....x.......x...", SHAKER: "x.o.x.o.x.o.x.o."},
        ((0, 1, "R"), (2, 1, "5")),
        ((0, 1), (1, 0.5), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)),
    ),
    "latin": Groove(
        {KICK: "X..o....X..o....", CLAVES: "x..x..x...x.x...", COWBELL: "X...x...X...x...", LOW_CONGA: "...o..o....o..o."},
        ((0, 1.5, "R"), (1.5, 0.5, "5"), (2, 1.5, "5"), (3.5, 0.5, "R")),
        ((0, 0.5), (1, 0.5), (1.5, 0.5), (2, 0.5), (3, 0.5), (3.5, 0.5)),
    ),
    "classical": Groove(  # no drums: a plucked bass and the strings, bowing each beat, carry the beat
        {},
        ((0, 0.9, "R"), (1, 0.9, "5"), (2, 0.9, "8"), (3, 0.9, "5")),
        tuple((i, 0.95) for i in range(4)), pizzicato_bass=True, emphasis={"bass": 2.0},
    ),
    "ambient": Groove(  # no drums: a chord broken on each beat over a held pad
        {},
        ((0, 4, "R"),),
        ON_EACH_BEAT, chord_style="arpeggio",
    ),
    "waltz": Groove(
        {KICK: "X...........", SNARE: "....x...x...", CLOSED_HAT: "x.o.x.o.x.o."},
        ((0, 1, "R"),),
        ((1, 1), (2, 1)),
    ),
    "march": Groove(  # 2/4 (written twice): bass drum on the beats, snare ruffs, the band's oom-pah
        {KICK: "X...x...X...x...", SNARE: "x.o.X.oox.o.X.oo", CRASH: "....x.......x..."},
        ((0, 0.45, "R"), (1, 0.45, "5"), (2, 0.45, "R"), (3, 0.45, "5")),
        ((0.5, 0.3), (1.5, 0.3), (2.5, 0.3), (3.5, 0.3)),
    ),
    # 12/8, and the first two or three beats of it for 6/8 and 9/8: kick and bass on the beats,
    # the snare on the second and fourth, the chord broken over the three eighths of each beat.
    "compound": Groove(
        {KICK: "X.....x.....", SNARE: "...x.....x..", CLOSED_HAT: "xooxooxooxoo"},
        ((0, 1, "R"), (1, 1, "5"), (2, 1, "8"), (3, 1, "5")),
        tuple((step / 3, 1 / 3) for step in range(12)), chord_style="arpeggio", steps_per_beat=3,
    ),
}
# Hand percussion a prompt names, played over any groove (or alone where the genre has no
# drums): each piece marks the beats, or fills between them as softly as a hi-hat; claps
# take the backbeat.
PERCUSSION_PATTERNS = {
    LOW_CONGA: "x...x...x...x...", HIGH_CONGA: "..o...o...o...o.",
    LOW_BONGO: "x...x...x...x...", HIGH_BONGO: "..o...o...o...o.",
    LOW_TIMBALE: "x...x...x...x...", HIGH_TIMBALE: "......o.......o.",
    TAMBOURINE: "x.o.x.o.x.o.x.o.", SHAKER: "x.o.x.o.x.o.x.o.", CLAP: "....x.......x...",
    COWBELL: "x...x...x...x...", CLAVES: "x...x...x...x...", WOOD_BLOCK: "x...x...x...x...",
    TRIANGLE: "x...x...x...x...", HIGH_AGOGO: "x...x...x...x...", LOW_AGOGO: "..o...o...o...o.",
    CABASA: "x.o.x.o.x.o.x.o.", SHORT_GUIRO: "x.o.x.o.x.o.x.o.",
}
# Melody rhythms by density level (0 sparse … 3 busy), for four-beat and three-beat bars.
MELODY_RHYTHMS = {
    4: (
        (((0, 2), (2, 2)), ((0, 3), (3, 1))),
        (((0, 1), (1, 1), (2, 2)), ((0, 1.5), (1.5, 0.5), (2, 2)), ((0, 1), (1, 0.5), (1.5, 0.5), (2, 2))),
        (((0, 0.5), (0.5, 0.5), (1, 1), (2, 0.5), (2.5, 0.5), (3, 1)),
         ((0, 1), (1, 0.5), (1.5, 0.5), (2, 0.5), (2.5, 0.5), (3, 1)),
         ((0, 1), (1, 1), (2, 0.5), (2.5, 0.5), (3, 1))),
        (((0, 0.5), (0.5, 0.25), (0.75, 0.25), (1, 0.5), (1.5, 0.5), (2, 0.25), (2.25, 0.25), (2.5, 0.5), (3, 1)),
         ((0, 0.25), (0.25, 0.25), (0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 0.5), (2.5, 0.25), (2.75, 0.25), (3, 1))),
    ),
    3: (
        (((0, 3),), ((0, 2), (2, 1))),
        (((0, 2), (2, 1)), ((0, 1), (1, 1), (2, 1))),
        (((0, 1), (1, 1), (2, 0.5), (2.5, 0.5)), ((0, 1.5), (1.5, 0.5), (2, 1))),
        (((0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 1)),),
    ),
}


# In compound time a bar's rhythm is made of one cell per beat, the option's cells cycling through
# the bar's beats: the whole beat, a quarter and an eighth (the lilt), or three eighths. These
# are density levels 1 to 3; at level 0 one note is held through the bar.
WHOLE, LILT, EIGHTHS = ((0, 1),), ((0, 2 / 3), (2 / 3, 1 / 3)), ((0, 1 / 3), (1 / 3, 1 / 3), (2 / 3, 1 / 3))
COMPOUND_MELODY_CELLS = (
    ((LILT, WHOLE), (WHOLE, LILT)),
    ((LILT,), (EIGHTHS, WHOLE)),
    ((EIGHTHS, LILT), (LILT, EIGHTHS)),
)


# Rap is rhythmic speech: a syllable on every eighth, sixteenths among them as the bar gets
# busier, in cells of one beat (density levels 0 to 3, as the melody's); in compound time the
# beat's three eighths.
RAP_CELLS = (
    (((0, 0.4), (0.5, 0.4)),),
    (((0, 0.4), (0.5, 0.4)),),
    (((0, 0.4), (0.5, 0.4)), ((0, 0.2), (0.25, 0.2), (0.5, 0.4))),
    (((0, 0.2), (0.25, 0.2), (0.5, 0.4)), ((0, 0.4), (0.5, 0.2), (0.75, 0.2))),
)
RAP_COMPOUND_CELL = ((0, 0.25), (1 / 3, 0.25), (2 / 3, 0.25))


def rap_rhythms(meter: int, compound: bool) -> tuple:
    """Options of (position, length) syllables for a bar, by density level (`RAP_CELLS`): each
    option cycles its cells through the bar's beats."""
    return tuple(tuple(tuple((beat + position, length) for beat in range(meter)
                             for position, length in (RAP_COMPOUND_CELL if compound else cells[beat % len(cells)]))
                       for cells in (options, options[::-1]))
                 for options in RAP_CELLS)


# Odd meters are heard in groups of beats: 5/4 as 3 + 2, 7/4 as 4 + 3.
BEAT_GROUPS = {5: (3, 2), 7: (4, 3)}


def second_strong_beat(meter: int, compound: bool) -> float:
    """Where the bar's second strong beat falls: its middle, or where its second group starts."""
    if compound:
        return meter // 2
    return BEAT_GROUPS[meter][0] if meter in BEAT_GROUPS else meter / 2


def melody_rhythms(meter: int, compound: bool) -> tuple:
    """Options of (position, length) notes for a bar, by density level: in 2/4 the first half
    of each four-beat rhythm, in 5/4 and 7/4 one rhythm for each group of beats."""
    if compound:
        return _compound_rhythms(meter)
    if meter in BEAT_GROUPS:
        return _grouped_rhythms(BEAT_GROUPS[meter])
    if meter in MELODY_RHYTHMS:
        return MELODY_RHYTHMS[meter]
    return tuple(tuple(tuple((position, min(length, meter - position)) for position, length in rhythm if position < meter)
                       for rhythm in options) for options in MELODY_RHYTHMS[4])


def _grouped_rhythms(groups: tuple[int, ...]) -> tuple:
    starts = [sum(groups[:index]) for index in range(len(groups))]
    levels = []
    for density in range(len(MELODY_RHYTHMS[4])):
        parts = [melody_rhythms(size, False)[density] for size in groups]
        levels.append(tuple(
            tuple((start + position, length) for start, options in zip(starts, parts)
                  for position, length in options[choice % len(options)])
            for choice in range(max(map(len, parts)))))
    return tuple(levels)


def _compound_rhythms(meter: int) -> tuple:
    held = (((0, meter),),)
    return (held,) + tuple(
        tuple(tuple((beat + position, length) for beat in range(meter) for position, length in cells[beat % len(cells)])
              for cells in options)
        for options in COMPOUND_MELODY_CELLS)


def percussion_pattern(piece: int, steps_per_beat: int) -> str:
    """A hand-percussion pattern on the groove's grid: in compound time each beat's sixteenths
    become eighths (the hits on the beat and on its "and" fall on the first and third eighth)."""
    pattern = PERCUSSION_PATTERNS[piece]
    if steps_per_beat == STEPS_PER_BEAT:
        return pattern
    return "".join(pattern[beat:beat + steps_per_beat] for beat in range(0, len(pattern), STEPS_PER_BEAT))


def through_bar(notes: tuple, meter: int) -> tuple:
    """Notes (position first) written for four beats, laid through a bar of `meter` beats: a
    bar of five plays the first beat's notes again on its fifth, a bar of seven the first three's."""
    return tuple((position + 4 * repeat, *rest) for repeat in range((meter + 3) // 4)
                 for position, *rest in notes if position + 4 * repeat < meter)


def hits_through_bar(hits: str, steps: int) -> str:
    """A drum pattern laid through `steps` steps, from its start again where it is shorter."""
    return (hits * (steps // len(hits) + 1))[:steps]


def groove_for_meter(name: str, meter: int, compound: bool = False) -> Groove:
    return GROOVES["compound" if compound else "waltz" if meter == 3 else name]
