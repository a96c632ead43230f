"""Rhythm patterns per groove: drums, bass and chord comping, in beats within one bar.

Drum patterns are strings over a grid of four steps per beat ('x' = hit); bass and comping
patterns are (position in beats, length in beats[, chord degree]) tuples. Each groove
names a 4/4 feel; any groove in 3/4 falls back to the waltz.
"""

from __future__ import annotations

KICK, SIDE_STICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 39, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, CRASH, RIDE, COWBELL, LOW_CONGA, SHAKER = 45, 47, 50, 49, 51, 56, 64, 70
STEPS_PER_BEAT = 4

DRUMS = {
    "pop": {KICK: "x.......x.x.....", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
    "rock": {KICK: "x.....x.x.......", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
    "reggae": {KICK: "........x.......", SIDE_STICK: "........x.......", CLOSED_HAT: "..x...x...x...x."},
    "jazz": {RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...", KICK: "x..............."},
    "shuffle": {KICK: "x.......x.......", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
    "funk": {KICK: "x..x..x...x..x..", SNARE: "....x..x.x..x...", CLOSED_HAT: "xxxxxxxxxxxxxxxx"},
    "four": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x."},
    "hiphop": {KICK: "x......x..x.....", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
    "cinematic": {KICK: "x.......x.......", LOW_TOM: "x.....x.x.....x.", SNARE: "............x..."},
    "folk": {KICK: "x.......x.......", SNARE: "....x.......x...", SHAKER: "x.x.x.x.x.x.x.x."},
    "latin": {KICK: "x..x....x..x....", SIDE_STICK: "..x..x....x..x..", COWBELL: "x...x...x...x...", LOW_CONGA: "...x..x....x..x."},
    "waltz": {KICK: "x...........", SNARE: "....x...x...", CLOSED_HAT: "x.x.x.x.x.x."},
}
# In a light bar only the time-keepers play.
LIGHT_DRUMS = {KICK, CLOSED_HAT, RIDE, PEDAL_HAT, SHAKER, SIDE_STICK}

BASS = {
    "pop": ((0, 1.5, "R"), (1.5, 0.5, "R"), (2, 1, "5"), (3, 1, "R")),
    "rock": tuple((i * 0.5, 0.45, "R") for i in range(8)),
    "reggae": ((0, 1.5, "R"), (2, 0.5, "5"), (2.5, 0.5, "8"), (3, 1, "5")),
    "jazz": ((0, 1, "R"), (1, 1, "3"), (2, 1, "5"), (3, 1, "A")),
    "shuffle": ((0, 1, "R"), (1, 1, "3"), (2, 1, "5"), (3, 1, "6")),
    "funk": ((0, 0.5, "R"), (0.75, 0.25, "8"), (1.5, 0.5, "R"), (2.5, 0.25, "5"), (2.75, 0.25, "b7"), (3, 0.5, "R")),
    "four": ((0.5, 0.45, "R"), (1.5, 0.45, "R"), (2.5, 0.45, "R"), (3.5, 0.45, "R")),
    "hiphop": ((0, 1.5, "R"), (2.75, 1.25, "R")),
    "latin": ((0, 1.5, "R"), (1.5, 1, "5"), (2.5, 1.5, "8")),
    "plain": ((0, 2, "R"), (2, 2, "5")),
    "waltz": ((0, 1, "R"),),
    "sustain": ((0, 4, "R"),),
}
COMPING = {
    "reggae": tuple((i + 0.5, 0.3) for i in range(4)),
    "jazz": ((0, 1.0), (1.5, 1.5), (3.5, 0.5)),
    "funk": ((0, 0.25), (0.75, 0.25), (1.5, 0.25), (2.5, 0.25), (3.25, 0.25), (3.5, 0.25)),
    "rock": tuple((i * 0.5, 0.45) for i in range(8)),
    "four": tuple((i + 0.5, 0.4) for i in range(4)),
    "plain": ((0, 1.5), (1.5, 1.0), (2.5, 1.5)),
    "waltz": ((1, 1), (2, 1)),
}
# Melody rhythms by density level (0 sparse … 3 busy), for four-beat and three-beat bars.
MELODY_RHYTHMS = {
    4: (
        (((0, 2), (2, 2)), ((0, 3), (3, 1))),
        (((0, 1), (1, 1), (2, 2)), ((0, 1.5), (1.5, 0.5), (2, 2)), ((0, 1), (1, 0.5), (1.5, 0.5), (2, 2))),
        (((0, 0.5), (0.5, 0.5), (1, 1), (2, 0.5), (2.5, 0.5), (3, 1)),
         ((0, 1), (1, 0.5), (1.5, 0.5), (2, 0.5), (2.5, 0.5), (3, 1)),
         ((0.5, 0.5), (1, 0.5), (1.5, 1), (2.5, 0.5), (3, 1))),
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


def groove_for_meter(groove: str | None, meter: int) -> str | None:
    if groove is None:
        return None
    return "waltz" if meter == 3 else groove
