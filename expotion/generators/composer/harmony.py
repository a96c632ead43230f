"""Keys, chord progressions in roman numerals, and voice-led chord voicings."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor; V chords borrow the raised 7th
ROMAN = {"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}
QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "dom7": (0, 4, 7, 10), "min7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11), "m7b5": (0, 3, 6, 10), "sus2": (0, 2, 7), "sus4": (0, 5, 7), "add9": (0, 4, 7, 14),
    "min9": (0, 3, 7, 10, 14),
}
# Four-bar progressions per vocabulary and mode (a 12-bar form for the blues).
PROGRESSIONS = {
    "pop": {"major": ("I V vi IV", "I vi IV V", "vi IV I V", "I IV vi V"),
            "minor": ("i bVI bIII bVII", "i iv bVI V", "i bVII bVI bVII")},
    "rock": {"major": ("I IV V IV", "I bVII IV I", "I V IV IV"), "minor": ("i bVI bVII i", "i bVII bVI bVII")},
    "reggae": {"major": ("I IV V IV", "I V IV V", "I I IV V"), "minor": ("i iv i v", "i bVII bVI bVII")},
    "jazz": {"major": ("ii7 V7 Imaj7 Imaj7", "Imaj7 vi7 ii7 V7", "iii7 vi7 ii7 V7"),
             "minor": ("iiø V7 i7 i7", "i7 iv7 bVIImaj7 bIIImaj7")},
    "blues": {"major": ("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",), "minor": ("i7 i7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7",)},
    "funk": {"major": ("I7 I7 IV7 I7", "I7 IV7 I7 V7"), "minor": ("i7 i7 iv7 i7", "i7 bVII7 i7 iv7")},
    "gospel": {"major": ("I IV I V", "I vi ii V", "IV I ii V"), "minor": ("i iv bVII bIII", "i bVI iv V")},
    "ambient": {"major": ("Imaj7 IVmaj7 Imaj7 IVmaj7", "Isus2 viadd9 IVmaj7 Isus2"), "minor": ("i9 bVImaj7 i9 bVImaj7", "i9 iv9 bVImaj7 bVII")},
    "classical": {"major": ("I IV V I", "I vi ii V", "I ii V I"), "minor": ("i iv V i", "i bVI iv V")},
    "folk": {"major": ("I IV I V", "I V vi IV", "I IV V I"), "minor": ("i bVII bVI bVII", "i bIII bVII i")},
    "latin": {"major": ("I ii V7 I", "I IV V7 I"), "minor": ("i iv V7 i", "i bVII bVI V7")},
    "minor": {"major": ("I V vi IV", "vi IV I V"), "minor": ("i bVI bIII bVII", "i iv bVI V", "i bVI iv V", "i i bVI bVII")},
}


@dataclass(frozen=True)
class Key:
    tonic: int  # pitch class 0–11
    mode: str  # "major" or "minor"

    @property
    def scale(self) -> tuple[int, ...]:
        return tuple((self.tonic + step) % 12 for step in (MAJOR_SCALE if self.mode == "major" else MINOR_SCALE))

    @property
    def name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def relative(self, mode: str) -> "Key":
        """The key with the same notes in `mode` (C major ↔ A minor)."""
        if mode == self.mode:
            return self
        return Key((self.tonic + (9 if mode == "minor" else 3)) % 12, mode)


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class
    intervals: tuple[int, ...]
    symbol: str

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in self.intervals)


_NUMERAL = re.compile(r"^(b|#)?(vii|iii|vi|iv|ii|v|i|VII|III|VI|IV|II|V|I)(.*)$")


def parse_numeral(numeral: str, key: Key) -> Chord:
    """A roman-numeral chord ("bVII", "ii7", "Imaj7", "iiø", "V7", "Isus2") in `key`."""
    match = _NUMERAL.match(numeral)
    if not match:
        raise ValueError(f"not a chord numeral: {numeral}")
    accidental, roman, suffix = match.groups()
    minor = roman.islower()
    root = (key.tonic + ROMAN[roman.lower()] + {"b": -1, "#": 1, None: 0}[accidental]) % 12
    quality = {
        "": "min" if minor else "maj", "7": "min7" if minor else "dom7", "maj7": "maj7", "ø": "m7b5",
        "o": "dim", "sus2": "sus2", "sus4": "sus4", "add9": "add9", "9": "min9" if minor else "add9",
    }[suffix]
    return Chord(root, QUALITIES[quality], f"{NOTE_NAMES[root]}{_SYMBOL_SUFFIX[quality]}")


_SYMBOL_SUFFIX = {"maj": "", "min": "m", "dim": "dim", "dom7": "7", "min7": "m7", "maj7": "maj7", "m7b5": "m7b5",
                  "sus2": "sus2", "sus4": "sus4", "add9": "add9", "min9": "m9"}


def progression(vocabulary: str, key: Key, rng: np.random.Generator) -> list[Chord]:
    """One progression (a chord per bar) from the vocabulary, for the key's mode."""
    choices = PROGRESSIONS.get(vocabulary, PROGRESSIONS["pop"])[key.mode]
    return [parse_numeral(numeral, key) for numeral in choices[rng.integers(len(choices))].split()]


def voice(chord: Chord, previous: tuple[int, ...] | None, low: int, high: int, voices: int = 4) -> tuple[int, ...]:
    """MIDI pitches for `chord` within [low, high], moving as little as possible from
    `previous` (smooth voice leading); the chord's root and third are always present."""
    pitch_classes = chord.pitch_classes
    essential = set(pitch_classes[:2]) | ({pitch_classes[2]} if len(pitch_classes) > 2 and voices >= 3 else set())
    options = [[p for p in range(low, high + 1) if p % 12 == pc] for pc in pitch_classes]
    best, best_cost = None, float("inf")
    for combination in itertools.product(*options):
        pitches = sorted(set(combination))[:voices]
        if not essential.issubset({p % 12 for p in pitches}) or len(pitches) < min(voices, len(pitch_classes)):
            continue
        spread = pitches[-1] - pitches[0]
        if spread > 19:  # keep the chord within about an octave and a half
            continue
        if previous is None:
            cost = abs(np.mean(pitches) - (low + high) / 2)
        else:
            cost = sum(min(abs(p - q) for q in previous) for p in pitches) + sum(min(abs(p - q) for p in pitches) for q in previous)
        if cost < best_cost:
            best, best_cost = tuple(pitches), cost
    return best if best is not None else tuple(sorted(low + (pc - low) % 12 for pc in pitch_classes))
