"""From free text to a musical style: genre, instruments by role, groove, tempo, mood.

Works on short prompts ("melancholic violin and cello, slow") and on long machine-written
captions ("This is an instrumental reggae song. The main melody is played on a ukulele …").
Words the tables do not know are ignored. Instruments are General MIDI programs; one that
GM lacks maps to the nearest it has (a ukulele plays on the nylon-string guitar).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from expotion.generators.composer import grooves
from expotion.generators.composer.harmony import NOTE_NAMES

# Whistling plays on GM's ocarina, a pure tone like it, not on GM's whistle: the bundled font's
# whistle swells for 90 ms and trembles about three times a second, and librosa heard the beat of
# music led by it on 0.32 of the beats meant (a whistle over drums 0.88); on the ocarina 0.93
# and 0.98 (benchmarks README, "A whistle that keeps time").
WHISTLE = 79
# name → (GM program, natural role). Longer names are matched first ("bass guitar" before "guitar").
INSTRUMENTS = {
    "acoustic grand piano": (0, "harmony"), "grand piano": (0, "harmony"), "piano": (0, "harmony"),
    "keyboard": (4, "harmony"), "keys": (4, "harmony"), "electric piano": (4, "harmony"), "rhodes": (4, "harmony"),
    "e-piano": (4, "harmony"), "e-guitar": (27, "harmony"), "e-bass": (33, "bass"),
    "harpsichord": (6, "harmony"), "celesta": (8, "melody"), "glockenspiel": (9, "melody"),
    "music box": (10, "melody"), "vibraphone": (11, "melody"), "marimba": (12, "melody"),
    "xylophone": (13, "melody"), "bells": (14, "melody"), "organ": (16, "harmony"),
    "hammond": (16, "harmony"), "church organ": (19, "harmony"), "accordion": (21, "melody"),
    "harmonica": (22, "melody"), "ukulele": (24, "harmony"), "nylon guitar": (24, "harmony"),
    "classical guitar": (24, "harmony"), "acoustic guitar": (25, "harmony"), "guitar": (25, "harmony"),
    "jazz guitar": (26, "harmony"), "electric guitar": (27, "harmony"), "clean guitar": (27, "harmony"),
    "overdriven guitar": (29, "harmony"), "distorted guitar": (30, "harmony"), "overdriven electric guitar": (29, "harmony"),
    "distorted electric guitar": (30, "harmony"), "distorted guitars": (30, "harmony"),
    "distortion guitar": (30, "harmony"), "bass": (33, "bass"), "bass guitar": (33, "bass"),
    "electric bass": (33, "bass"), "acoustic bass": (32, "bass"), "upright bass": (32, "bass"),
    "double bass": (32, "bass"), "slap bass": (36, "bass"), "fretless bass": (35, "bass"),
    "synth bass": (38, "bass"), "violin": (40, "melody"), "fiddle": (40, "melody"),
    "viola": (41, "melody"), "cello": (42, "bass"), "contrabass": (43, "bass"), "harp": (46, "harmony"),
    "timpani": (47, "bass"), "strings": (48, "harmony"), "string ensemble": (48, "harmony"),
    "string quartet": (48, "harmony"), "string section": (48, "harmony"), "choir": (52, "harmony"),
    "voice": (53, "melody"), "vocals": (53, "melody"), "vocal": (53, "melody"), "vocalist": (53, "melody"),
    "singer": (53, "melody"), "trumpet": (56, "melody"),
    "trombone": (57, "melody"), "tuba": (58, "bass"), "french horn": (60, "melody"), "horn": (60, "melody"),
    "horns": (61, "harmony"), "brass": (61, "harmony"), "saxophone": (65, "melody"), "sax": (65, "melody"),
    "alto sax": (65, "melody"), "tenor sax": (66, "melody"), "alto saxophone": (65, "melody"),
    "tenor saxophone": (66, "melody"), "soprano sax": (64, "melody"), "soprano saxophone": (64, "melody"),
    "baritone sax": (67, "melody"), "baritone saxophone": (67, "melody"), "oboe": (68, "melody"),
    "english horn": (69, "melody"), "bassoon": (70, "bass"), "clarinet": (71, "melody"),
    "piccolo": (72, "melody"), "flute": (73, "melody"), "recorder": (74, "melody"),
    "pan flute": (75, "melody"), "whistle": (WHISTLE, "melody"), "ocarina": (79, "melody"),
    "tin whistle": (74, "melody"), "penny whistle": (74, "melody"),  # fipple flutes, as the recorder is
    "synth": (81, "melody"), "synth lead": (81, "melody"), "lead synth": (81, "melody"),
    "synthesizer": (81, "melody"), "synth pad": (89, "harmony"), "pad": (89, "harmony"),
    "pads": (89, "harmony"), "sitar": (104, "melody"), "banjo": (105, "harmony"),
    "koto": (107, "melody"), "kalimba": (108, "melody"), "bagpipe": (109, "melody"),
    "steel drum": (114, "melody"), "steelpan": (114, "melody"), "horn section": (61, "harmony"),
    "brass section": (61, "harmony"), "sub bass": (38, "bass"), "808": (38, "bass"), "acid bass": (38, "bass"),
    "wobble bass": (39, "bass"), "clavinet": (7, "harmony"), "wurlitzer": (4, "harmony"), "rhodes piano": (4, "harmony"),
    "harmonium": (20, "harmony"), "reed organ": (20, "harmony"), "pipe organ": (19, "harmony"),
    "bandoneon": (23, "melody"), "shamisen": (106, "melody"), "shakuhachi": (77, "melody"),
    "vibes": (11, "melody"), "chime": (14, "melody"), "dulcimer": (15, "melody"), "cimbalom": (15, "melody"),
    "santoor": (15, "melody"), "concertina": (21, "melody"), "melodica": (22, "melody"), "string bass": (32, "bass"),
    "cornet": (56, "melody"), "flugelhorn": (56, "melody"), "bansuri": (73, "melody"), "dizi": (73, "melody"),
    "pan pipe": (75, "melody"), "thumb piano": (108, "melody"), "mbira": (108, "melody"),
    "shehnai": (111, "melody"), "suona": (111, "melody"), "steel pan": (114, "melody"), "handpan": (114, "melody"),
    "hang drum": (114, "melody"), "pizzicato": (45, "harmony"), "pizzicato strings": (45, "harmony"),
    "tremolo strings": (44, "harmony"), "synth strings": (50, "harmony"), "muted trumpet": (59, "melody"),
    "square lead": (80, "melody"), "saw lead": (81, "melody"), "sawtooth lead": (81, "melody"),
    "supersaw": (81, "melody"), "bell": (14, "melody"),
    "whistling": (WHISTLE, "melody"), "humming": (53, "melody"), "sings": (53, "melody"), "rapper": (53, "melody"),
    "rapping": (53, "melody"), "raps": (53, "melody"),
    # GM has no such instrument: the nearest it has, by how the strings are played
    "mandolin": (105, "melody"), "bouzouki": (105, "melody"), "balalaika": (105, "melody"),
    "lute": (24, "melody"), "oud": (24, "melody"), "pipa": (106, "melody"), "guzheng": (107, "melody"),
    "zither": (107, "melody"), "kora": (46, "harmony"), "lyre": (46, "harmony"), "erhu": (40, "melody"),
    "pedal steel": (27, "melody"), "lap steel": (27, "melody"), "dobro": (25, "melody"), "mellotron": (48, "harmony"),
    "guitarron": (32, "bass"), "tanpura": (104, "harmony"),
    "euphonium": (57, "melody"), "woodwind": (71, "melody"), "uilleann pipes": (109, "melody"),
    "vocoder": (54, "melody"), "bass clarinet": (71, "bass"), "contrabassoon": (70, "bass"),
    "charango": (24, "harmony"), "cavaquinho": (24, "harmony"), "banjolele": (24, "harmony"), "saz": (106, "melody"),
    "baglama": (106, "melody"), "sarod": (104, "melody"), "veena": (104, "melody"), "qanun": (107, "melody"),
    "kanun": (107, "melody"), "balafon": (13, "melody"), "duduk": (69, "melody"), "ney": (77, "melody"),
    "hurdy gurdy": (110, "melody"), "clavichord": (6, "harmony"), "theremin": (80, "melody"), "moog": (81, "melody"),
    "moog bass": (38, "bass"),
}
# A player names their instrument ("a solo cellist").
PLAYERS = {
    "pianist": "piano", "keyboardist": "keyboard", "organist": "organ", "guitarist": "guitar", "bassist": "bass",
    "violinist": "violin", "fiddler": "fiddle", "violist": "viola", "cellist": "cello", "harpist": "harp",
    "trumpeter": "trumpet", "trombonist": "trombone", "saxophonist": "saxophone", "clarinetist": "clarinet",
    "clarinettist": "clarinet", "flutist": "flute", "flautist": "flute", "oboist": "oboe", "bassoonist": "bassoon",
    "accordionist": "accordion", "banjoist": "banjo", "sitarist": "sitar",
}
INSTRUMENTS.update({player: INSTRUMENTS[name] for player, name in PLAYERS.items()})
# A singer's sex, said beside the voice ("soft female vocals", "a man is singing", "a soprano"),
# chooses the GM voice; a child sings where a woman does. A tagger trained on recorded music
# hears the bundled font's Choir Aahs, in the melody's register, as a woman singing, and its
# Voice Oohs as a man (benchmarks README, "A woman's voice").
FEMALE_VOICE, MALE_VOICE = 52, 53
SEXES = {"female": FEMALE_VOICE, "woman": FEMALE_VOICE, "women": FEMALE_VOICE, "girl": FEMALE_VOICE,
         "girls": FEMALE_VOICE, "lady": FEMALE_VOICE, "male": MALE_VOICE, "man": MALE_VOICE, "men": MALE_VOICE,
         "boy": MALE_VOICE, "boys": MALE_VOICE, "kid": FEMALE_VOICE, "kids": FEMALE_VOICE, "child": FEMALE_VOICE,
         "children": FEMALE_VOICE}
SOMEONE = {who: MALE_VOICE for who in ("people", "someone", "somebody", "person")}  # sex not said: Voice Oohs
SUNG = ("vocal", "voice", "vocalist", "singer", "singing", "sings", "lead vocal", "lead vocalist", "lead singer",
        "lead voice", "backing vocal", "backing singer", "rapper", "rapping", "raps", "rap vocal")
SINGERS = {**{f"{who}{link} {sung}": program for who, program in {**SEXES, **SOMEONE}.items()
              for link in ("", " s", " is", " are") for sung in SUNG},
           **{f"{sung} by {article}{sex}": program for sex, program in SEXES.items() for sung in ("sung", "vocals")
              for article in ("", "a ")},
           "girl group": FEMALE_VOICE, "girl band": FEMALE_VOICE, "boy band": MALE_VOICE, "boy group": MALE_VOICE}
INSTRUMENTS.update({singer: (program, "melody") for singer, program in SINGERS.items()})
INSTRUMENTS.update({"soprano": (FEMALE_VOICE, "melody"), "tenor": (MALE_VOICE, "melody"),
                    "baritone": (MALE_VOICE, "melody")})


def _and_players(names: set[str]) -> frozenset[str]:
    """`names` and the names of their players."""
    return frozenset(names) | {player for player, name in PLAYERS.items() if name in names}


# Of the instruments whose nature is the bass, these play a melody or chords when the prompt
# says so ("the cello plays a mournful melody"); the others only ever play the bass.
LEADING_BASSES = _and_players({"cello", "bassoon", "tuba"})
# Pianos and organs. Named alone beside a band ("jazz piano", "a piano sonata", "rock with an
# organ"), a keyboard is the one featured: it plays the melody over the band's chords.
KEYBOARDS = frozenset(range(0, 8)) | frozenset(range(16, 21))
# Hand percussion (GM drum keys), played over the groove. GM has no tabla or darbuka: the
# bongos, the nearest pair of small hand drums; a djembe, dhol, cajon or frame drum plays on
# the congas, a samba's surdo on the low one, sleigh bells, the riq and the pandeiro on the
# tambourine's jingles.
PERCUSSION = {
    "conga": (grooves.LOW_CONGA, grooves.HIGH_CONGA), "djembe": (grooves.LOW_CONGA, grooves.HIGH_CONGA),
    "bongo": (grooves.LOW_BONGO, grooves.HIGH_BONGO), "tabla": (grooves.LOW_BONGO, grooves.HIGH_BONGO),
    "timbale": (grooves.LOW_TIMBALE, grooves.HIGH_TIMBALE), "tambourine": (grooves.TAMBOURINE,),
    "shaker": (grooves.SHAKER,), "maraca": (grooves.SHAKER,), "clap": (grooves.CLAP,), "handclap": (grooves.CLAP,),
    "clapping": (grooves.CLAP,), "snap": (grooves.CLAP,), "cowbell": (grooves.COWBELL,), "clave": (grooves.CLAVES,),
    "wood block": (grooves.WOOD_BLOCK,), "woodblock": (grooves.WOOD_BLOCK,), "triangle": (grooves.TRIANGLE,),
    "darbuka": (grooves.LOW_BONGO, grooves.HIGH_BONGO), "doumbek": (grooves.LOW_BONGO, grooves.HIGH_BONGO),
    "dhol": (grooves.LOW_CONGA, grooves.HIGH_CONGA), "cajon": (grooves.LOW_CONGA, grooves.HIGH_CONGA),
    "sleigh bell": (grooves.TAMBOURINE,), "jingle bell": (grooves.TAMBOURINE,), "guiro": (grooves.SHORT_GUIRO,),
    "cabasa": (grooves.CABASA,), "agogo": (grooves.HIGH_AGOGO, grooves.LOW_AGOGO),
    "agogo bell": (grooves.HIGH_AGOGO, grooves.LOW_AGOGO), "riq": (grooves.TAMBOURINE,),
    "frame drum": (grooves.LOW_CONGA, grooves.HIGH_CONGA), "bodhran": (grooves.LOW_CONGA, grooves.HIGH_CONGA),
    "pandeiro": (grooves.TAMBOURINE,), "surdo": (grooves.LOW_CONGA,),
}
ORCHESTRAL = range(40, 80)  # GM strings, ensembles, brass, reeds and pipes
GROOVES_WITH_DRUMS = {name for name, groove in grooves.GROOVES.items() if groove.drums}
NOT_KIT_DRUMS = tuple(name for name in (*INSTRUMENTS, *PERCUSSION) if "drum" in name)  # steel drum, frame drum
_HATS = (grooves.CLOSED_HAT, grooves.PEDAL_HAT, grooves.OPEN_HAT)
# Pieces of the kit (GM drum keys): asking for one asks for the kit, denying one mutes only it.
# A piece whose name holds an instrument's ("bass drum") is never that instrument.
KIT_PIECES = {"kick": (grooves.KICK,), "kick drum": (grooves.KICK,), "bass drum": (grooves.KICK,),
              "double bass drum": (grooves.KICK,),
              "snare": (grooves.SNARE, grooves.SIDE_STICK), "snare drum": (grooves.SNARE, grooves.SIDE_STICK),
              "hi-hat": _HATS, "hihat": _HATS, "hi hat": _HATS, "cymbal": (grooves.CRASH, grooves.RIDE)}
KIT_WORDS = ("drum", "drums", "drummer", "drumming", "percussion", "beat", "groove")  # the kit as a whole
DRUM_WORDS = KIT_WORDS + tuple(KIT_PIECES)
DRUMS_BY_NAME = {**KIT_PIECES, **PERCUSSION}
NO_DRUM_WORDS = ("drumless", "unaccompanied")
# Drums alone: "just drums", "only a beat", "percussion only", "a drum solo" (not "just drums and
# bass"); also a kit asked for where other instruments are denied ("no instruments, just a beat").
DRUMS_ALONE = re.compile(r"\b(?:just|only)\s+(?:a\s+)?(?:drums?|percussion|(?:drum\s+)?beat)\b(?!\s*(?:and|&|n|with|plus)\b)"
                         r"|\b(?:drums?|percussion)\s+only\b|\bdrum\s+solo\b", re.I)
NOTHING_ELSE = "nothing else"  # "a drum beat and nothing else", "piano and nothing else": no other instrument
# Bass and drums alone: the melody and the chords silent.
RHYTHM_SECTION_ALONE = re.compile(r"\b(?:just|only)\s+(?:the\s+)?(?:bass\s+and\s+drums|drums\s+and\s+bass)\b"
                                  r"|\b(?:bass\s+and\s+drums|drums\s+and\s+bass)\s+only\b", re.I)
# Roles a prompt can deny by name ("no melody", "without chords"); "no bass" is read with the
# instruments. Where no drums play, the chords keep the beat: a prompt that leaves the melody
# alone is not followed so far (a flute alone was heard on 0.52 of its beats; ad hoc).
DENIABLE_ROLES = {"melody": ("melody",), "harmony": ("chord", "harmony")}
# Voices alone: "a cappella", or instruments denied ("a choir sings without instruments"). A
# lead voice over GM's Synth Voice, whose attack marks the beat: its Choir Aahs swell into each
# chord, and a listener heard 0.6 of the beats on them (0.99 now; synthetic movement, ad hoc).
A_CAPPELLA = ("a cappella", "a capella", "acapella", "acappella", "gregorian chant", "plainchant", "plainsong", "barbershop")
A_CAPPELLA_VOICES = {"melody": 53, "harmony": 54, "bass": 54}

ROLE_WORDS = {
    "melody": ("melody", "melodic", "lead", "solo", "theme", "riff", "hook", "main tune"),
    "harmony": ("chords", "chord", "strumming", "strum", "comping", "accompaniment", "pad", "rhythm guitar", "backing"),
    "bass": ("bass line", "bassline", "low end"),
}
# Words that join one instrument to the next in a list: a role word beyond one belongs to the
# other ("piano and a walking bass line" names a bass besides the piano).
LIST_JOINERS = frozenset({"and", "or", "plus", "over", "under", "underneath", "beneath", "alongside", "against", "while"})
# Words that hand a role word on to the instrument after it ("the melody is played by a flute"):
# they add nothing to the distance between the two.
PASSIVE_LINKS = frozenset({"is", "are", "was", "were", "played", "carried", "performed", "handled", "provided", "taken",
                           "on", "by", "a", "an", "the"})


@dataclass(frozen=True)
class Genre:
    tempo: tuple[int, int]  # bpm range
    groove: str  # rhythm of drums, bass and chords (grooves.py)
    progressions: str  # harmony vocabulary (harmony.py)
    instruments: dict[str, int]  # default GM program per role
    swing: float = 0.0  # 0 straight … 1/3 full triplet swing of eighth notes
    meter: int = 4
    mood: tuple[float, float] = (0.0, 0.0)  # (valence, arousal) leaning


GENRES = {
    "pop": Genre((96, 124), "pop", "pop", {"melody": 0, "harmony": 4, "bass": 33}),
    "rock": Genre((100, 140), "rock", "rock", {"melody": 29, "harmony": 30, "bass": 34}, mood=(0.0, 0.5)),
    "metal": Genre((120, 170), "rock", "minor", {"melody": 30, "harmony": 30, "bass": 34}, mood=(-0.5, 0.9)),
    "punk": Genre((150, 190), "rock", "rock", {"melody": 30, "harmony": 30, "bass": 34}, mood=(0.0, 0.9)),
    "reggae": Genre((66, 90), "reggae", "reggae", {"melody": 24, "harmony": 27, "bass": 33}, mood=(0.3, -0.3)),
    "ska": Genre((140, 180), "reggae", "reggae", {"melody": 56, "harmony": 27, "bass": 33}, mood=(0.5, 0.5)),
    "jazz": Genre((90, 160), "jazz", "jazz", {"melody": 65, "harmony": 0, "bass": 32}, swing=1 / 3),
    "swing": Genre((120, 180), "jazz", "jazz", {"melody": 56, "harmony": 0, "bass": 32}, swing=1 / 3, mood=(0.5, 0.4)),
    "blues": Genre((70, 110), "shuffle", "blues", {"melody": 22, "harmony": 4, "bass": 33}, swing=1 / 3),
    "funk": Genre((95, 115), "funk", "funk", {"melody": 61, "harmony": 27, "bass": 36}, mood=(0.4, 0.6)),
    "disco": Genre((110, 128), "four", "pop", {"melody": 48, "harmony": 27, "bass": 33}, mood=(0.6, 0.6)),
    "hip hop": Genre((80, 100), "hiphop", "minor", {"melody": 4, "harmony": 0, "bass": 38}),
    "rap": Genre((80, 100), "hiphop", "minor", {"melody": 4, "harmony": 0, "bass": 38}),
    "trap": Genre((130, 150), "hiphop", "minor", {"melody": 81, "harmony": 89, "bass": 38}, mood=(-0.3, 0.5)),
    "lofi": Genre((70, 90), "hiphop", "jazz", {"melody": 4, "harmony": 4, "bass": 33}, swing=0.2, mood=(0.0, -0.5)),
    "electronic": Genre((118, 132), "four", "minor", {"melody": 81, "harmony": 89, "bass": 38}, mood=(0.0, 0.6)),
    "edm": Genre((124, 130), "four", "minor", {"melody": 81, "harmony": 89, "bass": 38}, mood=(0.2, 0.8)),
    "house": Genre((118, 128), "four", "pop", {"melody": 4, "harmony": 89, "bass": 38}, mood=(0.3, 0.6)),
    "techno": Genre((125, 140), "four", "minor", {"melody": 81, "harmony": 89, "bass": 38}, mood=(-0.2, 0.7)),
    "dance": Genre((115, 130), "four", "pop", {"melody": 81, "harmony": 89, "bass": 38}, mood=(0.4, 0.7)),
    "ambient": Genre((60, 80), "ambient", "ambient", {"melody": 88, "harmony": 46, "bass": 89}, mood=(0.0, -0.8)),
    "classical": Genre((70, 120), "classical", "classical", {"melody": 40, "harmony": 48, "bass": 42}),
    "orchestral": Genre((70, 110), "classical", "classical", {"melody": 40, "harmony": 48, "bass": 42}),
    "cinematic": Genre((70, 100), "cinematic", "minor", {"melody": 60, "harmony": 48, "bass": 42}, mood=(-0.1, 0.3)),
    "folk": Genre((85, 120), "folk", "folk", {"melody": 40, "harmony": 25, "bass": 32}),
    "country": Genre((90, 130), "folk", "folk", {"melody": 40, "harmony": 25, "bass": 32}, mood=(0.4, 0.2)),
    "latin": Genre((95, 120), "latin", "latin", {"melody": 56, "harmony": 0, "bass": 33}, mood=(0.5, 0.5)),
    "bossa nova": Genre((120, 140), "latin", "jazz", {"melody": 73, "harmony": 24, "bass": 32}, mood=(0.2, -0.3)),
    "salsa": Genre((150, 200), "latin", "latin", {"melody": 56, "harmony": 0, "bass": 33}, mood=(0.6, 0.8)),
    "waltz": Genre((80, 110), "waltz", "classical", {"melody": 40, "harmony": 0, "bass": 32}, meter=3),
    "gospel": Genre((70, 110), "pop", "gospel", {"melody": 19, "harmony": 16, "bass": 33}, mood=(0.6, 0.3)),
    "soul": Genre((70, 100), "pop", "gospel", {"melody": 61, "harmony": 4, "bass": 33}, mood=(0.3, 0.1)),
    "r&b": Genre((65, 95), "hiphop", "jazz", {"melody": 4, "harmony": 4, "bass": 38}),
    "drum and bass": Genre((160, 180), "hiphop", "minor", {"melody": 81, "harmony": 89, "bass": 38}, mood=(0.0, 0.8)),
    "chiptune": Genre((120, 150), "pop", "pop", {"melody": 80, "harmony": 81, "bass": 38}, mood=(0.6, 0.6)),
    "lullaby": Genre((60, 80), "classical", "classical", {"melody": 10, "harmony": 46, "bass": 32}, meter=3,
                     mood=(0.5, -0.8)),
    "march": Genre((104, 124), "march", "classical", {"melody": 56, "harmony": 61, "bass": 58}, meter=2, mood=(0.5, 0.6)),
}
# Genres named after the bass: their name names no bass instrument.
BASS_GENRES = ("drum and bass", "drum n bass", "drum & bass", "future bass")
GENRE_ALIASES = {"funky": "funk", "jazzy": "jazz", "rocky": "rock", "bluesy": "blues", "hip-hop": "hip hop", "hiphop": "hip hop", "lo-fi": "lofi", "electronica": "electronic",
                 "dubstep": "edm", "synthwave": "electronic", "orchestra": "orchestral", "rnb": "r&b",
                 "film score": "cinematic", "soundtrack": "cinematic", "bossa": "bossa nova", "dub": "reggae",
                 "bluegrass": "country", "reggaeton": "latin", "tango": "latin", "flamenco": "latin",
                 "worship": "gospel", "opera": "classical", "baroque": "classical", "trance": "electronic",
                 "celtic": "folk", "irish": "folk", "grunge": "rock", "afrobeat": "funk",
                 "drum n bass": "drum and bass", "dnb": "drum and bass", "jungle": "drum and bass",
                 "electro": "electronic", "electropop": "electronic", "synthpop": "electronic", "eurodance": "dance",
                 "hardstyle": "edm", "chillhop": "lofi", "chillout": "lofi", "downtempo": "lofi", "trip hop": "hip hop",
                 "big band": "swing", "bebop": "jazz", "doo-wop": "soul", "motown": "soul", "rockabilly": "rock",
                 "emo": "rock", "drill": "trap", "phonk": "trap", "grime": "trap", "dancehall": "reggae",
                 "calypso": "latin", "soca": "latin", "cumbia": "latin", "samba": "latin", "bachata": "latin",
                 "merengue": "latin", "mariachi": "latin", "polka": "folk", "sea shanty": "folk", "shanty": "folk",
                 "americana": "country", "singer-songwriter": "folk", "new age": "ambient", "meditation": "ambient",
                 "hymn": "gospel", "spiritual": "gospel", "symphony": "orchestral", "symphonic": "orchestral",
                 "concerto": "classical", "sonata": "classical", "requiem": "classical", "aria": "classical", "nocturne": "classical",
                 "fugue": "classical", "etude": "classical", "prelude": "classical",
                 "chamber music": "classical", "boogie": "blues", "amapiano": "house", "kpop": "pop",
                 "8-bit": "chiptune", "video game": "chiptune", "cradle song": "lullaby",
                 "indie": "rock", "indie pop": "pop", "indie folk": "folk", "shoegaze": "rock",
                 "jam band": "rock", "pop punk": "punk", "new wave": "electronic",
                 "idm": "electronic", "glitch": "electronic", "breakbeat": "electronic",
                 "vaporwave": "electronic", "retrowave": "electronic", "chillwave": "electronic", "darkwave": "electronic",
                 "future bass": "edm", "big room": "edm", "uk garage": "house", "boom bap": "hip hop",
                 "trip-hop": "hip hop", "doo wop": "soul", "drum & bass": "drum and bass",
                 "dixieland": "swing", "ragtime": "jazz", "easy listening": "jazz",
                 "klezmer": "folk", "balkan": "folk", "fado": "folk", "chanson": "folk", "highlife": "funk",
                 "soukous": "funk", "forro": "latin", "horror": "cinematic", "trailer music": "cinematic",
                 "jig": "folk",
                 "marching band": "march", "military march": "march", "brass band": "march"}
# People whose music has a genre: theirs where the prompt names no genre ("a rapper and a
# piano"), but a genre named beside them is the style ("a female rapper over a trap beat").
GENRE_PEOPLE = {"rapper": "rap", "cowboy": "country"}

TEMPO_WORDS = {
    "very slow": (50, 65), "slow": (60, 80), "laid-back": (70, 92), "laid back": (70, 92), "relaxed": (70, 95),
    "chill": (70, 95), "calm": (60, 85), "mellow": (70, 95), "moderate": (90, 115), "medium": (90, 115),
    "mid-tempo": (90, 115), "upbeat": (115, 140), "energetic": (120, 150), "fast": (130, 160),
    "quick": (125, 150), "driving": (120, 145), "very fast": (150, 185), "frantic": (160, 190),
    "ballad": (60, 85), "leisurely": (65, 85), "lively": (115, 140), "brisk": (120, 145), "uptempo": (120, 150),
    "up-tempo": (120, 150), "largo": (40, 60), "lento": (45, 60), "adagio": (66, 76), "andante": (76, 108),
    "moderato": (108, 120), "allegretto": (100, 128), "allegro": (120, 156), "vivace": (156, 176), "presto": (168, 200),
    "mid tempo": (90, 115), "medium fast": (110, 130), "medium-fast": (110, 130), "medium to fast": (110, 130),
    "medium-to-fast": (110, 130), "moderately fast": (115, 135), "medium slow": (75, 95), "medium-slow": (75, 95),
    "slow to medium": (75, 95), "slow-to-medium": (75, 95), "moderately slow": (70, 90),
}
TRIPLE_METER = re.compile(r"\b3\s*/\s*4\b|\bthree[- ]four\b|\btriple (?:meter|metre|time)\b", re.I)
# Five or seven beats to the bar.
ODD_METER = re.compile(r"\b([57])\s*/\s*4\b|\b(five|seven)[- ]four\b", re.I)
# Two beats to the bar: 2/4, and the polka, which is in it (as is the march, a genre).
DUPLE_METER = re.compile(r"\b2\s*/\s*4\b|\btwo[- ]four\b|\bduple (?:meter|metre|time)\b|\bpolkas?\b", re.I)
# Compound time: each beat divides in three. 6/8 has two beats to the bar, 9/8 three, 12/8
# four; compound time unnumbered, and the jig, are 6/8, the slip jig 9/8.
COMPOUND_METER = re.compile(r"\b(6|9|12)\s*/\s*8\b|\b(six|nine|twelve)[- ]eight\b|\bcompound (?:meter|metre|time)\b"
                            r"|\b(slip )?jigs?\b", re.I)
NUMBER_WORDS = {"five": 5, "six": 6, "seven": 7, "nine": 9, "twelve": 12}
# Tempo is the strongest cue to a music's arousal, fast for excited moods and slow for calm
# and sad ones (Gabrielsson & Lindström 2010, Juslin & Laukka 2003). Where a prompt names a
# mood but neither a genre (whose range is its tempo: "a gentle lullaby" stays a lullaby) nor a
# tempo, the range of the genre it plays moves by this many octaves per unit of arousal the mood
# words have above or below that genre's: the slope of the tempo words that are also mood words
# ("calm", "chill", "energetic", "lively"…) against their arousal.
OCTAVES_PER_AROUSAL = 0.58
# Loud, forceful music: the MUSIC model's Intense factor of musical preference, whose genres
# are rock, punk and heavy metal (Rentfrow, Goldberg & Levitin 2011). Said without a genre or
# an instrument, it plays rock.
INTENSE_WORDS = ("loud", "forceful")
# word → (valence, arousal) push, each in [-1, 1]
MOOD_WORDS = {
    "happy": (0.8, 0.4), "joyful": (0.9, 0.5), "cheerful": (0.8, 0.4), "uplifting": (0.7, 0.5),
    "bright": (0.6, 0.3), "playful": (0.6, 0.4), "fun": (0.6, 0.5), "hopeful": (0.5, 0.1),
    "romantic": (0.4, -0.3), "sweet": (0.5, -0.2), "warm": (0.4, -0.2), "peaceful": (0.4, -0.7),
    "calm": (0.2, -0.7), "relaxed": (0.2, -0.6), "relaxing": (0.2, -0.6), "chill": (0.1, -0.5),
    "laid-back": (0.2, -0.5), "dreamy": (0.1, -0.5), "sad": (-0.8, -0.4), "melancholic": (-0.7, -0.3),
    "melancholy": (-0.7, -0.3), "somber": (-0.7, -0.4), "sombre": (-0.7, -0.4), "gloomy": (-0.8, -0.3),
    "dark": (-0.6, 0.2), "mysterious": (-0.4, 0.0), "tense": (-0.4, 0.6), "suspenseful": (-0.4, 0.6),
    "angry": (-0.7, 0.9), "aggressive": (-0.5, 0.9), "epic": (0.1, 0.8), "heroic": (0.4, 0.7),
    "energetic": (0.3, 0.8), "intense": (-0.2, 0.8), "powerful": (0.1, 0.7), "emotional": (-0.2, 0.2),
    "nostalgic": (-0.2, -0.3), "lonely": (-0.7, -0.5), "haunting": (-0.5, 0.0), "triumphant": (0.7, 0.8),
    "exciting": (0.5, 0.8), "passionate": (0.2, 0.6), "groovy": (0.5, 0.5), "dramatic": (-0.3, 0.7),
    "eerie": (-0.6, 0.1), "spooky": (-0.6, 0.2), "scary": (-0.7, 0.5), "ominous": (-0.6, 0.3),
    "menacing": (-0.7, 0.6), "anxious": (-0.5, 0.6), "chaotic": (-0.4, 0.9), "rebellious": (-0.3, 0.8),
    "serene": (0.4, -0.8), "soothing": (0.4, -0.7), "gentle": (0.4, -0.6), "tender": (0.4, -0.5),
    "meditative": (0.2, -0.8), "ethereal": (0.2, -0.6), "atmospheric": (0.0, -0.4), "smooth": (0.3, -0.3),
    "sentimental": (-0.1, -0.3), "heartfelt": (0.1, -0.2), "bittersweet": (-0.3, -0.2), "wistful": (-0.4, -0.4),
    "reflective": (-0.1, -0.5), "introspective": (-0.2, -0.5), "sorrowful": (-0.8, -0.4), "mournful": (-0.8, -0.5),
    "tragic": (-0.8, 0.2), "depressing": (-0.9, -0.5), "inspiring": (0.6, 0.5), "inspirational": (0.6, 0.5),
    "motivational": (0.6, 0.7), "festive": (0.8, 0.6), "celebratory": (0.8, 0.6), "danceable": (0.6, 0.6),
    "catchy": (0.6, 0.4), "youthful": (0.6, 0.5), "funny": (0.7, 0.4), "quirky": (0.5, 0.3),
    "whimsical": (0.5, 0.1), "confident": (0.5, 0.5), "majestic": (0.5, 0.6), "victorious": (0.8, 0.8),
    "adventurous": (0.5, 0.6), "sensual": (0.3, -0.2), "suspense": (-0.4, 0.6), "solemn": (-0.3, -0.4),
    "reverent": (0.2, -0.5), "airy": (0.3, -0.4), "anthemic": (0.6, 0.7), "bleak": (-0.7, -0.3),
    "blissful": (0.8, -0.2), "bouncy": (0.6, 0.5), "carefree": (0.7, 0.3), "comical": (0.6, 0.4),
    "contemplative": (0.0, -0.5), "cozy": (0.6, -0.4), "creepy": (-0.6, 0.2), "cute": (0.7, 0.2),
    "euphoric": (0.9, 0.7), "ecstatic": (0.9, 0.8), "goofy": (0.5, 0.4), "grim": (-0.7, 0.0),
    "gritty": (-0.3, 0.5), "mischievous": (0.4, 0.4), "moody": (-0.4, -0.1), "noble": (0.4, 0.2),
    "optimistic": (0.7, 0.3), "punchy": (0.3, 0.7), "rousing": (0.6, 0.7), "seductive": (0.3, -0.1),
    "sexy": (0.4, 0.1), "silly": (0.6, 0.4), "sinister": (-0.8, 0.3), "soulful": (0.3, -0.1),
    "stirring": (0.5, 0.5), "sultry": (0.3, -0.2), "thrilling": (0.4, 0.8), "tranquil": (0.5, -0.8),
    "urgent": (-0.3, 0.7), "laid back": (0.2, -0.5), "mellow": (0.3, -0.5), "calming": (0.3, -0.7),
    "soft": (0.3, -0.6), "quiet": (0.1, -0.7), "lively": (0.6, 0.6),
}


@dataclass(frozen=True)
class Style:
    genre: str
    instruments: dict[str, int]  # role (melody, harmony, bass) → GM program
    groove: str
    drums: bool  # whether the drum kit plays
    tempo_range: tuple[int, int]
    tempo_from_prompt: bool  # the prompt itself named a tempo (words or bpm)
    progressions: str
    valence: float  # −1 sad … +1 happy, from the prompt's words and genre
    arousal: float  # −1 calm … +1 excited
    meter: int = 4  # beats per bar
    swing: float = 0.0
    compound: bool = False  # each beat divides in three eighths (6/8, 9/8, 12/8), not in two
    recognised: list[str] = field(default_factory=list)  # prompt words that shaped the style
    silent: frozenset[str] = frozenset()  # roles the prompt asked not to hear ("no bass", "just drums")
    percussion: tuple[int, ...] = ()  # GM drum keys of the hand percussion the prompt names
    tonic: int | None = None  # pitch class of the key the prompt names ("in F# minor")
    mode: str | None = None  # "major" or "minor", where the prompt names one
    muted: frozenset[int] = frozenset()  # GM drum keys the prompt denies ("no cymbals"), of the kit or not
    rapped: bool = False  # the voice that leads raps ("a male vocal rapping", "a rap song")

    @property
    def time_signature(self) -> str:
        return f"{3 * self.meter}/8" if self.compound else f"{self.meter}/4"


NEGATIONS = ("no", "not", "without", "never", "none", "lacks", "lacking", "minus", "absence of", "free of", "isn t",
             "aren t", "doesn t", "don t", "there is no", "there are no")
# Negations said after what they deny ("the drums are absent"): they reach back to the start
# of their clause.
AFTER_NEGATIONS = ("absent", "missing", "not present", "not audible", "not heard", "not included")
# A negation reaches to the end of its clause, or this many words.
CLAUSE_ENDS = (".", "but", "while", "though", "although", "yet", "just", "only", "instead", "except", "so", "rather", "with")
NEGATION_REACH = 6
# Where the music could be used ("this song may be playing in a video game", "suitable for a
# horror movie"): a genre named there is no style the caption gives its music, where it names
# instruments (`_genre`).
USE_PHRASES = ("could be used", "can be used", "may be used", "might be used", "would be used", "could be playing",
               "may be playing", "might be playing", "could be played", "may be played", "might be played",
               "would be played", "could be heard", "may be heard", "might be heard", "would hear", "might hear",
               "could hear", "suitable for", "perfect for", "ideal for", "great for", "would fit", "would suit",
               "would work well", "in the background of", "background music for", "background music of", "could be the",
               "would be the")
VOICES = {52, 53, 54, 85}  # choir aahs, voice oohs, synth voice, voice lead
# Verbs that name a voice where the prompt names no singer ("someone humming"), and the singer
# it names where it does ("a choir sings", "a female vocalist rapping").
SINGING_VERBS = frozenset({"sings", "humming", "rapping", "raps"})
# A voice that raps (`Style.rapped`): where the genre's own instrument would lead, a man's voice raps.
RAP_WORDS = ("rap", "rapping", "rapper", "raps", "rapped", "rap vocal")
VOICE_WORDS = ("voice", "vocal", "vocals", "singer", "singing", "choir", "vocalist", "lyrics", "rapping", "rap vocals")
# Words that name a whole family: denying one denies every instrument in it ("no guitars"),
# and where the genre's own player for the role belongs to the family, asking for one asks
# for that player: "guitar" in a metal caption is its distorted guitar, "bass" in a house
# caption its synth bass. Except the piano: asked for, the piano itself plays (pop's keyboard
# is an electric piano).
FAMILY_WORDS = {"guitar": range(24, 32), "electric guitar": range(26, 32), "e-guitar": range(26, 32),
                "bass": range(32, 40), "bass guitar": range(33, 38), "electric bass": range(33, 38),
                "e-bass": range(33, 38), "piano": range(0, 8), "keys": range(0, 8),
                "keyboard": range(0, 8), "organ": range(16, 24), "strings": range(40, 52), "brass": range(56, 64),
                "horns": range(56, 64), "sax": range(64, 68), "saxophone": range(64, 68), "synth": range(80, 104),
                "synthesizer": range(80, 104)}
FAMILY_WORDS.update({player: FAMILY_WORDS[name] for player, name in PLAYERS.items() if name in FAMILY_WORDS})
ONE_INSTRUMENT_WORDS = _and_players({"piano"})
# Who plays a role when the prompt excludes the genre's own choice.
STAND_INS = {"melody": (73, 65, 40, 81, 0), "harmony": (0, 25, 48, 4, 89), "bass": (33, 32, 38, 42, 58)}
ROLE_ORDER = ("melody", "harmony", "bass")


class Caption:
    """A prompt as whole words, with the stretches a negation governs ("no drums", "without
    piano", "not fast", "vocal-free") marked, so that a word can be looked up as said or as denied."""

    def __init__(self, prompt: str):
        text = re.sub(r"[.,;:!?()\[\]/]+", " . ", prompt.lower().replace("'", " "))
        text = re.sub(r"([a-z]+)-free\b", r"no \1 .", text)
        self.text = " " + re.sub(r"[^a-z0-9&\-.]+", " ", text).strip() + " "
        self.denied = self._negated_spans()
        self.uses = self._use_spans()

    def _negated_spans(self) -> list[tuple[int, int]]:
        spans = []
        for trigger in NEGATIONS:
            for match in re.finditer(rf"(?<![a-z]){re.escape(trigger)}(?![a-z])", self.text):
                words = re.finditer(r"\S+", self.text[match.end():])
                end = match.end()
                for count, word in enumerate(words):
                    if word.group() in CLAUSE_ENDS or count >= NEGATION_REACH:
                        break
                    end = match.end() + word.end()
                spans.append((match.end(), end))
        for trigger in AFTER_NEGATIONS:
            for match in re.finditer(rf"(?<![a-z]){re.escape(trigger)}(?![a-z])", self.text):
                start = match.start()
                for count, word in enumerate(reversed(list(re.finditer(r"\S+", self.text[: match.start()])))):
                    if word.group() in CLAUSE_ENDS or count >= NEGATION_REACH:
                        break
                    start = word.start()
                spans.append((start, match.start()))
        return spans

    def _use_spans(self) -> list[tuple[int, int]]:
        """From each phrase of use (`USE_PHRASES`) to the end of its sentence."""
        spans = []
        for phrase in USE_PHRASES:
            for match in re.finditer(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", self.text):
                end = self.text.find(".", match.end())
                spans.append((match.start(), len(self.text) if end < 0 else end))
        return spans

    def _occurrences(self, phrase: str, outside: Sequence[tuple[int, int]] = ()) -> list[int]:
        if phrase not in self.text:  # most names of the tables are not in the prompt: no regex
            return []
        found = [m.start() for m in re.finditer(rf"(?<![a-z]){re.escape(phrase)}s?(?![a-z])", self.text)]
        return [p for p in found if not any(start <= p < end for start, end in outside)]

    def _is_denied(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.denied)

    def spans(self, phrase: str) -> list[tuple[int, int]]:
        """(start, end) of each mention of `phrase`, affirmed or denied."""
        return [(p, p + len(phrase)) for p in self._occurrences(phrase)]

    def find(self, phrase: str, outside: Sequence[tuple[int, int]] = ()) -> int:
        """Position of the first affirmed mention of `phrase` (whole words, plural allowed) that
        is not within the `outside` spans, or −1."""
        return next((p for p in self._occurrences(phrase, outside) if not self._is_denied(p)), -1)

    def denies(self, phrase: str, outside: Sequence[tuple[int, int]] = ()) -> bool:
        return any(self._is_denied(p) for p in self._occurrences(phrase, outside))

    def mentions(self, names, claimed: Sequence[tuple[int, int]] = ()) -> list[tuple[int, str, bool]]:
        """(position, name, denied) of each mention of one of `names`, in the prompt's order, a
        longer name taking its words first ("bass guitar" before "bass"), none within the
        `claimed` spans."""
        taken, found = list(claimed), []
        for name in sorted(names, key=len, reverse=True):
            for position in self._occurrences(name):
                if not any(start <= position < end for start, end in taken):
                    taken.append((position, position + len(name)))
                    found.append((position, name, self._is_denied(position)))
        return sorted(found)

    def named_instruments(self) -> tuple[list[tuple[int, str]], set[int], set[str]]:
        """(position, name) of each affirmed instrument, the programs of the denied ones (but
        those an affirmed name plays: "a female vocalist, no male vocals"), and the denied
        names. Longer names win: "no bass guitar" denies the bass guitar, not the bass (or a
        guitar), and "no bass drum" no instrument at all; "a bass line" names a part, which the
        instrument said to play it takes ("carried by a cello"), else the genre's bass."""
        found, denied, denied_names = [], set(), set()
        claimed = [span for phrase in (*KIT_PIECES, *PERCUSSION, *ROLE_WORDS["bass"], *BASS_GENRES) for span in self.spans(phrase)]
        for position, name, negated in self.mentions(INSTRUMENTS, claimed):
            if negated:
                denied |= set(FAMILY_WORDS.get(name, (INSTRUMENTS[name][0],)))
                denied_names.add(name)
            elif all(other != name for _, other in found):
                found.append((position, name))
        return found, denied - {INSTRUMENTS[name][0] for _, name in found}, denied_names

    def role_for(self, position: int, name: str) -> tuple[str, bool]:
        """The role the prompt gives an instrument, and whether its words give it: the role word
        nearest after or before it in the same sentence and not beyond a word that joins it to
        another instrument (`LIST_JOINERS`: "a guitar strums the chords and a fiddle plays the
        melody"), a word before it counting twice as far but for the words that hand it on
        (`PASSIVE_LINKS`: "the melody is played on a ukulele"), else the instrument's natural
        role. Bass instruments play the bass, but for the `LEADING_BASSES`."""
        natural = INSTRUMENTS[name][1]
        if natural == "bass" and name not in LEADING_BASSES:
            return "bass", False
        sentence_start = self.text.rfind(".", 0, position) + 1
        sentence_end = self.text.find(".", position)
        sentence = self.text[sentence_start : len(self.text) if sentence_end < 0 else sentence_end]
        best, best_distance = natural, 30
        for role, words in ROLE_WORDS.items():
            for word in words:
                for match in re.finditer(rf"(?<![a-z]){re.escape(word)}(?![a-z])", sentence):
                    start, end = sentence_start + match.start(), sentence_start + match.end()
                    between = self.text[min(position, end) : max(position, start)].split()
                    after = start >= position
                    distance = start - position if after else 2 * sum(len(w) + 1 for w in between if w not in PASSIVE_LINKS)
                    if distance < best_distance and LIST_JOINERS.isdisjoint(between):
                        best, best_distance = role, distance
        return best, best_distance < 30


def _assign_roles(caption: Caption, named: list[tuple[int, str]], instruments: dict[str, int]) -> set[str]:
    """Put each named instrument in its role: first every instrument whose own role is free,
    those the prompt's words give a role ("a fiddle plays the melody") before those that take
    their nature's, each in the order named (a keyboard alone beside the band leads it, and a
    singer leads: `_singer_sings_the_tune`); then the rest in the roles still free. One
    instrument named never takes two roles; a bass instrument only plays the bass; instruments
    beyond the three roles are left out."""
    assigned: dict[str, int] = {}
    waiting = []
    roles = {name: caption.role_for(position, name) for position, name in named}
    for name in LEADING_BASSES.intersection(roles):  # "sad cello", "a cello and a piano": the cello leads
        accompanied = all(INSTRUMENTS[other][0] in POLYPHONIC or INSTRUMENTS[other][1] == "bass" for other in roles if other != name)
        if not roles[name][1] and accompanied:
            roles[name] = ("melody", False)
    leads = [name for name in roles if roles[name][0] != "bass"]
    if len(leads) == 1 and INSTRUMENTS[leads[0]][0] in KEYBOARDS and not roles[leads[0]][1]:
        roles[leads[0]] = ("melody", False)
    _singer_sings_the_tune(roles)

    def order(name: str) -> tuple[bool, bool, bool]:
        """Roles the words give first, then a singer's tune; backing singers last, so that an
        instrument named for the chords keeps them (voices alone do not carry the beat)."""
        given, (program, nature) = roles[name][1], INSTRUMENTS[name]
        backing = program in VOICES and nature == "melody" and roles[name][0] == "harmony"
        return backing, not given, not given and not _sings_the_tune(name, roles)

    for name in sorted((name for _, name in named), key=order):
        role = roles[name][0]
        family = () if name in ONE_INSTRUMENT_WORDS else FAMILY_WORDS.get(name, ())
        program = instruments[role] if instruments[role] in family else INSTRUMENTS[name][0]
        if program in assigned.values():
            continue
        if role in assigned:
            waiting.append(name)
            continue
        instruments[role] = assigned[role] = program
    for name in waiting:
        free = [r for r in ROLE_ORDER if r not in assigned and (r == "bass") == (INSTRUMENTS[name][1] == "bass")]
        if free and INSTRUMENTS[name][0] not in assigned.values():
            instruments[free[0]] = assigned[free[0]] = INSTRUMENTS[name][0]
    if "bass" not in assigned:  # a cello may lead a band whose bass it was
        instruments["bass"] = _under(assigned.get("melody"), instruments["bass"])
    return set(assigned)


def _sings_the_tune(name: str, roles: dict[str, tuple[str, bool]]) -> bool:
    """Whether `name` is a voice in the melody's role."""
    return INSTRUMENTS[name][0] in VOICES and roles[name][0] == "melody"


def _singer_sings_the_tune(roles: dict[str, tuple[str, bool]]) -> None:
    """A singer sings the melody (before another instrument whose nature it is: "a violin
    accompanies the singer"). An instrument that can play chords, said to play the melody
    beside a singer ("a female vocal singing over a piano melody", "a synth lead"), accompanies
    them with its chords, where the words give the chords to no one else."""
    singer = any(_sings_the_tune(name, roles) and not given for name, (_, given) in roles.items())
    if not singer or ("harmony", True) in roles.values():
        return
    for name, role in roles.items():
        if role == ("melody", True) and INSTRUMENTS[name][0] in CHORDS_PLAYERS - VOICES:
            roles[name] = ("harmony", True)


def _with_both_hands(instruments: dict[str, int], named: list[tuple[int, str]], drums: bool) -> dict[str, int]:
    """Without drums the chords keep the beat: a keyboard named for the melody over chords no
    one was named for plays them too, as a pianist's two hands ("classical piano")."""
    named_programs = {INSTRUMENTS[name][0] for _, name in named}
    if drums or instruments["melody"] not in KEYBOARDS & named_programs or instruments["harmony"] in named_programs:
        return instruments
    return {**instruments, "harmony": instruments["melody"]}


def _under(melody: int | None, bass: int) -> int:
    """The bass, or the instrument below it where it is the lead's (a cello leads: the contrabass)."""
    return BASS_BELOW.get(bass, 32) if bass == melody else bass


def _exclude(instruments: dict[str, int], excluded: set[int]) -> None:
    """Replace any excluded program (and never double one) with a stand-in for its role."""
    for role in ROLE_ORDER:
        if instruments[role] in excluded:
            used = set(instruments.values())
            free = [p for p in STAND_INS[role] if p not in excluded and p not in used]
            instruments[role] = free[0] if free else next(p for p in STAND_INS[role] if p not in excluded)


# "in F# minor", "in the key of Eb major"; read from the prompt as written, accidentals kept
NAMED_KEY = re.compile(r"(?:\bin|\bkey of)\s+([a-g])\s*(#|♯|b|♭|-sharp|-flat| sharp| flat)?\s*(major|minor)\b", re.I)
NAMED_MODE = re.compile(r"\b(major|minor)[ -](?:key|mode|tonality|scale)\b", re.I)
NATURALS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def _key(prompt: str, recognised: list[str]) -> tuple[int | None, str | None]:
    """(tonic pitch class, mode) of a key the prompt names, or of a mode alone (tonic None)."""
    named = NAMED_KEY.search(prompt)
    if named:
        letter, accidental, mode = named.group(1).lower(), (named.group(2) or "").strip(" -").lower(), named.group(3).lower()
        shift = 1 if accidental in ("#", "♯", "sharp") else -1 if accidental in ("b", "♭", "flat") else 0
        tonic = (NATURALS[letter] + shift) % 12
        recognised.append(f"{NOTE_NAMES[tonic]} {mode}")
        return tonic, mode
    mode = NAMED_MODE.search(prompt)
    if mode:
        recognised.append(mode.group(0).lower())
        return None, mode.group(1).lower()
    return None, None


def _tempo(caption: Caption, genre: Genre, genre_named: bool, moods: list[str],
           recognised: list[str]) -> tuple[tuple[int, int], bool]:
    """The tempo range: an explicit BPM; else the first tempo word, within the genre's range
    where the two overlap ("fast" punk is faster than "fast" pop); else the genre's range (moved
    by the mood words `moods` where the prompt named no genre, `OCTAVES_PER_AROUSAL`), kept away
    from any denied tempo word ("not fast")."""
    bpm = re.search(r"(\d{2,3}) ?(?:bpm|beats per minute)", caption.text)
    if bpm and 30 <= int(bpm.group(1)) <= 250 and caption.find(bpm.group(0)) >= 0:
        recognised.append(bpm.group(0))
        return (int(bpm.group(1)),) * 2, True
    low, high = genre.tempo
    said = sorted((caption.find(word), -len(word), word) for word in TEMPO_WORDS if caption.find(word) >= 0)
    if said:
        word = said[0][2]
        recognised.append(word)
        word_low, word_high = TEMPO_WORDS[word]
        overlap = (max(low, word_low), min(high, word_high))
        return (overlap if overlap[0] <= overlap[1] else (word_low, word_high)), True
    if moods and not genre_named:
        factor = 2.0 ** (OCTAVES_PER_AROUSAL * (np.mean([MOOD_WORDS[word][1] for word in moods]) - genre.mood[1]))
        low, high = int(round(low * factor)), int(round(high * factor))
    for word in TEMPO_WORDS:
        if caption.denies(word):
            denied_low, denied_high = TEMPO_WORDS[word]
            if denied_low > (low + high) / 2:
                high = min(high, denied_low - 5)
            else:
                low = max(low, denied_high + 5)
            recognised.append(f"not {word}")
    return (min(low, high), max(low, high)), False


def parse_prompt(prompt: str) -> Style:
    """The style a prompt asks for; defaults (pop, moderate tempo) fill what it leaves open,
    and what it denies ("no drums", "without piano", "not fast", "instrumental") never plays.
    Each word it acted on is listed in `Style.recognised`, in the order of the decisions."""
    caption = Caption(prompt)
    recognised: list[str] = []
    genre_name, genre_named = _genre(caption, recognised)
    genre = GENRES[genre_name]
    instruments, named, silent, voices_only = _band(caption, genre, genre_named, recognised)
    drum_mentions = caption.mentions(DRUMS_BY_NAME)  # the kit's pieces and the hand percussion, each read once
    percussion_words = list(dict.fromkeys(name for _, name, negated in drum_mentions if name in PERCUSSION and not negated))
    groove, drums = _kit(caption, genre, genre_named, named, bool(percussion_words), voices_only, recognised)
    instruments = _with_both_hands(instruments, named, drums)
    silent = _silent_roles(caption, prompt, instruments, named, drums, silent, recognised)
    instruments, rapped = _rapper(caption, instruments, genre, silent, recognised)
    percussion = tuple(dict.fromkeys(piece for word in percussion_words for piece in PERCUSSION[word]))
    recognised += percussion_words
    muted_words = list(dict.fromkeys(name for _, name, negated in drum_mentions if negated))
    muted = frozenset(piece for word in muted_words for piece in DRUMS_BY_NAME[word])
    recognised += [f"no {word}" for word in muted_words]
    moods = [word for word in MOOD_WORDS if caption.find(word) >= 0]
    tempo_range, tempo_from_prompt = _tempo(caption, genre, genre_named, moods, recognised)
    valence, arousal = _mood(moods, genre, recognised)
    meter, compound = _meter(prompt, caption, genre, recognised)
    tonic, mode = _key(prompt, recognised)
    return Style(genre_name, instruments, groove, drums, tempo_range, tempo_from_prompt, genre.progressions,
                 valence, arousal, meter, genre.swing, compound, list(dict.fromkeys(recognised)), silent, percussion,
                 tonic, mode, muted, rapped)


def _no_voices(caption: Caption, voice_named: bool) -> bool:
    """Whether the prompt wants no voices: "instrumental", or a voice word denied where it names
    no voice ("vocals but no lyrics" still sing)."""
    return caption.find("instrumental") >= 0 or not voice_named and any(caption.denies(word) for word in VOICE_WORDS)


def _rapper(caption: Caption, instruments: dict[str, int], genre: Genre, silent: frozenset[str],
            recognised: list[str]) -> tuple[dict[str, int], bool]:
    """Who leads, and whether they rap: where the prompt speaks of rap, the voice that leads
    raps, and where the genre's own instrument would lead ("a rap song"), a man's voice does."""
    said = any(caption.find(word) >= 0 for word in RAP_WORDS)
    if not said or "melody" in silent or instruments["melody"] not in VOICES and _no_voices(caption, False):
        return instruments, False
    if instruments["melody"] == genre.instruments["melody"] and instruments["melody"] not in VOICES:
        instruments = {**instruments, "melody": MALE_VOICE}
    rapped = instruments["melody"] in VOICES
    recognised += ["rapped"] if rapped else []
    return instruments, rapped


def _meter(prompt: str, caption: Caption, genre: Genre, recognised: list[str]) -> tuple[int, bool]:
    """(beats per bar, compound): a compound time the prompt names, else 5/4 or 7/4, else 3/4
    where it names triple time or a waltz, else 2/4 where it names duple time or a polka, else
    the genre's."""
    compound = COMPOUND_METER.search(prompt)
    if compound:
        recognised.append(compound.group(0).lower())
        number = compound.group(1) or compound.group(2)
        eighths = _count(number) if number else 9 if compound.group(3) else 6
        return eighths // 3, True
    odd = ODD_METER.search(prompt)
    if odd:
        recognised.append(odd.group(0).lower())
        return _count(odd.group(1) or odd.group(2)), False
    triple = TRIPLE_METER.search(prompt)
    if triple or caption.find("waltz") >= 0:
        recognised += [triple.group(0)] if triple else []
        return 3, False
    duple = DUPLE_METER.search(prompt)
    if duple:
        recognised.append(duple.group(0).lower())
        return 2, False
    return genre.meter, False


def _count(number: str) -> int:
    """A count written in figures or in words ("12", "twelve")."""
    return int(number) if number.isdigit() else NUMBER_WORDS[number.lower()]


def _genre(caption: Caption, recognised: list[str]) -> tuple[str, bool]:
    """The genre and whether the prompt named one: the first named, the longest name where two
    begin together ("pop punk" before "pop"), but for one named only as a use of the music
    where the prompt names instruments ("a male vocal over an acoustic guitar; it could be used
    in the soundtrack of a romantic movie": `USE_PHRASES`); else the genre of the people it
    names (`GENRE_PEOPLE`); else, where the prompt names no instrument either, rock for loud
    music (`INTENSE_WORDS`), or pop."""
    names = {**{genre: genre for genre in GENRES}, **GENRE_ALIASES}

    def named_outside(table: dict[str, str], spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        return sorted(hit for hit in ((caption.find(word, spans), -len(word), word) for word in table) if hit[0] >= 0)

    hits = (named_outside(names, caption.uses) or ([] if caption.named_instruments()[0] else named_outside(names, []))
            or named_outside(GENRE_PEOPLE, []))
    if not hits:
        intense = [word for word in INTENSE_WORDS if caption.find(word) >= 0]
        if intense and not caption.named_instruments()[0]:
            recognised.append(intense[0])
            return "rock", False
        return "pop", False
    recognised.append(hits[0][2])
    return {**names, **GENRE_PEOPLE}[hits[0][2]], True


def _band(caption: Caption, genre: Genre, genre_named: bool,
          recognised: list[str]) -> tuple[dict[str, int], list[tuple[int, str]], frozenset[str], bool]:
    """Who plays each role, the instruments the prompt names (position, name), the roles it
    silences, and whether voices sing alone."""
    named, excluded, denied_names = caption.named_instruments()
    if any(INSTRUMENTS[name][0] in VOICES and name not in SINGING_VERBS for _, name in named):
        named = [(position, name) for position, name in named if name not in SINGING_VERBS]
    voice_named = any(INSTRUMENTS[name][0] in VOICES for _, name in named)
    no_voices = _no_voices(caption, voice_named)
    if no_voices:
        excluded |= VOICES
        named = [(p, name) for p, name in named if INSTRUMENTS[name][0] not in VOICES]
        recognised.append("no voices")
    instruments = dict(genre.instruments)
    assigned = _assign_roles(caption, named, instruments)
    recognised += [name for _, name in named]
    named_spans = [(position, position + len(name)) for position, name in named]
    bass_part = [word for word in ROLE_WORDS["bass"] if caption.find(word, named_spans) >= 0]  # "a walking bass line"
    recognised += bass_part
    if assigned and not genre_named:  # no genre to supply a band: the named instruments' own families do
        alone = len(named) == 1 and (caption.find("solo") >= 0 or caption.denies("other instrument")
                                     or caption.find(NOTHING_ELSE) >= 0)
        _fill_roles_from_families(instruments, assigned | ({"bass"} if bass_part else set()), alone)
    _exclude(instruments, excluded)
    recognised += [f"no {name}" for name in sorted(denied_names)]
    instruments_denied = caption.denies("instrument", caption.spans("other instrument"))
    voices_only = not no_voices and (any(caption.find(word) >= 0 for word in A_CAPPELLA)
                                     or instruments_denied and (voice_named or not _kit_said(caption)))
    if voices_only:
        instruments = dict(A_CAPPELLA_VOICES)
        recognised.append("voices only")
    denied_bass_part = [word for word in ROLE_WORDS["bass"] if caption.denies(word)]
    recognised += [f"no {word}" for word in denied_bass_part]
    silent = frozenset({"bass"} if "bass" in denied_names or denied_bass_part else ())
    return instruments, named, silent, voices_only


def _silent_roles(caption: Caption, prompt: str, instruments: dict[str, int], named: list[tuple[int, str]], drums: bool,
                  silent: frozenset[str], recognised: list[str]) -> frozenset[str]:
    """The roles the prompt asks not to hear: `silent` ("no bass"), those it denies by name,
    and where it asks for the drums alone (or bass and drums) every other role but those of
    the instruments it names ("a saxophone over just drums": the saxophone plays)."""
    named_programs = {INSTRUMENTS[name][0] for _, name in named}
    of_named = {role for role, program in instruments.items() if program in named_programs}
    others_denied = caption.denies("instrument") or caption.find(NOTHING_ELSE) >= 0
    said = DRUMS_ALONE.search(prompt) or RHYTHM_SECTION_ALONE.search(prompt)
    if drums and (said or others_denied and _kit_said(caption)):
        with_bass = {"bass"} if said and said.re is RHYTHM_SECTION_ALONE else set()
        silenced = frozenset({"melody", "harmony", "bass"} - with_bass - of_named)
        if silenced:
            recognised.append(said.group(0) if said else "drums alone")
            return silent | silenced
    denied = {role: next((word for word in words if caption.denies(word)), None) for role, words in DENIABLE_ROLES.items()}
    if not drums and "bass" in silent:
        denied["harmony"] = None
    recognised += [f"no {word}" for word in denied.values() if word]
    return silent | {role for role, word in denied.items() if word}


def _kit_said(caption: Caption) -> bool:
    """Whether the prompt asks for the drum kit, or a piece of it."""
    not_kit = _not_kit(caption)
    return any(caption.find(word, not_kit) >= 0 for word in DRUM_WORDS)


def _not_kit(caption: Caption) -> list[tuple[int, int]]:
    """Spans that name a drum or a beat but no kit: "steel drums", "90 beats per minute"."""
    return [span for name in (*NOT_KIT_DRUMS, "beats per minute") for span in caption.spans(name)]


def _kit(caption: Caption, genre: Genre, genre_named: bool, named: list[tuple[int, str]], hand_percussion: bool,
         voices_only: bool, recognised: list[str]) -> tuple[str, bool]:
    """The groove and whether the drum kit plays: the genre's, but an ensemble the prompt
    names without a genre plays none ("violin and cello", "a shaker"), nor do voices alone or a
    prompt that denies the kit; a prompt that asks for one gets it."""
    groove, drums = genre.groove, genre.groove in GROOVES_WITH_DRUMS
    if (named or hand_percussion) and not genre_named:
        drums = False
        if named and all(INSTRUMENTS[name][0] in ORCHESTRAL for _, name in named):
            groove = "classical"
    not_kit = _not_kit(caption)
    pieces = [span for name in KIT_PIECES if "drum" in name for span in caption.spans(name)]  # "no kick drum": the kick
    denied = any(caption.denies(word, not_kit + pieces) for word in KIT_WORDS)
    if denied or voices_only or any(caption.find(word) >= 0 for word in NO_DRUM_WORDS):
        recognised.append("no drums")
        return groove, False
    if not drums and _kit_said(caption):
        recognised.append("drums")
        return (groove if groove in GROOVES_WITH_DRUMS else "pop"), True
    return groove, drums


def _mood(moods: list[str], genre: Genre, recognised: list[str]) -> tuple[float, float]:
    """(valence, arousal): the mean push of the mood words said (`moods`), else the genre's."""
    if not moods:
        return genre.mood
    recognised += moods
    return float(np.mean([MOOD_WORDS[word][0] for word in moods])), float(np.mean([MOOD_WORDS[word][1] for word in moods]))


# GM program families (first program, last program) → (chord instrument, bass instrument):
# who accompanies an instrument when the prompt names no one else.
FAMILIES = (
    ((0, 23), None, None),  # keyboards play their own chords and bass
    ((24, 31), None, 33),  # guitars: their own chords, a bass guitar
    ((32, 39), 0, None),  # a bass alone: piano chords
    ((40, 55), 48, 42),  # strings, choir: string ensemble and cello
    ((56, 63), 61, 58),  # brass: brass section and tuba
    ((64, 79), 48, 42),  # reeds and pipes: strings beneath
    ((80, 103), 89, 38),  # synths: pad and synth bass
    ((104, 127), 25, 32),  # ethnic and others: guitar and upright bass
)
BASS_BELOW = {42: 43}  # a cello that leads has the contrabass below it
POLYPHONIC = set(range(0, 32)) | {46, 48, 49, 50, 51, 52, 88, 89, 90, 91, 92, 93, 94, 95, 105}
CHORDS_PLAYERS = POLYPHONIC | set(range(80, 88))  # and the synth leads, whose chords are stabs


def _family(program: int) -> tuple[int | None, int | None]:
    return next((chords, bass) for (low, high), chords, bass in FAMILIES if low <= program <= high)


def _fill_roles_from_families(instruments: dict[str, int], assigned: set[str], alone: bool = False) -> None:
    """Give each role the prompt left open to a named instrument that can play it (a piano
    plays chords and bass, and so does a guitar or a harp the prompt wants `alone`: "solo
    guitar", "no other instruments"), else to the named instrument's own family (a violin
    brings the string section and a cello). The bass comes from the family of the instrument
    that plays the chords, where the prompt names one (a flute and a guitar: a bass guitar; a
    fiddle and a banjo: an upright bass). A singer brings no band of their own: beside an
    instrument, that instrument's family fills the roles (a singer and a guitar: a bass guitar)."""
    named = [instruments[role] for role in ("melody", "harmony", "bass") if role in assigned]
    lead = named[0]
    chords = [instruments["harmony"]] if "harmony" in assigned else []
    band = next((program for program in chords + named if program not in VOICES), lead)
    if "melody" not in assigned:  # the first named instrument leads, unless it is a bass
        instruments["melody"] = lead if "bass" not in assigned or len(named) > 1 else (_family(lead)[0] or 0)
    if "harmony" not in assigned:
        polyphonic = [p for p in named if p in POLYPHONIC and p not in VOICES]  # a singer does not sing the chords
        instruments["harmony"] = polyphonic[0] if polyphonic else _family(band)[0]
    if "bass" not in assigned:
        chords_play_bass = instruments["harmony"] in range(0, 24) or (alone and instruments["harmony"] in named)
        instruments["bass"] = instruments["harmony"] if chords_play_bass else _under(instruments["melody"], _family(band)[1] or 33)
