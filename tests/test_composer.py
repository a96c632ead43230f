import shutil

import numpy as np
import pytest

from expotion.audio import synth
from expotion.audio.loudness import CEILING, TARGET_DBFS, loudness_dbfs
from expotion.audio.synth import BUNDLED_SOUNDFONT, find_soundfont
from expotion.controls import extract_controls
from expotion.errors import ExpotionError
from expotion.generators import create_generator
from expotion.audio.timing import music_timing
from expotion.generators.composer.arrange import UNEVEN_BEAT, Arranger, Bar
from expotion.generators.composer.grooves import SHAKER
from expotion.generators.composer.harmony import NOTE_NAMES, Key, parse_numeral, voice
from expotion.generators.composer.prompt import GENRES, parse_prompt
from expotion.generators.composer.rhythm import HEARD_TEMPO, BeatGrid
from expotion.testing.controls import synthetic_controls
from expotion.testing.soundfonts import quieter_kit_soundfont

CAPTION = "Upbeat funk with slap bass, brass and drums"


@pytest.fixture(scope="module")
def controls(videos):
    path, _ = videos("30fps")
    return extract_controls(path)


@pytest.fixture(scope="module")
def music(controls):
    return create_generator("composer").generate(controls, CAPTION, controls.duration, seed=7)


def test_audio_lasts_exactly_the_requested_duration(controls):
    composer = create_generator("composer")
    for duration in (controls.duration, 3.3337):
        audio = composer.generate(controls, "calm piano", duration, seed=1).audio
        assert audio.shape == (int(round(duration * 44100)), 2)


def test_same_seed_same_music_other_seed_other_music(controls, music):
    again = create_generator("composer").generate(controls, CAPTION, controls.duration, seed=7)
    np.testing.assert_array_equal(again.audio, music.audio)
    other = create_generator("composer").generate(controls, CAPTION, controls.duration, seed=8)
    assert not np.array_equal(other.audio, music.audio)


def test_loudness_normalised_and_never_clipped(music):
    assert np.abs(music.audio).max() <= CEILING + 1e-6
    assert loudness_dbfs(music.audio, music.sample_rate) == pytest.approx(TARGET_DBFS, abs=2.0)


def test_beats_sit_on_the_movement_beats(controls, music):
    stops = controls.movement_beats
    on_a_beat = [np.min(np.abs(music.beat_times - stop)) <= 0.02 for stop in stops]
    assert np.mean(on_a_beat) >= 0.5  # the portrait's turns: beats or half-beats of the groove
    drums = next(track for track in music.score.instruments if track.is_drum)
    onsets = np.array([note.start for note in drums.notes])
    for beat in music.beat_times[1:-1]:
        assert np.min(np.abs(onsets - beat)) < 0.001 or not len(onsets)


def intended_beats_heard(stops, prompt: str) -> list[bool]:
    """Music for 16 s of a person stopping at `stops`: `meant_beats_heard`."""
    return meant_beats_heard(create_generator("composer").generate(synthetic_controls(16.0, stops), prompt, 16.0, seed=1))


def meant_beats_heard(music) -> list[bool]:
    """For each beat the composer meant between 1 and 15 s of 16 s of music (once librosa's
    tracker has settled in), whether it heard a beat within 50 ms."""
    heard = music_timing(music.audio, music.sample_rate).beats
    intended = music.beat_times[(music.beat_times > 1.0) & (music.beat_times < 15.0)]
    return [np.min(np.abs(heard - beat)) <= 0.05 for beat in intended]


@pytest.mark.parametrize("genre", sorted(GENRES))
def test_the_beat_a_listener_hears_is_the_intended_beat(genre):
    """librosa's beat tracker, run on the rendered audio, finds the composer's beats."""
    period = 60 / np.sqrt(np.prod(GENRES[genre].tempo))
    period = period * 2 if period < 60 / HEARD_TEMPO[1] else period  # as the composer would fold it
    stops = np.arange(0.3, 15.7, period) + np.random.default_rng(0).normal(0, 0.01, len(np.arange(0.3, 15.7, period)))
    hit = np.mean(intended_beats_heard(stops, f"{genre} music"))
    assert hit >= 0.9, f"{genre}: {hit:.0%} of the intended beats heard"


@pytest.mark.parametrize("prompt, bpm", [("ambient music", 75.0), ("ambient music", 125.0),
                                         ("blues without drums", 110.0), ("blues without drums", 125.0),
                                         ("rock without drums", 110.0), ("rock without drums", 125.0),
                                         ("an a cappella group", 75.0), ("an a cappella group", 125.0),
                                         ("a guitar and whistling", 110.0)])
def test_music_without_drums_is_heard_on_the_beat_of_a_drifting_person(prompt, bpm):
    """Three people whose tempo drifts by ±10 % over 8 s (one person's 14 beats are too few to
    judge a groove by: one beat heard off moves the share by 7 %). Ambient's broken chords carry
    the beat, also in calm bars (a pad's slow attack barely marks it, and a held chord not at
    all); a shuffle's chords between the beats are ghosted where no drums mark the beat (heard
    at full strength, the swung upbeat was heard as the beat), and rock's power chords, as loud
    at any velocity on a distorted guitar, play on the beats alone; voices alone mark it with GM's
    Synth Voice (its Choir Aahs swell into each chord); whistling plays on the ocarina (the bundled
    font's whistle trembles three times a second)."""
    hits = [heard for person in range(3) for heard in intended_beats_heard(drifting_person(person, bpm), prompt)]
    assert np.mean(hits) >= 0.85, f"{np.mean(hits):.0%} of the intended beats heard"


def test_without_drums_only_a_distorted_guitar_leaves_out_the_chords_between_the_beats():
    """Its amp plays a ghosted chord as loud as the beat; a piano's ghosts stay soft."""
    stops = drifting_person(0, 110.0)
    for prompt, between in (("rock without drums", False), ("rock with piano chords and no drums", True)):
        music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.6), prompt, 16.0, seed=0)
        harmony = next(track for track in music.score.instruments if track.name.startswith("harmony"))
        starts = np.array([note.start for note in harmony.notes])
        starts = starts[(starts > music.beat_times[0]) & (starts < music.beat_times[-1])]
        off_the_beat = np.min(np.abs(starts[:, None] - music.beat_times[None, :]), axis=1) > 0.05
        assert off_the_beat.any() == between, prompt


@pytest.mark.parametrize("bpm", [110.0, 120.0])
def test_swung_chords_on_a_distorted_guitar_are_heard_on_the_beat(bpm):
    """Through a guitar amp a ghosted swung upbeat sounds as loud as the beat, and was heard as
    the beat: swung grooves keep their chords out of the amp."""
    hits = [heard for person in range(3)
            for heard in intended_beats_heard(drifting_person(person, bpm), "jazz with distorted guitar comping")]
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.0%} of the intended beats heard"


def drifting_person(person: int, bpm: float) -> np.ndarray:
    """Stops of a person whose tempo drifts by ±10 % over 8 s around `bpm`, 20 ms of jitter."""
    rng, time, stops = np.random.default_rng(person), 0.4, []
    while time < 15.6:
        stops.append(time + rng.normal(0, 0.02))
        time += 60 / bpm * (1 + 0.1 * np.sin(2 * np.pi * time / 8))
    return np.array(stops)


@pytest.mark.parametrize("prompt, beats_per_bar", [("folk music in 6/8 with a shaker", 2), ("rock in 12/8", 4)])
@pytest.mark.parametrize("bpm", [80.0, 120.0])
def test_compound_time_divides_the_beat_in_three_and_is_heard_on_the_beat(prompt, beats_per_bar, bpm):
    """In 6/8 and 12/8 the notes between the beats fall on a third or two thirds of the beat,
    never on its half (a shaker's "and" on the third eighth), and a bar has two or four beats.
    Slower than 100 BPM only the last eighth plays (with all three, librosa heard every second
    eighth as the beat); the beat heard is the beat meant."""
    hits = []
    for person in range(3):
        stops = drifting_person(person, bpm)
        music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.6), prompt, 16.0, seed=person)
        beats = music.beat_times
        downbeats = np.searchsorted(beats, music.decisions["downbeats"][1:])
        assert set(np.diff(downbeats)) == {beats_per_bar}
        starts = np.array([note.start for track in music.score.instruments for note in track.notes])
        starts = starts[(starts > beats[0]) & (starts < beats[-1])]
        beat = np.searchsorted(beats, starts + 0.001) - 1
        fraction = (starts - beats[beat]) / (beats[beat + 1] - beats[beat])
        sixths = np.round(fraction * 6)  # in sixths of a beat: 2 and 4 are eighths, 3 a half
        assert set(sixths[fraction > 0.01]) == ({4.0} if bpm < 100 else {2.0, 4.0})
        shaker = np.array([note.start for track in music.score.instruments for note in track.notes
                           if track.is_drum and note.pitch == SHAKER])
        assert set(sixths[np.isin(starts, shaker) & (fraction > 0.01)]) <= {4.0}
        hits += meant_beats_heard(music)
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.0%} of the intended beats heard"


@pytest.mark.parametrize("prompt, beats_per_bar", [("a military march with brass and snare drums", 2), ("jazz in 5/4", 5),
                                                   ("rock in 7/4", 7)])
@pytest.mark.parametrize("bpm", [80.0, 120.0])
def test_a_bar_has_the_beats_its_time_signature_gives_and_is_heard_on_the_beat(prompt, beats_per_bar, bpm):
    """2/4, 5/4, 7/4: bars of two, five or seven beats, drums or bass on every beat (the
    four-beat grooves laid through the longer bars), no melody note held across a bar line,
    and the beat heard where it is meant."""
    hits = []
    for person in range(3):
        stops = drifting_person(person, bpm)
        music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.6), prompt, 16.0, seed=person)
        beats, downbeats = music.beat_times, np.array(music.decisions["downbeats"])
        assert set(np.diff(np.searchsorted(beats, downbeats[1:]))) == {beats_per_bar}
        tracks = {track.name.split(":")[0]: track for track in music.score.instruments}
        struck = np.array([note.start for role in ("drums", "bass") for note in tracks[role].notes])
        assert all(np.min(np.abs(struck - beat)) < 0.001 for beat in beats[(beats > downbeats[1]) & (beats < 15.0)])
        for note in tracks["melody"].notes:
            bar_end = downbeats[np.searchsorted(downbeats, note.start + 0.001):][:1]
            assert not len(bar_end) or note.end <= bar_end[0] + 0.001
        hits += meant_beats_heard(music)
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.0%} of the intended beats heard"


def test_funk_is_heard_on_the_beat_of_a_person_whose_stops_shift():
    """Twelve people (three tempi, four people each) who stop on a steady beat but three times
    shift their stops by a fifth of a beat, and stay shifted. Funk's kick and bass pushed the
    beat by a sixteenth; after such a shift librosa heard the pushes as the beat (0.89 of the
    intended beats heard); on the beat and the "and" it hears 0.95."""
    hits = []
    for period in (0.5, 0.56, 0.6):
        for person in range(4):
            rng = np.random.default_rng(person)
            intervals = np.full(40, period)
            for shift in rng.choice(np.arange(3, 26), 3, replace=False):
                intervals[shift] *= rng.choice([0.8, 1.2])
            stops = 0.4 + np.cumsum(intervals)
            hits += intended_beats_heard(stops[stops < 15.6], "funk music")
    assert np.mean(hits) >= 0.92, f"{np.mean(hits):.0%} of the intended beats heard"


@pytest.mark.parametrize("prompt, period", [("rock music", 0.75), ("funk music", 0.75), ("classical music", 0.75),
                                            ("classical music", 0.97), ("sad cello", 0.9)])
def test_slow_music_is_heard_at_its_tempo_not_at_double(prompt, period):
    """At 80 BPM nothing starts between the beats: the groove's eighths are left out of drums,
    bass and chords, and the melody's start on the beat before, so librosa hears 80 BPM (it
    heard 160 while soft hi-hats, or a violin's eighths, played between the beats). Strings
    at 62–67 BPM were heard at double time while their chords sounded through each beat."""
    stops = np.arange(0.4, 15.6, period) + np.random.default_rng(2).normal(0, 0.01, len(np.arange(0.4, 15.6, period)))
    music = create_generator("composer").generate(synthetic_controls(16.0, stops), prompt, 16.0, seed=3)
    assert np.median(np.diff(music.beat_times)) == pytest.approx(period, rel=0.03)
    for track in music.score.instruments:
        if track.name.split(":")[0] in ("drums", "bass", "harmony", "melody"):
            starts = np.array([note.start for note in track.notes if note.start > 0])
            assert all(np.min(np.abs(music.beat_times - start)) < 0.001 for start in starts), track.name
    heard = music_timing(music.audio, music.sample_rate).beats
    assert np.median(np.diff(heard)) == pytest.approx(period, rel=0.1)


@pytest.mark.parametrize("bpm", [80.0, 120.0])
def test_slow_melodies_start_their_notes_on_the_beat_and_stay_one_line(bpm):
    grid = BeatGrid(np.arange(0.0, 8.0, 60 / bpm), bpm, "prompt", 0.0, 4, 0)
    arranger = Arranger(parse_prompt("classical music"), grid, 8.0, seed=0)
    key = Key(0, "major")
    bar = Bar(0, 0, parse_numeral("I", key), key, 0.5, 0, False, False)
    rhythm = [(0, 1.5), (1.5, 0.5), (2, 1), (3.5, 0.5)]
    expected = [(0, 1), (1, 1), (2, 1), (3, 1)] if bpm < 100 else rhythm
    assert arranger.on_the_beats(bar, rhythm) == expected


@pytest.mark.parametrize("prompt, pieces", [("slow strings with congas and a tambourine", {63, 64, 54}),
                                            ("an acoustic guitar with bongos and a shaker", {60, 61, 70})])
def test_named_hand_percussion_plays_on_the_beat(prompt, pieces):
    """Hand percussion the prompt names plays where no drum kit does, and the beat a listener
    hears stays the one the composer means."""
    stops = np.arange(0.3, 15.7, 0.55)
    music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.5), prompt, 16.0, seed=1)
    drums = next(track for track in music.score.instruments if track.is_drum)
    assert {note.pitch for note in drums.notes} == pieces
    assert np.mean(intended_beats_heard(stops, prompt)) >= 0.9


def test_a_denied_drum_is_muted_and_the_rest_of_the_kit_plays():
    stops = np.arange(0.3, 15.7, 0.6)
    music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.8),
                                                  "hip hop music without hi-hats", 16.0, seed=1)
    drums = {note.pitch for track in music.score.instruments if track.is_drum for note in track.notes}
    assert {36, 38} <= drums and not drums & {42, 44, 46}


@pytest.mark.parametrize("prompt, playing, keeps_time", [("just drums", {"drums"}, "drums"),
                                                      ("just bass and drums", {"bass", "drums"}, "bass")])
def test_what_plays_alone_keeps_time_in_every_bar_and_nothing_else_plays(prompt, playing, keeps_time):
    """"Just drums", "just bass and drums": the other roles are silent, and the drums (or the
    bass) play even where the person is calm (below the energy at which they join a band), so
    the beat is still heard."""
    stops = np.arange(0.3, 15.7, 0.55)
    music = create_generator("composer").generate(synthetic_controls(16.0, stops, energy=0.05), prompt, 16.0, seed=1)
    assert {track.name.split(":")[0] for track in music.score.instruments if track.notes} == playing
    assert sorted(music.decisions["layers_per_bar"][keeps_time]) == list(range(len(music.decisions["energy_per_bar"])))
    assert np.mean(intended_beats_heard(stops, prompt)) >= 0.9
    assert set(music.decisions["style"]["instruments"]) == playing - {"drums"}  # no one else is said to play


def test_a_named_key_is_the_key_of_every_section_and_the_rest_of_the_music_stays_the_seeds():
    controls = synthetic_controls(8.0, np.arange(0.5, 7.5, 0.5))
    composer = create_generator("composer")
    named = composer.generate(controls, "happy piano music in F# minor", 8.0, seed=3)
    plain = composer.generate(controls, "happy piano music", 8.0, seed=3)
    assert named.decisions["key"] == "F# minor" and plain.decisions["key"].endswith("major")
    assert {section["key"] for section in named.decisions["sections"]} == {"F# minor"}  # however happy the words
    np.testing.assert_array_equal(named.beat_times, plain.beat_times)
    rhythm = [[round(note.start, 4) for note in track.notes] for track in named.score.instruments]
    assert rhythm == [[round(note.start, 4) for note in track.notes] for track in plain.score.instruments]


def test_happy_music_is_played_detached_and_tender_music_legato():
    """Staccato is a cue of happiness, legato of tenderness (Juslin 2001): in a happy prompt's
    music no chord or bass note sounds for more than half a beat, in a tender one's most last
    until the next; the melody keeps its line in both."""
    controls = synthetic_controls(12.0, np.arange(0.5, 11.5, 0.5), energy=0.5)
    composer = create_generator("composer")
    happy, tender = (composer.generate(controls, prompt, 12.0, seed=2) for prompt in ("happy piano music", "tender piano music"))

    def tracks(music) -> dict[str, list]:
        return {track.name.split(":")[0]: sorted(track.notes, key=lambda note: note.start) for track in music.score.instruments}

    def sounding_share(notes) -> float:
        """The median of each note's length over the time to the next onset."""
        onsets = np.unique([note.start for note in notes])
        following = dict(zip(onsets[:-1], onsets[1:]))
        return np.median([(n.end - n.start) / (following[n.start] - n.start) for n in notes if n.start in following])

    beat = np.median(np.diff(happy.beat_times))
    for role in ("harmony", "bass"):
        assert max(note.end - note.start for note in tracks(happy)[role]) <= 0.5 * beat * 1.05, role
        assert sounding_share(tracks(tender)[role]) >= 0.8, role
    assert sounding_share(tracks(happy)["melody"]) >= 0.8 and sounding_share(tracks(tender)["melody"]) >= 0.8
    assert {section["articulation"] for section in happy.decisions["sections"]} == {"staccato"}
    assert {section["articulation"] for section in tender.decisions["sections"]} == {"legato"}


def test_a_rapping_voice_recites_on_the_eighths_where_a_singer_sings_a_tune():
    """Rap is rhythmic speech: the voice that raps has a syllable on every eighth or
    sixteenth, near one pitch, where the same voice singing moves through a melody."""
    controls = synthetic_controls(12.0, np.arange(0.5, 11.5, 0.5), energy=0.45)
    composer = create_generator("composer")
    rapped, sung = (composer.generate(controls, f"a hip hop song with a male vocal {verb} over drums", 12.0, seed=1)
                    for verb in ("rapping", "singing"))
    beat = np.median(np.diff(rapped.beat_times))

    def voice(music) -> list:
        track = next(track for track in music.score.instruments if track.name.startswith("melody"))
        assert track.program == 53
        return sorted(track.notes, key=lambda note: note.start)

    def share_within_half_a_beat(notes) -> float:
        return float(np.mean(np.diff([note.start for note in notes]) <= 0.5 * beat * 1.05))

    assert share_within_half_a_beat(voice(rapped)) >= 0.95 > share_within_half_a_beat(voice(sung)) + 0.1
    assert len(voice(rapped)) > len(voice(sung))
    assert np.ptp([note.pitch for note in voice(rapped)]) <= 3 < np.ptp([note.pitch for note in voice(sung)])


def test_within_uneven_beats_only_the_chords_play_between_the_beats():
    """A person who stops on a steady 120 BPM, but for a few longer beats: drums, bass and
    melody start nothing inside those (a listener keeping the steady pulse would hear such a note
    as a beat), the reggae skank still plays there, and the steady beats keep their eighths."""
    intervals = np.full(30, 0.5)
    intervals[[6, 7, 15, 16, 22]] = 0.6
    stops = 0.3 + np.concatenate([[0.0], np.cumsum(intervals)])
    music = create_generator("composer").generate(synthetic_controls(16.0, stops[stops < 15.7], energy=0.5),
                                                  "reggae music", 16.0, seed=0)
    beats = music.beat_times
    uneven = np.abs(np.log(np.diff(beats) / np.median(np.diff(beats)))) > UNEVEN_BEAT
    assert 3 <= uneven.sum() <= 8

    def between_beats(track) -> np.ndarray:
        """How many of the track's notes start strictly inside each beat."""
        starts = np.array([note.start for note in track.notes])
        inside = [(starts > start + 0.001) & (starts < end - 0.001) for start, end in zip(beats[:-1], beats[1:])]
        return np.array([flags.sum() for flags in inside])

    tracks = {track.name.split(":")[0]: track for track in music.score.instruments}
    for role in ("drums", "bass", "melody"):
        assert between_beats(tracks[role])[uneven].sum() == 0, role
    assert between_beats(tracks["drums"])[~uneven].sum() > 0
    assert between_beats(tracks["harmony"])[uneven].sum() > 0


def test_score_is_playable_music(controls, music):
    score = music.score
    roles = {track.name.split(":")[0] for track in score.instruments}
    assert {"harmony", "bass", "melody", "drums"} <= roles
    for track in score.instruments:
        for note in track.notes:
            assert 0 <= note.start < note.end <= controls.duration + 1e-9  # no stuck notes
    melody = next(t for t in score.instruments if t.name.startswith("melody"))
    harmony = next(t for t in score.instruments if t.name.startswith("harmony"))
    scale = set()
    for section in music.decisions["sections"]:
        tonic, mode = section["key"].split()
        scale |= set(Key(NOTE_NAMES.index(tonic), mode).scale)
    for note in melody.notes:  # every melody note is in the key or in the chord sounding with it
        sounding = {h.pitch % 12 for h in harmony.notes if h.start - 0.05 <= note.start < h.end + 0.5}
        assert note.pitch % 12 in scale | sounding
    assert music.decisions["style"]["instruments"]["bass"]["program"] == 36  # slap bass, as asked


def test_voice_leading_moves_less_than_jumping_to_root_position():
    key = Key(0, "major")
    chords = [parse_numeral(n, key) for n in "I vi IV V I".split()]
    led, previous = [], None
    for chord in chords:
        previous = voice(chord, previous, 52, 76)
        led.append(previous)
    root_position = [tuple(60 + (c.root + i) % 12 + (12 if (c.root + i) % 12 < c.root else 0) for i in c.intervals) for c in chords]
    movement = lambda seq: sum(np.abs(np.subtract(sorted(a)[:3], sorted(b)[:3])).sum() for a, b in zip(seq, seq[1:]))  # noqa: E731
    assert movement(led) < movement(root_position)


def test_more_movement_more_energy(controls, videos):
    from dataclasses import replace

    still = replace(controls, motion_energy=controls.motion_energy * 0.05, body_velocity=controls.body_velocity * 0.05)
    composer = create_generator("composer")
    busy = composer.generate(controls, CAPTION, controls.duration, seed=3)
    calm = composer.generate(still, CAPTION, controls.duration, seed=3)
    count = lambda m: sum(len(t.notes) for t in m.score.instruments)  # noqa: E731
    assert np.mean(busy.decisions["energy_per_bar"]) > np.mean(calm.decisions["energy_per_bar"])
    assert count(busy) > count(calm)


def test_the_bundled_soundfont_plays_on_every_machine_unless_another_is_asked_for(tmp_path, monkeypatch):
    """An installed FluidR3_GM is not picked up by itself (the same seed gives the same music
    on every machine); `system` asks for it, and says how to install it where it is missing."""
    system = tmp_path / "FluidR3_GM.sf2"
    shutil.copy(BUNDLED_SOUNDFONT, system)
    monkeypatch.setattr(synth, "SYSTEM_SOUNDFONTS", (str(tmp_path / "elsewhere.sf2"), str(system)))
    monkeypatch.delenv("EXPOTION_SOUNDFONT", raising=False)
    assert find_soundfont().path == BUNDLED_SOUNDFONT
    assert find_soundfont("system").path == system
    monkeypatch.setenv("EXPOTION_SOUNDFONT", "system")
    assert find_soundfont().path == system and find_soundfont(BUNDLED_SOUNDFONT).source == "requested"
    monkeypatch.setattr(synth, "SYSTEM_SOUNDFONTS", (str(tmp_path / "elsewhere.sf2"),))
    with pytest.raises(ExpotionError, match="apt-get install fluid-soundfont-gm"):
        find_soundfont()


def test_another_soundfont_plays_each_role_as_loud_as_the_bundled_font_does(tmp_path):
    """Fonts differ in balance by more than the mix's levels: on one whose kit is 12 dB quieter
    the drums still sit where the bundled font puts them beside the bass."""
    quiet_kit = quieter_kit_soundfont(BUNDLED_SOUNDFONT, tmp_path / "quiet_kit.sf2", -12.0)
    controls = synthetic_controls(8.0, np.arange(0.5, 8.0, 0.5))
    balance = {}
    for font in (None, str(quiet_kit)):
        music = create_generator("composer", soundfont=font).generate(controls, "rock music", 8.0, seed=1)
        levels = {role: loudness_dbfs(stem, music.sample_rate) for role, stem in music.stems.items()}
        balance[font] = levels["drums"] - levels["bass"]
    assert balance[str(quiet_kit)] == pytest.approx(balance[None], abs=1.0)


def test_unknown_backend_is_a_clear_error():
    from expotion.errors import ExpotionError

    with pytest.raises(ExpotionError, match="backend must be one of composer, musicgen"):
        create_generator("nonesuch")


def test_stems_are_aligned_and_sum_to_the_mix(music):
    mix, stems = music.source.read(stems=True)
    assert set(stems) == {"melody", "harmony", "bass", "drums"}
    for stem in stems.values():
        assert stem.shape == mix.shape == music.audio.shape
    np.testing.assert_allclose(sum(stems.values()), mix, atol=1e-5)
    # Rendered one role at a time, the synthesiser's envelopes step a little differently: inaudibly.
    assert np.abs(mix - music.audio).max() < 0.02
    assert all(np.abs(stem).max() > 0.01 for stem in stems.values())  # every role plays in this funk


def test_long_music_streams_in_blocks_of_bounded_size(controls):
    from dataclasses import replace

    long = replace(controls, duration=45.0)  # the controls' own 5 s, the music 45 s long
    music = create_generator("composer").generate(long, CAPTION, 45.0, seed=2)
    sizes = [len(mix) for mix, _ in music.source.blocks()]
    assert sum(sizes) == 45 * 44100 and max(sizes) <= 4 * 0.4 * 44100
    np.testing.assert_allclose(np.concatenate([mix for mix, _ in music.source.blocks()]), music.audio)


def test_the_kept_first_pass_is_the_music_rendered_again(controls, monkeypatch):
    """Short music streams its loudness pass instead of rendering twice; it must be the same music."""
    from expotion.audio import mix as mixing

    composer = create_generator("composer")
    kept = composer.generate(controls, CAPTION, 4.0, seed=3)
    first = np.concatenate([block for block, _ in kept.source.blocks()])
    rendered_again = np.concatenate([block for block, _ in kept.source.blocks()])
    monkeypatch.setattr(mixing, "KEPT_PASS_S", 0.0)
    rendered_twice = composer.generate(controls, CAPTION, 4.0, seed=3).audio
    np.testing.assert_array_equal(first, rendered_again)
    np.testing.assert_array_equal(first, rendered_twice)
