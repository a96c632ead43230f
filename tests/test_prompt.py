import numpy as np
import pretty_midi
import pytest

from expotion.generators.composer.prompt import (FEMALE_VOICE, MALE_VOICE, MOOD_WORDS, OCTAVES_PER_AROUSAL, TEMPO_WORDS,
                                                 WHISTLE, parse_prompt)

REGGAE_CAPTION = (
    "This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric "
    "guitar plays the offbeat chords. There is a reggae drum beat and a bass guitar in the background. "
    "The atmosphere is laid-back. This piece could be played in a beach bar."
)


def names(style):
    return {role: pretty_midi.program_to_instrument_name(p) for role, p in style.instruments.items()}


def test_long_caption_maps_to_its_genre_instruments_and_feel():
    style = parse_prompt(REGGAE_CAPTION)
    assert style.genre == "reggae" and style.groove == "reggae"
    assert names(style) == {"melody": "Acoustic Guitar (nylon)", "harmony": "Electric Guitar (clean)", "bass": "Electric Bass (finger)"}
    assert style.tempo_range[1] <= 95 and style.arousal < 0


def test_named_instruments_are_the_ones_that_play():
    style = parse_prompt("melancholic violin and cello, slow")
    assert style.instruments["melody"] == 40 and style.instruments["bass"] == 42
    assert not style.drums and style.groove == "classical"  # nobody asked for drums: a string ensemble
    assert style.valence < 0 and style.tempo_range == (60, 80)
    piano = parse_prompt("solo piano, happy")
    assert set(piano.instruments.values()) == {0} and piano.valence > 0


@pytest.mark.parametrize("strummed", ["ukulele", "charango", "cavaquinho", "banjolele"])
def test_a_strummed_instrument_plays_the_chords_under_a_singer_or_a_whistle(strummed):
    assert parse_prompt(f"{strummed} and vocals").instruments == {"melody": 53, "harmony": 24, "bass": 33}
    assert parse_prompt(f"a {strummed} and whistling").instruments["melody"] == WHISTLE
    assert parse_prompt(f"laid-back reggae with {strummed} melody").instruments["melody"] == 24  # unless told otherwise


def test_the_bass_comes_from_the_family_of_the_instrument_that_plays_the_chords():
    assert parse_prompt("a guitar and a flute").instruments == {"melody": 73, "harmony": 25, "bass": 33}
    assert parse_prompt("banjo and fiddle").instruments["bass"] == 32  # an upright bass, not a cello
    assert parse_prompt("harp and flute").instruments["bass"] == 42  # a harp is of the strings


def test_a_role_word_belongs_to_the_instrument_it_is_said_of():
    jazz = parse_prompt("Smooth jazz with piano and a walking bass line")
    assert jazz.instruments["harmony"] == 0 and jazz.instruments["bass"] == 32  # an upright bass walks, not the piano
    ballad = parse_prompt("A rock ballad with piano and a soaring guitar solo")
    assert ballad.instruments["melody"] in range(24, 32) and ballad.instruments["harmony"] == 0
    assert parse_prompt("a synth playing the bass line in an 80s pop song").instruments["bass"] == 81
    passive = parse_prompt("The lead melody is played on an electric guitar, with an organ in the background.")
    assert passive.instruments["melody"] in range(24, 32) and passive.instruments["harmony"] == 16
    cello = parse_prompt("The bass line is carried by a cello under a flute melody.")
    assert (cello.instruments["bass"], cello.instruments["melody"]) == (42, 73)
    beside_piano = parse_prompt("a bass line and a piano melody")
    assert beside_piano.instruments["melody"] == 0 and beside_piano.instruments["bass"] in range(32, 40)
    assert "bass line" in beside_piano.recognised and "no bass line" in parse_prompt("no bass line, just piano").recognised


def test_players_name_their_instrument():
    cellist = parse_prompt("A classical piece performed by a solo cellist. The cello plays a slow and mournful melody.")
    assert cellist.instruments["melody"] == 42  # a cello may lead; a bass guitar never does
    bass_guitar = parse_prompt("a bass guitar plays the melody").instruments
    assert bass_guitar["bass"] == 33 and bass_guitar["melody"] not in range(32, 40)
    jazz = parse_prompt("A pianist, a bassist and a drummer")
    assert jazz.drums and jazz.instruments["harmony"] == 0 and jazz.instruments["bass"] in range(32, 40)
    assert not parse_prompt("no drummer, just a guitarist and a singer").drums
    country = parse_prompt("A country ballad with a pedal steel and an acoustic guitar")
    assert (country.instruments["melody"], country.instruments["harmony"]) == (27, 25)  # GM's nearest to a pedal steel
    assert parse_prompt("A male rapper raps over a beat").genre == "rap"


def test_genre_and_explicit_tempo():
    style = parse_prompt("Epic cinematic orchestral piece with choir and timpani, 92 BPM")
    assert style.genre == "cinematic" and style.tempo_range == (92, 92) and style.tempo_from_prompt
    assert 52 in style.instruments.values() and 47 in style.instruments.values()
    assert parse_prompt("a funky groove with slap bass").instruments["bass"] == 36
    assert parse_prompt("a slow waltz on the accordion").meter == 3
    minute = parse_prompt("a piano piece at 90 beats per minute")
    assert minute.tempo_range == (90, 90) and not minute.drums  # beats per minute ask for no beat
    assert parse_prompt("an adagio for strings").tempo_range[1] <= 76 and parse_prompt("a presto for piano").tempo_range[0] >= 168
    assert parse_prompt("a folk song in 3/4 time").meter == 3 and parse_prompt("a folk song in 4/4").meter == 4
    assert parse_prompt("The tempo is medium fast.").tempo_range[0] >= 110  # not "medium"
    assert parse_prompt("slow to medium tempo").tempo_range[1] <= 95


def test_a_mood_without_a_genre_or_a_tempo_sets_the_tempo():
    plain = parse_prompt("a song").tempo_range
    sad, happy = parse_prompt("a sad song").tempo_range, parse_prompt("a happy song").tempo_range
    assert sad[1] < plain[1] and happy[0] > plain[0]  # slower for a sad mood, faster for a happy one
    assert parse_prompt("a gentle lullaby").tempo_range == parse_prompt("a lullaby").tempo_range  # the genre's
    assert parse_prompt("a happy song, slow").tempo_range == (60, 80)  # a tempo word says the tempo
    assert parse_prompt("a sad song at 120 bpm").tempo_range == (120, 120)
    assert not parse_prompt("a sad song").tempo_from_prompt  # the movement's tempo still leads
    both = [word for word in TEMPO_WORDS if word in MOOD_WORDS]  # the slope is these words' own
    slope, _ = np.polyfit([MOOD_WORDS[w][1] for w in both], [np.log2(np.mean(TEMPO_WORDS[w])) for w in both], 1)
    assert slope == pytest.approx(OCTAVES_PER_AROUSAL, abs=0.02)


@pytest.mark.parametrize("prompt, time_signature", [
    ("a folk ballad in 6/8", "6/8"), ("slow blues in 12/8", "12/8"), ("a nine-eight groove", "9/8"),
    ("a piano piece in compound time", "6/8"), ("a slip jig", "9/8"), ("a folk song in 3/4 time", "3/4"),
    ("a slow waltz", "3/4"), ("pop in 4/4", "4/4"), ("rock music", "4/4"), ("a military march", "2/4"),
    ("a polka on the accordion", "2/4"), ("a song in 2/4", "2/4"), ("jazz in 5/4", "5/4"), ("a seven-four groove", "7/4")])
def test_the_time_signature_a_prompt_names(prompt, time_signature):
    style = parse_prompt(prompt)
    assert style.time_signature == time_signature
    assert style.compound == time_signature.endswith("/8")


def test_a_jig_is_folk_music_in_six_eight():
    jig = parse_prompt("an Irish jig on the fiddle")
    assert (jig.genre, jig.time_signature, jig.instruments["melody"]) == ("folk", "6/8", 40)


def test_a_cello_or_a_bassoon_with_no_one_else_to_lead_plays_the_melody():
    assert parse_prompt("sad cello").instruments == {"melody": 42, "harmony": 48, "bass": 43}  # the contrabass below it
    assert parse_prompt("a cello and a piano").instruments == {"melody": 42, "harmony": 0, "bass": 0}
    assert parse_prompt("a bassoon").instruments["melody"] == 70
    assert parse_prompt("melancholic violin and cello").instruments["bass"] == 42  # beside a violin it plays the bass
    assert parse_prompt("a walking bass line on the cello").instruments["bass"] == 42  # as its words say
    assert parse_prompt("orchestral piece with a solo cello").instruments["bass"] == 43  # never the cello twice


def test_a_march_is_a_band_with_drums_in_two_four_and_drum_and_bass_names_no_bass():
    march = parse_prompt("a brass band march")
    assert (march.genre, march.time_signature, march.drums, march.instruments["bass"]) == ("march", "2/4", True, 58)
    assert parse_prompt("drum and bass").recognised == ["drum and bass"]


def test_the_first_genre_named_wins_and_the_longest_name_where_two_begin_together():
    assert parse_prompt("a pop punk anthem").genre == "punk" and parse_prompt("an indie folk song").genre == "folk"
    assert parse_prompt("an indie song with a jazz guitar").genre == "rock"
    assert parse_prompt("a boom bap beat").genre == "hip hop" and parse_prompt("drum & bass at night").genre == "drum and bass"


def test_mood_words_set_valence_and_arousal():
    assert parse_prompt("a tranquil, blissful piece").valence > 0 > parse_prompt("a tranquil, blissful piece").arousal
    assert parse_prompt("a sinister, urgent piece").valence < 0 < parse_prompt("a sinister, urgent piece").arousal


def test_words_for_soft_playing_calm_the_music():
    neutral = parse_prompt("a piano piece").arousal
    for prompt in ("quiet and soft", "a mellow tune", "calming music", "laid back guitar"):
        style = parse_prompt(prompt)
        assert style.arousal < neutral and style.valence > 0, (prompt, style.recognised)


def test_a_cappella_or_no_instruments_is_voices_alone():
    for prompt in ("An a cappella group sings in harmony", "A choir sings a hymn without instruments"):
        style = parse_prompt(prompt)
        assert set(style.instruments.values()) <= {52, 53, 54} and not style.drums and "voices only" in style.recognised
    assert parse_prompt("A solo piano piece. There are no other instruments.").instruments["bass"] == 0
    assert 53 in parse_prompt("A man sings over an acoustic guitar").instruments.values()


@pytest.mark.parametrize("prompt, voice", [
    ("soft female vocals over a piano", FEMALE_VOICE), ("a woman singing with an acoustic guitar", FEMALE_VOICE),
    ("a pop song with a girl's voice", FEMALE_VOICE), ("an aria sung by a soprano", FEMALE_VOICE),
    ("a man singing with an acoustic guitar", MALE_VOICE), ("a rock song with male vocals", MALE_VOICE),
    ("a tenor and a piano", MALE_VOICE), ("a woman is singing an aria with a piano", FEMALE_VOICE),
    ("kids singing a nursery rhyme with a ukulele", FEMALE_VOICE), ("a K-pop song with a girl group", FEMALE_VOICE),
    ("a ballad sung by a woman", FEMALE_VOICE), ("a pop song with vocals", MALE_VOICE),
    ("a soulful female lead singer and an organ", FEMALE_VOICE), ("people singing along to a guitar", MALE_VOICE)])
def test_a_singer_said_to_be_a_woman_or_a_man_sings_in_that_voice(prompt, voice):
    style = parse_prompt(prompt)
    assert style.instruments["melody"] == voice
    assert FEMALE_VOICE not in {style.instruments["harmony"], style.instruments["bass"]}  # no singer on the chords


def test_a_singer_sings_the_tune_and_an_instrument_said_to_play_it_accompanies_them():
    piano = parse_prompt("The song features a female vocal singing over a piano melody.")
    assert (piano.instruments["melody"], piano.instruments["harmony"]) == (FEMALE_VOICE, 0)
    rock = parse_prompt("A rock song with a flat male vocal singing over punchy drums, a bass guitar and an electric "
                        "guitar melody.")
    assert (rock.instruments["melody"], rock.instruments["harmony"]) == (MALE_VOICE, 30)  # the band's distorted chords
    assert parse_prompt("A flute melody with a male singer").instruments["melody"] == 73  # a flute plays no chords
    assert parse_prompt("male backing vocals under a piano melody").instruments["melody"] == 0
    soul = parse_prompt("a soulful female lead singer with backing singers and an organ")
    assert soul.instruments["harmony"] == 16  # backing singers leave the chords to the organ: voices carry no beat
    assert parse_prompt("Carnatic music: a violin accompanies the singer").instruments["melody"] == MALE_VOICE
    reggaeton = parse_prompt("A reggaeton song with a male vocalist rapping, a dembow beat and a synth lead.")
    assert reggaeton.rapped and (reggaeton.instruments["melody"], reggaeton.instruments["harmony"]) == (MALE_VOICE, 81)


def test_a_verb_of_singing_is_the_singer_named_beside_it():
    hymn = parse_prompt("A children's choir sings a hymn accompanied by an organ in a church.")
    assert MALE_VOICE not in hymn.instruments.values() and {52, 16} <= set(hymn.instruments.values())
    assert parse_prompt("A female vocalist sings over a guitar").recognised[:2] == ["female vocalist", "guitar"]
    assert parse_prompt("someone humming over a guitar").instruments["melody"] == MALE_VOICE


@pytest.mark.parametrize("prompt, rapped, voice", [
    ("a hip hop song with a male vocal rapping over a boom bap beat", True, MALE_VOICE),
    ("a female rapper over a trap beat", True, FEMALE_VOICE), ("a rap song", True, MALE_VOICE),
    ("a hip hop song with a male vocal", False, MALE_VOICE), ("an instrumental rap beat", False, None),
    ("instrumental hip hop, no rap", False, None), ("a rap song with a saxophone melody", False, None)])
def test_a_voice_raps_where_the_prompt_speaks_of_rap(prompt, rapped, voice):
    style = parse_prompt(prompt)
    assert style.rapped == rapped
    if voice:
        assert style.instruments["melody"] == voice
    else:
        assert style.instruments["melody"] not in (FEMALE_VOICE, MALE_VOICE)


def test_a_genre_named_beside_a_rapper_is_the_style():
    assert parse_prompt("a female rapper over a trap beat").genre == "trap"
    assert parse_prompt("a rapper and a piano").genre == "rap" and parse_prompt("a cowboy song").genre == "country"


def test_an_e_guitar_and_an_e_bass_are_electric():
    electric = parse_prompt("an e-guitar plays the chords over an e-bass")
    assert electric.instruments == {"melody": 27, "harmony": 27, "bass": 33}
    assert parse_prompt("a rock song with an e-guitar riff and an e-bass").instruments["bass"] == 34  # the genre's own


def test_a_genre_named_only_as_a_use_of_the_music_does_not_set_its_style():
    guitar = parse_prompt("A fast electric guitar melody over punchy drums. This could be playing in a video game.")
    assert guitar.genre == "pop" and guitar.instruments["melody"] == 27
    singer = parse_prompt("A male vocal over an acoustic guitar. It could be used in the soundtrack of a romantic "
                          "movie.")
    assert singer.genre == "pop" and not singer.drums
    assert parse_prompt("Music suitable for a video game.").genre == "chiptune"  # nothing else says what it is
    assert parse_prompt("A classical piece by an orchestra, perfect for a film score.").genre == "classical"


def test_a_saxophone_named_by_its_voice_is_still_a_saxophone():
    assert parse_prompt("a tenor sax solo").instruments["melody"] == 66
    assert parse_prompt("a baritone saxophone and drums").instruments["melody"] == 67
    assert parse_prompt("a woman dancing to jazz").instruments == parse_prompt("jazz").instruments  # no one sings


def test_a_voice_or_an_instrument_said_to_play_is_not_denied_by_another_name():
    assert parse_prompt("A song with vocals but no lyrics").instruments["melody"] == 53
    assert parse_prompt("A female vocalist. No male vocals.").instruments["melody"] == FEMALE_VOICE
    assert parse_prompt("without piano, with an electric piano").instruments["harmony"] == 4
    assert 53 not in parse_prompt("An instrumental piece. This song doesn't have vocals.").instruments.values()


@pytest.mark.parametrize("prompt", ["just drums", "a drum solo", "percussion only, fast", "no instruments, just a beat",
                                    "no instruments except drums", "a drum beat and nothing else",
                                    "only drums and no other instruments"])
def test_just_drums_silence_every_other_role(prompt):
    style = parse_prompt(prompt)
    assert style.drums and style.silent == {"melody", "harmony", "bass"} and style.instruments["melody"] != 53


@pytest.mark.parametrize("prompt, silent", [
    ("just drums and bass", {"melody", "harmony"}), ("only bass and drums", {"melody", "harmony"}),
    ("piano chords without a melody", {"melody"}), ("rock with no chords", {"harmony"}),
    ("no melody and no bass line, over drums", {"melody", "bass"}),
    ("a flute with no chords and no bass", {"bass"}),  # without drums the chords keep the beat
    ("a choir sings without instruments", set()),
    ("a saxophone solo over just drums", {"harmony", "bass"}),  # the roles of the instruments named play
    ("an Irish jig on the fiddle, just bass and drums underneath", {"harmony"}),
    ("a piano and drums, no other instruments", set())])
def test_roles_the_prompt_denies_are_silent(prompt, silent):
    assert parse_prompt(prompt).silent == silent


def test_unknown_words_are_ignored():
    style = parse_prompt("zorblax quintessential flimflam 🎵")
    assert style.genre == "pop" and style.recognised == [] and not style.tempo_from_prompt
    assert parse_prompt("").genre == "pop"


def test_named_hand_percussion_plays_without_bringing_the_drum_kit():
    sitar = parse_prompt("Indian classical music with a sitar and tabla")
    assert not sitar.drums and set(sitar.percussion) == {60, 61}  # GM has no tabla: its bongos
    latin = parse_prompt("Latin music with congas and hand claps")
    assert latin.drums and {63, 64, 39} <= set(latin.percussion)
    assert parse_prompt("ambient music without congas or a shaker").percussion == ()
    assert parse_prompt("a rock song").percussion == ()
    cajon = parse_prompt("An acoustic guitar and a cajon, with a darbuka")
    assert not cajon.drums and {64, 63, 61, 60} <= set(cajon.percussion)  # congas and bongos
    shaker = parse_prompt("Someone plays a didgeridoo while another person plays a shaker")
    assert not shaker.drums and shaker.percussion == (70,)  # no genre and no kit asked for: the shaker alone
    samba = parse_prompt("A samba with a cavaquinho, a pandeiro and a surdo")
    assert samba.drums and {54, 64} <= set(samba.percussion)  # the tambourine's jingles, the low conga
    sleigh = parse_prompt("A Christmas song with sleigh bells, a choir and a piano")
    assert 54 in sleigh.percussion and 14 not in sleigh.instruments.values()  # jingles, not tubular bells
    samba = parse_prompt("samba with agogo bells, a guiro and a cabasa")
    assert set(samba.percussion) == {67, 68, 73, 69} and 14 not in samba.instruments.values()


def test_a_named_key_or_mode_is_read_as_written():
    assert (parse_prompt("A sad piano piece in F# minor").tonic, parse_prompt("A sad piano piece in F# minor").mode) == (6, "minor")
    style = parse_prompt("strings in the key of Eb major")
    assert (style.tonic, style.mode) == (3, "major") and "Eb major" in style.recognised
    assert (parse_prompt("rock in C sharp minor").tonic, parse_prompt("in d-flat major").tonic) == (1, 1)
    minor = parse_prompt("a happy minor-key ballad")
    assert (minor.tonic, minor.mode) == (None, "minor")
    unnamed = parse_prompt("A major hit with drums")  # "major" without "in" or "key" is no key
    assert (unnamed.tonic, unnamed.mode) == (None, None)


def test_an_instrument_is_found_in_the_singular_as_in_the_plural():
    for prompt, program in (("a steel drum melody", 114), ("steel drums", 114), ("pan pipe", 75), ("wind chimes", 14)):
        style = parse_prompt(prompt)
        assert style.instruments["melody"] == program and not style.drums, (prompt, style.recognised)


def test_chant_and_barbershop_are_voices_alone_and_classical_forms_are_classical():
    for prompt in ("Gregorian chant sung by monks in a cathedral", "a barbershop quartet"):
        style = parse_prompt(prompt)
        assert "voices only" in style.recognised and not style.drums, (prompt, style.recognised)
    assert {parse_prompt(form).genre for form in ("a nocturne", "a fugue for organ", "a piano etude", "a prelude")} == {"classical"}


def test_a_keyboard_named_alone_beside_a_band_plays_the_melody_unless_told_to_play_chords():
    for prompt, genre in (("classical piano", "classical"), ("jazz piano", "jazz"), ("rock with an organ", "rock")):
        style = parse_prompt(prompt)
        assert style.genre == genre and style.instruments["melody"] in (0, 16), (prompt, style.instruments)
    assert parse_prompt("jazz piano trio with upright bass").instruments["melody"] == 0
    reggae = parse_prompt("reggae with organ skank chords")
    assert reggae.instruments["harmony"] == 16 and reggae.instruments["melody"] != 16
    assert parse_prompt("jazz with piano and saxophone").instruments["melody"] != 0


def test_without_drums_a_leading_keyboard_plays_the_chords_too():
    for prompt in ("classical piano", "a piano sonata", "ambient piano"):
        style = parse_prompt(prompt)
        assert not style.drums and style.instruments["melody"] == style.instruments["harmony"] == 0, prompt
    assert parse_prompt("rock with an organ").instruments["harmony"] == 30  # the drums keep the beat
    assert parse_prompt("a sonata for violin and piano").instruments["melody"] == 40


def test_instruments_gm_lacks_play_on_their_nearest_and_a_frame_drum_is_no_kit():
    assert parse_prompt("an Armenian duduk melody").instruments["melody"] == 69
    assert set(parse_prompt("Turkish saz and ney").instruments.values()) >= {106, 77}
    assert parse_prompt("a moog bass line under a piano").instruments["bass"] == 38
    frame_drum = parse_prompt("a frame drum and a flute")
    assert not frame_drum.drums and frame_drum.percussion and frame_drum.instruments["melody"] == 73


def test_loud_music_with_no_genre_or_instrument_named_is_rock():
    for prompt in ("loud and aggressive", "something forceful"):
        assert parse_prompt(prompt).genre == "rock", prompt
    assert parse_prompt("a loud piano").genre == "pop" and parse_prompt("not loud at all").genre == "pop"
    assert parse_prompt("loud techno").genre == "techno"
