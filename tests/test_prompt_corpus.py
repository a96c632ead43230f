"""A corpus of long, MusicCaps-style captions (written for this project) and what the prompt
parser must decide for each: genre, drums, who plays and who must not, tempo, mood.

Expectations: `genre`; `drums` (bool); `has` GM programs that must play; `lacks` programs (or
ranges) that must not; `tempo_below` / `tempo_above` bounds of the tempo range; `mood` "+" or
"−" for the sign of valence; `silent` roles.
"""

import pytest

from expotion.generators.composer.prompt import FEMALE_VOICE, parse_prompt

PIANO, EPIANO, ORGAN, NYLON, STEEL, JAZZ_GTR, CLEAN, OVERDRIVE, DISTORTION = 0, 4, 16, 24, 25, 26, 27, 29, 30
ACOUSTIC_BASS, FINGER_BASS, SLAP, SYNTH_BASS = 32, 33, 36, 38
VIOLIN, CELLO, STRINGS, CHOIR, VOICE, TRUMPET, BRASS, SAX, FLUTE, LEAD, PAD, HARMONICA, TIMPANI = (
    40, 42, 48, 52, 53, 56, 61, 65, 73, 81, 89, 22, 47)
VOICES = {52, 53, 54, 85}
GUITARS = set(range(24, 32))
STRINGS_AND_BASSES = {CELLO, STRINGS}  # what a violin or a harp brings when not alone
PIANOS = set(range(0, 8))

CORPUS = [
    # --- genres with their bands ---------------------------------------------------------------
    ("This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric guitar plays "
     "the offbeat chords. There is a one drop drum beat and a bass guitar in the background. The mood is laid-back.",
     dict(genre="reggae", drums=True, has={NYLON, CLEAN, FINGER_BASS}, lacks=VOICES, tempo_below=95)),
    ("A hard rock track with heavily distorted guitars playing power chords, a pounding bass and loud drums with crashing "
     "cymbals. The energy is aggressive and fast.",
     dict(genre="rock", drums=True, has={DISTORTION}, tempo_above=120, mood="-")),
    ("Smooth jazz with a tenor saxophone lead, soft piano comping and an upright bass walking underneath. The drummer "
     "plays brushes. Relaxed and romantic.",
     dict(genre="jazz", drums=True, has={66, PIANO, ACOUSTIC_BASS}, mood="+", tempo_below=100)),
    ("This is a funk song with a slap bass line, tight drums with sixteenth note hi-hats and short brass stabs. "
     "It sounds groovy and energetic.",
     dict(genre="funk", drums=True, has={SLAP, BRASS})),
    ("An EDM track at 128 BPM with a pulsing synth bass, a bright lead synth and pumping pads. Four on the floor kick.",
     dict(genre="edm", drums=True, has={SYNTH_BASS, LEAD}, tempo_above=127, tempo_below=129)),
    ("Deep house music with a warm electric piano playing chords, a synth bass and a steady kick drum. Mellow late-night feel.",
     dict(genre="house", drums=True, has={EPIANO, SYNTH_BASS}, tempo_below=95)),
    ("A boom bap hip hop beat with a dusty piano sample, a heavy kick and snare and a deep bass. There are no vocals.",
     dict(genre="hip hop", drums=True, has={PIANO}, lacks=VOICES)),
    ("Lo-fi hip hop with a mellow electric piano, a soft bass and lazy drums. Chill and nostalgic.",
     dict(genre="lofi", drums=True, has={EPIANO}, tempo_below=95)),
    ("A classical piece for string orchestra: the violins play a slow, sad melody over sustained cellos.",
     dict(genre="classical", drums=False, has={VIOLIN, CELLO}, mood="-", tempo_below=85)),
    ("Epic cinematic orchestral music with a choir, booming timpani and soaring french horns. Heroic and powerful.",
     dict(genre="cinematic", has={CHOIR, TIMPANI, 60}, mood="+")),
    ("Ambient soundscape with slowly evolving synth pads and a soft flute. Peaceful, dreamy, very slow.",
     dict(genre="ambient", drums=False, has={FLUTE}, tempo_below=70, mood="+")),
    ("Country song with an acoustic guitar strumming, a fiddle playing the melody and a bass. Cheerful and upbeat.",
     dict(genre="country", drums=True, has={STEEL, VIOLIN}, mood="+", tempo_above=110)),
    ("A folk tune with a banjo, an acoustic guitar and a harmonica. Warm and nostalgic.",
     dict(genre="folk", has={105, HARMONICA})),  # three roles: the third chord instrument stays out
    ("Bossa nova with a nylon guitar, a soft flute melody and an upright bass. Relaxed and sweet.",
     dict(genre="bossa nova", has={NYLON, FLUTE, ACOUSTIC_BASS}, mood="+")),
    ("A salsa track with trumpets, piano montunos, congas and a bass. Joyful and very fast.",
     dict(genre="salsa", drums=True, has={TRUMPET, PIANO}, mood="+", tempo_above=145)),
    ("Blues with an overdriven electric guitar, a harmonica and a shuffle drum groove. Sad and slow.",
     dict(genre="blues", drums=True, has={OVERDRIVE, HARMONICA}, mood="-", tempo_below=85)),
    ("A gospel song with a church organ, a choir and a piano. Uplifting and joyful.",
     dict(genre="gospel", has={19, CHOIR}, mood="+")),
    ("A slow waltz on the accordion with a piano accompaniment.",
     dict(genre="waltz", has={21, PIANO}, tempo_below=85)),
    ("Dark techno with a pounding kick, a synth bass and an aggressive lead synth. Intense.",
     dict(genre="techno", drums=True, has={SYNTH_BASS, LEAD}, mood="-")),
    ("Soul music with a warm rhodes, a saxophone melody, a bass guitar and drums. Emotional.",
     dict(genre="soul", drums=True, has={EPIANO, SAX, FINGER_BASS})),
    ("Punk rock: fast distorted guitars, a driving bass and frantic drums. Angry.",
     dict(genre="punk", drums=True, has={DISTORTION}, mood="-", tempo_above=150)),
    ("A metal song with distorted guitars, double bass drums and a dark, aggressive mood.",
     dict(genre="metal", drums=True, has={DISTORTION}, mood="-")),
    ("Disco with a string section, a funky guitar and a bass guitar. Happy and danceable.",
     dict(genre="disco", drums=True, has={STRINGS, FINGER_BASS}, mood="+")),
    ("A trap beat with a synth lead, deep synth bass and fast hi-hats. Dark and tense.",
     dict(genre="trap", drums=True, has={LEAD, SYNTH_BASS}, mood="-")),
    ("R&B with an electric piano, a synth bass and soft drums. Romantic.",
     dict(genre="r&b", drums=True, has={EPIANO, SYNTH_BASS}, mood="+")),
    ("Latin pop with trumpets, a piano, congas and a bass. Playful.",
     dict(genre="latin", drums=True, has={TRUMPET, PIANO}, mood="+")),
    ("A ska song with trumpet and trombone riffs over an upbeat guitar skank and a walking bass.",
     dict(genre="ska", drums=True, has={TRUMPET})),
    ("Swing music with a big band brass section, a saxophone solo, piano and upright bass. Happy.",
     dict(genre="swing", drums=True, has={SAX, BRASS, ACOUSTIC_BASS}, mood="+")),
    ("Synthwave with a bright lead synth, pads and a synth bass, at 100 BPM. Nostalgic.",
     dict(genre="electronic", has={LEAD, SYNTH_BASS}, tempo_above=99, tempo_below=101)),
    ("Dubstep with an aggressive synth bass and a lead synth. Energetic.",
     dict(genre="edm", drums=True, has={SYNTH_BASS, LEAD})),
    ("A synthpop track with a catchy melody and a pulsing bassline.", dict(genre="electronic", drums=True)),
    ("A big band number with trumpets and saxophones, swinging hard.", dict(genre="swing", drums=True, has={TRUMPET})),
    ("A cumbia with an accordion melody and a bass guitar.", dict(genre="latin", drums=True, has={21, FINGER_BASS})),
    ("New age meditation music with soft pads and chimes.", dict(genre="ambient", drums=False, has={14})),
    ("A doo-wop song with a male vocal group and a piano.", dict(genre="soul", has={PIANO})),
    ("A female vocalist sings this soulful R&B song over a soft keyboard and a simple drum beat with finger snaps.",
     dict(genre="r&b", drums=True, has={FEMALE_VOICE, EPIANO})),
    ("A male singer with an acoustic guitar, warm and intimate.",
     dict(drums=False, has={VOICE, STEEL, FINGER_BASS}, lacks={CELLO}, mood="+")),
    ("A festive, celebratory tune on trumpets.", dict(drums=False, has={TRUMPET}, mood="+")),
    ("A disco track, eerie and ominous.", dict(genre="disco", drums=True, mood="-")),
    ("Serene, soothing piano music.", dict(has={PIANO}, mood="+")),
    ("An up-tempo pop song with a catchy synth hook.", dict(genre="pop", tempo_above=115)),
    ("A rock ballad with piano and a soaring guitar solo.", dict(genre="rock", tempo_below=90)),
    ("A playful classical piece with pizzicato strings and a bell melody.", dict(genre="classical", has={45, 14}, mood="+")),
    ("A jazz ballad with a muted trumpet and brushed drums.", dict(genre="jazz", has={59}, tempo_below=90)),
    ("A gentle lullaby with a music box melody.", dict(genre="lullaby", drums=False, has={10}, tempo_below=85, mood="+")),
    ("Upbeat 8-bit video game music.", dict(genre="chiptune", drums=True, has={80}, tempo_above=115)),
    # --- family words play the genre's own member of the family; drum-kit pieces are no bass --
    ("Heavy metal with screaming vocals, double bass drums and shredding electric guitar solos.",
     dict(genre="metal", drums=True, has={DISTORTION}, lacks={CLEAN, ACOUSTIC_BASS})),
    ("This is a rock music piece. There is an electric guitar playing the main tune while the bass guitar plays in the "
     "background. The drums play a simple rock beat with loud cymbals.",
     dict(genre="rock", drums=True, has={OVERDRIVE, DISTORTION}, lacks={CLEAN})),
    ("This is a trap song with heavy 808 bass, rapid hi-hats and a dark synth melody.",
     dict(genre="trap", drums=True, has={SYNTH_BASS, LEAD}, lacks={FINGER_BASS}, mood="-")),
    ("This song contains a digital drum playing a four on the floor rhythm with a kick on every beat. A sub bass and a "
     "synth lead. This is a house song.", dict(genre="house", drums=True, has={SYNTH_BASS, LEAD})),
    ("The low quality recording features a hip hop song with a male vocal rapping over punchy kick and snare hits, "
     "shimmering hi hats and a groovy bass.", dict(genre="hip hop", drums=True, has={SYNTH_BASS})),
    ("A funk song with a slap bass and a wah-wah guitar, with a horn section.",
     dict(genre="funk", drums=True, has={SLAP, CLEAN, BRASS}, lacks={60})),
    ("The song features a steel guitar, fiddle and banjo. It is a bluegrass tune with a fast tempo.",
     dict(genre="country", drums=True, has={VIOLIN}, tempo_above=125)),
    ("A drum and bass track with fast breakbeats and a deep bass.",
     dict(genre="drum and bass", drums=True, has={SYNTH_BASS}, tempo_above=155)),
    ("A pop ballad with piano and strings.", dict(genre="pop", has={PIANO, STRINGS})),
    ("A punchy bass drum and a piano.", dict(drums=True, has={PIANO}, lacks=set(range(32, 40)))),
    ("A folk song. There is a male vocalist singing. An acoustic guitar strums the chords and a fiddle plays the melody.",
     dict(genre="folk", has={VIOLIN, STEEL})),
    ("Lo-fi hip hop with a mellow rhodes piano and a deep sub bass.", dict(genre="lofi", has={EPIANO, SYNTH_BASS}, lacks={PIANO})),
    # --- named ensembles without a genre ------------------------------------------------------
    ("A solo acoustic guitar piece. There are no other instruments. The mood is calm.",
     dict(drums=False, has={STEEL}, lacks=set(range(32, 40)) | STRINGS_AND_BASSES, mood="+")),
    ("Solo harp, peaceful.", dict(drums=False, has={46}, lacks=set(range(32, 40)) | STRINGS_AND_BASSES)),
    ("Melancholic violin and cello, slow.", dict(drums=False, has={VIOLIN, CELLO}, mood="-", tempo_below=85)),
    ("Solo piano, happy and bright.", dict(drums=False, has={PIANO}, mood="+")),
    ("A string quartet playing a somber theme.", dict(drums=False, has={STRINGS}, mood="-")),
    ("A flute and a harp, peaceful.", dict(drums=False, has={FLUTE, 46}, mood="+")),
    ("An acoustic guitar and a soft voice singing, sweet and warm.", dict(drums=False, has={STEEL, VOICE}, mood="+")),
    ("A brass quintet with trumpets, a french horn and a tuba, triumphant.", dict(drums=False, has={TRUMPET, 58}, mood="+")),
    ("Marimba and vibraphone with drums, playful.", dict(drums=True, has={12, 11}, mood="+")),
    ("A solo cello, lonely and haunting.", dict(drums=False, has={CELLO}, mood="-")),
    ("Electric guitar riff with bass and drums at 140 BPM.", dict(drums=True, has={CLEAN}, tempo_above=139, tempo_below=141)),
    ("The bass line is played by an electric bass while a drum machine keeps a steady beat. A piano plays chords.",
     dict(drums=True, has={FINGER_BASS, PIANO})),
    # --- instruments by other names, and ones GM lacks (the nearest it has plays) -------------
    ("A calm melody on a hang drum over soft pads.", dict(drums=False, has={114, PAD}, mood="+")),
    ("Caribbean music with steel drums and a drum kit.", dict(drums=True, has={114})),
    ("Traditional Chinese music: an erhu plays the melody over a guzheng.", dict(drums=False, has={VIOLIN, 107})),
    ("A bluegrass tune with a fast mandolin and a string bass.",
     dict(genre="country", drums=True, has={105, ACOUSTIC_BASS}, lacks={FINGER_BASS})),
    ("Smooth jazz with vibes, brushed drums and a string bass.", dict(genre="jazz", has={11, ACOUSTIC_BASS})),
    ("Indian film music with a shehnai melody and a santoor.", dict(has={111, 15})),
    # --- negation and exclusion ---------------------------------------------------------------
    ("A rock song with heavy drums and no cymbals.", dict(genre="rock", drums=True)),
    ("A jazz trio without a bass guitar, with an upright bass and piano.",
     dict(genre="jazz", has={ACOUSTIC_BASS, PIANO}, lacks={FINGER_BASS})),
    ("A rock song without a bass drum.", dict(genre="rock", drums=True)),
    ("This song is played on a piano. The drums are not present.", dict(drums=False, has={PIANO})),
    ("A piano ballad. Vocals are absent, and the bass line is missing.",
     dict(has={PIANO}, lacks=VOICES, silent={"bass"})),
    ("A funk groove with a slap bass. The brass is absent.", dict(genre="funk", has={SLAP}, lacks=set(range(56, 64)))),
    ("There are no vocals in this song. A piano plays gentle chords over a soft bass.",
     dict(has={PIANO}, lacks=VOICES)),
    ("There are no voices. Just an ambient pad and a slow piano.", dict(genre="ambient", lacks=VOICES, has={PIANO})),
    ("An instrumental pop song with a synth lead and a bass guitar.", dict(genre="pop", lacks=VOICES, has={LEAD})),
    ("Upbeat pop without drums: a ukulele and hand claps.", dict(genre="pop", drums=False, has={NYLON})),
    ("Jazz trio without piano: a guitar, an upright bass and brushes on the snare.",
     dict(genre="jazz", lacks=PIANOS, has={ACOUSTIC_BASS})),
    ("A rock song with no guitars. Keys and a bass carry the harmony.", dict(genre="rock", lacks=GUITARS)),
    ("A calm song, not fast, with a piano and strings.", dict(tempo_below=130, has={PIANO}, mood="+")),
    ("House music with no bass, only pads and a kick.", dict(genre="house", silent={"bass"}, drums=True)),
    ("A drumless folk song with an acoustic guitar and a violin.", dict(genre="folk", drums=False, has={STEEL, VIOLIN})),
    ("Reggae without drums, a guitar skank and a bass.", dict(genre="reggae", drums=False)),
    ("Hip hop instrumental with a piano loop and heavy drums. No rapping.", dict(genre="hip hop", lacks=VOICES, drums=True)),
    ("A piano-free jazz ballad with a saxophone and a double bass.",
     dict(genre="jazz", lacks=PIANOS, has={SAX, ACOUSTIC_BASS})),
    ("Vocal-free cinematic music with strings and timpani.", dict(genre="cinematic", lacks=VOICES, has={TIMPANI})),
    ("An orchestral piece, not sad at all, with a flute melody.", dict(genre="orchestral", has={FLUTE})),
    ("Classical music without a violin: a piano and a cello.", dict(genre="classical", lacks={VIOLIN}, has={PIANO, CELLO})),
    ("A song with no percussion, only a harp and a choir.", dict(drums=False, has={46, CHOIR})),
    ("Electronic music, no synth pads, a piano and a synth bass.", dict(genre="electronic", lacks=set(range(88, 96)))),
    ("Funk, no brass, with a clavinet and a slap bass.", dict(genre="funk", lacks=set(range(56, 64)), has={7, SLAP})),
    ("A tango with a bandoneon playing the melody over piano chords.", dict(genre="latin", has={23, PIANO})),
    ("Country music without a fiddle, with a banjo and a guitar.", dict(genre="country", lacks={VIOLIN}, has={105})),
    ("A blues with no harmonica, a jazz guitar and a walking upright bass.",
     dict(genre="blues", lacks={HARMONICA}, has={JAZZ_GTR, ACOUSTIC_BASS})),
    ("Lo-fi beat, not too slow, with a rhodes and vinyl crackle.", dict(genre="lofi", has={EPIANO}, tempo_above=66)),
    ("A waltz with strings and no piano.", dict(genre="waltz", lacks=PIANOS, has={STRINGS})),
    ("Cinematic music with no choir and no drums: strings and a french horn.",
     dict(genre="cinematic", drums=False, lacks={CHOIR}, has={60})),
    ("EDM at 126 bpm without a lead synth, with pads and a synth bass.", dict(genre="edm", lacks={LEAD}, has={SYNTH_BASS})),
    # --- who plays what, said of players and parts ------------------------------------------
    ("This is a classical music piece performed by a solo cellist. The cello plays a slow and mournful melody. "
     "The atmosphere is sad.", dict(genre="classical", drums=False, has={CELLO}, mood="-", tempo_below=85)),
    ("A male vocalist sings this energetic song. The tempo is fast with aggressive drumming, distorted electric guitar "
     "riffs and a heavy bass line. This is heavy metal.", dict(genre="metal", drums=True, has={DISTORTION}, tempo_above=119)),
    ("A pianist, a bassist and a drummer play a bright tune.", dict(drums=True, has={PIANO, FINGER_BASS}, mood="+")),
    ("No drummer here: just a guitarist and a singer, calm and warm.", dict(drums=False, has={STEEL, VOICE}, mood="+")),
    ("Smooth jazz with piano and a walking bass line, late at night.", dict(genre="jazz", drums=True, has={PIANO, ACOUSTIC_BASS})),
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("caption, expected", CORPUS, ids=[caption[:40] for caption, _ in CORPUS])
def test_each_caption_gets_the_expected_decisions(caption, expected):
    style = parse_prompt(caption)
    playing = {program for role, program in style.instruments.items() if role not in style.silent}
    assert style.genre == expected.get("genre", style.genre)
    assert style.drums == expected.get("drums", style.drums)
    assert expected.get("has", set()) <= playing, (playing, style.recognised)
    assert not (set(expected.get("lacks", ())) & playing), (playing, style.recognised)
    assert style.tempo_range[1] <= expected.get("tempo_below", 1000)
    assert style.tempo_range[0] >= expected.get("tempo_above", 0)
    if "mood" in expected:
        assert (style.valence > 0) == (expected["mood"] == "+"), (style.valence, style.recognised)
    assert style.silent == frozenset(expected.get("silent", ()))
    assert len(set(style.instruments.values())) == len(style.instruments) or style.instruments["melody"] in range(0, 8) \
        or len(playing) < 3  # no instrument doubled across roles, but for a piano that plays its own melody
